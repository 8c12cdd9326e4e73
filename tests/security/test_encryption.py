"""Field encryption: safe addresses, safe-contact details and phone numbers are ciphertext in
the database, history tables included; they read back as they were written; the lookups by
number still work through keyed hashes; and keys can be rotated and checked."""

import datetime
import importlib
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone
from encrypted_fields.fields import EncryptedCharField as LibraryCharField

from accommodation.models import Placement, Property
from carepath import crypto
from carepath.pathway import PathwayError
from carepath.sms.models import OptOut, SafeContact
from carepath.sms.rules import why_not_to_text
from carepath.sms.services import inbound_message
from casework.models import Case
from casework.services.appointments import appointment_create
from casework.services.contact import safe_contact_add
from marac.models import MaracArea, MaracReferral
from tests.factories import CaseFactory

NUMBER = "+447700900321"
LABEL = "Aunt Rosa's landline"
ADDRESS = "14 Hidden Lane, Cardiff"
POSTCODE = "CF10 1AA"
DESTINATION = "Flat 2, 9 Quiet Road, Newport"
REFERRER = "PC Jones, 01632 960123"
SAFE_CONTACT = "Text only after 6pm on 07700 900555"
LOCATION = "Home visit, 4 Orchard Close"
PLAINTEXTS = [
    NUMBER,
    "7700900321",
    LABEL,
    ADDRESS,
    POSTCODE,
    DESTINATION,
    REFERRER,
    SAFE_CONTACT,
    LOCATION,
]

# Every encrypted field, on the model and on its history model. A field added to (or dropped
# from) encryption must be added here, so its storage is tested below.
EXPECTED = {
    "sms.SafeContact": ["number", "label"],
    "sms.HistoricalSafeContact": ["number", "label"],
    "sms.OptOut": ["number"],
    "accommodation.Property": ["address", "postcode"],
    "accommodation.HistoricalProperty": ["address", "postcode"],
    "accommodation.Placement": ["move_on_destination"],
    "accommodation.HistoricalPlacement": ["move_on_destination"],
    "casework.Case": ["referrer_contact"],
    "casework.HistoricalCase": ["referrer_contact"],
    "casework.Appointment": ["location"],
    "casework.HistoricalAppointment": ["location"],
    "marac.MaracReferral": ["safe_contact"],
    "marac.HistoricalMaracReferral": ["safe_contact"],
}

KEY_A = "key-a-for-the-rotation-test-0123456789"
KEY_B = "key-b-for-the-rotation-test-9876543210"


@pytest.fixture
def seeded(db, org_a, team_a, manager_a):
    """One of each encrypted value, written through the ordinary paths (so history rows too)."""
    case = CaseFactory(team=team_a, by=manager_a, referrer_contact=REFERRER)
    contact = safe_contact_add(
        by=manager_a,
        case=case,
        values={
            "number": NUMBER,
            "label": LABEL,
            "safe_to_text": True,
            "sender_name": "Clinic",
            "language": "en",
            "verified_on": timezone.localdate(),
        },
    )
    prop = Property.objects.create(
        organisation=org_a,
        name="Rowan House",
        kind="refuge",
        address=ADDRESS,
        postcode=POSTCODE,
        local_authority="Cardiff",
        region="Wales",
    )
    placement = Placement.objects.create(
        case=case,
        provider=org_a,
        requested_by=manager_a,
        known_as="Sam",
        gender="female",
        move_on_destination=DESTINATION,
    )
    area = MaracArea.objects.create(organisation=org_a, name="Northtown MARAC")
    referral = MaracReferral.objects.create(
        case=case,
        area=area,
        referred_on=timezone.localdate(),
        referred_by=manager_a,
        referring_agency="idva",
        safe_contact=SAFE_CONTACT,
    )
    appointment_create(
        by=manager_a,
        case=case,
        values={"kind": "dental", "with_whom": "Dental clinic", "location": LOCATION},
        book=False,
    )
    inbound_message(from_number=NUMBER, body="STOP")
    return {
        "case": case,
        "contact": contact,
        "property": prop,
        "placement": placement,
        "referral": referral,
    }


