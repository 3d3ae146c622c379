"""The monitoring engine: find due checks, run them, record the results."""

from statuscore.monitor.loop import Monitor
from statuscore.monitor.runner import run_checker

__all__ = ["Monitor", "run_checker"]
