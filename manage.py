#!/usr/bin/env python
"""Django's command-line utility for this project."""

import os
import sys
from pathlib import Path


def main() -> None:
    # The settings package lives in site/, which cannot be a package itself
    # because the standard library's "site" module would shadow it.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")

    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from statussite.env import load_env_file

    try:
        load_env_file()
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake gets one readable line, not a traceback.
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
