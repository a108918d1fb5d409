"""Policy profiles (政策参数): the numbers of one policy document, each with its unit and clause id.

A profile is data (``ipfin/policy/profiles/<name>.toml``) validated by these pydantic models. Code reads a
number through the profile — ``profile.compensation_ratio`` (BT-12a: ``Decimal("0.30")``) — never a
literal, so that a city with other numbers is a new profile, not new code (design §5).

This module imports no Django: domain code, the CLI and the loader use it without settings.

TOML layout::

    [profile]
    name = "baotou-2021"            # = the file name without .toml
    title = "包头市知识产权质押融资风险补偿资金管理办法（试行）"
    jurisdiction = "150200"        # GB/T 2260 region code
    clause_prefix = "BT"           # every clause id below starts with "BT-"
    effective_from = 2021-01-01
    effective_to = 2022-12-31      # optional, inclusive
    source_file = "004_77708c2f61d70a59.txt"

    [parameters.compensation_ratio]
    value = "0.30"                 # ratios and Decimal units are strings: TOML floats are binary
    unit = "ratio"
    clause = "BT-12a"
    note = "按实际损失额度的30%给予风险补偿"

A parameter the document names without a number ("一定比例", XT-7) is written ``stated = false`` with no
``value``; reading it raises :class:`ParameterNotStated`.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ipfin.domain.errors import IpfinError, NotFound, _
from ipfin.domain.regions import KNOWN_REGIONS, InvalidRegionCode, validate_region_code

# --------------------------------------------------------------------------------------------------------
# Errors


class UnknownProfile(NotFound):
    code = "unknown_profile"
    message_template = _("Unknown policy profile {name!r}; known profiles: {known}.")


class ProfileInvalid(IpfinError):
    """A profile file that does not validate; the message names the file and the key path."""

    code = "profile_invalid"
    http_status = 500
    message_template = _("{file}: {key}: {reason}")


class UnknownParameter(IpfinError, AttributeError):
    """The profile has no such parameter (also an ``AttributeError``, so ``hasattr`` keeps working)."""

    code = "unknown_parameter"
    http_status = 422
    message_template = _("Policy profile {profile!r} has no parameter {key!r}.")


class ParameterNotStated(IpfinError):
    """The document names the parameter but leaves its number to be set later (e.g. XT-7 "一定比例")."""

    code = "parameter_not_stated"
    http_status = 422
    message_template = _("Policy profile {profile!r} does not state {key!r} ({clause}); it must be set first.")


# --------------------------------------------------------------------------------------------------------
# Units and value rules

Unit = Literal[
    "ratio",  # a share as a Decimal fraction: "0.30" = 30 %; within [0, 1]
    "fen",  # money, integer fen (分); 1 元 = 100 分
    "bp",  # basis points (基点), integer; 1 bp = 0.01 percentage point
    "percentage_points",  # a difference of percentages as a Decimal string: "3" = 3 个百分点
    "working_days",  # Chinese working days (calendar table, 调休 make-up days included)
    "days",  # calendar days
    "months",
    "years",
    "count",  # a number of things (enterprises, banks)
    "date",  # a TOML date
    "month_day",  # a yearly recurring date, "MM-DD" (e.g. "12-20": by 20 December each year)
    "text",  # an enumerated choice, as a snake_case string
    "list",  # a list of snake_case identifiers (e.g. prohibited loan purposes)
    "boolean",
]

UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]

DECIMAL_UNITS = frozenset({"ratio", "percentage_points"})
INTEGER_UNITS = frozenset({"fen", "bp", "working_days", "days", "months", "years", "count"})

# A key's suffix fixes its unit, so that ``claim_cap_fen`` can never hold yuan (checked in that order).
KEY_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_fen", "fen"),
    ("_ratio", "ratio"),
    ("_bp", "bp"),
    ("_pp", "percentage_points"),
    ("_working_days", "working_days"),
    ("_days", "days"),
    ("_months", "months"),
    ("_years", "years"),
)

# Clause ids of clauses.md: document prefix, then dot-separated parts — numbers ("2.3.1"), Chinese party
# markers ("3.乙1"), Roman section numbers ("SC-III"); an optional lower-case letter splits one clause into
# rules ("BT-12a", "PZA-2.2.1b").
_CLAUSE_PART = r"(?:\d+|[甲乙丙丁]\d*|[IVX]+)"
CLAUSE_ID = re.compile(rf"^(?:PZA|XT|PZP|SC|BT)-{_CLAUSE_PART}(?:\.{_CLAUSE_PART})*[a-z]?$")
KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
PROFILE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

# Keys whose value, in years, must equal the length of the profile's effective period.
TERM_KEYS = ("validity_years", "agreement_term_years", "pilot_term_years")

_MISSING: Any = object()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f'must be a decimal string such as "{value}", not a TOML float (binary floats are inexact)')
    if not isinstance(value, str) or isinstance(value, bool):
        raise ValueError(f"must be a decimal string, not {type(value).__name__}")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"must be a decimal string, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"must be a finite decimal, not {value!r}")
    return number


def _integer(value: Any, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a TOML float" if isinstance(value, float) else type(value).__name__
        raise ValueError(f"must be a whole number of {unit}, not {kind} ({value!r})")
    if value < 0:
        raise ValueError(f"must not be negative ({value})")
    return value


def parse_value(unit: str, value: Any) -> Any:
    """The typed Python value of a TOML ``value`` of ``unit``; ``ValueError`` with a short reason if wrong."""
    if unit in DECIMAL_UNITS:
        number = _decimal(value)
        if number < 0:
            raise ValueError(f"must not be negative ({value})")
        if unit == "ratio" and number > 1:
            raise ValueError(f'a ratio must lie within [0, 1]: "0.30" means 30 %, not {value!r}')
        return number
    if unit in INTEGER_UNITS:
        return _integer(value, unit)
    if unit == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"must be a TOML date such as 2025-05-20, not {value!r}")
        return value
    if unit == "month_day":
        match = _MONTH_DAY.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f'must be "MM-DD" (e.g. "12-20"), not {value!r}')
        month, day = int(match[1]), int(match[2])
        # 2000 is a leap year, so "02-29" is accepted as a possible yearly date.
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
            raise ValueError(f"is not a day of the year: {value!r}")
        return value
    if unit == "text":
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string")
        return value
    if unit == "list":
        if not isinstance(value, list) or not value:
            raise ValueError("must be a non-empty list of identifiers")
        for item in value:
            if not isinstance(item, str) or not _IDENTIFIER.match(item):
                raise ValueError(f"list items must be snake_case identifiers, not {item!r}")
        if len(set(value)) != len(value):
            raise ValueError("list items must be unique")
        return tuple(value)
    if unit == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, not {value!r}")
        return value
    raise ValueError(f"unit {unit!r} has no value rule")  # pragma: no cover - Unit is a closed set


def jsonable(value: Any) -> Any:
    """A parameter value as JSON: Decimals as strings ("0.30"), dates ISO, tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


