"""A production site must really send texts: a development backend there would record
reminders as sent (or delivered) while nobody receives them."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def sms_backend_configured(app_configs, **kwargs):
    if settings.SMS_BACKEND == "twilio" and not (
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID)
    ):
        return [
            Error(
                "SMS_BACKEND is twilio but the Twilio credentials are incomplete.",
                hint="Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER "
                "(or TWILIO_MESSAGING_SERVICE_SID).",
                id="carepath.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sms_backend_real_in_production(app_configs, **kwargs):
    if settings.SMS_BACKEND in ("console", "memory"):
        return [
            Warning(
                f"SMS_BACKEND is {settings.SMS_BACKEND!r}: reminders are not sent to anyone.",
                hint="Set SMS_BACKEND=twilio with the Twilio settings in production.",
                id="carepath.W001",
            )
        ]
    return []
