"""Logging filters of the deployable project."""

import logging


class WithoutTraceback(logging.Filter):
    """Keep the message but drop the traceback of an expected error.

    Django logs every request with a host outside ``ALLOWED_HOSTS`` with a
    full traceback, which floods the log of a public site when scanners
    probe it. The one-line message already names the host.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
