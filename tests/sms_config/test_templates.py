import pytest
from django.urls import reverse

from carepath.people.models import Role
from carepath.sms.forms import MessageTemplateForm
from carepath.sms.models import MessageTemplate


def _form(body, *, key="appointment", language="en", instance=None):
    return MessageTemplateForm({"key": key, "language": language, "body": body}, instance=instance)


def _body_errors(body, **kwargs):
    form = _form(body, **kwargs)
    assert not form.is_valid()
    return " ".join(form.errors.get("body", []))


@pytest.fixture
def appointment_en(db):
    return MessageTemplate.objects.get(key="appointment", language="en")


# --- Validation -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_placeholder_is_named():
    errors = _body_errors("See you {date} at {place}, {name}.", key="new.purpose")
    assert "{place}" in errors
    assert "{name}" in errors
    assert "{date}" in errors  # the message lists what is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["Reminder {date at {time}.", "Reminder {date} at time}."])
def test_an_unpaired_brace_is_an_error_not_a_crash(body):
    errors = _body_errors(body, key="new.purpose")
    assert "has no pair" in errors


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{date!r}", "{date:>30}", "{sender.__class__}", "{}", "{0}"])
def test_only_plain_placeholders_are_allowed(body):
    errors = _body_errors(f"Reminder {body}.", key="new.purpose")
    assert body in errors


@pytest.mark.django_db
def test_the_name_of_any_organisation_is_refused(org_a, org_b):
    errors = _body_errors("ORGANISATION b: reminder {date}.", key="new.purpose")
    assert "“Organisation B”" in errors
    # A name is matched as whole words only.
    assert _form("Reminder {date}.", key="new.purpose").is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("Your REFUGE key is ready {date}.", "refuge"),
        ("Anti-trafficking team: {date}", "trafficking"),
        ("Modern Slavery help {date}", "slavery"),
        ("Domestic abuse clinic {date}", "abuse"),
        ("Your Support  Service {date}", "support service"),
        ("carepath: {date}", "Carepath"),
        ("Lloches: {date}", "lloches"),
    ],
)
def test_revealing_words_are_refused_and_named(body, word):
    errors = _body_errors(body, key="new.purpose")
    assert f"“{word}”" in errors


@pytest.mark.django_db
def test_a_staff_reminder_may_name_carepath_but_nothing_else_revealing():
    assert _form("Carepath deadline {date}.", key="staff.other").is_valid()
    assert "“refuge”" in _body_errors("Carepath refuge deadline {date}.", key="staff.other")


@pytest.mark.django_db
def test_the_filled_text_may_not_pass_320_characters():
    # The longest English date is "Wednesday 11 September" (22 characters).
    assert _form("x" * (320 - 22) + "{date}", key="new.purpose").is_valid()
    errors = _body_errors("x" * (321 - 22) + "{date}", key="new.purpose")
    assert "321 characters" in errors
    # The sender is counted at its longest: 11 letters.
    assert "321 characters" in _body_errors("x" * (321 - 11) + "{sender}", key="new.purpose")


@pytest.mark.django_db
def test_a_second_text_for_the_same_purpose_and_language_is_refused(appointment_en):
    form = _form("Another reminder {date}.")
    assert not form.is_valid()
    assert "already a text for appointment in en" in str(form.non_field_errors())


