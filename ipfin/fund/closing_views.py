"""The closing page of a fund (清算, BT-21, BT-23) at ``/fund/<code>/closing/`` and the closing statement's
downloads (``closing-statement.xlsx|.pdf``).

Readers are those of the fund's ledger (:func:`ipfin.fund.selectors.may_read_ledger`: the fund's manager, the
authorities of its region, the platform); anyone else gets 404. While the fund is open the page shows the
preview on a business date (``?on=YYYY-MM-DD``, default today): what still blocks the closing and what each
contributor would get back; a leader of the region's IP office (the leadership group) also sees the form — the
decision text, the closing date and a confirmation — that calls :func:`ipfin.fund.closing.close_fund`. Once the
fund is closed the page shows the closing statement with its downloads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ipfin.accounts.models import User
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import IpfinError
from ipfin.domain.money import format_yuan
from ipfin.fund import closing, selectors
from ipfin.fund.choices import FundStatus
from ipfin.fund.models import Fund
from ipfin.origination.forms import BootstrapFormMixin
from ipfin.web.errors import render_error

DECISION_MAX_LENGTH = 4000
HELP_PAGE = "fund-closing"  # docs/help/fund-closing.md


class CloseFundForm(BootstrapFormMixin, forms.Form):
    """The leadership group's decision closing the fund (``close_fund``): the text is required and recorded."""

    decision = forms.CharField(label=gettext_lazy("Leadership group decision (expiry or termination of the fund)"),
                               max_length=DECISION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=gettext_lazy("Closing date"), widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm: the remaining balance is returned to the "
                                                    "contributors and the fund is closed; this cannot be undone."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_decision(self) -> str:
        text = (self.cleaned_data.get("decision") or "").strip()
        if not text:
            raise forms.ValidationError(_("Record the leadership group's decision."))
        return text


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _readable_fund(user: User, code: str) -> Fund:
    fund = visible(user, Fund).select_related("manager").filter(code=code).first()
    if fund is None or not selectors.may_read_ledger(user, fund):
        raise Http404
    return fund


def _as_of(request: HttpRequest) -> date:
    text = request.GET.get("on") or ""
    try:
        return date.fromisoformat(text) if text else business_date()
    except ValueError:
        return business_date()


def _preview_context(preview: closing.ClosingPreview) -> dict[str, Any]:
    return {
        "preview": preview,
        "blockers": [{"kind": b.kind.value, "clause": b.clause, "reference": b.reference, "message": b.message}
                     for b in preview.blockers],
        "accounts": [{"label": a.label, "party": a.party, "amount": format_yuan(a.amount_fen)}
                     for a in preview.accounts],
        "contributors": [{"name": c.name, "party": c.party, "contributed": format_yuan(c.contributed_fen),
                          "returned": format_yuan(c.return_fen)} for c in preview.contributors],
        "total_cash": format_yuan(preview.total_cash_fen),
        "total_contributed": format_yuan(preview.total_contributed_fen),
        "total_return": format_yuan(preview.total_return_fen),
    }


def _statement_context(statement: closing.ClosingStatement) -> dict[str, Any]:
    return {
        "statement": statement,
        "statement_contributors": [{"name": c.name, "contributed": format_yuan(c.contributed_fen),
                                    "returned": format_yuan(c.returned_fen)} for c in statement.contributors],
        "statement_figures": [
            (_("Contributions"), "BT-3", format_yuan(statement.contributed_fen)),
            (_("Interest income"), "BT-11", format_yuan(statement.interest_income_fen)),
            (_("Recovery shares"), "BT-16", format_yuan(statement.recovery_income_fen)),
            (_("Compensation paid"), "BT-12", format_yuan(-statement.compensation_paid_fen)),
            (_("Management fees"), "BT-8.7", format_yuan(-statement.management_fees_fen)),
            (_("Returned to the contributors"), "BT-21", format_yuan(-statement.returned_fen)),
            (_("Balance after closing"), "", format_yuan(statement.computed_balance_fen)),
        ],
        "statement_accounts": [{"label": a.label, "amount": format_yuan(a.amount_fen)}
                               for a in statement.accounts_after],
    }


def _help_html() -> Any:
    """The page's help (docs/help/fund-closing.md), rendered safely by the shell's help renderer."""
    from django.conf import settings
    from django.utils.translation import get_language

    from ipfin.web.help import help_dir, render_help
    from ipfin.web.roles import HELP_PAGE_TITLES

    if not (help_dir() / f"{HELP_PAGE}.md").exists():
        return ""
    title = HELP_PAGE_TITLES.get(HELP_PAGE) or _("Closing a fund")
    return render_help(HELP_PAGE, get_language() or settings.LANGUAGE_CODE, str(title))


def _page(request: HttpRequest, fund: Fund, *, form: CloseFundForm | None = None, error: IpfinError | None = None,
          status: int = 200) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {"fund": fund, "error_message": localized_message(error) if error else None,
                               "help_html": _help_html()}
    if fund.status == FundStatus.CLOSED:
        context.update(_statement_context(closing.closing_statement(fund)))
    else:
        on = _as_of(request) if request.method == "GET" else business_date()
        context.update(_preview_context(closing.closing_preview(fund, on)))
        if closing.may_close(user, fund):
            context["form"] = form or CloseFundForm(initial={"on": on})
    return render(request, "fund/closing.html", context, status=error.http_status if error else status)


@login_required
@require_http_methods(["GET", "POST"])
def closing_page(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the preview (open fund) or the statement (closed fund). POST: the leadership group closes the fund."""
    user = _user(request)
    fund = _readable_fund(user, code)
    if request.method == "GET":
        return _page(request, fund)
    form = CloseFundForm(request.POST)
    if not form.is_valid():
        return _page(request, fund, form=form, status=400)
    try:
        closing.close_fund(user, fund.pk, on=form.cleaned_data["on"], decision=form.cleaned_data["decision"])
    except IpfinError as exc:
        fund.refresh_from_db()
        return _page(request, fund, form=form, error=exc)
    messages.success(request, _("The fund %(fund)s was closed; the closing statement is below.") % {"fund": fund.name})
    return redirect("fund:closing", code=fund.code)


@login_required
@require_GET
def closing_statement_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    fund = _readable_fund(_user(request), code)
    try:
        statement = closing.closing_statement(fund)
    except IpfinError as exc:
        return render_error(request, exc)
    if fmt == "xlsx":
        body = closing.closing_statement_xlsx(statement)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = closing.closing_statement_pdf(statement), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{statement.filename_stem}.{fmt}"'
    return response
