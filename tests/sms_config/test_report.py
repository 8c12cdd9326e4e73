import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carepath import exports
from carepath.people.models import Role
from carepath.reporting.disclosure import SECONDARY
from carepath.reporting.tables import TOTAL
from carepath.sms import selectors
from carepath.sms.models import Reminder

LONDON = ZoneInfo("Europe/London")
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LONDON)


def remind(org, state, due, *, channel="sms", outcome="", needs_review=False):
    return Reminder.objects.create(
        organisation=org,
        subject_type=ContentType.objects.get_for_model(org),
        subject_id=org.pk,
        purpose="appointment",
        due_at=due,
        state=state,
        channel=channel,
        outcome=outcome,
        needs_review=needs_review,
    )


@pytest.fixture
def seeded(org_a, org_b):
    # Organisation A, due in March 2025 (London time).
    for day in ("2025-03-01", "2025-03-02", "2025-03-03"):
        remind(org_a, "sent", at(day, "00:00"))
    remind(org_a, "sent", at("2025-03-31", "23:30"))  # the last half hour of the period
    remind(org_a, "delivered", at("2025-03-04"))
    remind(org_a, "delivered", at("2025-03-05"))
    remind(org_a, "delivered", at("2025-03-05"), channel="email")
    remind(org_a, "failed", at("2025-03-06"), outcome="Not delivered (30003)")
    remind(org_a, "suppressed", at("2025-03-07"), outcome="Outside the safe hours")
    remind(org_a, "suppressed", at("2025-03-08"), outcome="Outside the safe hours")
    remind(org_a, "suppressed", at("2025-03-09"), outcome="The number has opted out (STOP)")
    remind(org_a, "suppressed", at("2025-03-09"), channel="email", outcome="No email address")
    remind(org_a, "cancelled", at("2025-03-10"), outcome="Appointment cancelled")
    remind(org_a, "scheduled", at("2025-03-20"))
    remind(org_a, "scheduled", at("2025-03-21"))
    review = remind(
        org_a, "sending", at("2025-03-11"), outcome="Outcome unknown: timeout", needs_review=True
    )
    # Organisation A, outside the period: just before it, and just after it in London time
    # (still 31 March in UTC, so a UTC-date filter would wrongly count it).
    remind(org_a, "failed", at("2025-02-28", "23:59"), outcome="Not delivered (30005)")
    remind(org_a, "suppressed", at("2025-04-01", "00:30"), outcome="Outside the safe hours")
    remind(org_a, "sending", at("2025-04-02"), needs_review=True, outcome="Outcome unknown")
    # Organisation B, in the period: never counted for A.
    for day in ("2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05"):
        remind(org_b, "delivered", at(day))
    remind(org_b, "suppressed", at("2025-03-06"), outcome="Outside the safe hours")
    remind(org_b, "suppressed", at("2025-03-06"), outcome="Outside the safe hours")
    remind(org_b, "sending", at("2025-03-07"), needs_review=True, outcome="Outcome unknown")
    return {"review": review}


def _table(report):
    return {row.state: (row.by_channel, row.total) for row in report.states}


@pytest.mark.django_db
def test_the_report_counts_the_managers_organisation_only(client, manager_a, seeded):
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), MARCH)
    assert response.status_code == 200
    report = response.context["report"]
    assert [label for _value, label in report.channels] == ["Text message", "Email"]
    # By hand: [text messages, emails], total.
    assert _table(report) == {
        "sent": ([4, 0], 4),
        "delivered": ([2, 1], 3),
        "failed": ([1, 0], 1),
        "suppressed": ([3, 1], 4),
        "cancelled": ([1, 0], 1),
        "scheduled": ([2, 0], 2),
        "sending": ([1, 0], 1),
    }
    assert report.channel_totals == [14, 2]
    assert report.total == 16
    assert report.suppression_reasons == [
        ("Outside the safe hours", 2),
        ("No email address", 1),
        ("The number has opted out (STOP)", 1),
    ]
    assert [r.pk for r in report.needs_review] == [seeded["review"].pk]
    body = response.content.decode()
    assert "Outcome unknown: timeout" in body
    assert f"#{seeded['review'].pk}" in body


