"""``ipfin demo-data --seed 42`` (and ``--logins`` to print the demo logins)."""

from __future__ import annotations

import argparse
from typing import Any

from ipfin.cli import EXIT_OK, add_json_flag, date_arg, emit


def register(sub: Any) -> None:
    parser = sub.add_parser("demo-data", help="create demo organisations, enterprises and one login per role")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    parser.add_argument("--as-of", type=date_arg, default=None, help="business date of the demo data")
    parser.add_argument("--logins", action="store_true", help="only print the demo logins")
    add_json_flag(parser)
    parser.set_defaults(func=cmd_demo_data)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from ipfin.demo.data import DEMO_PASSWORD, load_demo_data, login_table

    if args.logins:
        rows = login_table()
        width = max(len(r["username"]) for r in rows)
        lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
        lines += [f"  {r['username']:<{width}}  {r['role_label']:<10}\t{r['organisation']}" for r in rows]
        emit({"password": DEMO_PASSWORD, "logins": rows}, "\n".join(lines), as_json=args.json)
        return EXIT_OK
    result = load_demo_data(seed=args.seed, as_of=args.as_of)
    human = (f"demo data (seed {args.seed}): {result.organisations_created} organisations and "
             f"{result.users_created} users created; {result.enterprises} enterprises in total"
             + "".join(f"; {name}: {part}" for name, part in (
                 ("registry", result.registry), ("market", result.market), ("funds", result.funds),
                 ("origination", result.origination), ("servicing", result.servicing)) if part))
    emit({"seed": args.seed, "organisations_created": result.organisations_created,
          "users_created": result.users_created, "enterprises": result.enterprises,
          "registry": result.registry, "market": result.market, "funds": result.funds,
          "origination": result.origination, "servicing": result.servicing}, human, as_json=args.json)
    return EXIT_OK
