"""Two offers for the last bed space: one placement, and a clear error for the other."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accommodation import services
from accommodation.models import Placement, PlacementState
from carepath.pathway import PathwayError

GONE = "That bed space has just been offered to someone else."


@pytest.fixture
def last_bed(org_a, make_property, make_unit):
    return make_unit(make_property(org_a), beds=1).bed_spaces.get()


@pytest.fixture
def two_requests(make_case, org_a, request_place):
    return request_place(make_case(), org_a), request_place(make_case(), org_a)


def holders(bed):
    return Placement.objects.filter(bed_space=bed, state__in=services.HOLDING_STATES)


def test_the_second_offer_for_the_last_bed_is_told_the_bed_has_gone(last_bed, two_requests, offer):
    first, second = two_requests
    offer(first, last_bed)

    with pytest.raises(PathwayError, match=GONE):
        offer(second, last_bed)

    assert list(holders(last_bed)) == [first]
    assert Placement.objects.get(pk=second.pk).state == PlacementState.REQUESTED


def test_the_database_refuses_a_second_holder_even_past_the_services_check(last_bed, two_requests):
    first, second = two_requests
    now = timezone.now()
    for placement in (first, second):
        placement.offer(bed_space=last_bed, at=now, expires_at=now)
    first.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()

    assert list(holders(last_bed)) == [first]


@pytest.mark.django_db(transaction=True)
def test_two_offers_racing_for_the_last_bed_give_one_placement(
    last_bed, two_requests, accommodation_manager_a
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite locks the whole database for a write and has no SELECT ... FOR UPDATE, so "
            "two connections cannot race here; this runs on PostgreSQL (CI)."
        )
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def offer_in_own_connection(placement):
        try:
            barrier.wait()
            services.placement_offer(
                by=accommodation_manager_a,
                placement=placement,
                bed_space=last_bed,
                expected_version=placement.version,
            )
            outcomes[placement.pk] = "offered"
        except Exception as error:  # noqa: BLE001 - the outcome itself is what is checked
            outcomes[placement.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=offer_in_own_connection, args=(p,)) for p in two_requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2
    refused = [o for o in outcomes.values() if o != "offered"]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], PathwayError)
    assert str(refused[0]) == GONE
    assert holders(last_bed).count() == 1
