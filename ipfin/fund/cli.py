"""`ipfin` sub-commands of the fund app (issue 7).

``ipfin fund status FUND [--as-of D] [--json]`` prints the fund's balance, exposure, covered loans, claims by
state and each cooperating bank's BT-13 ratio and standing; JSON ``{"fund", "as_of", "balance_fen",
"exposure_fen", "covered_count", "covered_amount_fen", "claims_by_state": {state: count}, "banks": [{"bank",
"issued_fen", "paid_fen", "ratio", "status"}]}``.

``ipfin fund simulate FUND --default-rate 0.05 --recovery-rate 0.2 --years 2 --runs 10000 --seed 1 [--as-of D]
[--json]`` runs the Monte Carlo stress test over the covered portfolio (:mod:`ipfin.fund.simulation`; nothing is
written): payout distribution, probability that the fund is exhausted, and when each bank is expected to
reach 3 % and 5 %. JSON is :meth:`SimulationResult.as_dict` plus ``fund`` and ``clauses``. Deterministic for a seed.

``ipfin fund close-preview FUND [--as-of D] [--json]`` says what closing the fund on D would do (BT-21, nothing is
written): what still blocks it and each contributor's pro rata return; a closed fund prints its closing statement.

FUND is the fund's code. Rates are parsed as Decimal. Exit 2 with one ``error:`` line on bad input (unknown
fund, a rate outside 0–1, years/runs below 1). The commands run with the server's rights, like ``ipfin cob``.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from ipfin.cli import EXIT_OK, CommandError, add_json_flag, date_arg, emit
from ipfin.core.dates import business_date
from ipfin.domain.money import format_yuan as _format_yuan_sign

BAND_ZH = {"below": "正常", "warning": "预警", "suspension": "暂停", "admitted": "合作中", "warned": "已预警",
           "suspended": "已暂停", "removed": "已取消合作"}
CLAIM_STATE_ZH = {"filed": "已申请", "verified": "已审核", "approved": "已批准", "paid": "已拨付",
                  "settled": "已清算", "rejected": "已驳回", "withdrawn": "已撤回"}


def _yuan(amount_fen: int) -> str:
    """``1,234.56`` — the lines already say 元."""
    return _format_yuan_sign(amount_fen).replace("¥", "")


def register(sub: Any) -> None:
    fund = sub.add_parser("fund", help="compensation funds (风险补偿资金): status and stress simulation")
    fund_sub = fund.add_subparsers(dest="fund_command", metavar="ACTION", required=True)
    status = fund_sub.add_parser("status", help="balance, exposure, claims by state, each bank's ratio and status")
    status.add_argument("fund", help="fund code")
    status.add_argument("--as-of", type=date_arg, default=None, help="business date (default: today)")
    add_json_flag(status)
    status.set_defaults(func=cmd_status)

    simulate = fund_sub.add_parser("simulate", help="Monte Carlo stress test over the covered portfolio")
    simulate.add_argument("fund", help="fund code")
    simulate.add_argument("--default-rate", required=True, help="probability that a loan defaults within a year, "
                                                                "e.g. 0.05")
    simulate.add_argument("--recovery-rate", required=True, help="share of the loss the bank recovers, e.g. 0.2")
    simulate.add_argument("--years", required=True, type=int, help="horizon in years")
    simulate.add_argument("--runs", required=True, type=int, help="number of simulated futures")
    simulate.add_argument("--seed", required=True, type=int, help="random seed (same seed, same result)")
    simulate.add_argument("--as-of", type=date_arg, default=None, help="start date (default: today)")
    add_json_flag(simulate)
    simulate.set_defaults(func=cmd_simulate)

    preview = fund_sub.add_parser("close-preview", help="what closing the fund on a date would do (BT-21): "
                                                        "blockers and each contributor's pro rata return")
    preview.add_argument("fund", help="fund code")
    preview.add_argument("--as-of", type=date_arg, default=None, help="closing date (default: today)")
    add_json_flag(preview)
    preview.set_defaults(func=cmd_close_preview)


def _fund(code: str) -> Any:
    from ipfin.fund.models import Fund

    fund = Fund.objects.filter(code=code.strip()).first()
    if fund is None:
        raise CommandError(f"no fund with code {code!r}")
    return fund


def _as_of(args: argparse.Namespace) -> Any:

    return args.as_of or business_date()


def _bank_name(bank: Any) -> str:
    return str(getattr(bank, "name", bank))


def _percent(ratio: Any) -> str:
    return f"{Decimal(str(ratio)) * 100:.2f}%"


def status_payload(fund: Any, on: Any) -> dict[str, Any]:
    from ipfin.fund.selectors import fund_status

    status = fund_status(fund, on)
    return {
        "fund": fund.code, "as_of": on.isoformat(), "balance_fen": int(status.balance_fen),
        "exposure_fen": int(status.exposure_fen), "covered_count": int(status.covered_count),
        "covered_amount_fen": int(status.covered_amount_fen),
        "claims_by_state": {str(k): int(v) for k, v in dict(status.claims_by_state).items()},
        "banks": [{"bank": _bank_name(b.bank), "issued_fen": int(b.issued_fen), "paid_fen": int(b.paid_fen),
                   "ratio": str(b.ratio), "status": str(b.status)} for b in status.banks],
    }


def cmd_status(args: argparse.Namespace) -> int:
    fund = _fund(args.fund)
    payload = status_payload(fund, _as_of(args))
    claims = "，".join(f"{CLAIM_STATE_ZH.get(k, k)} {v}" for k, v in payload["claims_by_state"].items()) or "无"
    lines = [f"风险补偿资金 {fund.code}（{fund.name}）{payload['as_of']}：余额 {_yuan(payload['balance_fen'])} 元，"
             f"风险敞口 {_yuan(payload['exposure_fen'])} 元，在保贷款 {payload['covered_count']} 笔 "
             f"{_yuan(payload['covered_amount_fen'])} 元；补偿申请：{claims}"]
    lines += [f"  {b['bank']}：累计发放 {_yuan(b['issued_fen'])} 元，累计补偿 {_yuan(b['paid_fen'])} 元，"
              f"补偿率 {_percent(b['ratio'])}，{BAND_ZH.get(b['status'], b['status'])}" for b in payload["banks"]]
    emit(payload, "\n".join(lines), as_json=args.json)
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from ipfin.domain.fund.simulation import Scenario
    from ipfin.fund.simulation import parse_rate, run_simulation

    # the whole scenario is checked before the database is read
    default_rate = parse_rate(args.default_rate, "default rate")
    recovery_rate = parse_rate(args.recovery_rate, "recovery rate")
    Scenario(default_rate=default_rate, recovery_rate=recovery_rate, years=args.years, runs=args.runs,
             seed=args.seed)
    fund = _fund(args.fund)
    result, inputs = run_simulation(fund, on=_as_of(args), default_rate=default_rate, recovery_rate=recovery_rate,
                                    years=args.years, runs=args.runs, seed=args.seed)
    payload = {"fund": fund.code, "clauses": inputs.clauses, **result.as_dict()}
    p, n = result.payouts, result.net_payouts
    lines = [f"风险补偿资金 {fund.code} 压力测试：{result.loans} 笔在保贷款，年违约率 {result.scenario.default_rate}，"
             f"回收率 {result.scenario.recovery_rate}，{result.scenario.years} 年，{result.scenario.runs} 次模拟"
             f"（种子 {result.scenario.seed}），余额 {_yuan(result.fund_balance_fen)} 元",
             f"  补偿支出：均值 {_yuan(p.mean_fen)} 元，P50 {_yuan(p.p50_fen)}，P95 {_yuan(p.p95_fen)}，"
             f"P99 {_yuan(p.p99_fen)}，最大 {_yuan(p.max_fen)}",
             f"  扣除追偿返还后：均值 {_yuan(n.mean_fen)} 元，P95 {_yuan(n.p95_fen)}，"
             f"P99 {_yuan(n.p99_fen)}；平均补偿笔数 {result.mean_claims}；"
             f"资金耗尽概率 {_percent(result.probability_of_exhaustion)}"]
    for bank in result.banks:
        parts = []
        for crossing, label in ((bank.warning, f"达到预警线({_percent(inputs.position.warning_ratio)})"),
                                (bank.suspension, f"达到暂停线({_percent(inputs.position.suspension_ratio)})")):
            if crossing.already:
                parts.append(f"已{label}")
            else:
                when = f"，预计 {crossing.expected_on}" if crossing.expected_on else ""
                parts.append(f"{label}概率 {_percent(crossing.probability)}{when}")
        lines.append(f"  {bank.bank}：预期补偿 {_yuan(bank.expected_payout_fen)} 元；" + "；".join(parts))
    emit(payload, "\n".join(lines), as_json=args.json)
    return EXIT_OK


def cmd_close_preview(args: argparse.Namespace) -> int:
    """``ipfin fund close-preview FUND [--as-of D] [--json]``: nothing is written. JSON is the API's preview
    (``ipfin.fund.closing_api.preview_payload``; dates as ISO text) plus ``fund`` and ``status``; a closed fund
    answers its closing statement instead (``statement``)."""
    from ipfin.fund import closing
    from ipfin.fund.closing_api import preview_payload, statement_payload

    fund = _fund(args.fund)
    if fund.status == "closed":
        statement = closing.closing_statement(fund)
        payload: dict[str, Any] = {"fund": fund.code, "status": fund.status,
                                   "statement": statement_payload(statement)}
        emit(payload, f"风险补偿资金 {fund.code}（{fund.name}）已于 {statement.closed_on.isoformat()} 清算，"
                      f"返还出资人 {_yuan(statement.returned_fen)} 元", as_json=args.json)
        return EXIT_OK
    preview = closing.closing_preview(fund, _as_of(args))
    payload = {"fund": fund.code, "status": fund.status, **preview_payload(preview)}
    kind = "到期清算" if preview.kind == closing.ClosingKind.EXPIRY else "提前终止"
    lines = [f"风险补偿资金 {fund.code}（{fund.name}）{preview.on.isoformat()} 清算预览（{kind}，BT-21）："
             f"专户余额合计 {_yuan(preview.total_cash_fen)} 元，"
             + ("可以清算" if preview.can_close else f"尚有 {len(preview.blockers)} 项未了结，不能清算")]
    lines += [f"  未了结：{b.message}（{b.clause}）" for b in preview.blockers]
    lines += [f"  {c.name}：净出资 {_yuan(c.contributed_fen)} 元，返还 {_yuan(c.return_fen)} 元"
              for c in preview.contributors]
    emit(payload, "\n".join(lines), as_json=args.json)
    return EXIT_OK

