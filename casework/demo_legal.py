"""Demo legal matters on the demo cases of each organisation, through the real services, with
dates relative to today so the caseload shows upcoming, due and overdue legal deadlines:

- a compensation claim still being considered, the application due in about two months;
- a compensation claim decided 50 days ago, the review to be asked for within the week;
- Temporary Permission to Stay granted, the leave ending in about three months, so the
  application to extend is due within the week;
- a police investigation whose last update was six weeks ago: a missed month, breached;
- a debt in the person's name with a step due in ten days.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from carepath.people.models import Organisation
from casework.models import Case, CaseState, LegalMatter
from casework.services.legal import legal_matter_open, legal_step_add
from casework.services.legal_transitions import legal_transition

SOLICITOR = {
    "solicitor": "A. Example",
    "firm": "Example Legal LLP (demo)",
    "legal_aid_reference": "",
    "notes": "",
}


@transaction.atomic
def seed_legal_matters() -> int:
    """Adds legal matters to the demo cases of each demo organisation that has none yet.
    Returns how many were added."""
    added = 0
    today = timezone.localdate()
    for slug in ("clyde", "taff"):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        cases = list(
            Case.objects.filter(
                organisation=organisation,
                state__in=[CaseState.SUPPORTED, CaseState.MOVING_ON],
                caseworker__isnull=False,
            ).order_by("pk")
        )
        if not cases or LegalMatter.objects.filter(case__organisation=organisation).exists():
            continue
        added += _seed(cases, today=today)
    return added


def _seed(cases: list[Case], *, today: date) -> int:
    def days(n: int) -> date:
        return today - timedelta(days=n)

    def by(case: Case):
        return case.caseworker

    plans = []
    first = cases[0]
    plans.append(
        lambda: legal_matter_open(
            by=by(first),
            case=first,
            kind="cica",
            title="CICA claim: assault by the exploiter",
            opened_on=days(30),
            representative=SOLICITOR,
            details={"incident_on": days(670), "reported_on": days(600)},
        )
    )
    second = cases[1 % len(cases)]

    def decided_claim():
        matter = legal_matter_open(
            by=by(second),
            case=second,
            kind="cica",
            title="CICA claim: injuries at the farm",
            opened_on=days(300),
            representative={**SOLICITOR, "legal_aid_reference": "LA-DEMO-0042"},
            details={"incident_on": days(500), "reported_on": days(480)},
        )
        _through(
            matter,
            by(second),
            (
                ("apply", {"on": days(290), "reference": "CICA/DEMO/1234"}),
                ("decide", {"on": days(50), "amount": Decimal("2000.00")}),
            ),
        )
        return matter

    plans.append(decided_claim)
    third = cases[2 % len(cases)]

    def leave_granted():
        matter = legal_matter_open(
            by=by(third),
            case=third,
            kind="immigration",
            title="Temporary Permission to Stay",
            opened_on=days(330),
            representative=SOLICITOR,
            details={"route": "tps_vt"},
        )
        _through(
            matter,
            by(third),
            (
                ("apply", {"on": days(320), "reference": "HO-DEMO-5678"}),
                (
                    "grant",
                    {
                        "on": days(280),
                        "leave": "TPS-VT for 12 months",
                        "expires_on": today + timedelta(days=95),
                    },
                ),
            ),
        )
        return matter

    plans.append(leave_granted)
    fourth = cases[3 % len(cases)]

    def investigation():
        matter = legal_matter_open(
            by=by(fourth),
            case=fourth,
            kind="criminal_justice",
            title="Police investigation: forced labour",
            opened_on=days(120),
            representative={**SOLICITOR, "solicitor": "", "firm": ""},
            details={
                "police_force": "Demo Police",
                "crime_reference": "CR-DEMO-0099",
                "officer_in_case": "DC Example",
                "witness_status": "vulnerable",
            },
        )
        legal_step_add(
            by=by(fourth),
            matter=matter,
            kind="statement",
            description="Statement taken jointly with the support worker present",
            done_on=days(110),
            joint=True,
        )
        legal_step_add(
            by=by(fourth),
            matter=matter,
            kind="police_update",
            description="Update from DC Example: suspects identified",
            done_on=days(42),
        )
        _through(matter, by(fourth), (("investigate", {}),))
        return matter

    plans.append(investigation)
    fifth = cases[4 % len(cases)]

    def debt():
        matter = legal_matter_open(
            by=by(fifth),
            case=fifth,
            kind="civil",
            title="Debt: phone contract taken out in the person's name",
            opened_on=days(20),
            representative={**SOLICITOR, "solicitor": "", "firm": "Debt advice service (demo)"},
            details={"civil_kind": "debt", "other_party": "A mobile network (demo)"},
        )
        legal_step_add(
            by=by(fifth),
            matter=matter,
            kind="deadline",
            description="Send the fraud declaration to the creditor",
            due_on=today + timedelta(days=10),
        )
        return matter

    plans.append(debt)
    for plan in plans:
        plan()
    return len(plans)


def _through(matter: LegalMatter, by, steps) -> None:
    """Take the matter through its kind's transitions, each with its values."""
    for name, values in steps:
        matter.detail.refresh_from_db()
        legal_transition(
            by=by, matter=matter, name=name, expected_version=matter.detail.version, values=values
        )
