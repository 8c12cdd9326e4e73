from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"

    def ready(self) -> None:
        from carepath.audit.timeline import register_labels
        from casework.events import LABELS

        register_labels(LABELS)
