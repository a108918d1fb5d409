"""统一社会信用代码 (unified social credit code, USCC) — GB 32100-2015.

Layout of the 18 characters::

    9 1 150203 MA0N1234X 7
    │ │ │      │         └─ 18: check character, mod 31 over the first 17 (weights 3^(i-1) mod 31)
    │ │ │      └─ 9–17: organisation code (组织机构代码, GB 11714): 8 body characters + its own mod-11 check
    │ │ └─ 3–8: region code of the registration authority (GB/T 2260)
    │ └─ 2: organisation type code (机构类别代码), meaningful per registration authority
    └─ 1: registration authority code (登记管理部门代码)

Charset: the digits and the capital letters except I, O, Z, S, V (31 characters, each worth its index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipfin.domain.errors import InvalidInput, _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(CHARSET)}
# w_i = 3^(i-1) mod 31, i = 1..17 (GB 32100-2015, 4.2).
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: weights of the 8 body characters of the organisation code.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# 登记管理部门代码 → its 机构类别代码 (GB 32100-2015, annex A).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                       "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

_REGION = re.compile(r"^[1-8]\d{5}$")


class InvalidUscc(InvalidInput):
    code = "invalid_uscc"
    message_template = _("{value!r} is not a valid unified social credit code: {reason}")

    # Machine-readable reason, so that the import report can say it in Chinese.
    @property
    def reason_code(self) -> str:
        return str(self.details.get("reason_code", "invalid"))


@dataclass(frozen=True)
class Uscc:
    code: str
    authority: str  # 登记管理部门 (Chinese name)
    organisation_type: str  # 机构类别 (Chinese name)
    region_code: str
    organisation_code: str  # 9 characters, GB 11714, e.g. "MA0N1234X"

    @property
    def is_enterprise(self) -> bool:
        """Registered by market regulation as an enterprise (登记管理部门 9, 机构类别 1)."""
        return self.code[:2] == "91"


def _fail(value: str, reason: str, reason_code: str) -> InvalidUscc:
    return InvalidUscc(value=value, reason=reason, reason_code=reason_code)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in :data:`CHARSET`)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body: ``11 - Σ mod 11``, 10 → X, 11 → 0.

    Letters are worth 10 (A) … 35 (Z), as GB 11714 prescribes.
    """
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def normalise_uscc(value: str) -> str:
    """Upper-case with surrounding and inner spaces/hyphens removed (how codes are typed and pasted)."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def parse_uscc(value: str) -> Uscc:
    """Validate ``value`` and return its parts; raise :class:`InvalidUscc` naming the first problem."""
    code = normalise_uscc(value)
    if not code:
        raise _fail(value, "empty", "empty")
    if len(code) != 18:
        raise _fail(value, f"it has {len(code)} characters, not 18", "length")
    bad = [char for char in code if char not in _VALUE]
    if bad:
        raise _fail(value, f"character {bad[0]!r} is not allowed (no I, O, Z, S, V)", "charset")
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        raise _fail(value, f"registration authority code {code[0]!r} does not exist", "authority")
    authority_name, types = authority
    if code[1] not in types:
        raise _fail(value, f"organisation type {code[1]!r} does not exist for authority {code[0]!r}", "org_type")
    region = code[2:8]
    if not _REGION.match(region):
        raise _fail(value, f"region code {region!r} is not a GB/T 2260 code", "region")
    org_code = code[8:17]
    if org_code_check_character(org_code[:8]) != org_code[8]:
        raise _fail(value, "the organisation code's check character (GB 11714) is wrong", "org_code_check")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise _fail(value, "the check character is wrong", "check")
    return Uscc(code=code, authority=authority_name, organisation_type=types[code[1]], region_code=region,
                organisation_code=org_code)


def validate_uscc(value: str) -> str:
    """The normalised code, or :class:`InvalidUscc`."""
    return parse_uscc(value).code


def build_uscc(authority: str, org_type: str, region_code: str, org_body8: str) -> str:
    """Assemble a valid USCC from its parts, computing both check characters (demo data, tests)."""
    body = org_body8.upper()
    if len(body) != 8 or any(char not in _VALUE for char in body):
        raise InvalidUscc(value=org_body8, reason="organisation code body must be 8 USCC characters",
                          reason_code="org_code_body")
    org_check = org_code_check_character(body)
    first17 = f"{authority}{org_type}{region_code}{body}{org_check}"
    code = first17 + check_character(first17)
    parse_uscc(code)
    return code
