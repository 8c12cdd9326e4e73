"""Encryption of the most dangerous values: safe addresses, safe-contact details and phone
numbers (django-fernet-encrypted-fields), and keyed hashes for the one lookup by number.

Keys are derived as the library derives them, from SECRET_KEY (and SECRET_KEY_FALLBACKS) and
each entry of FIELD_ENCRYPTION_KEYS (``settings.SALT_KEY``): the first pair encrypts, every
pair decrypts. They follow the settings (no cache to clear under override_settings).
Generation, storage and rotation: docs/SECURITY.md, "Field encryption and key rotation".

The library's fields are wrapped so that:
- an empty value is stored as "" (the library stores None, which breaks NOT NULL columns);
- a value that looks encrypted but does not decrypt raises ``UndecryptableValue`` instead of
  showing (or texting) the ciphertext: a wrong key fails loudly. A value stored before
  encryption was switched on is read as it is; the data migrations encrypt those, and
  ``manage.py encryption_check`` finds any left;
- searching by value is refused (a ciphertext never matches a search): only ``isnull`` and
  ``= ""`` work. A lookup by phone number goes through ``number_hashes``.
"""

import base64
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from encrypted_fields import fields as library

# A Fernet token: base64url of version byte 0x80, a timestamp, an IV, at least one block and
# an HMAC (73 bytes or more): at least 100 characters, padded to a multiple of four.
_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]+={0,2}")
_HASH_PURPOSE = b"carepath phone number hash\x00"
DEVELOPMENT_KEY = "development-only-field-encryption-key"


class UndecryptableValue(Exception):
    """A stored value was encrypted with a key that is no longer configured."""


def looks_encrypted(stored: str) -> bool:
    return len(stored) >= 100 and len(stored) % 4 == 0 and bool(_TOKEN.fullmatch(stored))


class Keyring:
    """The keys of one configuration (SECRET_KEY, its fallbacks, FIELD_ENCRYPTION_KEYS)."""

    def __init__(self, secret_keys: tuple[str, ...], salts: tuple[str, ...]):
        self.secret_keys, self.salts = secret_keys, salts

    @cached_property
    def keys(self) -> list[bytes]:
        # The library's derivation and order (EncryptedFieldMixin.keys), computed from this
        # keyring's settings rather than the current ones: its own fields read our values.
        return [
            base64.urlsafe_b64encode(
                PBKDF2HMAC(
                    algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=100_000
                ).derive(secret.encode())
            )
            for secret in self.secret_keys
            for salt in self.salts
        ]

    @cached_property
    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.keys])

    @cached_property
    def primary(self) -> Fernet:
        return Fernet(self.keys[0])

    @cached_property
    def hash_keys(self) -> list[bytes]:
        return [
            hmac.new(secret.encode(), _HASH_PURPOSE + salt.encode(), hashlib.sha256).digest()
            for secret in self.secret_keys
            for salt in self.salts
        ]

    def encrypt(self, text: str) -> str:
        return self.primary.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Raises ``InvalidToken`` when no configured key opens it."""
        return self.fernet.decrypt(token.encode()).decode()

    def is_current(self, token: str) -> bool:
        try:
            self.primary.decrypt(token.encode())
        except InvalidToken:
            return False
        return True


@lru_cache(maxsize=8)
def _keyring(secret_keys: tuple[str, ...], salts: tuple[str, ...]) -> Keyring:
    return Keyring(secret_keys, salts)


def keyring() -> Keyring:
    """The keys of the current settings (override_settings in tests gets its own keys)."""
    salts = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _keyring(tuple(secrets), tuple(salts))


# --- Phone numbers: keyed hashes for the lookups the ciphertext cannot serve ------------------


def normalise_number(number: str) -> str:
    """E.164 ("+447700900123") for anything phonenumbers can read as a UK or international
    number; otherwise the digits (and a leading +) as typed."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"+{digits}" if number.strip().startswith("+") else digits


def _hash(key: bytes, number: str) -> str:
    return hmac.new(key, normalise_number(number).encode(), hashlib.sha256).hexdigest()


def number_hash(number: str) -> str:
    """HMAC-SHA256 of the normalised number under the current (first) key pair."""
    return _hash(keyring().hash_keys[0], number)


