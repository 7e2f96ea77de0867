"""The ``textattack-bat`` console script: ``doctor`` (more subcommands register below)."""

from __future__ import annotations

import argparse
import sys


def _doctor(args: argparse.Namespace) -> int:
    from textattack_bat import autoload, resources

    rows = resources.report()
    width = max(len(row.name) for row in rows)
    print(f"textattack-bat resources (offline mode: {'yes' if resources.is_offline() else 'no'}; "
          f"CLI autoload: {'disabled' if autoload.is_disabled() else 'enabled'})")
    for row in rows:
        mark = "found  " if row.found else "MISSING"
        print(f"  {row.name:<{width}}  {mark}  {row.where}")
        if not row.found and row.fix:
            print(f"  {'':<{width}}           fix: {row.fix}")
    required = [row for row in rows if row.name.startswith("nltk:") and not row.found]
    return 1 if required else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="textattack-bat",
        description="Over/undersensitivity attacks and Balanced Adversarial Training for TextAttack.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="show which resources were found where")
    doctor.set_defaults(func=_doctor)
    for register in _EXTRA_COMMANDS:
        register(commands)
    return parser


_EXTRA_COMMANDS: list = []


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
