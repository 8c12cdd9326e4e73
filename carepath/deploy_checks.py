"""``manage.py check --deploy``: the security settings a production site must not run without,
beyond Django's own (docs/SECURITY.md)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# A key derived from fewer characters than a Fernet key's 32 bytes is guessable offline.
MIN_FIELD_KEY_LENGTH = 32
DEVELOPMENT_FIELD_KEYS = {"development-only-field-encryption-key"}
UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*"}


@register(Tags.security, deploy=True)
def mfa_required(app_configs, **kwargs):
    if getattr(settings, "MFA_REQUIRED", False):
        return []
    return [
        Warning(
            "MFA_REQUIRED is off: staff sign in with a password alone.",
            hint="Remove MFA_REQUIRED=false from the production environment.",
            id="carepath.W010",
        )
    ]


@register(Tags.security, deploy=True)
def field_encryption_keys_strong(app_configs, **kwargs):
    keys = list(getattr(settings, "SALT_KEY", None) or [])
    weak = [
        number
        for number, key in enumerate(keys, start=1)
        if len(str(key)) < MIN_FIELD_KEY_LENGTH or key in DEVELOPMENT_FIELD_KEYS
    ]
    if keys and not weak:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS holds no key or a weak one"
            + (f" (key {', '.join(map(str, weak))})" if weak else "")
            + ": encrypted phone numbers and addresses could be read by whoever guesses it.",
            hint=f"Use random keys of at least {MIN_FIELD_KEY_LENGTH} characters, for example "
            "from `python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
            "(docs/SECURITY.md, key rotation).",
            id="carepath.W011",
        )
    ]


@register(Tags.security, deploy=True)
def content_security_policy_strict(app_configs, **kwargs):
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    loose = sorted(
        name
        for name in ("default-src", "script-src", "style-src")
        if UNSAFE_SOURCES & set(directives.get(name, ()))
    )
    if directives.get("default-src") and not loose:
        return []
    return [
        Warning(
            "The Content-Security-Policy is missing or allows inline or remote code"
            + (f" ({', '.join(loose)})" if loose else "")
            + ".",
            hint="Keep CONTENT_SECURITY_POLICY to 'self' sources; move inline code to static "
            "files.",
            id="carepath.W012",
        )
    ]