def number_hashes(number: str) -> list[str]:
    """The number's hash under every configured key pair, so a lookup still matches a row
    hashed before a rotation (until ``manage.py encryption_rotate`` re-hashes it)."""
    return [_hash(key, number) for key in keyring().hash_keys]


# --- Fields ---------------------------------------------------------------------------------


class _SearchRefused(Exact):
    """``field=""`` (and ``field=None``) still work; a search by value would silently match
    nothing, so it is refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.output_field.model._meta.label}.{self.lhs.output_field.name} is "
                "encrypted and cannot be searched by value (phone numbers: use number_hashes)."
            )
        return super().get_prep_lookup()


class _Encrypted:
    """Overrides of the library's mixin (see the module docstring)."""

    # The keys follow the settings: override_settings needs no cache clearing.
    @property
    def keys(self) -> list[bytes]:
        return keyring().keys

    @property
    def f(self) -> MultiFernet:
        return keyring().fernet

    def get_prep_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        value = str(value)
        return keyring().encrypt(value) if value else ""

    def from_db_value(self, value, expression, connection):
        if not value or not looks_encrypted(value):
            return value
        try:
            return keyring().decrypt(value)
        except InvalidToken:
            raise UndecryptableValue(
                f"A value of {self.model._meta.label}.{self.name} does not decrypt with the "
                "configured FIELD_ENCRYPTION_KEYS and SECRET_KEY: run manage.py encryption_check."
            ) from None

    def to_python(self, value):
        # Values in Python are plaintext; only from_db_value decrypts. (The library decrypts
        # here and switches that off during form cleaning with a flag set on the shared field,
        # which is not safe across threads.)
        return super(library.EncryptedFieldMixin, self).to_python(value)

    def clean(self, value, model_instance):
        return super(library.EncryptedFieldMixin, self).clean(value, model_instance)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _SearchRefused
        found = super().get_lookup(lookup_name)
        if found is not None and lookup_name != "isnull":
            raise FieldError(
                f"{self.model._meta.label}.{self.name} is encrypted: "
                f"the {lookup_name!r} lookup cannot work on it."
            )
        return found

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(_Encrypted, library.EncryptedCharField):
    """A CharField stored encrypted (the column is text; max_length is checked on the
    plaintext)."""


class EncryptedTextField(_Encrypted, library.EncryptedTextField):
    pass


def is_encrypted(field: models.Field) -> bool:
    return isinstance(field, _Encrypted)


def encrypted_fields(
    model_list: Iterable[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], list[str]]]:
    """Every model (history models too) with encrypted fields, and the names of those fields."""
    if model_list is None:
        from django.apps import apps

        model_list = apps.get_models()
    found = []
    for model in model_list:
        names = [field.name for field in model._meta.concrete_fields if is_encrypted(field)]
        if names:
            found.append((model, names))
    return found


# --- Rewriting stored values (data migrations, rotation, checks) ------------------------------


