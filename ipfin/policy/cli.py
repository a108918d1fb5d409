"""``ipfin policy list|show|validate``: read the policy profiles (no database, no Django)."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ipfin.cli import EXIT_OK, add_json_flag, emit, no_django
from ipfin.policy.loader import clear_cache, get_profile, load_profile_file, load_profiles
from ipfin.policy.schema import PolicyProfile, jsonable


def register(sub: Any) -> None:
    policy = sub.add_parser("policy", help="policy profiles (the documents' numbers with clause ids)")
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)

    list_ = policy_sub.add_parser("list", help="list the policy profiles")
    add_json_flag(list_)
    list_.set_defaults(func=cmd_policy_list)

    show = policy_sub.add_parser("show", help="show one profile's parameters with unit and clause id")
    show.add_argument("name", help="profile name, e.g. baotou-2021")
    add_json_flag(show)
    show.set_defaults(func=cmd_policy_show)

    validate = policy_sub.add_parser("validate", help="validate profile files (default: the packaged profiles)")
    validate.add_argument("paths", nargs="*", type=Path, help="TOML files or directories to validate")
    add_json_flag(validate)
    validate.set_defaults(func=cmd_policy_validate)


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows as left-aligned columns (the last column unpadded)."""
    if not rows:
        return ""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])), row[-1]]).rstrip()
                     for row in rows)


def _summary(profile: PolicyProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "title": profile.title,
        "jurisdiction": profile.jurisdiction,
        "jurisdiction_name": profile.jurisdiction_name,
        "effective_from": profile.effective_from.isoformat(),
        "effective_to": jsonable(profile.effective_to),
        "parameter_count": len(profile.parameters),
    }


def _period(profile: PolicyProfile) -> str:
    return f"{profile.effective_from.isoformat()} – {profile.effective_to.isoformat() if profile.effective_to else '…'}"


@no_django
def cmd_policy_list(args: argparse.Namespace) -> int:
    profiles = list(load_profiles().values())
    rows = [(p.name, f"{p.jurisdiction} {p.jurisdiction_name}", _period(p), f"{len(p.parameters)} parameters", p.title)
            for p in profiles]
    emit([_summary(p) for p in profiles], _table(rows) or "no policy profiles", as_json=args.json)
    return EXIT_OK


def _display(value: Any) -> str:
    if value is None:
        return "(not stated)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(jsonable(value))


@no_django
def cmd_policy_show(args: argparse.Namespace) -> int:
    profile = get_profile(args.name)
    header = [
        f"{profile.name}: {profile.title}",
        f"jurisdiction {profile.jurisdiction} {profile.jurisdiction_name}; effective {_period(profile)}; "
        f"source {profile.profile.source_file}",
    ]
    rows = [(key, str(p.unit), p.clause, _display(p.value)) for key, p in sorted(profile.parameters.items())]
    table = _table([("key", "unit", "clause", "value"), *rows])
    emit(profile.as_json(), "\n".join([*header, "", table]), as_json=args.json)
    return EXIT_OK


@no_django
def cmd_policy_validate(args: argparse.Namespace) -> int:
    """Validate files an administrator edited; the first invalid one exits 2 naming the file and key."""
    checked: list[str] = []
    if not args.paths:
        clear_cache()
        checked = sorted(load_profiles())
    for path in args.paths:
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        for file in files:
            checked.append(load_profile_file(file).name)
    emit({"valid": checked}, f"{len(checked)} profiles valid: {', '.join(checked)}", as_json=args.json)
    return EXIT_OK
