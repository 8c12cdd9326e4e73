from django.apps import AppConfig, apps
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin


def _forget_transitions_of_historical_models(sender, **kwargs) -> None:
    """Each state field connects itself to ``class_prepared`` to collect its model's
    transitions. Migrations render historical models (which have no transitions) thousands of
    times, and every rendering left one more receiver that each later class called: migrating a
    new database slowed down quadratically. A historical model's state fields are disconnected
    as soon as the model is prepared."""
    if sender._meta.apps is apps:
        return
    for field in sender._meta.local_fields:
        if isinstance(field, FSMFieldMixin):
            class_prepared.disconnect(field._collect_transitions)


class CarepathConfig(AppConfig):
    name = "carepath"
    verbose_name = "Carepath"

    def ready(self) -> None:
        from carepath import deploy_checks  # noqa: F401  (registers the system checks)

        class_prepared.connect(_forget_transitions_of_historical_models)
