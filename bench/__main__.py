"""Run every benchmark on a fresh SQLite database and print a Markdown table.

Usage: ``python -m bench [--repeat N]``. Targets are servers this process
starts on 127.0.0.1. Numbers are medians of ``--repeat`` runs measured in
one process, so compare ratios within one run rather than across machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(
    var_dir: str, database_url: str | None = None, allowed_hosts: list[str] = ()
) -> None:
    """Configure Django on ``database_url``, by default a new SQLite file in
    ``var_dir``, and migrate it. ``allowed_hosts`` are allowed besides
    ``testserver`` and ``127.0.0.1``."""
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="statussite.settings.base",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 30,
        STATUS_VAR_DIR=var_dir,
        DATABASE_URL=database_url or f"sqlite:///{var_dir}/bench.sqlite3",
        STATUSCORE_MIN_CHECK_INTERVAL="1",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS=",".join(["testserver", "127.0.0.1", *allowed_hosts]),
    )
    os.environ.pop("REDIS_URL", None)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="statuspage-bench-") as var_dir:
        setup_django(var_dir)

        from bench import monitor, reads

        rows = monitor.run(arguments.repeat) + reads.run(arguments.repeat)

    print("| benchmark | median | unit | notes |")
    print("| --- | ---: | --- | --- |")
    for name, value, unit, notes in rows:
        print(f"| {name} | {value:,.1f} | {unit} | {notes} |")


if __name__ == "__main__":
    main()
