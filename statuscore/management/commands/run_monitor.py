import asyncio
import logging
import signal

from django.core.management.base import BaseCommand

from statuscore.monitor import Monitor

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run uptime checks as they fall due, until interrupted."

    def handle(self, *args, **options) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        async with Monitor() as monitor:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, monitor.stop)
            await monitor.run_forever()
