"""What a reader may report on, and the filter form built from it."""

from datetime import date

from django.apps import apps
from django.db.models import QuerySet

from carepath import policy
from carepath.people.models import Organisation, Team, User
from carepath.reporting.filters import ReportFilterForm


def report_organisations(user: User) -> QuerySet[Organisation]:
    return policy.visible(user, "report.view", Organisation.objects.order_by("name", "pk"))


PLACES = ("region", "local_authority")


def _places(model_label: str, organisation_ids) -> list[tuple[str, str]]:
    """The (region, local authority) pairs found in a model's records, in one query."""
    model = apps.get_model(model_label)
    return list(
        model.objects.filter(organisation_id__in=organisation_ids)
        .values_list(*PLACES)
        # Without clearing the model's default ordering, DISTINCT would be over the ordering's
        # columns too: a row per record rather than per value.
        .order_by()
        .distinct()
    )


def filter_form(user: User, data, *, today: date) -> ReportFilterForm:
    """The filter form of a report page, with the choices this reader has."""
    organisations = list(report_organisations(user))
    ids = [organisation.pk for organisation in organisations]
    pairs = [*_places("casework.Case", ids), *_places("accommodation.Property", ids)]
    places = {}
    for position, field in enumerate(PLACES):
        # One choice per place however it was capitalised (the filter ignores case).
        found: dict[str, str] = {}
        for name in sorted({pair[position] for pair in pairs} - {""}):
            found.setdefault(name.casefold(), name)
        places[field] = sorted(found.values(), key=str.casefold)
    return ReportFilterForm(
        data,
        organisations=organisations,
        teams=list(Team.objects.filter(organisation_id__in=ids).order_by("name", "pk")),
        regions=places["region"],
        local_authorities=places["local_authority"],
        today=today,
    )
