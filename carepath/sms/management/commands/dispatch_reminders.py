import logging
import time

from django.core.management.base import BaseCommand

from carepath.sms import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send the reminders that are due (what Celery beat does every minute in production). "
        "With --every N it keeps running, for development without a broker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every: int, **options):
        while True:
            try:
                sent = services.reminders_dispatch()
                swept = services.reminders_sweep_stuck()
            except Exception:
                # One failing send (a mail server down, say) must not stop the loop; the
                # reminder's own row records what happened to it.
                if not every:
                    raise
                logger.exception("Reminder dispatch failed; trying again next round")
            else:
                if sent or any(swept.values()):
                    self.stdout.write(f"Reminders dispatched: {sent}; sweep: {swept}")
            if not every:
                return
            time.sleep(every)
