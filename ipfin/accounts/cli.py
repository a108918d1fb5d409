"""``ipfin audit verify`` and ``ipfin token issue|revoke``."""

from __future__ import annotations

import argparse
from typing import Any

from ipfin.cli import EXIT_FAILED, EXIT_OK, CommandError, add_json_flag, emit


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", help="verify the hash chain of the audit log")
    add_json_flag(verify)
    verify.set_defaults(func=cmd_audit_verify)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    issue = token_sub.add_parser("issue", help="issue an API token for a user (the secret is printed once)")
    issue.add_argument("username")
    issue.add_argument("--name", required=True)
    add_json_flag(issue)
    issue.set_defaults(func=cmd_token_issue)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from ipfin.accounts.audit import verify_chain

    report = verify_chain()
    payload = {"ok": report.ok, "checked": report.checked, "broken_event_id": report.broken_event_id,
               "reason": report.reason}
    if report.ok:
        emit(payload, f"audit chain intact: {report.checked} events verified", as_json=args.json)
        return EXIT_OK
    emit(payload, f"audit chain BROKEN at event #{report.broken_event_id}: {report.reason} "
                  f"({report.checked} events before it verified)", as_json=args.json)
    return EXIT_FAILED


def cmd_token_issue(args: argparse.Namespace) -> int:
    from ipfin.accounts.actions import issue_api_token
    from ipfin.accounts.models import User

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {args.username!r}")
    token, secret = issue_api_token(user, name=args.name)
    emit({"id": token.pk, "name": token.name, "secret": secret}, secret, as_json=args.json)
    return EXIT_OK