# --------------------------------------------------------------------------------------------------------
# Models


class Parameter(BaseModel):
    """One number (or rule) of a document: its value, unit, clause id and a short note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Field order matters: ``value`` is validated last, against the already validated unit and ``stated``.
    unit: Unit
    clause: str
    note: str = ""
    stated: bool = True
    value: Any = Field(default=_MISSING, validate_default=True)

    @field_validator("clause")
    @classmethod
    def _clause_id(cls, clause: str) -> str:
        if not CLAUSE_ID.match(clause):
            raise ValueError(f"{clause!r} is not a clause id of clauses.md (e.g. BT-12a, PZA-3.乙1, XT-7)")
        return clause

    @field_validator("value", mode="before")
    @classmethod
    def _typed_value(cls, value: Any, info: ValidationInfo) -> Any:
        stated = info.data.get("stated", True)
        if value is _MISSING:
            if stated:
                raise ValueError("missing (write `stated = false` if the document gives no number)")
            return None
        if not stated:
            raise ValueError("must be absent when `stated = false`")
        unit = info.data.get("unit")
        if unit is None:  # the unit itself is invalid and reported on its own
            return value
        return parse_value(unit, value)

    def as_json(self) -> dict[str, Any]:
        return {"value": jsonable(self.value), "unit": self.unit, "clause": self.clause}


class ProfileHeader(BaseModel):
    """The ``[profile]`` table: which document, where, and when it is in force."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=PROFILE_NAME.pattern)
    title: str = Field(min_length=1)  # the document's own (Chinese) title
    title_en: str = ""
    issuer: str = ""  # 发文机关 / parties
    document_number: str = ""  # 文号, e.g. 攀办发〔2016〕22号
    issued_on: date | None = Field(default=None, strict=True)  # strict: a TOML date, not a string
    jurisdiction: str  # GB/T 2260 region code
    clause_prefix: str = Field(pattern=r"^(?:PZA|XT|PZP|SC|BT)$")
    effective_from: date = Field(strict=True)
    effective_to: date | None = Field(default=None, strict=True)  # inclusive; None = open-ended
    source_file: str = Field(min_length=1)

    @field_validator("jurisdiction")
    @classmethod
    def _region(cls, code: str) -> str:
        try:
            return validate_region_code(code)
        except InvalidRegionCode as exc:
            raise ValueError(exc.message) from None

    @model_validator(mode="after")
    def _period(self) -> ProfileHeader:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to: {self.effective_to} is before effective_from {self.effective_from}")
        return self


