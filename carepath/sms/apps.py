from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "carepath.sms"
    label = "sms"
    verbose_name = "Reminders and SMS"

    def ready(self) -> None:
        from carepath.sms import checks  # noqa: F401  (registers the system checks)
