"""Carepath settings, read from the environment with defaults that run a fresh checkout.

With nothing set, the app runs on a SQLite file, runs Celery tasks eagerly and prints SMS to
the console. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS
(README.md lists every setting). DEBUG is off unless asked for.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CAREPATH_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-only-for-debug-mode-never-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "simple_history",
    "django_countries",
    "django_fsm",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "carepath.people",
    "carepath.audit",
    "carepath.clocks",
    "carepath.sms",
    "carepath",
    "casework",
    "accommodation",
    "marac",
    "returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carepath.people.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "carepath.people.middleware.MfaRequiredMiddleware",
    "carepath.people.middleware.UserSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carepath.urls"
WSGI_APPLICATION = "carepath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "carepath.context_processors.shell",
            ],
        },
    },
]

FORM_RENDERER = "carepath.forms.CarepathFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'carepath.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Development runs the web server and the reminder loop on one SQLite file: wait for the
    # other's write instead of failing, and take the write lock at the start of a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # A few indexes carry extra columns (INCLUDE) so that PostgreSQL answers from the index
    # alone; SQLite builds them without those columns, which only makes them less covering.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
# django-axes first: it refuses a locked-out account before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# A session ends after this much inactivity: every request pushes the expiry on.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Security: safe by default, relaxed only by DEBUG or an explicit setting.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every script and style comes from the app itself: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features the app never uses are switched off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# Multi-factor authentication (django-otp): every member of staff signs in with a password
# and a code from an authenticator app (or a one-time recovery code).
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Carepath")

# Lockout (django-axes): after this many failed sign-ins an account is locked for the
# cool-off period, or until an administrator unlocks it.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
# An account is locked after the limit of failures on it, and so is an address that fails
# that often across accounts (guessing one password against many names).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A wrong code after the password counts as a failed sign-in too, so the count is cleared
# when the whole sign-in succeeds (carepath/people/lockout.py), not after the password alone.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Wrong codes are not kept in the failed-attempt records.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# An accessible page (status 429) instead of a bare message.
AXES_LOCKOUT_CALLABLE = "carepath.people.lockout.lockout_response"
# How many reverse proxies stand in front of the app (each appending to X-Forwarded-For):
# lockout and the sessions page read the client's address from there. Production sits behind
# one (README "Running in production"); 0 ignores the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "carepath.people.lockout.client_address"

# Field encryption (django-fernet-encrypted-fields): safe addresses, safe-contact details
# and phone numbers are encrypted with keys derived from these salts and SECRET_KEY (and
# SECRET_KEY_FALLBACKS). The first key encrypts; every key decrypts (docs/SECURITY.md,
# "Field encryption and key rotation"; carepath/crypto.py).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
SALT_KEY = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=["development-only-field-encryption-key"] if DEBUG else [],
)
if not SALT_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")

# Emergency ("break-glass") access to a case lasts this long.
EMERGENCY_ACCESS_MINUTES = env.int("EMERGENCY_ACCESS_MINUTES", default=120)
# Who may ask for it. Accommodation managers and MARAC chairs may be added
# ("accommodation_manager", "marac_chair"); MARAC partners and data protection leads never.
EMERGENCY_ACCESS_ROLES = env.list(
    "EMERGENCY_ACCESS_ROLES", default=["caseworker", "service_manager", "administrator"]
)

# E-mail carries password-reset links and emergency-access notices: printed to the console
# only in development, sent over SMTP otherwise.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@carepath.invalid")
# The address staff reach Carepath at, e.g. https://carepath.example.org: links in e-mails.
SITE_URL = env.str("SITE_URL", default="")

# Celery: with no broker configured, tasks run in-process so a fresh checkout needs nothing.
_BROKER_CONFIGURED = env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = _BROKER_CONFIGURED or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not _BROKER_CONFIGURED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up quickly: the outbox rows are the record, a lost message only delays.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="carepath")
CELERY_TIMEZONE = TIME_ZONE
# Follow-up contacts after a voluntary return, in months after departure (DESIGN.md
# "Voluntary return and resettlement"; the programme may ask for others).
RETURN_FOLLOW_UP_MONTHS = (1, 3, 6)
# Reports leaving the organisation show a count from 1 to this less one as "<5" (DESIGN.md
# "Reporting").
REPORT_DISCLOSURE_THRESHOLD = env.int("REPORT_DISCLOSURE_THRESHOLD", default=5)
# The largest case spreadsheet the import page accepts, in bytes.
CASE_IMPORT_MAX_BYTES = env.int("CASE_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Uploads: a request body other than files is refused over this size (a 400); files over
# FILE_UPLOAD_MAX_MEMORY_SIZE wait in a temporary file, deleted after the request, and each
# upload form checks its own limit (like CASE_IMPORT_MAX_BYTES) and the file's type.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10

CELERY_BEAT_SCHEDULE = {
    "accommodation-offers-expire": {
        "task": "accommodation.tasks.placements_expire_offers",
        "schedule": crontab(minute=5),
    },
    "sms-reminders-dispatch": {
        "task": "carepath.sms.tasks.reminders_dispatch",
        "schedule": 60.0,
    },
    "sms-reminders-sweep": {
        "task": "carepath.sms.tasks.reminders_sweep_stuck",
        "schedule": 300.0,
    },
    "casework-staff-reminders": {
        "task": "casework.tasks.staff_reminders_plan",
        "schedule": crontab(hour=7, minute=0),
    },
    "marac-action-reminders": {
        "task": "marac.tasks.marac_action_reminders_plan",
        "schedule": crontab(hour=7, minute=5),
    },
    "people-sessions-prune": {
        "task": "carepath.people.tasks.user_sessions_prune",
        "schedule": crontab(hour=2, minute=30),
    },
    "retention-nightly": {
        "task": "carepath.retention.tasks.retention_run",
        "schedule": crontab(hour=2, minute=45),
    },
}

# SMS: "console" (development), "memory" (tests), "twilio", or a dotted path to a backend class.
SMS_BACKEND = env.str("SMS_BACKEND", default="console" if DEBUG else "twilio")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# The public https address Twilio calls back (webhook signatures are computed over it).
TWILIO_WEBHOOK_BASE_URL = env.str("TWILIO_WEBHOOK_BASE_URL", default="")
# Dotted path to a twilio HttpClient class: only tests and benchmarks set it (a fake client).
TWILIO_HTTP_CLIENT = env.str("TWILIO_HTTP_CLIENT", default="")
# A safe-contact profile not checked for this long is stale: texts to it are suppressed.
SAFE_CONTACT_MAX_AGE_DAYS = env.int("SAFE_CONTACT_MAX_AGE_DAYS", default=90)
# A reminder still "sending" this long after its attempt began has an unknown outcome.
REMINDER_SENDING_TIMEOUT_MINUTES = env.int("REMINDER_SENDING_TIMEOUT_MINUTES", default=10)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=500)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)

# An offer of a bed space lapses after this many hours unless accepted.
PLACEMENT_OFFER_HOURS = env.int("PLACEMENT_OFFER_HOURS", default=48)

# Reading records is logged; entries older than this are pruned nightly.
ACCESS_LOG_RETENTION = timedelta(days=env.int("ACCESS_LOG_RETENTION_DAYS", default=730))

# --- Retention schedule (docs/RETENTION.md gives the source of each figure). Each night the
# retention run anonymises what is past it, prunes the access log above, and records a run.
RETENTION = {
    # A closed case file: 6 years after closure (Limitation Act 1980 ss.2 and 5).
    "closed_case_years": env.int("RETENTION_CLOSED_CASE_YEARS", default=6),
    # A child's case file (under 18 at referral) is also kept until this birthday.
    "child_until_age": env.int("RETENTION_CHILD_UNTIL_AGE", default=25),
    # A referral not taken on: 2 years after the decision.
    "declined_referral_years": env.int("RETENTION_DECLINED_REFERRAL_YEARS", default=2),
    # A MARAC referral: years after the last meeting that heard it, unless its area sets its own.
    "marac_referral_years": env.int("RETENTION_MARAC_REFERRAL_YEARS", default=6),
    # A reminder in the outbox: its number link, context and provider id, 2 years after sending.
    "sms_reminder_years": env.int("RETENTION_SMS_REMINDER_YEARS", default=2),
}
# The retention package is not an app: its task module is loaded by name.
CELERY_IMPORTS = ["carepath.retention.tasks"]

SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# "survivor" or "victim": how the interface speaks of the people a service supports.
CAREPATH_TERMINOLOGY = env.str("CAREPATH_TERMINOLOGY", default="survivor")

# Logs never hold personal data: every handler masks phone numbers, e-mail addresses,
# postcodes and query values (carepath/logging.py), and code logs ids, not names or notes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "carepath.logging.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        # Error reports to ADMINS (none unless set), scrubbed by DEFAULT_EXCEPTION_REPORTER.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers are replaced: its records reach the filtered root handler.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # SQL with its parameters (names, notes) is logged at DEBUG: never.
        "django.db.backends": {"level": "INFO"},
        # The Twilio SDK logs every request's parameters (numbers, message text) at INFO.
        "twilio": {"level": "WARNING"},
    },
}
# Error reports show no POST data, cookies, query values (but the page number), file names or
# local variables (carepath/logging.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "carepath.logging.ScrubbedExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "carepath.logging.ScrubbedExceptionReporter"