def raw_values(model, field: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


def every_encrypted_column():
    return [(model, name) for model, names in crypto.encrypted_fields() for name in names]


def test_the_dangerous_fields_and_their_history_columns_are_encrypted():
    found = {model._meta.label: names for model, names in crypto.encrypted_fields()}
    assert found == EXPECTED


def test_no_column_holds_plaintext_on_the_model_or_the_history_table(seeded):
    for model, name in every_encrypted_column():
        stored = [value for value in raw_values(model, name) if value]
        assert stored, f"{model._meta.label}.{name} has nothing stored: the test proves nothing"
        for value in stored:
            assert crypto.looks_encrypted(value), f"{model._meta.label}.{name}"
            for plain in PLAINTEXTS:
                assert plain not in value
    # The opt-out's lookup column is a keyed hash, not the number in any form either.
    for value in raw_values(OptOut, "number_hash"):
        assert len(value) == 64 and not any(plain in value for plain in PLAINTEXTS)


def test_values_read_back_as_written_from_the_model_and_its_history(seeded):
    contact = SafeContact.objects.get(pk=seeded["contact"].pk)
    assert (contact.number, contact.label) == (NUMBER, LABEL)
    assert contact.masked_number == "••• 0321"
    assert contact.history.get().number == NUMBER
    prop = Property.objects.get(pk=seeded["property"].pk)
    assert (prop.address, prop.postcode, prop.postcode_district) == (ADDRESS, POSTCODE, "CF10")
    assert prop.history.get().address == ADDRESS
    placement = Placement.objects.get(pk=seeded["placement"].pk)
    assert placement.move_on_destination == DESTINATION
    assert placement.history.get().move_on_destination == DESTINATION
    case = Case.objects.get(pk=seeded["case"].pk)
    assert case.referrer_contact == REFERRER
    assert {row.referrer_contact for row in case.history.all()} == {REFERRER}
    referral = MaracReferral.objects.get(pk=seeded["referral"].pk)
    assert referral.safe_contact == SAFE_CONTACT
    assert referral.history.get().safe_contact == SAFE_CONTACT
    assert OptOut.objects.get().number == NUMBER


def test_the_library_reads_what_is_written(seeded):
    """The keys are the library's own derivation, so its fields open our values."""
    token = raw_values(SafeContact, "number")[0]
    assert LibraryCharField(max_length=20).to_python(token) == NUMBER


def test_empty_values_stay_empty_strings(db, team_a, manager_a, org_a):
    case = CaseFactory(team=team_a, by=manager_a, referrer_contact="")
    contact = SafeContact.objects.create(
        organisation=org_a,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        number=NUMBER,
        label="",
    )
    assert raw_values(Case, "referrer_contact") == [""]
    assert raw_values(SafeContact, "label") == [""]
    case.refresh_from_db()
    contact.refresh_from_db()
    assert case.referrer_contact == "" and contact.label == ""
    assert SafeContact.objects.filter(label="").get() == contact
    assert Case.objects.exclude(referrer_contact="").count() == 0


def test_a_search_by_value_is_refused_rather_than_silently_matching_nothing(seeded):
    with pytest.raises(FieldError, match="encrypted"):
        SafeContact.objects.filter(number=NUMBER).exists()
    with pytest.raises(FieldError, match="encrypted"):
        Property.objects.filter(postcode__startswith="CF10").exists()
    with pytest.raises(FieldError, match="encrypted"):
        Case.objects.filter(referrer_contact__icontains="jones").exists()


def test_stop_opts_the_number_out_however_it_is_written_and_start_opts_it_back_in(seeded):
    contact = seeded["contact"]
    assert why_not_to_text(contact, timezone.now()) == "The number has opted out (STOP)"
    assert OptOut.objects.matching("07700 900321").exists()
    # A second STOP, written the UK way, is the same number: still one opt-out.
    inbound_message(from_number="07700900321", body="stop")
    assert OptOut.objects.count() == 1
    assert inbound_message(from_number=NUMBER, body="START") == "opted_in"
    assert not OptOut.objects.exists()
    assert not OptOut.objects.matching(NUMBER).exists()


def test_a_number_already_recorded_for_the_person_is_refused(seeded, manager_a):
    values = {"number": "07700 900321", "label": "", "safe_to_text": False, "language": "en"}
    with pytest.raises(PathwayError, match="already recorded"):
        safe_contact_add(by=manager_a, case=seeded["case"], values=values)
    other = safe_contact_add(
        by=manager_a, case=seeded["case"], values={**values, "number": "+447700900999"}
    )
    assert other.number == "+447700900999"


def test_rotation_re_encrypts_everything_with_the_new_key(settings, db, request):
    settings.SALT_KEY = [KEY_A]
    objects = request.getfixturevalue("seeded")
    under_a = {(m, n): raw_values(m, n) for m, n in every_encrypted_column()}
    hash_under_a = raw_values(OptOut, "number_hash")

    # The new key first; the old one still decrypts. No cache to clear: the fields' keys
    # follow the settings.
    settings.SALT_KEY = [KEY_B, KEY_A]
    assert SafeContact.objects.get(pk=objects["contact"].pk).number == NUMBER
    assert OptOut.objects.matching(NUMBER).exists()  # hashed under A, still found
    out = StringIO()
    call_command("encryption_check", stdout=out)
    assert "values use an older key" in out.getvalue()

    out = StringIO()
    call_command("encryption_rotate", batch_size=2, stdout=out)
    assert "sms.HistoricalSafeContact.number: 1 re-encrypted" in out.getvalue()
    assert "sms.OptOut.number_hash: 1 re-hashed" in out.getvalue()
    for column, before in under_a.items():
        assert set(raw_values(*column)).isdisjoint(v for v in before if v), column
    assert raw_values(OptOut, "number_hash") != hash_under_a

    # The old key removed: everything still reads, and the check passes.
    settings.SALT_KEY = [KEY_B]
    call_command("encryption_check", stdout=StringIO())
    contact = SafeContact.objects.get(pk=objects["contact"].pk)
    assert (contact.number, contact.history.get().label) == (NUMBER, LABEL)
    assert Property.objects.get().history.get().address == ADDRESS
    assert Case.objects.get().referrer_contact == REFERRER
    assert MaracReferral.objects.get().history.get().safe_contact == SAFE_CONTACT
    assert Placement.objects.get().move_on_destination == DESTINATION
    assert why_not_to_text(contact, timezone.now()) == "The number has opted out (STOP)"

    # Running it again changes nothing.
    out = StringIO()
    call_command("encryption_rotate", stdout=out)
    assert "re-encrypted" not in out.getvalue() and "re-hashed" not in out.getvalue()


def test_a_new_secret_key_with_the_old_one_in_the_fallbacks_also_rotates(settings, db, request):
    settings.SALT_KEY = [KEY_A]
    settings.SECRET_KEY = "old-secret-key-for-the-rotation-test-" + "x" * 20
    request.getfixturevalue("seeded")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "new-secret-key-for-the-rotation-test-" + "y" * 20
    call_command("encryption_rotate", stdout=StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    call_command("encryption_check", stdout=StringIO())
    assert SafeContact.objects.get().number == NUMBER


def test_the_check_fails_on_a_value_written_with_an_unknown_key(seeded):
    stranger = Fernet(Fernet.generate_key()).encrypt(b"1 Elsewhere Road").decode()
    Property.objects.update(address=models.Value(stranger, models.TextField()))
    out = StringIO()
    with pytest.raises(CommandError, match="1 unreadable"):
        call_command("encryption_check", stdout=out)
    assert "accommodation.Property.address: 1 unreadable" in out.getvalue()
    # Reading it fails loudly rather than showing the ciphertext as an address.
    with pytest.raises(crypto.UndecryptableValue):
        Property.objects.get()
    # Rotation cannot fix it either, and says so.
    with pytest.raises(CommandError, match="do not decrypt"):
        call_command("encryption_rotate", stdout=StringIO())


def test_the_check_fails_on_plaintext_left_in_a_history_table_and_rotation_encrypts_it(seeded):
    history = apps.get_model("sms", "HistoricalSafeContact")
    history.objects.update(number=models.Value(NUMBER, models.TextField()))
    with pytest.raises(CommandError, match="1 plaintext"):
        call_command("encryption_check", stdout=StringIO())
    call_command("encryption_rotate", stdout=StringIO())
    call_command("encryption_check", stdout=StringIO())
    assert NUMBER not in raw_values(history, "number")


def test_the_check_fails_on_a_hash_that_does_not_match_its_number(seeded):
    OptOut.objects.update(number_hash="0" * 64)
    with pytest.raises(CommandError, match="1 mismatched"):
        call_command("encryption_check", stdout=StringIO())


def test_rotation_does_not_overwrite_an_edit_saved_while_it_ran(seeded):
    contact = seeded["contact"]
    stored = raw_values(SafeContact, "number")[0]

    def edit_meanwhile(value):
        SafeContact.objects.filter(pk=contact.pk).update(number="+447700900888")
        return "re-encrypted", crypto.keyring().encrypt(NUMBER)

    counts = crypto.rewrite(SafeContact, "number", edit_meanwhile)
    assert counts == {"re-encrypted": 1, "changed meanwhile": 1}
    assert raw_values(SafeContact, "number")[0] != stored
    assert SafeContact.objects.get().number == "+447700900888"


@pytest.mark.parametrize(
    ("app_label", "module"),
    [
        ("accommodation", "accommodation.migrations.0004_encrypt_existing_values"),
        ("casework", "casework.migrations.0008_encrypt_existing_values"),
        ("casework", "casework.migrations.0010_encrypt_appointment_locations"),
        ("marac", "marac.migrations.0008_encrypt_existing_values"),
        ("sms", "carepath.sms.migrations.0004_encrypt_existing_values"),
    ],
)
def test_the_data_migrations_encrypt_plaintext_rows_and_history_rows(seeded, app_label, module):
    migration = importlib.import_module(module)
    fields = [
        (apps.get_model(app_label, model_name), name)
        for model_name, names in migration.FIELDS.items()
        for name in names
    ]
    for model, name in fields:  # as stored before encryption was switched on
        crypto.rewrite(model, name, crypto.decrypt_to_plaintext)
        assert not any(crypto.looks_encrypted(v) for v in raw_values(model, name) if v)
    for operation in migration.Migration.operations:
        operation.code(apps, connection.schema_editor)
    for model, name in fields:
        stored = [v for v in raw_values(model, name) if v]
        assert stored and all(crypto.looks_encrypted(v) for v in stored), (model, name)
    # Reversed: decrypted. (The opt-out hashes are kept here: the column they are cleared
    # from is only nullable in the schema before this migration.)
    migration.Migration.operations[-1].reverse_code(apps, connection.schema_editor)
    for model, name in fields:
        assert not any(crypto.looks_encrypted(v) for v in raw_values(model, name) if v)


def test_the_opt_out_migration_hashes_and_merges_one_number_written_two_ways(seeded):
    migration = importlib.import_module("carepath.sms.migrations.0004_encrypt_existing_values")
    OptOut.objects.all().delete()
    with connection.cursor() as cursor:
        for number, placeholder in [("07700 900321", "a"), (NUMBER, "b"), ("+447700900999", "c")]:
            cursor.execute(
                "INSERT INTO sms_optout (number, number_hash, created_at, source) "
                "VALUES (%s, %s, %s, 'STOP')",
                [number, placeholder, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)],
            )
    for operation in migration.Migration.operations:
        operation.code(apps, connection.schema_editor)
    assert OptOut.objects.count() == 2
    assert OptOut.objects.matching(NUMBER).get().number == "07700 900321"
    assert OptOut.objects.matching("+447700900999").exists()
    call_command("encryption_check", stdout=StringIO())


def test_deploy_check_warns_about_the_development_key(settings):
    settings.SALT_KEY = [crypto.DEVELOPMENT_KEY]
    assert [w.id for w in crypto.field_encryption_keys(None)] == ["carepath.crypto.W001"]
    settings.SALT_KEY = ["Zq8vN2kR5tW9yB3mH6pL1xC4fJ7sD0gA"]
    assert crypto.field_encryption_keys(None) == []
