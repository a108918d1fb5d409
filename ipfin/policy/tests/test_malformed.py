"""A malformed profile fails with one message naming the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from ipfin.policy import loader
from ipfin.policy.loader import clear_cache, load_profile_file, load_profiles
from ipfin.policy.schema import ProfileInvalid

HEADER = """\
[profile]
name = "{name}"
title = "测试办法"
jurisdiction = "150200"
clause_prefix = "BT"
effective_from = 2021-01-01
{extra_header}source_file = "004.txt"
"""

GOOD_PARAMETERS = """\
[parameters.compensation_ratio]
value = "0.30"
unit = "ratio"
clause = "BT-12a"

[parameters.claim_cap_fen]
value = 150_000_000
unit = "fen"
clause = "BT-12b"
"""


def write(directory: Path, parameters: str, *, name: str = "test-city", extra_header: str = "",
          file_name: str | None = None) -> Path:
    path = directory / (file_name or f"{name}.toml")
    path.write_text(HEADER.format(name=name, extra_header=extra_header) + "\n" + parameters, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ProfileInvalid) as caught:
        load_profile_file(path)
    assert caught.value.code == "profile_invalid"
    assert "\n" not in caught.value.message  # one line
    return caught.value.message


def test_the_good_fixture_loads(tmp_path: Path) -> None:
    profile = load_profile_file(write(tmp_path, GOOD_PARAMETERS))
    assert profile.claim_cap_fen == 150_000_000


@pytest.mark.parametrize(("parameters", "expected"), [
    pytest.param('[parameters.compensation_ratio]\nvalue = 0.30\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.value: must be a decimal string", id="float-ratio"),
    pytest.param('[parameters.claim_cap_fen]\nvalue = 1500000.0\nunit = "fen"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.claim_cap_fen.value: must be a whole number of fen, not a TOML float",
                 id="float-fen"),
    pytest.param('[parameters.claim_cap_fen]\nvalue = "150000000"\nunit = "fen"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.claim_cap_fen.value: must be a whole number of fen", id="string-fen"),
    pytest.param('[parameters.claim_cap_fen]\nvalue = -1\nunit = "fen"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.claim_cap_fen.value: must not be negative", id="negative-fen"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "0.30"\nunit = "ratio"\n',
                 "test-city.toml: parameters.compensation_ratio.clause: Field required", id="missing-clause"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "0.30"\nunit = "percent"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.unit: unknown unit 'percent'", id="unknown-unit"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "0.30"\nunit = "ratio"\nclause = "BT12"\n',
                 "test-city.toml: parameters.compensation_ratio.clause: 'BT12' is not a clause id", id="bad-clause"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "0.30"\nunit = "ratio"\nclause = "XT-7"\n',
                 "test-city.toml: parameters.compensation_ratio.clause: 'XT-7' is not a clause of this document",
                 id="other-document-clause"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "30"\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.value: a ratio must lie within [0, 1]",
                 id="ratio-above-one"),
    pytest.param('[parameters.compensation_ratio]\nvalue = "thirty"\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.value: must be a decimal string", id="not-a-number"),
    pytest.param('[parameters.compensation_ratio]\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.value: missing (write `stated = false`",
                 id="missing-value"),
    pytest.param('[parameters.compensation_ratio]\nstated = false\nvalue = "0.3"\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.value: must be absent when `stated = false`",
                 id="value-not-stated"),
    pytest.param('[parameters.compensation_ratio]\nvaule = "0.30"\nunit = "ratio"\nclause = "BT-12a"\n',
                 "test-city.toml: parameters.compensation_ratio.vaule: unknown key", id="typo-key"),
    pytest.param('[parameters.claim_cap_fen]\nvalue = 150\nunit = "count"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.claim_cap_fen: a key ending in '_fen' must have unit 'fen'",
                 id="suffix-unit"),
    pytest.param('[parameters.warning_ratio]\nvalue = "0.05"\nunit = "ratio"\nclause = "BT-13a"\n'
                 '[parameters.suspension_ratio]\nvalue = "0.05"\nunit = "ratio"\nclause = "BT-13b"\n',
                 "test-city.toml: parameters.warning_ratio.value: must be below suspension_ratio", id="warning-order"),
    pytest.param('[parameters.validity_years]\nvalue = 2\nunit = "years"\nclause = "BT-23"\n',
                 "test-city.toml: profile.effective_to: validity_years = 2 from 2021-01-01 ends on 2022-12-31, "
                 "not None", id="term-vs-dates"),
    pytest.param('[parameters.report_due]\nvalue = "13-01"\nunit = "month_day"\nclause = "BT-20"\n',
                 "test-city.toml: parameters.report_due.value: is not a day of the year", id="bad-month-day"),
    pytest.param('[parameters.prohibited_purposes]\nvalue = ["Equity Investment"]\nunit = "list"\nclause = "BT-5"\n',
                 "test-city.toml: parameters.prohibited_purposes.value: list items must be snake_case",
                 id="bad-list-item"),
    pytest.param('[parameters.Claim-Cap]\nvalue = 1\nunit = "count"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.Claim-Cap: parameter keys are snake_case", id="bad-key"),
    pytest.param('[parameters.name]\nvalue = "x"\nunit = "text"\nclause = "BT-12b"\n',
                 "test-city.toml: parameters.name: the name is reserved", id="reserved-key"),
])
def test_malformed_parameter(tmp_path: Path, parameters: str, expected: str) -> None:
    assert error_of(write(tmp_path, parameters)).startswith(expected)


@pytest.mark.parametrize(("extra_header", "expected"), [
    ('effective_to = 2020-12-31\n',
     "test-city.toml: profile.effective_to: 2020-12-31 is before effective_from 2021-01-01"),
    ('publisher = "x"\n', "test-city.toml: profile.publisher: unknown key"),
    ('issued_on = "2021-01-01"\n', "test-city.toml: profile.issued_on: "),
])
def test_malformed_header(tmp_path: Path, extra_header: str, expected: str) -> None:
    assert error_of(write(tmp_path, GOOD_PARAMETERS, extra_header=extra_header)).startswith(expected)


def test_bad_region_code(tmp_path: Path) -> None:
    path = tmp_path / "test-city.toml"
    path.write_text(HEADER.format(name="test-city", extra_header="").replace('"150200"', '"15020"'), encoding="utf-8")
    assert error_of(path).startswith("test-city.toml: profile.jurisdiction: Region code '15020' is not")


def test_missing_header_field(tmp_path: Path) -> None:
    path = tmp_path / "test-city.toml"
    path.write_text(HEADER.format(name="test-city", extra_header="").replace('title = "测试办法"\n', ""),
                    encoding="utf-8")
    assert error_of(path) == "test-city.toml: profile.title: Field required"


def test_name_must_match_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_PARAMETERS, name="test-city", file_name="other-city.toml")
    assert error_of(path) == "other-city.toml: profile.name: 'test-city' must equal the file name 'other-city'"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[parameters.compensation_ratio]\nvalue = "0.30\nunit = "ratio"\n')
    message = error_of(path)
    assert message.startswith("test-city.toml: (TOML syntax): ")
    assert "line 10" in message


def test_several_errors_are_reported_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[parameters.compensation_ratio]\nvalue = 0.3\nunit = "ratio"\nclause = "bad"\n')
    message = error_of(path)
    assert "parameters.compensation_ratio.clause" in message
    assert "parameters.compensation_ratio.value" in message


def test_load_profiles_fails_on_the_first_bad_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD_PARAMETERS, name="a-city")
    write(tmp_path, GOOD_PARAMETERS.replace('"0.30"', "0.30"), name="b-city")
    with pytest.raises(ProfileInvalid, match=r"^b-city.toml: parameters.compensation_ratio.value: "):
        load_profiles(tmp_path)


def test_django_start_up_refuses_a_malformed_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, GOOD_PARAMETERS.replace('unit = "fen"', 'unit = "yuan"'), name="bad-city")
    monkeypatch.setattr(loader, "PROFILES_DIR", tmp_path)
    clear_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match=r"bad-city.toml: parameters.claim_cap_fen.unit: unknown unit"):
            apps.get_app_config("policy").ready()
    finally:
        monkeypatch.undo()
        clear_cache()
    assert "baotou-2021" in load_profiles()
