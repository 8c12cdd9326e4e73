from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carepath.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from carepath.audit.events import LABELS
        from carepath.audit.timeline import register_labels

        register_labels(LABELS)
