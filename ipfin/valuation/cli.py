"""``ipfin valuate patent NUMBER [--as-of DATE] [--json]``, ``ipfin valuate enterprise USCC [--as-of DATE]
[--profile NAME] [--json]`` and ``ipfin valuation calibrate [--json]``.

``valuate`` values a registry patent with the active internal model and prints the value, the P10–P90
range, the value degrees and the explanation; nothing is stored (use the UI or API to record a valuation).
``calibrate`` compares the active model with recorded appraisals and negotiated values (count, MdAPE,
Spearman) and stores the fitted weights as a new, inactive model version (SC-3, SC-4); an admin activates
it with ``ipfin valuation activate VERSION``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ipfin.cli import EXIT_OK, CommandError, add_json_flag, date_arg, emit
from ipfin.core.dates import business_date
from ipfin.domain.money import format_amount_cn


def register(sub: Any) -> None:
    valuate = sub.add_parser("valuate", help="value an IP asset with the internal model (nothing stored)")
    valuate_sub = valuate.add_subparsers(dest="valuate_kind", metavar="KIND", required=True)
    patent = valuate_sub.add_parser("patent", help="value a registry patent")
    patent.add_argument("number", help="application or patent number, e.g. 201910123456.7 or ZL201910123456.7")
    patent.add_argument("--as-of", type=date_arg, default=None, help="valuation date (default: today)")
    add_json_flag(patent)
    patent.set_defaults(func=cmd_valuate_patent)
    enterprise = valuate_sub.add_parser("enterprise", help="enterprise-level IP evaluation: portfolio score and "
                                                           "suggested credit line (SC-4)")
    enterprise.add_argument("uscc", help="the enterprise's unified social credit code (18 characters)")
    enterprise.add_argument("--as-of", type=date_arg, default=None, help="evaluation date (default: today)")
    enterprise.add_argument("--profile", default="sichuan-2025",
                            help="policy profile that must allow enterprise-level evaluation (default: sichuan-2025)")
    add_json_flag(enterprise)
    enterprise.set_defaults(func=cmd_valuate_enterprise)

    valuation = sub.add_parser("valuation", help="valuation model versions and calibration")
    valuation_sub = valuation.add_subparsers(dest="valuation_command", metavar="ACTION", required=True)
    calibrate = valuation_sub.add_parser("calibrate", help="fit a new model version from recorded outcomes")
    calibrate.add_argument("--kind", default="patent", choices=["patent", "trademark", "copyright"])
    calibrate.add_argument("--version", default=None, help="name of the new version (default: <active>-calYYYYMMDD)")
    calibrate.add_argument("--dry-run", action="store_true", help="report the metrics without storing a version")
    add_json_flag(calibrate)
    calibrate.set_defaults(func=cmd_calibrate)
    activate = valuation_sub.add_parser("activate", help="activate a model version")
    activate.add_argument("version")
    activate.add_argument("--username", required=True, help="the platform administrator who activates it")
    add_json_flag(activate)
    activate.set_defaults(func=cmd_activate)


def _find_patent(number: str) -> Any:
    from ipfin.registry.models import IpAsset

    text = number.strip().upper()
    candidates = {text, text.removeprefix("ZL"), f"ZL{text.removeprefix('ZL')}"}
    asset = IpAsset.objects.filter(kind="patent", number__in=candidates).first()
    if asset is None:
        raise CommandError(f"no patent {number!r} in the registry")
    return asset


def cmd_valuate_patent(args: argparse.Namespace) -> int:

    from ipfin.valuation.actions import compute_valuation

    asset = _find_patent(args.number)
    result = compute_valuation(asset, args.as_of or business_date())
    payload = result.as_dict()
    degrees = "，".join(f"{k} {v:.1f}" for k, v in result.dimension_degrees.items())
    human = (f"{asset.number} {asset.title}\n"
             f"value {format_amount_cn(result.value_fen)} (P10 {format_amount_cn(result.p10_fen)} – "
             f"P90 {format_amount_cn(result.p90_fen)}), value degree {result.value_degree:.1f} ({degrees}), "
             f"model {result.model_version}, as of {result.as_of}\n{result.explanation}")
    emit(payload, human, as_json=args.json)
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ipfin.valuation.actions import run_calibration

    report, row = run_calibration(None, args.kind, new_version=args.version, store=not args.dry_run)
    payload = report.as_dict() | {"stored": row is not None}

    def fmt(m: Any) -> str:
        mdape = "n/a" if m.mdape_pct is None else f"{m.mdape_pct:.1f}%"
        rho = "n/a" if m.spearman is None else f"{m.spearman:.3f}"
        return f"n={m.count}, MdAPE {mdape}, Spearman {rho}"

    human = (f"before: {fmt(report.before)}; after: {fmt(report.after)}; skipped {report.skipped}. "
             + (f"stored inactive version {report.new_version} (activate: ipfin valuation activate "
                f"{report.new_version} --username ADMIN)" if row is not None else "dry run: nothing stored"))
    emit(payload, human, as_json=args.json)
    return EXIT_OK


def cmd_activate(args: argparse.Namespace) -> int:
    from ipfin.accounts.models import User
    from ipfin.valuation.actions import activate_model_version

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {args.username!r}")
    row = activate_model_version(user, args.version)
    emit({"version": row.version, "asset_kind": row.asset_kind, "active": row.is_active},
         f"model {row.version} is now active for {row.asset_kind}", as_json=args.json)
    return EXIT_OK


def cmd_valuate_enterprise(args: argparse.Namespace) -> int:
    """SC-4 evaluation as the platform (every in-force asset of the enterprise); nothing stored."""

    from ipfin.valuation.portfolio import evaluate_enterprise_by_uscc

    result = evaluate_enterprise_by_uscc(args.uscc, args.as_of or business_date(), profile=args.profile)
    evaluation = result.evaluation
    human = (f"{result.enterprise_name} ({result.uscc}), as of {result.as_of}, profile {result.profile}\n"
             f"portfolio score {evaluation.score:.1f}, {result.asset_count} assets in {evaluation.family_count} "
             f"families, portfolio value {format_amount_cn(evaluation.portfolio_value_fen)}, suggested credit line "
             f"{format_amount_cn(evaluation.credit_line_fen)}\n{evaluation.explanation}")
    emit(result.as_dict(), human, as_json=args.json)
    return EXIT_OK
