#!/usr/bin/env python
"""Django's command-line utility for CX Hub."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["runserver"]:
        # The reloader's parent holds the embedded database, so a code reload does not stop and restart it.
        import django

        from cxhub.lib.embedded_postgres import hold_configured

        django.setup()
        hold_configured()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
