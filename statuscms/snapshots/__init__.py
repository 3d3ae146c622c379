"""Snapshots of public status pages, and the fast path that serves them.

A snapshot is what Django serves for each path of ``SNAPSHOT_PATHS`` of a
public page, rendered through Django's own request handling by the
refresher, kept in this process's ``store`` and, in production, written to
files that a proxy serves. ``docs/snapshots.md`` describes the whole.
"""

from statuscms.snapshots.paths import SNAPSHOT_PATHS
from statuscms.snapshots.signals import snapshot_changed
from statuscms.snapshots.store import Snapshot, SnapshotEntry, SnapshotStore, store

__all__ = [
    "SNAPSHOT_PATHS",
    "Snapshot",
    "SnapshotEntry",
    "SnapshotStore",
    "snapshot_changed",
    "store",
]
