"""Valuation actions against the database: internal valuation, negotiated value, appraisal workflow with
PDF report and deviation flag, revaluation on legal-status change, model versions, calibration, CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.cli import run as cli_run
from ipfin.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.valuation.calibration import CalibrationRefused
from ipfin.domain.valuation.definition import load_model
from ipfin.domain.valuation.model import rerun
from ipfin.registry.models import IpAsset
from ipfin.valuation import actions
from ipfin.valuation.choices import RequestStatus, ValuationSource
from ipfin.valuation.models import ImmutableRecord, Valuation, ValuationModelVersion
from ipfin.valuation.tests.helpers import AS_OF, admitted_appraiser, enterprise_of, link, pdf, valued_patent


@pytest.fixture
def setup(db: Any) -> dict[str, Any]:
    ent_org = create_organisation(None, name="成都锂电科技有限公司", kind="enterprise", region_code="510107")
    bank = create_organisation(None, name="成都银行高新支行", kind="bank", region_code="510100")
    other_bank = create_organisation(None, name="另一家银行", kind="bank", region_code="510100")
    platform = create_organisation(None, name="平台", kind="platform", region_code="510000")
    appraiser = admitted_appraiser()
    enterprise = enterprise_of(ent_org)
    link(bank, enterprise)
    users = {
        "officer": create_user(None, organisation=bank, username="officer", password="x", roles=["loan_officer"],
                               check_password_strength=False),
        "other_officer": create_user(None, organisation=other_bank, username="other", password="x",
                                     roles=["loan_officer"], check_password_strength=False),
        "appraiser_user": create_user(None, organisation=appraiser.organisation, username="appr", password="x",
                                 roles=["appraiser"], check_password_strength=False),
        "admin": create_user(None, organisation=platform, username="admin", password="x", roles=["platform_admin"],
                             check_password_strength=False),
    }
    return {"asset": valued_patent(enterprise), "enterprise": enterprise, "appraiser": appraiser, **users}


def _appraiser_user(setup: dict[str, Any]) -> Any:
    return setup["appraiser_user"]


def test_internal_valuation_is_recorded_and_reproducible(setup: dict[str, Any]) -> None:
    record = actions.valuate_asset(setup["officer"], setup["asset"].pk, as_of=AS_OF)
    assert record.source == ValuationSource.INTERNAL_MODEL and record.model_version == "pledge_v1"
    assert record.value_fen > 0 and record.p10_fen < record.value_fen < record.p90_fen
    assert record.top_contributors and "贡献最大" in record.explanation
    assert set(record.dimension_degrees) == {"legal", "technical", "economic"}
    again = rerun(record.inputs, load_model(record.model_version))
    assert again.value_fen == record.value_fen and again.p90_fen == record.p90_fen
    assert ValuationModelVersion.objects.get(version="pledge_v1").is_active
    with pytest.raises(ImmutableRecord):
        record.value_fen = 1
        record.save()
    with pytest.raises(NotFound):  # another bank cannot see the asset
        actions.valuate_asset(setup["other_officer"], setup["asset"].pk, as_of=AS_OF)


def test_negotiated_value_needs_a_bank_and_a_valid_amount(setup: dict[str, Any]) -> None:
    record = actions.record_negotiated_value(setup["officer"], setup["asset"].pk, value_fen=500_000_000, as_of=AS_OF)
    assert record.source == ValuationSource.NEGOTIATED and record.value_fen == 500_000_000
    with pytest.raises(InvalidInput):
        actions.record_negotiated_value(setup["officer"], setup["asset"].pk, value_fen=-1, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        actions.record_negotiated_value(setup["appraiser_user"], setup["asset"].pk, value_fen=1, as_of=AS_OF)
    assert Valuation.objects.count() == 1


def test_appraisal_workflow_with_report_and_deviation_flag(setup: dict[str, Any]) -> None:
    due = actions._today() + timedelta(days=7)
    request = actions.request_appraisal(setup["officer"], setup["asset"].pk, appraiser_id=setup["appraiser"].pk,
                                        due_date=due, loan_amount_fen=1_500_000_000)
    assert request.status == RequestStatus.REQUESTED
    with pytest.raises(IllegalTransition):  # cannot report before accepting
        actions.submit_report(setup["appraiser_user"], request.pk, appraised_value_fen=1, as_of=AS_OF, report=pdf())
    actions.accept_request(setup["appraiser_user"], request.pk)
    with pytest.raises(InvalidInput):
        actions.submit_report(setup["appraiser_user"], request.pk, appraised_value_fen=1, as_of=AS_OF,
                              report=pdf(name="x.pdf").__class__("x.pdf", b"not a pdf", "application/pdf"))
    internal = actions.compute_valuation(IpAsset.objects.get(pk=setup["asset"].pk), AS_OF).value_fen
    done = actions.submit_report(setup["appraiser_user"], request.pk, appraised_value_fen=internal * 2, as_of=AS_OF,
                                 report=pdf())
    assert done.status == RequestStatus.REPORTED and done.deviation_flag
    assert done.internal_value_fen == internal and done.deviation_share == Decimal("1.0000")
    assert done.report.name == f"valuation/reports/{done.pk}/report.pdf"
    record = Valuation.objects.get(request=done)
    assert record.source == ValuationSource.THIRD_PARTY_APPRAISAL and record.value_fen == internal * 2
    with pytest.raises(IllegalTransition):
        actions.cancel_request(setup["officer"], request.pk)


def test_small_deviation_is_not_flagged_and_bad_requests_are_refused(setup: dict[str, Any]) -> None:
    assert actions.deviation(1_290, 1_000, Decimal("0.30")) == (Decimal("0.2900"), False)
    assert actions.deviation(1_301, 1_000, Decimal("0.30")) == (Decimal("0.3010"), True)
    assert actions.deviation(5, 0, Decimal("0.30")) == (None, True)
    with pytest.raises(InvalidInput):
        actions.request_appraisal(setup["officer"], setup["asset"].pk, appraiser_id=setup["appraiser"].pk,
                                  due_date=actions._today() - timedelta(days=1))
    setup["appraiser"].admission_status = "suspended"
    setup["appraiser"].save()
    with pytest.raises(actions.AppraiserNotAdmitted):
        actions.request_appraisal(setup["officer"], setup["asset"].pk, appraiser_id=setup["appraiser"].pk,
                                  due_date=actions._today() + timedelta(days=3))


def test_admission_transitions(setup: dict[str, Any]) -> None:
    appraiser = setup["appraiser"]
    actions.set_admission_status(setup["admin"], appraiser.pk, "suspended")
    actions.set_admission_status(setup["admin"], appraiser.pk, "removed")
    with pytest.raises(IllegalTransition):
        actions.set_admission_status(setup["admin"], appraiser.pk, "admitted")
    with pytest.raises(PermissionDenied):
        actions.set_admission_status(setup["officer"], appraiser.pk, "admitted")


def test_revaluation_writes_history_only_on_change_and_zero_on_lapse(setup: dict[str, Any]) -> None:
    asset = setup["asset"]
    assert actions.revalue_assets([asset], AS_OF) == 1
    assert actions.revalue_assets([asset], AS_OF) == 0  # idempotent: same value, no new row
    IpAsset.objects.filter(pk=asset.pk).update(status="lapsed")
    assert actions.revalue_assets([IpAsset.objects.get(pk=asset.pk)], AS_OF + timedelta(days=1)) == 1
    latest = actions.latest_valuation(asset)
    assert latest is not None and latest.value_fen == 0
    IpAsset.objects.filter(pk=asset.pk).update(status="in_force", invalidation_pending=True, pledged=True)
    assert actions.revalue_pledged_assets(AS_OF + timedelta(days=2)) == 1
    haircut = actions.latest_valuation(asset)
    first = Valuation.objects.filter(asset=asset).order_by("id").first()
    assert haircut is not None and first is not None and 0 < haircut.value_fen < first.value_fen


def test_model_activation_and_calibration(setup: dict[str, Any]) -> None:
    with pytest.raises(CalibrationRefused):  # no outcomes recorded yet
        actions.run_calibration(setup["admin"], "patent")
    # 25 negotiated values at 1.2 × the internal model → the calibrated version is stored inactive
    for i in range(25):
        asset = valued_patent(setup["enterprise"], patent={"forward_citations": i, "claims_count": 2 + i},
                              details={"attributable_revenue_fen": 10**9 + i * 10**8,
                                       "appraiser_inputs": {"technical_advancement": (i * 37) % 101}})
        value = actions.compute_valuation(asset, AS_OF).value_fen
        actions.record_negotiated_value(setup["officer"], asset.pk, value_fen=value * 6 // 5, as_of=AS_OF)
    report, row = actions.run_calibration(setup["admin"], "patent", new_version="pledge_v1-cal-test")
    assert report.used == 25 and row is not None and not row.is_active
    assert report.before.count == 25 and report.before.mdape_pct is not None
    with pytest.raises(PermissionDenied):
        actions.activate_model_version(setup["officer"], "pledge_v1-cal-test")
    actions.activate_model_version(setup["admin"], "pledge_v1-cal-test")
    assert ValuationModelVersion.objects.get(asset_kind="patent", is_active=True).version == "pledge_v1-cal-test"
    record = actions.valuate_asset(setup["officer"], setup["asset"].pk, as_of=AS_OF)
    assert record.model_version == "pledge_v1-cal-test"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the lead lists ipfin.valuation.cli in ipfin.cli.COMMAND_MODULES."""
    import ipfin.cli

    if "ipfin.valuation.cli" not in ipfin.cli.COMMAND_MODULES:
        monkeypatch.setattr(ipfin.cli, "COMMAND_MODULES", [*ipfin.cli.COMMAND_MODULES, "ipfin.valuation.cli"])


def test_cli_valuate_patent(cli: None, setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    number = setup["asset"].number
    assert cli_run(["valuate", "patent", number, "--as-of", "2025-06-30", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["asset_number"] == number and payload["value_fen"] > 0 and payload["as_of"] == "2025-06-30"
    assert cli_run(["valuate", "patent", number, "--as-of", "2025-06-30"]) == 0
    assert "贡献最大" in capsys.readouterr().out
    assert cli_run(["valuate", "patent", "ZL000000000000.0"]) == 2
    assert "no patent" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli_run(["valuate", "patent", number, "--as-of", "30/06/2025"])
    assert exit_info.value.code == 2


def test_cli_calibrate_refuses_without_outcomes(cli: None, setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_run(["valuation", "calibrate", "--json"]) == 2
    assert "Calibration refused" in capsys.readouterr().err
    assert not ValuationModelVersion.objects.filter(calibrated_from="pledge_v1").exists()
