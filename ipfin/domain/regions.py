"""Administrative division codes (行政区划代码, GB/T 2260): 6 digits, province/city/county levels.

A code ending in ``0000`` is a province, one ending in ``00`` a prefecture-level city, anything else a
county-level unit. Jurisdiction over a region covers every code that shares its significant prefix.
"""

from __future__ import annotations

import re

from ipfin.domain.errors import InvalidInput, _

_CODE = re.compile(r"^[1-8]\d{5}$")

# Names of the regions the seed documents and the demo data use (glossary).
KNOWN_REGIONS: dict[str, str] = {
    "150000": "内蒙古自治区",
    "150200": "包头市",
    "150203": "包头市昆都仑区",
    "150204": "包头市青山区",
    "150207": "包头市九原区",
    "430000": "湖南省",
    "430300": "湘潭市",
    "510000": "四川省",
    "510100": "成都市",
    "510400": "攀枝花市",
    "510402": "攀枝花市东区",
    "510403": "攀枝花市西区",
    "510411": "攀枝花市仁和区",
}


class InvalidRegionCode(InvalidInput):
    code = "invalid_region_code"
    message_template = _("Region code {value!r} is not a 6-digit GB/T 2260 administrative division code.")


def validate_region_code(value: str) -> str:
    code = (value or "").strip()
    if not _CODE.match(code):
        raise InvalidRegionCode(value=value)
    return code


def jurisdiction_prefix(code: str) -> str:
    """The prefix every code under ``code``'s jurisdiction starts with."""
    code = validate_region_code(code)
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def is_within(region_code: str, jurisdiction_code: str) -> bool:
    return validate_region_code(region_code).startswith(jurisdiction_prefix(jurisdiction_code))


def region_name(code: str) -> str:
    return KNOWN_REGIONS.get(code, code)
