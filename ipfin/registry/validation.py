"""Cleaning of registry input, shared by the actions (forms, API) and the bulk import.

Every function raises an :class:`~ipfin.domain.errors.InvalidInput` subclass; :class:`FieldError`
names the field, and the import turns any of them into a Chinese message for its row and column.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.registry.assets import (
    normalise_generic_number,
    normalise_ipc,
    normalise_trademark_number,
    parse_nice_classes,
)
from ipfin.domain.registry.patent_number import parse_patent_number
from ipfin.domain.registry.shares import validate_shares
from ipfin.domain.registry.terms import patent_term_end, trademark_valid_to
from ipfin.registry.choices import AssetKind, MarkType, PeriodKind

ASSET_KINDS = frozenset(AssetKind.values)
MARK_TYPES = frozenset(MarkType.values)
PATENT, TRADEMARK = AssetKind.PATENT.value, AssetKind.TRADEMARK.value


class FieldError(InvalidInput):
    code = "invalid_field"
    message_template = _("{field}: {reason}")


class DateError(InvalidInput):
    code = "invalid_date"
    message_template = _("{field}: {reason}")


def parse_date(value: Any, *, field: str) -> date | None:
    """A date from ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``YYYY年M月D日`` or a date/datetime cell."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    normalised = text.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    parts = normalised.split("-")
    if len(parts) == 1 and len(text) == 8 and text.isdigit():
        parts = [text[:4], text[4:6], text[6:]]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        year, month, day = (int(p) for p in parts)
        try:
            return date(year, month, day)
        except ValueError:
            raise DateError(field=field, reason=f"{text} is not a real date", reason_code="impossible",
                            value=text) from None
    raise DateError(field=field, reason=f"{text!r} is not a date (use YYYY-MM-DD)", reason_code="format", value=text)


def require_past(day: date | None, *, field: str, today: date) -> date | None:
    if day is not None and day > today:
        raise DateError(field=field, reason=f"{day} is in the future", reason_code="future", value=day.isoformat())
    return day


def parse_bool(value: Any, *, field: str, default: bool = False) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "y", "yes", "true", "是", "有", "√"):
        return True
    if text in ("0", "n", "no", "false", "否", "无", "×"):
        return False
    raise FieldError(field=field, reason=f"{value!r} is not yes/no (是/否)", reason_code="bool", value=str(value))


def parse_count(value: Any, *, field: str) -> int:
    """A non-negative integer (blank = 0)."""
    if value is None:
        return 0
    if value.__class__ is str and value.isascii() and value.isdigit():  # the common case, fast
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text:
            return 0
        if text.endswith(".0"):  # Excel numbers read back as floats' text
            text = text[:-2]
        if not text.isdigit():
            raise FieldError(field=field, reason=f"{value!r} is not a whole number", reason_code="integer",
                             value=str(value))
        number = int(text)
    if number < 0:
        raise FieldError(field=field, reason="must not be negative", reason_code="negative", value=str(value))
    return number


def parse_choice(value: Any, choices: Any, *, field: str, default: str | None = None) -> str:
    """A choice given by its key (``invention``) or its Chinese/English label (``发明``)."""
    text = "" if value is None else str(value).strip()
    if not text:
        if default is not None:
            return default
        raise FieldError(field=field, reason="required", reason_code="required")
    if text in choices.values:
        return text
    for key, label in choices.choices:
        if text == str(label):
            return key
    from ipfin.registry.labels_zh import CHOICE_LABELS_ZH

    for key, label in CHOICE_LABELS_ZH.get(choices.__name__, {}).items():
        if text == label:
            return key
    raise FieldError(field=field, reason=f"{text!r} is not one of the allowed values", reason_code="choice",
                     value=text)


def quarter_or_year_end(period_kind: str, period_end: date) -> date:
    """A statement period must end on a quarter end (quarters) or on 31 December (years)."""
    last_day = calendar.monthrange(period_end.year, period_end.month)[1]
    is_quarter_end = period_end.month in (3, 6, 9, 12) and period_end.day == last_day
    if period_kind == PeriodKind.YEAR and (period_end.month, period_end.day) != (12, 31):
        raise DateError(field="period_end", reason="a year ends on 31 December", reason_code="period_end")
    if period_kind == PeriodKind.QUARTER and not is_quarter_end:
        raise DateError(field="period_end", reason="a quarter ends on 31 Mar, 30 Jun, 30 Sep or 31 Dec",
                        reason_code="period_end")
    return period_end


@dataclass
class CleanAsset:
    """A validated asset: base columns, per-kind columns and the normalised number."""

    kind: str
    number: str
    filing_date: date | None
    registration_date: date | None
    expiry_date: date | None
    patent: dict[str, Any] = field(default_factory=dict)
    trademark: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=8192)
def _ipc_list(codes: str) -> str:
    """``"H01M 4/36, C22B"`` → ``"H01M4/36;C22B"`` (cached: an import repeats the same lists)."""
    parts = [c for c in codes.replace("，", ";").replace(",", ";").replace("；", ";").split(";") if c.strip()]
    return ";".join(normalise_ipc(c) for c in parts)


@lru_cache(maxsize=1024)
def _country_list(countries: str) -> str:
    return ";".join(c.strip().upper() for c in countries.replace(",", ";").split(";") if c.strip())