@pytest.mark.django_db
def test_the_other_manager_sees_their_own_figures(manager_b, seeded):
    report = selectors.delivery_report(
        manager_b, since=datetime(2025, 3, 1).date(), until=datetime(2025, 3, 31).date()
    )
    assert report.total == 8
    assert _table(report)["delivered"] == ([5, 0], 5)
    assert report.suppression_reasons == [("Outside the safe hours", 2)]
    assert len(report.needs_review) == 1


@pytest.mark.django_db
def test_without_dates_the_report_covers_the_last_30_days(client, manager_a, seeded):
    client.force_login(manager_a)
    with time_machine.travel(at("2025-03-31", "12:00"), tick=False):
        response = client.get(reverse("sms:report"))
    report = response.context["report"]
    assert (report.since.isoformat(), report.until.isoformat()) == ("2025-03-02", "2025-03-31")
    # 1 March falls out: one sent text fewer than the whole month.
    assert _table(report)["sent"] == ([3, 0], 3)
    assert 'value="2025-03-02"' in response.content.decode()


@pytest.mark.django_db
def test_one_date_alone_is_enough(client, manager_a, seeded):
    client.force_login(manager_a)
    with time_machine.travel(at("2025-04-01", "12:00"), tick=False):
        response = client.get(reverse("sms:report"), {"from": "2025-03-31"})
    report = response.context["report"]
    assert (report.since.isoformat(), report.until.isoformat()) == ("2025-03-31", "2025-04-01")
    assert report.total == 2  # sent late on 31 March, suppressed early on 1 April


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2025-02-30", "to": "2025-03-31"}, "Enter a valid date."),
        ({"from": "yesterday"}, "Enter a valid date."),
        ({"from": "99999-01-01"}, "Enter a valid date."),
        ({"from": "2025-03-31", "to": "2025-03-01"}, "on or after the start date"),
    ],
)
def test_bad_dates_are_form_errors(client, manager_a, seeded, query, message):
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), query)
    assert response.status_code == 400
    assert response.context["report"] is None
    body = response.content.decode()
    assert "There is a problem" in body and message in body


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_reminders(client, manager_a, org_a):
    client.force_login(manager_a)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("sms:report"), MARCH)
        assert response.status_code == 200
        return len(queries)

    def seed(n):
        for i in range(n):
            day = f"2025-03-{1 + i % 28:02d}"
            remind(org_a, "sending", at(day), needs_review=True, outcome=f"Outcome unknown {i}")
            remind(org_a, "suppressed", at(day), channel="email", outcome=f"Reason {i % 5}")
            remind(org_a, "delivered", at(day))

    seed(2)
    few = page_queries()
    seed(40)
    many = page_queries()
    assert many == few
    assert manager_a.roles  # loaded once per request, not per reminder
    with CaptureQueriesContext(connection) as queries:
        selectors.delivery_report(
            manager_a, since=datetime(2025, 3, 1).date(), until=datetime(2025, 3, 31).date()
        )
    assert len(queries) == 3  # the counts, the reasons, the reminders to check


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.MARAC_CHAIR])
def test_only_service_managers_reach_the_report(client, make_user, org_a, role):
    client.force_login(make_user(org_a, role))
    assert client.get(reverse("sms:report")).status_code == 404


@pytest.mark.django_db
def test_the_navigation_offers_each_page_to_its_role(client, admin_a, manager_a):
    client.force_login(manager_a)
    body = client.get(reverse("sms:report")).content.decode()
    # The report is reached from the one "Reports" item, which lists every report.
    assert '<a href="/reports/">Reports</a>' in body
    assert 'href="/sms/templates/"' not in body
    assert 'href="/sms/report/"' in client.get(reverse("reports:list")).content.decode()
    client.force_login(admin_a)
    body = client.get(reverse("sms:rules")).content.decode()
    assert 'href="/sms/rules/" aria-current="page">Reminder rules' in body
    assert 'href="/sms/templates/">Message templates' in body
    assert 'href="/sms/report/"' not in body
    assert 'href="/reports/"' not in body


