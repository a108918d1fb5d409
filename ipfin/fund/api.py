"""API of the fund app, mounted at `/api/v1/fund/`: funds and their cooperating institutions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.scoping import get_visible, visible
from ipfin.fund import actions
from ipfin.fund.models import Cooperation, Fund

router = Router(tags=["fund"])


class CooperationOut(Schema):
    id: int
    fund_id: int
    institution_id: int
    institution_name: str
    institution_kind: str
    status: str
    admitted_on: date
    status_since: date

    @staticmethod
    def resolve_institution_name(obj: Cooperation) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_institution_kind(obj: Cooperation) -> str:
        return obj.institution.kind


class FundOut(Schema):
    id: int
    code: str
    name: str
    profile_name: str
    region_code: str
    manager_id: int
    manager_name: str
    opened_on: date
    closes_on: date | None
    status: str

    @staticmethod
    def resolve_manager_name(obj: Fund) -> str:
        return obj.manager.name


class FundDetailOut(FundOut):
    cooperations: list[CooperationOut]

    @staticmethod
    def resolve_cooperations(obj: Fund) -> list[Cooperation]:
        return obj.visible_cooperations  # type: ignore[attr-defined]  (set by fund_detail for the reader)


class StatusIn(Schema):
    status: str
    on: date
    reason: str = ""


class AdmitIn(Schema):
    institution_id: int
    admitted_on: date


@router.get("/funds", response={200: list[FundOut], **ERROR_RESPONSES}, summary="Compensation funds (public facts)")
def list_funds(request: HttpRequest) -> Any:
    return visible(request.user, Fund).select_related("manager")  # type: ignore[arg-type]


def _detail(request: HttpRequest, fund: Fund) -> Fund:
    fund.visible_cooperations = list(  # type: ignore[attr-defined]
        visible(request.user, Cooperation).filter(fund=fund)  # type: ignore[arg-type]
        .select_related("institution").order_by("institution__name"))
    return fund


@router.get("/funds/{fund_id}", response={200: FundDetailOut, **ERROR_RESPONSES},
            summary="A fund with the cooperating institutions I may see")
def fund_detail(request: HttpRequest, fund_id: int) -> Any:
    fund = get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    return _detail(request, fund)


@router.post("/funds/{fund_id}/cooperations", response={201: CooperationOut, **ERROR_RESPONSES},
             summary="Admit a cooperating institution (BT-9)")
def admit(request: HttpRequest, fund_id: int, payload: AdmitIn) -> Any:
    get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    return Status(201, actions.admit_institution(request.user, fund_id, payload.institution_id,  # type: ignore[arg-type]
                                                 admitted_on=payload.admitted_on))


@router.post("/cooperations/{cooperation_id}/status", response={200: CooperationOut, **ERROR_RESPONSES},
             summary="Warn, suspend, reinstate or remove a cooperating institution (BT-13, BT-22)")
def change_status(request: HttpRequest, cooperation_id: int, payload: StatusIn) -> Any:
    get_visible(request.user, Cooperation, pk=cooperation_id)  # type: ignore[arg-type]
    return actions.change_cooperation_status(request.user, cooperation_id, **payload.dict())  # type: ignore[arg-type]
