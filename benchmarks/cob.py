"""Benchmark: close of business (``ipfin cob``, issue 6) over ``int(1_000_000 * scale)`` active loans.

Generated book (straight into the tables with ``COPY`` / ``executemany``, :mod:`benchmarks.bulk`): banks,
enterprises (5 loans each), one application, contract and registered pledge per loan with one pledged patent and
its valuation (10 % revalued lower, some under the maximum LTV), 12 monthly installments per loan; 90 % of loans
pay on time, 10 % stopped paying at ages spread over 1–500 days past due; 2 % of patents frozen, 3 % with the
annual fee due soon. Then, on business date D:

* ``first run``: every step for D on the fresh book (a catch-up day: every overdue loan, class and warning is new);
* ``next day``: every step for D + 1 (the steady state: only what changed is written);
* baseline in the same run: a per-loan ORM loop (read installments, update their status, recompute days past due,
  overdue amounts, penalty with the domain function, classify with the domain function, save, class-change row)
  over 10,000 loans for D, rolled back.

Generation time is reported but not part of the measure. Fresh test database (``create_test_db``) on the
server ``DATABASE_URL`` names, destroyed afterwards. Run: ``python -m benchmarks.cob --scale 0.1``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250630
D = date(2025, 6, 30)
LOANS_PER_ENTERPRISE = 5
INSTALLMENTS = 12
BASELINE_LOANS = 10_000


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def generate(n: int) -> dict[str, Any]:
    from benchmarks.bulk import insert_rows, reset_sequence
    from ipfin.accounts.models import Organisation, User
    from ipfin.domain.registry.terms import add_months
    from ipfin.domain.registry.uscc import build_uscc
    from ipfin.market.models import Product
    from ipfin.origination.models import Application, Contract
    from ipfin.origination.tests.factories import make_product
    from ipfin.pledges.models import PledgedAsset, PledgeRegistration
    from ipfin.registry.models import Enterprise, IpAsset, Patent
    from ipfin.servicing.models import Installment, Loan
    from ipfin.valuation.models import Valuation

    rng = random.Random(SEED)
    office = Organisation.objects.create(name="基准知识产权局", kind="ip_office", region_code="510400")
    banks = [Organisation.objects.create(name=f"基准银行{i}", kind="bank", region_code="510400") for i in range(5)]
    products: list[Product] = [make_product(b) for b in banks]
    user = User.objects.create(username="cob-bench", organisation=banks[0])
    n_ent = max(1, n // LOANS_PER_ENTERPRISE)
    first_org = (Organisation.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    insert_rows(Organisation, ({"id": first_org + i, "name": f"基准借款企业{i:07d}", "kind": "enterprise",
                                "region_code": "510402"} for i in range(n_ent)))
    reset_sequence(Organisation)
    insert_rows(Enterprise, ({"id": i + 1, "organisation_id": first_org + i,
                              "uscc": build_uscc("9", "1", "510402", f"C{i:07d}"),
                              "established_on": date(2015, 1, 1)} for i in range(n_ent)))
    reset_sequence(Enterprise)

    loans: list[dict[str, Any]] = []
    installments: list[dict[str, Any]] = []
    overdue_loans = 0
    for i in range(n):
        loan_id = i + 1
        bank_i = i % len(banks)
        principal = rng.choice([50, 100, 200, 300, 500, 1000]) * 1_000_000  # 50–1000 万元 … in fen
        rate = Decimal(rng.choice(["3.4500", "3.8500", "4.2000", "5.0000"]))
        late = rng.random() < 0.10
        if late:
            overdue_loans += 1
            dpd = rng.choice([rng.randint(1, 30), rng.randint(31, 90), rng.randint(91, 270), rng.randint(271, 500)])
            stopped = D - timedelta(days=dpd)  # the oldest unpaid due date
            k = rng.randint(1, INSTALLMENTS)
            disbursed = add_months(stopped, -k)
        else:
            disbursed = D - timedelta(days=rng.randint(1, 330))
            stopped = None
        per = principal // INSTALLMENTS
        balance = principal
        outstanding = principal
        for period in range(1, INSTALLMENTS + 1):
            due = add_months(disbursed, period)
            part = per if period < INSTALLMENTS else principal - per * (INSTALLMENTS - 1)
            interest = balance * int(rate * 100) // 360_000 * 30 // 100
            balance -= part
            paid = due < D and (stopped is None or due < stopped)
            if paid:
                outstanding -= part
            installments.append({
                "loan_id": loan_id, "schedule_version": 1, "period": period,
                "accrual_start": add_months(disbursed, period - 1), "due_on": due, "principal_fen": part,
                "interest_fen": interest, "principal_paid_fen": part if paid else 0,
                "interest_paid_fen": interest if paid else 0, "balance_after_fen": balance,
                "status": "paid" if paid else ("overdue" if due < D - timedelta(days=1) else "scheduled"),
                "paid_on": due if paid else None})
        loans.append({
            "id": loan_id, "number": f"DKB{loan_id:09d}", "contract_id": loan_id,
            "enterprise_id": (i // LOANS_PER_ENTERPRISE) % n_ent + 1, "bank_id": banks[bank_i].pk,
            "product_id": products[bank_i].pk, "principal_fen": principal, "outstanding_principal_fen": outstanding,
            "annual_rate": rate, "term_months": INSTALLMENTS, "repayment_method": "equal-principal",
            "payment_frequency": "monthly", "day_count": "act360", "penalty_rate_uplift": Decimal("0.5000"),
            "max_loan_to_value": Decimal("0.6000"), "disbursed_on": disbursed,
            "maturity_on": add_months(disbursed, INSTALLMENTS), "status": "active"})

    insert_rows(Application, ({"id": loan["id"], "number": f"SQB{loan['id']:09d}",
                               "enterprise_id": loan["enterprise_id"], "product_id": loan["product_id"],
                               "bank_id": loan["bank_id"], "amount_fen": loan["principal_fen"], "term_months": 12,
                               "purpose": "research_and_development", "repayment_method": "equal-principal",
                               "status": "disbursed", "status_since": loan["disbursed_on"],
                               "created_by_id": user.pk} for loan in loans))
    insert_rows(Contract, ({"id": loan["id"], "application_id": loan["id"], "number": f"HTB{loan['id']:09d}",
                            "principal_fen": loan["principal_fen"], "annual_rate": loan["annual_rate"],
                            "term_months": 12, "repayment_method": "equal-principal", "payment_frequency": "monthly",
                            "day_count": "act360", "penalty_rate_uplift": loan["penalty_rate_uplift"],
                            "max_loan_to_value": loan["max_loan_to_value"],
                            "collateral_value_fen": loan["principal_fen"] * 2} for loan in loans))
    insert_rows(Loan, loans)
    insert_rows(Installment, installments)
    del installments
    insert_rows(IpAsset, ({"id": loan["id"], "kind": "patent", "number": f"CN2019{loan['id']:09d}",
                           "title": "一种基准专利", "status": "in_force", "pledged": True,
                           "frozen": rng.random() < 0.02, "filing_date": date(2019, 1, 1),
                           "registration_date": date(2020, 1, 1), "expiry_date": date(2039, 1, 1)} for loan in loans))
    insert_rows(Patent, ({"asset_id": loan["id"], "patent_type": "invention",
                          "fee_paid_through": (D + timedelta(days=rng.randint(0, 25))) if rng.random() < 0.03
                          else date(2025, 12, 31)} for loan in loans))
    insert_rows(PledgeRegistration, ({"id": loan["id"], "filing_number": f"ZYB{loan['id']:09d}",
                                      "contract_id": loan["id"], "pledgor_id": loan["enterprise_id"],
                                      "pledgee_id": loan["bank_id"], "registry_office_id": office.pk,
                                      "secured_amount_fen": loan["principal_fen"], "term_start": loan["disbursed_on"],
                                      "term_end": loan["maturity_on"], "status": "registered",
                                      "filed_on": loan["disbursed_on"], "registered_on": loan["disbursed_on"],
                                      "registration_number": f"DJB{loan['id']:09d}", "filed_by_id": user.pk}
                                     for loan in loans))
    insert_rows(PledgedAsset, ({"registration_id": loan["id"], "asset_id": loan["id"]} for loan in loans))
    valuations = [{"asset_id": loan["id"], "source": "negotiated", "trigger": "negotiation", "method": "bench",
                   "as_of": loan["disbursed_on"] - timedelta(days=5), "value_fen": loan["principal_fen"] * 2}
                  for loan in loans]
    valuations += [{"asset_id": loan["id"], "source": "internal_model", "trigger": "periodic", "method": "bench",
                    "as_of": D - timedelta(days=10),
                    "value_fen": loan["principal_fen"] * rng.choice([90, 150, 180]) // 100}
                   for loan in loans if rng.random() < 0.10]
    insert_rows(Valuation, valuations)
    for model in (Application, Contract, Loan, IpAsset, PledgeRegistration):
        reset_sequence(model)
    return {"loans": n, "overdue_loans": overdue_loans, "enterprises": n_ent, "installments": n * INSTALLMENTS,
            "valuations": len(valuations)}


def baseline(business_date: date, limit: int) -> tuple[int, float]:
    """The naive way: one loan at a time through the ORM (overdue + classify), rolled back."""
    from django.db import transaction

    from ipfin.domain.classification import classify, floor_rule_for, load_rules
    from ipfin.domain.repayment import days_past_due, penalty_interest
    from ipfin.servicing.models import Loan, RiskClassChange

    rules = load_rules()
    started = time.perf_counter()
    with transaction.atomic():
        for loan in Loan.objects.filter(status="active").order_by("pk")[:limit]:
            unpaid = []
            for inst in loan.installments.exclude(status="superseded").order_by("due_on"):
                paid = inst.principal_paid_fen >= inst.principal_fen and inst.interest_paid_fen >= inst.interest_fen
                status = "paid" if paid else "overdue" if inst.due_on < business_date else \
                    "due" if inst.due_on == business_date else "scheduled"
                if status != inst.status:
                    inst.status = status
                    inst.save(update_fields=["status"])
                if status == "overdue":
                    unpaid.append(inst)
            oldest = unpaid[0].due_on if unpaid else None
            dpd = days_past_due(oldest, business_date)
            principal = sum(i.principal_fen - i.principal_paid_fen for i in unpaid)
            loan.penalty_fen += penalty_interest(principal, loan.annual_rate, loan.penalty_rate_uplift, dpd)
            loan.oldest_unpaid_due_on, loan.days_past_due, loan.overdue_principal_fen = oldest, dpd, principal
            loan.overdue_interest_fen = sum(i.interest_fen - i.interest_paid_fen for i in unpaid)
            new_class = classify(dpd, loan.manual_risk_class or None, rules).value
            if new_class != loan.risk_class:
                rule = floor_rule_for(dpd, rules)
                RiskClassChange.objects.create(loan=loan, business_date=business_date, from_class=loan.risk_class,
                                               to_class=new_class, source="cob", days_past_due=dpd,
                                               rules_version=rules.version, article=rule.article if rule else "")
                loan.risk_class, loan.risk_class_since = new_class, business_date
            loan.save()
        transaction.set_rollback(True)
    return limit, time.perf_counter() - started


def run(scale: float = 1.0) -> str:
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from ipfin.servicing.cob import run_cob
    from ipfin.servicing.models import RiskClassChange, RiskWarning

    n = max(1000, int(1_000_000 * scale))
    vendor = connection.vendor
    workdir = Path(tempfile.mkdtemp(prefix="ipfin-bench-cob-"))
    if vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    else:  # its own database, so that a test run on the same server (test_<name>) is never clobbered
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "ipfin_bench_cob"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        facts = generate(n)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        generated_s = time.perf_counter() - started
        base_n, base_s = baseline(D, min(BASELINE_LOANS, n))
        first = run_cob(D)
        second = run_cob(D + timedelta(days=1))
        changes = RiskClassChange.objects.count()
        warnings = dict(RiskWarning.objects.values_list("kind").annotate(n=Count("id")).order_by())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()

    database = "PostgreSQL" if vendor == "postgresql" else vendor.capitalize()

    def table(result: Any) -> list[str]:
        rows = ["| step | rows changed | seconds | loans/s |", "| --- | ---: | ---: | ---: |"]
        for name, step in result.steps.items():
            rate = n / max(step["seconds"], 0.001)
            rows.append(f"| {name} | {step['count']:,} | {step['seconds']:.2f} | {rate:,.0f} |")
        rows.append(f"| **all steps** | | **{result.seconds:.2f}** | **{n / result.seconds:,.0f}** |")
        return rows

    overdue_classify = sum(first.steps[s]["seconds"] for s in ("overdue", "classify"))
    base_rate = base_n / base_s
    return "\n".join([
        f"## Close of business ({database})",
        "",
        "Target (issue 6): all COB steps over 1,000,000 active loans on PostgreSQL in ≤ 120 s on the 2-core machine;",
        "100,000 loans on SQLite. Baseline in the same run: a per-loan ORM loop (overdue + classify) on 10,000 loans.",
        "",
        f"- database: {database}; loans: {n:,} ({facts['overdue_loans']:,} overdue at ages 1–500 days), "
        f"{facts['enterprises']:,} borrowers, {facts['installments']:,} installments, {facts['valuations']:,} "
        f"valuations; generated in {generated_s:.1f} s (not measured)",
        f"- first run for {D.isoformat()} (catch-up: everything new): **{first.seconds:.1f} s, "
        f"{n / first.seconds:,.0f} loans/s**",
        "",
        *table(first),
        "",
        f"- next day {(D + timedelta(days=1)).isoformat()} (steady state): **{second.seconds:.1f} s, "
        f"{n / second.seconds:,.0f} loans/s**",
        "",
        *table(second),
        "",
        f"- class changes written: {changes:,}; warnings: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(warnings.items())),
        f"- baseline (per-loan ORM loop, overdue + classify, {base_n:,} loans): {base_s:.1f} s = "
        f"{base_rate:,.0f} loans/s → {n / base_rate:,.0f} s for {n:,} loans; set-based overdue + classify: "
        f"{overdue_classify:.2f} s = {n / overdue_classify:,.0f} loans/s "
        f"(**{(n / overdue_classify) / base_rate:,.0f}×**)",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("IPFIN_BENCH_SCALE", os.environ.get("BENCH_SCALE", "1.0"))))
    args = parser.parse_args()
    print(run(args.scale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
