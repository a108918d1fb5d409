"""``ipfin validate uscc|patent-number``, ``ipfin import enterprises|ip-assets|legal-events`` and
``ipfin export enterprises|ip-assets``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ipfin.cli import EXIT_BAD_INPUT, EXIT_OK, CommandError, add_json_flag, emit, no_django


def register(sub: Any) -> None:
    validate = sub.add_parser("validate", help="validate and normalise an identifier")
    validate_sub = validate.add_subparsers(dest="validate_command", metavar="WHAT", required=True)
    uscc = validate_sub.add_parser("uscc", help="unified social credit code (GB 32100-2015)")
    uscc.add_argument("code")
    add_json_flag(uscc)
    uscc.set_defaults(func=cmd_validate_uscc)
    patent = validate_sub.add_parser("patent-number", help="patent application number (CNIPA)")
    patent.add_argument("number")
    add_json_flag(patent)
    patent.set_defaults(func=cmd_validate_patent_number)

    imp = sub.add_parser("import", help="bulk import into the registry (.xlsx or .csv), all-or-nothing")
    imp.add_argument("target", choices=["enterprises", "ip-assets", "legal-events"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="validate and report without writing anything")
    imp.add_argument("--no-size-limit", action="store_true",
                     help="do not apply IPFIN_MAX_UPLOAD_BYTES (server-side bulk loads only)")
    add_json_flag(imp)
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export a registry list to .xlsx (as the platform operator)")
    exp.add_argument("target", choices=["enterprises", "ip-assets"])
    exp.add_argument("file", type=Path)
    add_json_flag(exp)
    exp.set_defaults(func=cmd_export)


@no_django
def cmd_validate_uscc(args: argparse.Namespace) -> int:
    from ipfin.domain.registry.uscc import parse_uscc

    parsed = parse_uscc(args.code)
    payload = {"uscc": parsed.code, "authority": parsed.authority, "organisation_type": parsed.organisation_type,
               "region_code": parsed.region_code, "organisation_code": parsed.organisation_code}
    emit(payload, f"{parsed.code}  {parsed.authority} · {parsed.organisation_type} · 区划 {parsed.region_code}",
         as_json=args.json)
    return EXIT_OK


@no_django
def cmd_validate_patent_number(args: argparse.Namespace) -> int:
    from ipfin.domain.registry.patent_number import parse_patent_number

    parsed = parse_patent_number(args.number)
    payload = {"number": parsed.number, "patent_number": parsed.patent_number, "kind": str(parsed.kind),
               "is_pct": parsed.is_pct, "filing_year": parsed.filing_year}
    pct = " (PCT)" if parsed.is_pct else ""
    emit(payload, f"{parsed.number}  {parsed.kind}{pct}  {parsed.filing_year}", as_json=args.json)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    import sys

    from ipfin.registry.importing import import_file

    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    report = import_file(args.target, args.file, actor=None, dry_run=args.dry_run,
                         max_bytes=None if args.no_size_limit else True)
    if args.json:
        emit(report.as_dict(), "", as_json=True)
    elif report.ok:
        print(report.summary())
    if not report.ok:
        if not args.json:
            print(f"error: {report.summary()}", file=sys.stderr)
            for line in report.messages:
                print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from ipfin.registry import exporting
    from ipfin.registry.models import Enterprise, IpAsset

    if args.file.suffix.lower() != ".xlsx":
        raise CommandError("the export file must end in .xlsx")
    if args.target == "enterprises":
        queryset = Enterprise.objects.order_by("organisation__name")
        data = exporting.export_enterprises(_system_reader(), queryset)
    else:
        queryset = IpAsset.objects.order_by("kind", "number")
        data = exporting.export_assets(queryset)
    args.file.write_bytes(data)
    emit({"file": str(args.file), "rows": queryset.count(), "bytes": len(data)},
         f"exported {queryset.count()} rows to {args.file}", as_json=args.json)
    return EXIT_OK


def _system_reader() -> Any:
    """The CLI acts as the platform operator: it sees personal data unmasked (it runs on the server)."""

    class SystemReader:
        is_superuser = True
        is_active = True
        is_authenticated = True
        organisation = None
        organisation_id = None
        roles: frozenset[str] = frozenset()

        def has_role(self, *roles: str) -> bool:
            return False

    return SystemReader()
