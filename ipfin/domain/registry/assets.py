"""Numbers and codes of the non-patent assets, IPC and industry codes, and personal-data checks."""

from __future__ import annotations

import re
from functools import lru_cache

from ipfin.domain.errors import InvalidInput, _

_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])(?:(\d{1,4})/(\d{2,6}))?$")
_INDUSTRY = re.compile(r"^[A-T](?:\d{2}(?:\d{1,2})?)?$")  # GB/T 4754-2017: section, division, group, class
_TRADEMARK_NUMBER = re.compile(r"^\d{1,9}$")
_GENERIC_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z\-./()（）]{2,39}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


class InvalidCode(InvalidInput):
    code = "invalid_code"
    message_template = _("{value!r} is not a valid {what}.")


@lru_cache(maxsize=4096)
def normalise_ipc(value: str) -> str:
    """IPC symbol, e.g. ``H01M 4/36`` → ``H01M4/36``; a subclass alone (``C22B``) is accepted."""
    text = "".join((value or "").split()).upper()
    if not _IPC.match(text):
        raise InvalidCode(value=value, what="IPC code", reason_code="ipc")
    return text


def normalise_industry_code(value: str) -> str:
    text = (value or "").strip().upper()
    if not _INDUSTRY.match(text):
        raise InvalidCode(value=value, what="GB/T 4754 industry code", reason_code="industry")
    return text


def normalise_trademark_number(value: str) -> str:
    """商标注册号: digits (``第12345678号`` and spaces are accepted on input)."""
    text = "".join((value or "").split()).removeprefix("第").removesuffix("号")
    if not _TRADEMARK_NUMBER.match(text):
        raise InvalidCode(value=value, what="trademark registration number", reason_code="trademark_number")
    return text


def normalise_generic_number(value: str) -> str:
    """Copyright, plant-variety, GI and data-IP registration numbers: upper-case, no spaces, 3–40 chars."""
    text = "".join((value or "").split()).upper()
    if not _GENERIC_NUMBER.match(text):
        raise InvalidCode(value=value, what="registration number", reason_code="registration_number")
    return text


def parse_nice_classes(value: str) -> list[int]:
    """Nice classes 1–45, separated by ``;``, ``,`` or spaces; sorted, unique."""
    parts = [p for p in re.split(r"[;,，；\s]+", (value or "").strip()) if p]
    if not parts:
        raise InvalidCode(value=value, what="list of Nice classes", reason_code="nice")
    classes: set[int] = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 45:
            raise InvalidCode(value=value, what="list of Nice classes (1–45)", reason_code="nice")
        classes.add(int(part))
    return sorted(classes)


def validate_id_number(value: str) -> str:
    """18-character resident identity number (GB 11643-1999) with its mod-11 check character."""
    text = (value or "").strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or text[17] not in "0123456789X":
        raise InvalidCode(value=value, what="resident identity number", reason_code="id_number")
    total = sum(int(d) * w for d, w in zip(text[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != text[17]:
        raise InvalidCode(value=value, what="resident identity number", reason_code="id_number")
    return text


def validate_phone(value: str) -> str:
    text = "".join((value or "").split())
    if not (_MOBILE.match(text) or _LANDLINE.match(text)):
        raise InvalidCode(value=value, what="phone number", reason_code="phone")
    return text


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; landlines keep the area code and the last 4 digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """``150203198001011234`` → ``150203********1234`` (region kept, birth date hidden)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``."""
    return value[:1] + "*" * (len(value) - 1) if value else ""
