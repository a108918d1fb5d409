"""Disbursed loans for servicing tests, made through the real flow: origination actions up to the signed
contract, the pledges app's filing and registration (so that pay-off has a pledge to release), then
``disburse`` (which opens schedule version 1). No tests in this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.origination import actions as origination
from ipfin.origination.tests.factories import RATE, Setup, make_setup, valued_patent
from ipfin.pledges import actions as pledges
from ipfin.pledges.models import PledgeRegistration
from ipfin.servicing.models import Installment, Loan

DISBURSED_ON = date(2025, 9, 30)


@dataclass
class Disbursed:
    setup: Setup
    loan: Loan
    registration: PledgeRegistration | None

    @property
    def users(self) -> dict[str, Any]:
        return self.setup.users

    def schedule(self) -> list[Installment]:
        return list(Installment.objects.filter(loan=self.loan).exclude(status="superseded")
                    .order_by("due_on", "period"))

    def reload(self) -> Loan:
        self.loan.refresh_from_db()
        return self.loan


def make_disbursed_loan(setup: Setup | None = None, *, today: date = DISBURSED_ON, rate: Decimal = RATE,
                        with_pledge: bool = True, **draft: Any) -> Disbursed:
    """A loan disbursed on ``today`` (300 万元, 12 months, equal installments by default; ``draft`` overrides the
    application, e.g. ``repayment_method="bullet"``)."""
    if setup is None:
        setup = make_setup(today)
    elif "asset_ids" not in draft:  # the setup's patents are pledged to its first loan: value two fresh ones
        draft["asset_ids"] = [valued_patent(setup.enterprise, as_of=today, year=2019 + i).pk for i in range(2)]
    application = setup.draft(**draft)
    registration = None
    if with_pledge:
        setup.to(application, "contract_signed", rate=rate)
        contract = application.contract if hasattr(application, "contract") else None
        assert contract is not None
        filed = pledges.file_registration(setup.users["officer"], contract.pk, today=today)
        registration = pledges.register_pledge(setup.users["clerk"], filed.pk, registered_on=today)
        loan = origination.disburse(setup.users["officer"], application.pk, disbursed_on=today)
    else:
        setup.to(application, "disbursed", rate=rate)
        loan = Loan.objects.get(contract__application=application)
    return Disbursed(setup=setup, loan=Loan.objects.get(pk=loan.pk), registration=registration)
