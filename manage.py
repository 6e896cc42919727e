#!/usr/bin/env python
import os
import sys
from pathlib import Path


def read_local_env(path: Path):
    """Settings for this checkout from `.env` (KEY=VALUE lines); the real environment wins.

    `make` writes one for local development (DEBUG on, a random SECRET_KEY). Servers and
    workers never read it: they are configured by their environment alone.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


def main():
    read_local_env(Path(__file__).resolve().parent / ".env")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nap_tracker.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
