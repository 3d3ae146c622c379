import asyncio
import logging
import signal

from django.core.management.base import BaseCommand

from statuscore.monitor import Monitor

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run uptime checks as they fall due, until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--region",
            help="Run only the checks assigned to this region. Without it, the "
            "monitor runs only checks that have no region.",
        )

    def handle(self, *args, **options) -> None:
        asyncio.run(self._run(options["region"]))

    async def _run(self, region: str | None) -> None:
        async with Monitor(region=region) as monitor:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, monitor.stop)
            await monitor.run_forever()
