"""``/api/v1/policy/``: the policy profiles, read-only, for any authenticated user (they are public policy)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.policy.loader import get_profile, load_profiles

router = Router(tags=["policy"])


class ParameterOut(Schema):
    value: Any = None  # Decimal as a string ("0.30"), dates ISO, lists, integers, booleans; null if not stated
    unit: str
    clause: str


class ProfileSummaryOut(Schema):
    name: str
    title: str
    jurisdiction: str
    jurisdiction_name: str
    effective_from: date
    effective_to: date | None
    parameter_count: int


class ProfileOut(Schema):
    name: str
    title: str
    title_en: str
    issuer: str
    document_number: str
    issued_on: date | None
    jurisdiction: str
    jurisdiction_name: str
    clause_prefix: str
    effective_from: date
    effective_to: date | None
    source_file: str
    parameters: dict[str, ParameterOut]


@router.get("/profiles", response={200: list[ProfileSummaryOut], **ERROR_RESPONSES},
            summary="Policy profiles (one per policy document)")
def list_profiles(request: HttpRequest, effective_on: date | None = None) -> Any:
    """Every profile; with ``effective_on`` only those in force on that business date."""
    profiles = load_profiles().values()
    return [
        {**profile.as_json(), "parameter_count": len(profile.parameters)}
        for profile in profiles
        if effective_on is None or profile.is_effective_on(effective_on)
    ]


@router.get("/profiles/{name}", response={200: ProfileOut, **ERROR_RESPONSES},
            summary="One policy profile: each parameter's value, unit and clause id")
def get_profile_detail(request: HttpRequest, name: str) -> Any:
    return get_profile(name).as_json()