# --- Charts and downloads ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_as_report_tables(manager_a, seeded):
    report = selectors.delivery_report(
        manager_a, since=datetime(2025, 3, 1).date(), until=datetime(2025, 3, 31).date()
    )
    by_state, by_reason = selectors.delivery_report_tables(report)
    assert by_state.sums == ("sms", "email")
    assert by_state.rows[0] == {"state": "Sent", "sms": 4, "email": 0, TOTAL: 4}
    assert by_state.total_row == {"state": "Total", "sms": 14, "email": 2, TOTAL: 16}
    assert by_state.chart_data()["stacked"]
    # The reasons add up to the suppressed reminders.
    assert [(row["reason"], row["reminders"]) for row in by_reason.rows] == [
        ("Outside the safe hours", 2),
        ("No email address", 1),
        ("The number has opted out (STOP)", 1),
    ]
    assert by_reason.total_row["reminders"] == 4
    suppressed = next(row for row in report.states if row.state == "suppressed")
    assert by_reason.total_row["reminders"] == suppressed.total


@pytest.mark.django_db
def test_the_page_draws_the_charts_and_offers_the_downloads(client, manager_a, seeded):
    client.force_login(manager_a)
    page = client.get(reverse("sms:report"), MARCH).content.decode()
    for key in ("by_state", "suppression_reasons"):
        assert f'<canvas data-chart="chart-data-{key}"' in page
        assert f'<script id="chart-data-{key}" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    assert "?from=2025-03-01&amp;to=2025-03-31&amp;format=csv" in page
    assert "from=2025-03-01&amp;to=2025-03-31&amp;format=xlsx&amp;disclosure=controlled" in page
    assert "a count from 1 to 4 shows as “&lt;5”" in page


def _csv_lines(response) -> list[str]:
    return response.content.decode("utf-8-sig").splitlines()


@pytest.mark.django_db
def test_the_csv_as_recorded(client, manager_a, seeded):
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), {**MARCH, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="reminder-delivery-2025-03-01-2025-03-31.csv"'
    )
    assert _csv_lines(response) == [
        "Reminders by state and channel",
        "State,Text message,Email,Total",
        "Sent,4,0,4",
        "Delivered,2,1,3",
        "Failed,1,0,1",
        "Suppressed,3,1,4",
        "Cancelled,1,0,1",
        "Scheduled,2,0,2",
        "Sending,1,0,1",
        "Total,14,2,16",
        "",
        "Why reminders were suppressed",
        "Reason,Reminders",
        "Outside the safe hours,2",
        "No email address,1",
        "The number has opted out (STOP),1",
        "Total,4",
    ]
    # Counts only: the reminders to check are not in it.
    assert "Outcome unknown" not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_the_csv_for_sharing_outside_the_organisation(client, manager_a, seeded):
    client.force_login(manager_a)
    response = client.get(
        reverse("sms:report"), {**MARCH, "format": "csv", "disclosure": "controlled"}
    )
    assert response.status_code == 200
    assert (
        "reminder-delivery-2025-03-01-2025-03-31-controlled.csv"
        in (response["Content-Disposition"])
    )
    lines = _csv_lines(response)
    assert lines[2:10] == [
        "Sent,<5,0,<5",
        "Delivered,<5,<5,<5",
        "Failed,<5,0,<5",
        "Suppressed,<5,<5,<5",
        "Cancelled,<5,0,<5",
        "Scheduled,<5,0,<5",
        "Sending,<5,0,<5",
        f"Total,14,<5,{SECONDARY}",
    ]
    assert lines[13:] == [
        "Outside the safe hours,<5",
        "No email address,<5",
        "The number has opted out (STOP),<5",
        "Total,<5",
    ]


@pytest.mark.django_db
def test_the_xlsx_has_a_sheet_per_table(client, manager_a, seeded):
    client.force_login(manager_a)
    for query, sent in (({}, 4), ({"disclosure": "controlled"}, "<5")):
        response = client.get(reverse("sms:report"), {**MARCH, **query, "format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == [
            "Reminders by state and channel",
            "Why reminders were suppressed",
        ]
        assert [cell.value for cell in workbook.worksheets[0][2]] == ["Sent", sent, 0, sent]


@pytest.mark.django_db
def test_no_download_of_a_bad_period_or_for_anyone_else(client, manager_a, caseworker_a, seeded):
    client.force_login(manager_a)
    response = client.get(
        reverse("sms:report"), {"from": "2025-03-31", "to": "2025-03-01", "format": "csv"}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    client.force_login(caseworker_a)
    for query in ({"format": "csv"}, {"format": "xlsx", "disclosure": "controlled"}):
        assert client.get(reverse("sms:report"), {**MARCH, **query}).status_code == 404
