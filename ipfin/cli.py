"""The ``ipfin`` command.

Each app contributes its sub-commands through a module with ``register(subparsers)``. Every sub-command
prints one human line (or a table) by default and JSON with ``--json``; exits 0 on success and 2 on bad
input with one clear ``error:`` line on stderr, having written nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ipfin.domain.errors import IpfinError

# Modules that contribute sub-commands, each with ``register(subparsers: argparse._SubParsersAction)``.
COMMAND_MODULES = [
    "ipfin.accounts.cli",
    "ipfin.calendar.cli",
    "ipfin.policy.cli",
    "ipfin.registry.cli",
    "ipfin.valuation.cli",
    "ipfin.market.cli",
    "ipfin.fund.cli",
    "ipfin.origination.cli",
    "ipfin.pledges.cli",
    "ipfin.servicing.cli",
    "ipfin.demo.cli",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class CommandError(IpfinError):
    """Bad command-line input detected outside the domain (e.g. a file that does not exist)."""

    code = "bad_input"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit 2 too; keep the one-line form
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def emit(payload: Any, human: str, *, as_json: bool) -> None:
    """Print ``payload`` as JSON or ``human`` as text."""
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(human)


def date_arg(text: str) -> date:
    """An argparse ``type`` for business dates: the strict domain parser, one clear line on bad input."""
    from ipfin.domain.calendar import parse_iso_date

    try:
        return parse_iso_date(text)
    except IpfinError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ipfin", description="ipfin — 知识产权质押融资服务平台 command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    init = sub.add_parser("init", help="migrate the database and load reference data (idempotent)")
    add_json_flag(init)
    init.set_defaults(func=cmd_init)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def cmd_init(args: argparse.Namespace) -> int:
    """Migrate ``DATABASE_URL`` and load the calendar, LPR fixings and policy profiles."""
    from django.core.management import call_command

    from ipfin.calendar.reference import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    counts = load_reference_data()
    human = "database migrated; reference data loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items())
    emit({"migrated": True, "reference_data": counts}, human, as_json=args.json)
    return EXIT_OK


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    if getattr(func, "needs_django", True):
        setup_django()
    try:
        return func(args)
    except IpfinError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def main() -> None:
    sys.path.insert(0, os.getcwd()) if os.path.exists("config/settings.py") else None
    raise SystemExit(run())


def no_django(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Mark a sub-command that runs without Django (pure domain commands start faster)."""
    func.needs_django = False  # type: ignore[attr-defined]
    return func
