"""``/api/v1/``: one NinjaAPI; each app contributes a router; one error shape everywhere."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ipfin.api.auth import AUTH
from ipfin.core.i18n import error_payload
from ipfin.domain.errors import IpfinError

api = NinjaAPI(
    title="ipfin API",
    version="1",
    description="知识产权质押融资服务平台 API. Errors always have the shape {code, message, details}.",
    auth=AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: object | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or {}}, status=status)


@api.exception_handler(IpfinError)
def on_ipfin_error(request: HttpRequest, exc: IpfinError) -> HttpResponse:
    return api.create_response(request, error_payload(exc), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, "validation_error", _("The request is not valid."), {"errors": exc.errors})


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("Authentication required."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def _register_routers() -> None:
    from ipfin.accounts.api import router as accounts_router
    from ipfin.calendar.api import router as calendar_router
    from ipfin.fund.api import router as fund_router
    from ipfin.fund.closing_api import router as fund_closing_router
    from ipfin.fund.filing_api import router as filing_router
    from ipfin.market.api import router as market_router
    from ipfin.notifications.api import router as notifications_router
    from ipfin.origination.api import router as origination_router
    from ipfin.pledges.api import router as pledges_router
    from ipfin.policy.api import router as policy_router
    from ipfin.registry.api import router as registry_router
    from ipfin.servicing.api import router as servicing_router
    from ipfin.valuation.api import router as valuation_router

    api.add_router("", accounts_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/policy", policy_router)
    api.add_router("/registry", registry_router)
    api.add_router("/valuation", valuation_router)
    api.add_router("/market", market_router)
    api.add_router("/fund", fund_router)
    api.add_router("/fund", fund_closing_router)
    api.add_router("/fund", filing_router)
    api.add_router("/origination", origination_router)
    api.add_router("/pledges", pledges_router)
    api.add_router("/servicing", servicing_router)
    api.add_router("/notifications", notifications_router)


_register_routers()
