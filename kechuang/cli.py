"""The ``kechuang`` command: Django's manage command under the project's own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kechuang", *sys.argv[1:]])


if __name__ == "__main__":
    main()