@pytest.mark.django_db
def test_every_problem_is_shown_at_once(org_a):
    errors = _body_errors("Organisation A refuge {where}", key="new.purpose")
    assert "{where}" in errors and "refuge" in errors and "Organisation A" in errors


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_each_purpose_and_language(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("sms:templates"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nodyn atgoffa: {date} am {time}." in body
    assert "Reminder: {date} at {time}." in body
    assert ">staff.deadline</h2>" in body
    assert 'href="/sms/templates/"' in body  # the navigation offers the page


@pytest.mark.django_db
def test_saving_records_history_and_says_so(client, admin_a, appointment_en):
    client.force_login(admin_a)
    url = reverse("sms:template", args=[appointment_en.pk])
    response = client.post(
        url, {"key": "appointment", "language": "en", "body": "See you {date}, {time}."}
    )
    assert response.status_code == 302
    appointment_en.refresh_from_db()
    assert appointment_en.body == "See you {date}, {time}."
    latest = appointment_en.history.first()
    assert latest.history_type == "~" and latest.history_user == admin_a
    page = client.get(response["Location"]).content.decode()
    assert "Text for appointment (en) saved." in page
    assert "See you {date}, {time}." in client.get(url).content.decode()  # and in the history


@pytest.mark.django_db
def test_adding_a_text_in_another_language(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("sms:template_new"),
        {"key": "appointment", "language": "PT-BR", "body": "Lembrete: {date} às {time}."},
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.get(key="appointment", language="pt-br").history.count() == 1


@pytest.mark.django_db
def test_a_refused_text_is_shown_back_with_the_error_summary(client, admin_a, appointment_en):
    client.force_login(admin_a)
    response = client.post(
        reverse("sms:template", args=[appointment_en.pk]),
        {"key": "appointment", "language": "en", "body": "Refuge visit {date} at {place}"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "{place}" in body and "“refuge”" in body
    appointment_en.refresh_from_db()
    assert appointment_en.body == "Reminder: {date} at {time}."


@pytest.mark.django_db
def test_preview_shows_the_filled_text_and_saves_nothing(client, admin_a):
    client.force_login(admin_a)
    template = MessageTemplate.objects.get(key="appointment", language="cy")
    versions = template.history.count()
    response = client.post(
        reverse("sms:template", args=[template.pk]),
        {
            "key": "appointment",
            "language": "cy",
            "body": "Apwyntiad: {date} am {time}.",
            "preview": "1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body  # the whole page, without JavaScript
    assert "Apwyntiad: Dydd " in body and " am 14:30." in body
    template.refresh_from_db()
    assert template.body == "Nodyn atgoffa: {date} am {time}."
    assert template.history.count() == versions


@pytest.mark.django_db
def test_preview_with_htmx_returns_only_the_fragment(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("sms:template_new"),
        {"key": "appointment", "language": "en-x", "body": "Hi {sender}: {time}.", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Hi Clinic: 14:30." in body
    assert "Language code" in body  # "en-x" is not a valid code: the problem is listed
    assert not MessageTemplate.objects.filter(language="en-x").exists()


@pytest.mark.django_db
def test_preview_still_shows_the_text_beside_a_discretion_problem(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("sms:template_new"),
        {"key": "appointment", "language": "de", "body": "Refuge {date}", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "Refuge " in body and "“refuge”" in body and 'role="alert"' in body
    assert not MessageTemplate.objects.filter(language="de").exists()


@pytest.mark.django_db
def test_the_form_offers_an_htmx_preview_that_degrades_to_a_plain_submit(client, admin_a):
    client.force_login(admin_a)
    body = client.get(reverse("sms:template_new")).content.decode()
    assert 'type="submit" name="preview"' in body
    assert 'hx-post="/sms/templates/new/"' in body


# --- Who may -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Role.CASEWORKER, Role.SERVICE_MANAGER, Role.ACCOMMODATION_MANAGER, Role.MARAC_CHAIR],
)
def test_only_administrators_reach_the_template_pages(
    client, make_user, org_a, role, appointment_en
):
    client.force_login(make_user(org_a, role))
    edit = reverse("sms:template", args=[appointment_en.pk])
    assert client.get(reverse("sms:templates")).status_code == 404
    assert client.get(reverse("sms:template_new")).status_code == 404
    assert client.get(edit).status_code == 404
    response = client.post(edit, {"key": "appointment", "language": "en", "body": "Hacked {date}"})
    assert response.status_code == 404
    appointment_en.refresh_from_db()
    assert appointment_en.body == "Reminder: {date} at {time}."


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("sms:templates"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_an_unknown_template_is_a_404(client, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("sms:template", args=[999999])).status_code == 404