def stored_values(model: type[models.Model], field: str, *, batch_size: int = 500):
    """Yield batches of (pk, stored text) for the non-empty values, as stored (not decrypted),
    in primary-key order."""
    rows = (
        model._base_manager.filter(**{f"{field}__isnull": False})
        .exclude(**{field: ""})
        .annotate(stored=Cast(field, models.TextField()))
        .order_by("pk")
    )
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        batch = list(page.values_list("pk", "stored")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def rewrite(
    model: type[models.Model],
    field: str,
    change: Callable[[str], tuple[str, str | None]],
    *,
    batch_size: int = 500,
) -> Counter:
    """Pass every stored value through ``change``, which returns an outcome to count and the new
    stored text (or None to leave it). Each batch is one UPDATE; a row is only rewritten if it
    still holds the value that was read, so an edit saved meanwhile is never overwritten (it
    is counted as "changed meanwhile": it was written with the current key anyway)."""
    counts: Counter = Counter()
    for batch in stored_values(model, field, batch_size=batch_size):
        unchanged = models.Q()
        whens = []
        for pk, stored in batch:
            outcome, new = change(stored)
            counts[outcome] += 1
            if new is not None and new != stored:
                still = models.Q(pk=pk) & models.Q(
                    **{field: models.Value(stored, models.TextField())}
                )
                unchanged |= still
                whens.append(models.When(still, then=models.Value(new, models.TextField())))
        if whens:
            done = (
                model._base_manager.filter(unchanged)
                .order_by()
                .update(**{field: models.Case(*whens, output_field=models.TextField())})
            )
            counts["changed meanwhile"] += len(whens) - done
    return +counts


def encrypt_plaintext(stored: str) -> tuple[str, str | None]:
    if looks_encrypted(stored):
        return "already encrypted", None
    return "encrypted", keyring().encrypt(stored)


def decrypt_to_plaintext(stored: str) -> tuple[str, str | None]:
    if not looks_encrypted(stored):
        return "plaintext", None
    return "decrypted", keyring().decrypt(stored)


def rotate(stored: str) -> tuple[str, str | None]:
    """Re-encrypt with the first key; encrypt plaintext; leave what no key opens."""
    ring = keyring()
    if not looks_encrypted(stored):
        return "plaintext encrypted", ring.encrypt(stored)
    if ring.is_current(stored):
        return "already current", None
    try:
        return "re-encrypted", ring.encrypt(ring.decrypt(stored))
    except InvalidToken:
        return "unreadable", None


def inspect(stored: str) -> tuple[str, None]:
    ring = keyring()
    if not looks_encrypted(stored):
        return "plaintext", None
    if ring.is_current(stored):
        return "current", None
    try:
        ring.decrypt(stored)
    except InvalidToken:
        return "unreadable", None
    return "older key", None


def hashed_fields() -> list[tuple[type[models.Model], str, str]]:
    """(model, hash field, encrypted source field) for every model that declares keyed hashes
    in ``keyed_hashes = {"number_hash": "number"}``."""
    from django.apps import apps

    return [
        (model, hash_field, source)
        for model in apps.get_models()
        for hash_field, source in getattr(model, "keyed_hashes", {}).items()
    ]


def _hashed_rows(model, hash_field: str, source: str, batch_size: int):
    ring = keyring()
    for batch in stored_values(model, source, batch_size=batch_size):
        current = dict(
            model._base_manager.filter(pk__in=[pk for pk, _ in batch]).values_list("pk", hash_field)
        )
        for pk, stored in batch:
            try:
                plain = ring.decrypt(stored) if looks_encrypted(stored) else stored
            except InvalidToken:
                yield pk, current[pk], None
                continue
            yield pk, current[pk], plain


def rehash(model, hash_field: str, source: str, *, batch_size: int = 500) -> Counter:
    """Hash every row's value under the first key. The hash is the row's unique key: a row
    whose new hash another row already has records the same number twice and is deleted."""
    counts: Counter = Counter()
    rows = model._base_manager
    for pk, stored_hash, plain in _hashed_rows(model, hash_field, source, batch_size):
        if plain is None:
            counts["unreadable"] += 1
            continue
        wanted = number_hash(plain)
        if stored_hash == wanted:
            counts["already current"] += 1
        elif rows.filter(**{hash_field: wanted}).exclude(pk=pk).exists():
            rows.filter(pk=pk).delete()
            counts["duplicate removed"] += 1
        else:
            rows.filter(pk=pk).update(**{hash_field: wanted})
            counts["re-hashed"] += 1
    return counts


def inspect_hashes(model, hash_field: str, source: str, *, batch_size: int = 500) -> Counter:
    counts: Counter = Counter()
    for _pk, stored_hash, plain in _hashed_rows(model, hash_field, source, batch_size):
        if plain is None:
            counts["unreadable"] += 1
        elif stored_hash == number_hash(plain):
            counts["current"] += 1
        elif stored_hash in number_hashes(plain):
            counts["older key"] += 1
        else:
            counts["mismatched"] += 1
    return counts


def migrate_fields(app_label: str, spec: dict[str, list[str]], change) -> Callable:
    """A RunPython function applying ``change`` to the fields of ``spec`` ({model: [fields]})
    in the migration's historical models."""

    def run(apps, schema_editor):
        for model_name, names in spec.items():
            model = apps.get_model(app_label, model_name)
            for name in names:
                rewrite(model, name, change)

    return run


# --- Deployment check -----------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def field_encryption_keys(app_configs, **kwargs):
    salts = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
    if not salts or DEVELOPMENT_KEY in salts or len(salts[0]) < 32:
        return [
            checks.Warning(
                "FIELD_ENCRYPTION_KEYS is the development key or shorter than 32 characters.",
                hint="Generate a key as docs/SECURITY.md says and set it in the environment.",
                id="carepath.crypto.W001",
            )
        ]
    return []
