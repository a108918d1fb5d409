"""Enterprise-level IP evaluation (SC-4): service, API, CLI; scoping and the profile switch."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.actions import create_organisation, issue_api_token
from ipfin.domain.errors import NotFound
from ipfin.policy.loader import get_profile
from ipfin.valuation.models import Valuation
from ipfin.valuation.portfolio import EnterpriseEvaluationNotAllowed, evaluate_enterprise
from ipfin.valuation.tests.helpers import AS_OF, enterprise_of, valued_patent
from ipfin.valuation.tests.test_actions import cli, setup  # noqa: F401  (fixtures)

URL = "/api/v1/valuation/enterprises/{}/evaluation"


def _client(user: Any) -> Client:
    _token, secret = issue_api_token(user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def portfolio(setup: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The setup enterprise with three patents in force, and a stranger's patent that must not count."""
    valued_patent(setup["enterprise"], year=2020)
    valued_patent(setup["enterprise"], year=2021, kind_digit="2")  # utility model
    stranger = enterprise_of(create_organisation(None, name="绵阳某公司", kind="enterprise", region_code="510700"))
    valued_patent(stranger)
    return setup


def test_profile_switch_is_stated_in_sichuan_only() -> None:
    sichuan = get_profile("sichuan-2025")
    assert sichuan.param("enterprise_level_evaluation_allowed") is True
    assert sichuan.clause_of("enterprise_level_evaluation_allowed") == "SC-4"
    assert not get_profile("baotou-2021").has("enterprise_level_evaluation_allowed")


def test_service_scores_the_enterprise_portfolio(portfolio: dict[str, Any]) -> None:
    result = evaluate_enterprise(portfolio["officer"], portfolio["enterprise"].pk, AS_OF, profile="sichuan-2025")
    evaluation = result.evaluation
    assert result.asset_count == 3 and evaluation.family_count == 3
    assert 0 < evaluation.score <= 100 and evaluation.portfolio_value_fen > 0
    assert 0 <= evaluation.credit_line_fen <= evaluation.portfolio_value_fen
    assert set(evaluation.components) == {"quality", "scale", "invention_share", "vitality"}
    assert "企业知识产权组合评分" in evaluation.explanation
    assert result.max_loan_to_value is None  # sichuan-2025 states no loan-to-value ceiling
    assert Valuation.objects.count() == 0  # read-only


def test_service_refuses_profiles_that_do_not_allow_it(portfolio: dict[str, Any]) -> None:
    with pytest.raises(EnterpriseEvaluationNotAllowed) as refused:
        evaluate_enterprise(portfolio["officer"], portfolio["enterprise"].pk, AS_OF, profile="baotou-2021")
    assert refused.value.code == "enterprise_evaluation_not_allowed"
    with pytest.raises(NotFound):
        evaluate_enterprise(portfolio["other_officer"], portfolio["enterprise"].pk, AS_OF)


def test_api_returns_score_and_credit_line(portfolio: dict[str, Any]) -> None:
    url = URL.format(portfolio["enterprise"].pk)
    response = _client(portfolio["officer"]).get(url, {"as_of": "2025-06-30", "profile": "sichuan-2025"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["asset_count"] == 3 and body["as_of"] == "2025-06-30" and body["profile"] == "sichuan-2025"
    assert body["score"] > 0 and body["credit_line_fen"] >= 0 and body["explanation"]
    assert body["uscc"] == portfolio["enterprise"].uscc


def test_api_scoping_and_errors(portfolio: dict[str, Any]) -> None:
    url = URL.format(portfolio["enterprise"].pk)
    other = _client(portfolio["other_officer"]).get(url, {"as_of": "2025-06-30"})
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    officer = _client(portfolio["officer"])
    refused = officer.get(url, {"as_of": "2025-06-30", "profile": "baotou-2021"})
    assert refused.status_code == 400 and refused.json()["code"] == "enterprise_evaluation_not_allowed"
    assert officer.get(url, {"profile": "nowhere"}).status_code == 404
    assert officer.get(URL.format(999_999)).status_code == 404


def test_cli_valuate_enterprise(cli: None, portfolio: dict[str, Any],  # noqa: F811
                                capsys: pytest.CaptureFixture[str]) -> None:
    uscc = portfolio["enterprise"].uscc
    from ipfin.cli import run as cli_run

    assert cli_run(["valuate", "enterprise", uscc, "--as-of", "2025-06-30", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["uscc"] == uscc and payload["asset_count"] == 3 and payload["score"] > 0
    assert cli_run(["valuate", "enterprise", uscc, "--as-of", "2025-06-30"]) == 0
    assert "portfolio score" in capsys.readouterr().out
    assert cli_run(["valuate", "enterprise", "91510100MA00000000"]) == 2
    err = capsys.readouterr().err
    assert "No enterprise with USCC" in err and len(err.strip().splitlines()) == 1
    assert cli_run(["valuate", "enterprise", uscc, "--profile", "baotou-2021"]) == 2
    assert "does not allow enterprise-level IP evaluation" in capsys.readouterr().err
    assert Valuation.objects.count() == 0
