import logging
import signal
import time

from django.core.management.base import BaseCommand

from statuscore.tasks import process_outbox, send_due_notifications

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Drain the outbox and send due notifications in a loop, until "
        "interrupted. The huey consumer does the same work in tasks; this "
        "command runs it in one process, for a dedicated sender or a test."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--poll",
            type=float,
            default=1.0,
            help="Seconds to wait when nothing is due (default 1).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Stop when nothing is left to send instead of waiting.",
        )

    def handle(self, *args, **options) -> None:
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        logger.info("Notification sender started")
        while not stopping:
            drained = process_outbox()
            claimed = send_due_notifications(max_rounds=10)
            if drained or claimed:
                continue
            if options["once"]:
                break
            time.sleep(options["poll"])
        logger.info("Notification sender stopped")
