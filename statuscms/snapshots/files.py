"""Write snapshots as files that nginx or Caddy serve without Django.

Layout under the root (``STATUS_SNAPSHOT_ROOT``)::

    <host>/index.html                        "/" on <host>
    <host>/acme/index.html                   "/acme/"
    <host>/api/v2/summary.json               the v2 JSON of the host's page
    <host>/.page/<slug>/api/v2/summary.json  "/api/v2/summary.json?page=<slug>"
    <host>/.lang/de/index.html               "/" for visitors who ask for German
    <host>/index.html.gz, index.html.br      compressed copies of a file
    .pages/<core page id>.json               the files of each page

``<host>`` is the host without its port, as nginx's ``$host`` has it, so
only hosts without a port get files. A path ending in ``/`` is stored as
its ``index.html``. Each shipped language has a full copy of the host's
files under ``.lang/<code>/``: the language's variant where the page
has one, else the default file (the JSON, or a page in that language),
so nginx finds any file with a single lookup and never falls back from a
variant to the default. Each file is written to a temporary file in its own
folder, flushed to disk and renamed over the old one, so a proxy never
reads half a file. Its modification time is the snapshot's
``Last-Modified``. A snapshot's compressed copies are written beside
its file with the suffixes ``.gz`` and ``.br``, which nginx's
``gzip_static`` and Caddy's ``precompressed`` send to clients that accept
them.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from statuscms.languages import SHIPPED_LANGUAGES
from statuscms.snapshots.encodings import FILE_SUFFIXES
from statuscms.snapshots.store import Snapshot, SnapshotEntry

__all__ = ["MEDIA_TYPES", "SnapshotFiles", "file_path", "media_type"]

logger = logging.getLogger(__name__)

MANIFEST_FOLDER = ".pages"

MEDIA_TYPES = {
    ".html": "text/html",
    ".json": "application/json",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".ics": "text/calendar",
    ".svg": "image/svg+xml",
    ".js": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
}
"""The media type a proxy sends for each file suffix.

The nginx and Caddy configurations in ``docs/snapshots.md`` map the same
suffixes to the same types, with ``charset=utf-8``. A snapshot whose
``Content-Type`` differs from its file's type gets no file, so the proxy
never serves it with another type.
"""


def media_type(content_type: str) -> str:
    """Return the media type of a ``Content-Type`` value, lower-cased."""
    return content_type.split(";", 1)[0].strip().lower()


def file_path(host: str, path: str, language: str | None = None) -> str | None:
    """Return the file name, relative to the root, for a snapshot key.

    Returns None for a key that has no file: a host with a port, or a
    path or query that could leave the host's folder.
    """
    if ":" in host or not host or host.startswith(".") or "/" in host:
        return None
    path, _, query = path.partition("?")
    parts = [host]
    if language is not None:
        parts += [".lang", language]
    if query:
        name, _, slug = query.partition("=")
        if name != "page" or not slug or "/" in slug or slug.startswith("."):
            return None
        parts += [".page", slug]
    segments = path.split("/")
    if any(segment in (".", "..") or segment.startswith(".") for segment in segments):
        return None
    relative = path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return "/".join(parts + [relative])


def _write_atomic(target: Path, data: bytes, mtime: float | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=".tmp-", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        if mtime is not None:
            os.utime(temporary, (mtime, mtime))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


class SnapshotFiles:
    """The snapshot files under ``root``, written and removed per page.

    ``languages`` are the codes that get a ``.lang/<code>/`` copy; the
    proxy configurations map ``Accept-Language`` to the same codes.
    """

    def __init__(
        self, root: str | os.PathLike, languages: Iterable[str] = SHIPPED_LANGUAGES
    ) -> None:
        self.root = Path(root)
        self.languages = list(languages)

    def _variants(self, entry: SnapshotEntry) -> list[tuple[str | None, Snapshot]]:
        """Return the snapshot to write for no language and for each of
        ``languages``.

        A language whose variant failed to render gets no file, so the
        proxy sends its visitors to the app.
        """
        variants: list[tuple[str | None, Snapshot]] = [(None, entry.default)]
        for code in self.languages:
            if code in entry.languages:
                variants.append((code, entry.languages[code]))
            elif not entry.varies or code == entry.default_language:
                variants.append((code, entry.default))
        return variants

    def _manifest(self, core_page_id: int) -> Path:
        return self.root / MANIFEST_FOLDER / f"{core_page_id}.json"

    def _read_manifest(self, core_page_id: int) -> set[str]:
        try:
            return set(json.loads(self._manifest(core_page_id).read_text()))
        except FileNotFoundError:
            return set()
        except (ValueError, OSError) as error:
            logger.warning(
                "Snapshot manifest of page %s unreadable: %s", core_page_id, error
            )
            return set()

    def _write_file(self, name: str, snapshot: Snapshot) -> list[str]:
        """Write the file ``name`` and its compressed copies; return the
        names written, none when the proxy would send another type."""
        suffix = Path(name).suffix.lower()
        if MEDIA_TYPES.get(suffix) != media_type(snapshot.content_type):
            logger.warning(
                "Snapshot file %s not written: the proxy would send it as %s, not %s",
                name,
                MEDIA_TYPES.get(suffix, "an unknown type"),
                snapshot.content_type,
            )
            return []
        copies = [(name, snapshot.body)]
        copies += [
            (name + FILE_SUFFIXES[coding], encoded.body)
            for coding, encoded in snapshot.encodings.items()
        ]
        for copy_name, data in copies:
            target = self.root / copy_name
            try:
                current = target.read_bytes()
            except FileNotFoundError:
                current = None
            if current != data:
                _write_atomic(target, data, snapshot.last_modified)
        return [copy_name for copy_name, _data in copies]

    def write_entry(self, host: str, path: str, entry: SnapshotEntry) -> None:
        """Write the files of one path ahead of its page's ``write_page``,
        which lists them in the page's manifest."""
        for language, snapshot in self._variants(entry):
            name = file_path(host, path, language)
            if name is not None:
                self._write_file(name, snapshot)

    def write_page(
        self, core_page_id: int, entries_by_host: dict[str, dict[str, SnapshotEntry]]
    ) -> int:
        """Make the page's files those of ``entries_by_host``; return how
        many files the page has. Files of the page that are no longer
        among them are removed."""
        written: set[str] = set()
        for host, entries in entries_by_host.items():
            for path, entry in entries.items():
                for language, snapshot in self._variants(entry):
                    name = file_path(host, path, language)
                    if name is not None:
                        written.update(self._write_file(name, snapshot))

        for name in self._read_manifest(core_page_id) - written:
            self._unlink(name)
        _write_atomic(
            self._manifest(core_page_id), json.dumps(sorted(written)).encode()
        )
        return len(written)

    def remove_page(self, core_page_id: int) -> int:
        """Remove every file of the page; return how many were removed."""
        names = self._read_manifest(core_page_id)
        for name in names:
            self._unlink(name)
        try:
            self._manifest(core_page_id).unlink()
        except FileNotFoundError:
            pass
        return len(names)

    def page_ids(self) -> set[int]:
        """Return the ids of the pages that have a manifest."""
        folder = self.root / MANIFEST_FOLDER
        if not folder.is_dir():
            return set()
        return {
            int(item.stem)
            for item in folder.iterdir()
            if item.suffix == ".json" and item.stem.isdigit()
        }

    def _unlink(self, name: str) -> None:
        try:
            (self.root / name).unlink()
        except FileNotFoundError:
            pass
