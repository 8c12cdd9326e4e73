"""Adult or minor in the NRM report, at the edges: the age is counted in whole years as
birthdays come, on SQLite and on PostgreSQL alike (the database works it out)."""

from datetime import date

import pytest

from carepath.reporting.filters import ReportFilter
from casework.selectors.nrm_report import nrm_report
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (date(2008, 1, 15), date(2026, 1, 15), "adult"),  # the 18th birthday
        (date(2008, 1, 16), date(2026, 1, 15), "minor"),  # the day before it
        # Born on 29 February: 18 on 1 March in a year without one.
        (date(2008, 2, 29), date(2026, 2, 28), "minor"),
        (date(2008, 2, 29), date(2026, 3, 1), "adult"),
        # On 29 February: born on 1 March is still 17, born on 28 February is 18.
        (date(2006, 3, 1), date(2024, 2, 29), "minor"),
        (date(2006, 2, 28), date(2024, 2, 29), "adult"),
    ],
)
def test_adult_or_minor_at_exploitation_and_at_referral(team_a, born, on, expected):
    CaseFactory(team=team_a, date_of_birth=born, first_exploitation_date=on, referral_date=on)

    report = nrm_report(
        ReportFilter(
            since=date(2024, 1, 1),
            until=date(2026, 12, 31),
            organisations=(team_a.organisation_id,),
        )
    )

    by_type = report.table("by_exploitation_type").rows
    assert {row["age_group"] for row in by_type if row["female"]} == {expected}
    by_agency = report.table("by_referring_agency").total_row
    assert by_agency[f"{expected}_female"] == 1


def test_the_verified_date_of_birth_counts_over_the_one_given(team_a):
    CaseFactory(
        team=team_a,
        date_of_birth=date(1990, 1, 1),
        verified_date_of_birth=date(2010, 1, 1),
        first_exploitation_date=date(2026, 1, 5),
    )

    report = nrm_report(
        ReportFilter(
            since=date(2026, 1, 1), until=date(2026, 1, 31), organisations=(team_a.organisation_id,)
        )
    )

    assert report.table("by_referring_agency").total_row["minor_female"] == 1
    assert report.table("by_nationality_minor").total_row["female"] == 1
