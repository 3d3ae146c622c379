"""The monitoring engine: find due checks, run them, record the results."""

from statuscore.monitor.loop import Monitor, MonitorStats
from statuscore.monitor.runner import run_checker

__all__ = ["Monitor", "MonitorStats", "run_checker"]