def normalise_number(kind: str, number: str, *, today: date) -> tuple[str, dict[str, Any]]:
    """The normal form of an asset number, with what it tells (patents: kind, PCT, filing year)."""
    if kind == PATENT:
        parsed = parse_patent_number(number, today=today)
        return parsed.number, {"patent_type": str(parsed.kind), "is_pct": parsed.is_pct,
                               "filing_year": parsed.filing_year}
    if kind == TRADEMARK:
        return normalise_trademark_number(number), {}
    return normalise_generic_number(number), {}


def clean_asset(
    *,
    kind: str,
    number: str,
    filing_date: date | None,
    registration_date: date | None,
    expiry_date: date | None,
    today: date,
    patent: dict[str, Any] | None = None,
    trademark: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> CleanAsset:
    """Validate an asset's number and dates; compute the patent term end and the trademark validity."""
    if kind not in ASSET_KINDS:
        raise FieldError(field="kind", reason=f"unknown asset kind {kind!r}", reason_code="choice", value=kind)
    normal, facts = normalise_number(kind, number, today=today)
    require_past(filing_date, field="filing_date", today=today)
    require_past(registration_date, field="registration_date", today=today)
    if filing_date and registration_date and registration_date < filing_date:
        raise DateError(field="registration_date", reason="granted or registered before it was filed",
                        reason_code="before_filing")
    clean = CleanAsset(kind=kind, number=normal, filing_date=filing_date, registration_date=registration_date,
                       expiry_date=expiry_date, details=dict(details or {}))
    if kind == PATENT:
        if filing_date is None:
            raise DateError(field="filing_date", reason="a patent needs its filing date", reason_code="required")
        if not facts["is_pct"] and filing_date.year != facts["filing_year"]:
            raise DateError(field="filing_date", reason=f"the number says it was filed in {facts['filing_year']}",
                            reason_code="year_mismatch")
        data = dict(patent or {})
        given_type = data.get("patent_type")
        if given_type and given_type != facts["patent_type"]:
            raise FieldError(field="patent_type", reason="does not match the kind digit of the number",
                             reason_code="type_mismatch")
        data["patent_type"] = facts["patent_type"]
        data["is_pct"] = facts["is_pct"]
        data["ipc_main"] = normalise_ipc(data["ipc_main"]) if data.get("ipc_main") else ""
        codes = data.get("ipc_codes") or ""
        data["ipc_codes"] = _ipc_list(codes if isinstance(codes, str) else ";".join(codes))
        for name in ("claims_count", "independent_claims", "forward_citations", "backward_citations"):
            data[name] = parse_count(data.get(name), field=name)
        data["family_size"] = parse_count(data.get("family_size"), field="family_size") or 1
        countries = data.get("family_countries") or ""
        data["family_countries"] = _country_list(countries if isinstance(countries, str) else ";".join(countries))
        if data["independent_claims"] > data["claims_count"]:
            raise FieldError(field="independent_claims", reason="more independent claims than claims",
                             reason_code="claims")
        paid_through = data.get("fee_paid_through")
        if paid_through is not None and paid_through < filing_date:
            raise DateError(field="fee_paid_through", reason="before the filing date", reason_code="before_filing")
        data.setdefault("fee_paid_through", None)
        data["open_licence"] = bool(data.get("open_licence", False))
        clean.patent = data
        clean.expiry_date = patent_term_end(facts["patent_type"], filing_date)
        if expiry_date is not None and expiry_date != clean.expiry_date:
            raise DateError(field="expiry_date", reason=f"the statutory term ends on {clean.expiry_date}",
                            reason_code="term_mismatch")
    elif kind == TRADEMARK:
        data = dict(trademark or {})
        classes = data.get("nice_classes")
        if isinstance(classes, list | tuple):
            classes = ";".join(str(c) for c in classes)
        data["nice_classes"] = ";".join(str(c) for c in parse_nice_classes(classes or ""))
        data["mark_type"] = data.get("mark_type") or MarkType.ORDINARY.value
        if data["mark_type"] not in MARK_TYPES:
            raise FieldError(field="mark_type", reason="unknown mark type", reason_code="choice")
        data["is_geographical_indication"] = bool(data.get("is_geographical_indication", False))
        clean.trademark = data
        if registration_date and expiry_date is None:
            clean.expiry_date = trademark_valid_to(registration_date)
        if clean.expiry_date and registration_date and clean.expiry_date <= registration_date:
            raise DateError(field="expiry_date", reason="ends before it starts", reason_code="order")
    elif expiry_date and registration_date and expiry_date <= registration_date:
        raise DateError(field="expiry_date", reason="ends before it starts", reason_code="order")
    return clean


@dataclass(frozen=True)
class OwnerInput:
    """An owner of an asset: a registered enterprise (``enterprise_id``) or an outside co-owner by name."""

    share: Decimal
    enterprise_id: int | None = None
    name: str = ""


def clean_owners(owners: list[OwnerInput]) -> list[OwnerInput]:
    validate_shares([owner.share for owner in owners])
    if not any(owner.enterprise_id for owner in owners):
        raise FieldError(field="owners", reason="at least one owner must be an enterprise on the platform",
                         reason_code="no_enterprise")
    ids = [owner.enterprise_id for owner in owners if owner.enterprise_id]
    if len(ids) != len(set(ids)):
        raise FieldError(field="owners", reason="an enterprise is listed twice", reason_code="duplicate_owner")
    for owner in owners:
        if not owner.enterprise_id and not owner.name.strip():
            raise FieldError(field="owners", reason="an outside co-owner needs a name", reason_code="owner_name")
    return owners
