from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "carepath.people"
    label = "people"
    verbose_name = "People and roles"

    def ready(self) -> None:
        from carepath.audit.timeline import register_labels
        from carepath.people import signals  # noqa: F401
        from carepath.people.events import LABELS

        register_labels(LABELS)
