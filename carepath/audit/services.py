from django.conf import settings
from django.utils import timezone

from carepath.audit.models import AccessLogEntry


def access_log_prune() -> int:
    """Remove access-log entries older than the retention period (ACCESS_LOG_RETENTION_DAYS)."""
    cutoff = timezone.now() - settings.ACCESS_LOG_RETENTION
    return AccessLogEntry.objects.filter(created_at__lt=cutoff)._prune()