class PolicyProfile(BaseModel):
    """A validated profile. Read numbers as attributes (``profile.claim_cap_fen``) or with :meth:`param`.

    Reading a parameter the profile lacks raises :class:`UnknownParameter` naming the profile and key; one the
    document leaves open (``stated = false``) raises :class:`ParameterNotStated`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    profile: ProfileHeader
    parameters: dict[str, Parameter] = Field(default_factory=dict)

    # Ordered pairs (lower, upper) of ratio keys that must be strictly increasing when both exist (BT-13).
    ORDERED_RATIOS: ClassVar[tuple[tuple[str, str], ...]] = (("warning_ratio", "suspension_ratio"),)

    @field_validator("parameters")
    @classmethod
    def _keys(cls, parameters: dict[str, Parameter]) -> dict[str, Parameter]:
        for key, parameter in parameters.items():
            if not KEY.match(key):
                raise ValueError(f"{key}: parameter keys are snake_case identifiers")
            if key in _RESERVED:
                raise ValueError(f"{key}: the name is reserved by PolicyProfile; choose another key")
            for suffix, unit in KEY_SUFFIX_UNITS:
                if key.endswith(suffix):
                    if parameter.unit != unit:
                        raise ValueError(f"{key}: a key ending in {suffix!r} must have unit {unit!r}, "
                                         f"not {parameter.unit!r}")
                    break
        return parameters

    @model_validator(mode="after")
    def _cross_checks(self) -> PolicyProfile:
        header, params = self.profile, self.parameters
        for key, parameter in params.items():
            if not parameter.clause.startswith(header.clause_prefix + "-"):
                raise ValueError(f"parameters.{key}.clause: {parameter.clause!r} is not a clause of this document "
                                 f"(expected {header.clause_prefix}-…)")
        for lower, upper in self.ORDERED_RATIOS:
            low, high = params.get(lower), params.get(upper)
            if low and high and low.value is not None and high.value is not None and not low.value < high.value:
                raise ValueError(f"parameters.{lower}.value: must be below {upper} ({low.value} ≥ {high.value})")
        # BT-8.7: the fee cap in fen is the cap ratio of the fund's initial size.
        fee_ratio, fee_cap, fund = (params.get(k) for k in
                                    ("management_fee_cap_ratio", "annual_management_fee_cap_fen",
                                     "fund_initial_size_fen"))
        if fee_ratio and fee_cap and fund and None not in (fee_ratio.value, fee_cap.value, fund.value):
            if Decimal(fund.value) * fee_ratio.value != fee_cap.value:
                raise ValueError("parameters.annual_management_fee_cap_fen.value: must equal "
                                 "fund_initial_size_fen × management_fee_cap_ratio")
        for key in TERM_KEYS:
            term = params.get(key)
            if term is None or term.value is None:
                continue
            expected_end = _add_years(header.effective_from, term.value) - _ONE_DAY
            if header.effective_to != expected_end:
                raise ValueError(f"profile.effective_to: {key} = {term.value} from {header.effective_from} "
                                 f"ends on {expected_end}, not {header.effective_to}")
        return self

    # ---- header shortcuts ----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def title(self) -> str:
        return self.profile.title

    @property
    def jurisdiction(self) -> str:
        return self.profile.jurisdiction

    @property
    def jurisdiction_name(self) -> str:
        return KNOWN_REGIONS.get(self.profile.jurisdiction, self.profile.jurisdiction)

    @property
    def effective_from(self) -> date:
        return self.profile.effective_from

    @property
    def effective_to(self) -> date | None:
        return self.profile.effective_to

    def is_effective_on(self, day: date) -> bool:
        """Whether ``day`` lies within [effective_from, effective_to] (both inclusive; no end = open)."""
        if day < self.profile.effective_from:
            return False
        return self.profile.effective_to is None or day <= self.profile.effective_to

    # ---- parameters ----------------------------------------------------------------------------------

    def get(self, key: str) -> Parameter | None:
        """The parameter record (value, unit, clause, note), or None if the profile has no such key."""
        return self.parameters.get(key)

    def has(self, key: str) -> bool:
        """True when the profile has ``key`` *and* states its value."""
        parameter = self.parameters.get(key)
        return parameter is not None and parameter.stated

    def parameter(self, key: str) -> Parameter:
        parameter = self.parameters.get(key)
        if parameter is None:
            raise UnknownParameter(profile=self.profile.name, key=key)
        return parameter

    def param(self, key: str) -> Any:
        """The typed value of ``key``: Decimal (ratio, percentage_points), int, date, str, tuple or bool."""
        parameter = self.parameter(key)
        if not parameter.stated:
            raise ParameterNotStated(profile=self.profile.name, key=key, clause=parameter.clause)
        return parameter.value

    def decimal(self, key: str) -> Decimal:
        """``param(key)`` for Decimal units, typed for mypy (raises TypeError for other units)."""
        value = self.param(key)
        if not isinstance(value, Decimal):
            raise TypeError(f"{self.profile.name}.{key} is {self.parameter(key).unit}, not a Decimal")
        return value

    def integer(self, key: str) -> int:
        """``param(key)`` for integer units (fen, bp, days, counts …), typed for mypy."""
        value = self.param(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{self.profile.name}.{key} is {self.parameter(key).unit}, not an integer")
        return value

    def identifiers(self, key: str) -> tuple[str, ...]:
        """``param(key)`` for list units (e.g. BT-5 prohibited purposes)."""
        value = self.param(key)
        if not isinstance(value, tuple):
            raise TypeError(f"{self.profile.name}.{key} is {self.parameter(key).unit}, not a list")
        return value

    def clause_of(self, key: str) -> str:
        """The clause id the number comes from (``"BT-12a"``) — for audit events and docstrings."""
        return self.parameter(key).clause

    def unit_of(self, key: str) -> str:
        return self.parameter(key).unit

    def __getattr__(self, item: str) -> Any:
        # Only reached for names that are not fields, properties or methods.
        if item.startswith("_"):
            return super().__getattr__(item)  # type: ignore[misc]
        parameters = self.__dict__.get("parameters")
        if parameters is None:
            raise AttributeError(item)
        return self.param(item)

    def as_json(self) -> dict[str, Any]:
        header = self.profile
        return {
            "name": header.name,
            "title": header.title,
            "title_en": header.title_en,
            "issuer": header.issuer,
            "document_number": header.document_number,
            "issued_on": jsonable(header.issued_on),
            "jurisdiction": header.jurisdiction,
            "jurisdiction_name": self.jurisdiction_name,
            "clause_prefix": header.clause_prefix,
            "effective_from": header.effective_from.isoformat(),
            "effective_to": jsonable(header.effective_to),
            "source_file": header.source_file,
            "parameters": {key: parameter.as_json() for key, parameter in sorted(self.parameters.items())},
        }


_RESERVED = frozenset(name for name in dir(PolicyProfile) if not name.startswith("_")) | {"profile", "parameters"}


def _add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February falls back to 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
