"""GB 32100-2015 unified social credit codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.registry.uscc import (
    CHARSET,
    InvalidUscc,
    build_uscc,
    check_character,
    org_code_check_character,
    parse_uscc,
    validate_uscc,
)

# Published codes of well-known enterprises (business licences on their websites).
REAL_CODES = [
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_validate(code: str) -> None:
    parsed = parse_uscc(code)
    assert parsed.code == code
    assert parsed.is_enterprise
    assert parsed.authority == "工商（市场监管）"


def test_parts() -> None:
    parsed = parse_uscc("9144030071526726XG")
    assert parsed.region_code == "440300"
    assert parsed.organisation_code == "71526726X"
    assert parsed.organisation_type == "企业"


def test_normalises_case_and_spaces() -> None:
    assert validate_uscc(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"


def test_org_code_check_gb11714() -> None:
    assert org_code_check_character("71526726") == "X"
    assert org_code_check_character("19220382") == "1"


@pytest.mark.parametrize(
    ("code", "reason_code"),
    [
        ("", "empty"),
        ("9144030071526726X", "length"),
        ("9144030071526726XGG", "length"),
        ("9144030071526726IG", "charset"),  # I is not in the charset
        ("9144030071526726OG", "charset"),
        ("B144030071526726XG", "authority"),
        ("9444030071526726XG", "org_type"),  # market regulation has no type 4
        ("9100030071526726XG", "region"),
        ("914403007152672XXG", "org_code_check"),
        ("9144030071526726XH", "check"),
    ],
)
def test_bad_codes(code: str, reason_code: str) -> None:
    with pytest.raises(InvalidUscc) as info:
        parse_uscc(code)
    assert info.value.reason_code == reason_code


_body = st.text(alphabet=CHARSET, min_size=8, max_size=8)
_region = st.sampled_from(["150203", "150200", "510402", "510400", "110000", "440300"])


@given(body=_body, region=_region, kind=st.sampled_from([("9", "1"), ("9", "2"), ("5", "1"), ("1", "2")]))
def test_built_codes_validate_idempotently(body: str, region: str, kind: tuple[str, str]) -> None:
    code = build_uscc(kind[0], kind[1], region, body)
    assert validate_uscc(code) == code
    assert validate_uscc(validate_uscc(code.lower())) == code


@given(body=_body, region=_region, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_changing_one_character_breaks_it(body: str, region: str, position: int, data: st.DataObject) -> None:
    code = build_uscc("9", "1", region, body)
    replacement = data.draw(st.sampled_from([c for c in CHARSET if c != code[position]]))
    altered = code[:position] + replacement + code[position + 1:]
    with pytest.raises(InvalidUscc):
        parse_uscc(altered)


def test_check_character_is_mod_31() -> None:
    # Σ value × weight ≡ -check (mod 31) for a valid code
    code = REAL_CODES[0]
    assert check_character(code[:17]) == code[17]
