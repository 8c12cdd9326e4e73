from django.apps import AppConfig


class CarepathConfig(AppConfig):
    name = "carepath"
    verbose_name = "Carepath"

    def ready(self) -> None:
        from carepath import deploy_checks  # noqa: F401  (registers the system checks)
