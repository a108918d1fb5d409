"""Pages to open a fund and to keep its cooperating institutions (合作机构): admit a bank, insurer or guarantor
with its dedicated account (BT-9), and change its standing by a dated notice — warning (BT-13a), suspension
(BT-13b), removal for fraud or collusion (BT-22) or reinstatement of a warned institution (BT-9).

The forms only parse what the user typed; every rule (who may open a fund in which region, who may admit or
change a standing, which moves the table allows, that a suspension is left only by removal here and otherwise
by the leadership group's decision on the dashboard) stays in :mod:`ipfin.fund.actions`. A typed error of an
action is shown as an alert with its HTTP status. Reads go through :func:`ipfin.core.scoping.visible` and
:func:`ipfin.fund.selectors.may_read_ledger`, like the dashboard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import IpfinError, PermissionDenied
from ipfin.fund import actions, selectors
from ipfin.fund.choices import COOPERATION_ALLOWED, CooperationStatus, FundStatus
from ipfin.fund.forms import NOTE_MAX_LENGTH
from ipfin.fund.models import BankNotice, Cooperation, Fund
from ipfin.origination.forms import DATE_WIDGET, BootstrapFormMixin
from ipfin.policy.loader import load_profiles, profile_names
from ipfin.policy.schema import PolicyProfile
from ipfin.web.errors import render_error

MANAGER_KINDS = (OrganisationKind.FUND_MANAGER, OrganisationKind.IP_OFFICE)
# ``Cooperation.ratio_band`` (ipfin.domain.fund.thresholds.Band) → label; the msgids are the dashboard's.
BAND_LABELS = {0: gettext_lazy("Below the warning band"), 1: gettext_lazy("Warning band"),
               2: gettext_lazy("Suspension band")}


def _today() -> date:
    return business_date()


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_open_funds(user: User) -> bool:
    """Who is shown the page to open a fund: the platform, or an IP-office clerk or leader. Which region they
    may open a fund in is :func:`ipfin.fund.actions.create_fund`'s check (BT-3)."""
    org = user.organisation
    return is_platform_admin(user) or (org is not None and org.kind == OrganisationKind.IP_OFFICE
                                       and user.has_role(Role.CLERK, Role.LEADER))


# --- forms --------------------------------------------------------------------------------------------------


def _profile_title(profile: PolicyProfile) -> str:
    header = profile.profile
    return header.title_en if (get_language() or "").startswith("en") and header.title_en else header.title


def _profile_label(profile: PolicyProfile) -> str:
    header = profile.profile
    until = header.effective_to.isoformat() if header.effective_to else _("open-ended")
    return f"{header.name} · {_profile_title(profile)} ({header.effective_from.isoformat()} – {until})"


def reserved_codes() -> frozenset[str]:
    """First path segments of the fund app's own pages (``new``, ``claims`` …): a fund with such a code would
    have its dashboard hidden behind that page (``/fund/<code>/``)."""
    from ipfin.fund.urls import urlpatterns

    segments = (str(p.pattern).split("/", 1)[0] for p in urlpatterns)
    return frozenset(s for s in segments if s and not s.startswith("<"))


class OrganisationChoiceField(forms.ModelChoiceField):
    """An organisation shown with its kind and region, e.g. ``包头市知识产权局 (知识产权局 · 150200)``."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()} · {obj.region_code})"


class FundForm(BootstrapFormMixin, forms.Form):
    """Open a fund (``create_fund``): the profile and manager are chosen from lists, dates are business dates."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40,
                           help_text=gettext_lazy("Letters, digits and hyphens, e.g. baotou-2021; used in addresses."))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    profile_name = forms.ChoiceField(label=gettext_lazy("Policy profile"))
    region_code = forms.CharField(label=gettext_lazy("Region code"), min_length=6, max_length=6,
                                  help_text=gettext_lazy("6-digit GB/T 2260 code of the fund's region, e.g. 150200."))
    manager = OrganisationChoiceField(label=gettext_lazy("Fund manager"), queryset=Organisation.objects.none())
    opened_on = forms.DateField(label=gettext_lazy("Opened on"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), required=False, widget=DATE_WIDGET)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profiles = load_profiles()
        profile: forms.ChoiceField = self.fields["profile_name"]  # type: ignore[assignment]
        profile.choices = [(name, _profile_label(profiles[name])) for name in profile_names()]
        manager: forms.ModelChoiceField = self.fields["manager"]  # type: ignore[assignment]
        manager.queryset = (visible(user, Organisation).filter(kind__in=MANAGER_KINDS, is_active=True)
                            .order_by("kind", "name"))
        # BT-23: a fund lives as long as its rules; the profile's expiry is the usual closing date.
        expiries = [f"{name}: {p.profile.effective_to.isoformat()}" for name, p in sorted(profiles.items())
                    if p.profile.effective_to is not None]
        self.fields["closes_on"].help_text = _(
            "Optional. Usually the day the policy profile expires (BT-23): %(expiries)s.") % {
            "expiries": "; ".join(expiries)}
        self._style_widgets()

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code in reserved_codes():
            raise forms.ValidationError(_("“%(code)s” is a page of the fund app; choose another code.")
                                        % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opened, closes = data.get("opened_on"), data.get("closes_on")
        if opened and closes and closes < opened:
            self.add_error("closes_on", _("The closing date is before the opening date."))
        return data


class AdmitForm(BootstrapFormMixin, forms.Form):
    """Admit an institution (``admit_institution``, BT-9): banks, insurers and guarantors not yet cooperating."""

    institution = OrganisationChoiceField(label=gettext_lazy("Institution"), queryset=Organisation.objects.none())
    admitted_on = forms.DateField(label=gettext_lazy("Admitted on"), widget=DATE_WIDGET)

    def __init__(self, user: User, fund: Fund, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"admitted_on": _today()})
        kwargs["prefix"] = "admit"
        super().__init__(*args, **kwargs)
        institution: forms.ModelChoiceField = self.fields["institution"]  # type: ignore[assignment]
        institution.queryset = (visible(user, Organisation)
                                .filter(kind__in=actions.COOPERATING_KINDS, is_active=True)
                                .exclude(pk__in=Cooperation.objects.filter(fund=fund).values("institution_id"))
                                .order_by("kind", "name"))
        self._style_widgets()


def offered_moves(current: str) -> list[str]:
    """The standings offered from ``current``: the table's moves (COOPERATION_ALLOWED), except that a
    suspension is left here only by removal (BT-22) — lifting it is the leadership group's decision (BT-13b)."""
    moves = COOPERATION_ALLOWED.get(current, frozenset())
    if current == CooperationStatus.SUSPENDED:
        moves = moves & {CooperationStatus.REMOVED}
    return [status for status in CooperationStatus.values if status in moves]


class StandingForm(BootstrapFormMixin, forms.Form):
    """A dated notice changing a standing (``change_cooperation_status``). The select offers the moves of
    :func:`offered_moves`; any standing parses, so that the action's own refusal is what the user reads."""

    status = forms.ChoiceField(label=gettext_lazy("New standing"), choices=CooperationStatus.choices)
    on = forms.DateField(label=gettext_lazy("Notice date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=gettext_lazy("Reason (recorded in the notice)"), max_length=NOTE_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Give the reason for the notice.")})

    def __init__(self, cooperation: Cooperation, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        kwargs["prefix"] = f"standing-{cooperation.pk}"
        super().__init__(*args, **kwargs)
        labels = dict(CooperationStatus.choices)
        # an empty first option: a notice is never issued by a default left selected
        self.fields["status"].widget.choices = [("", "---------")] + [
            (s, labels[s]) for s in offered_moves(cooperation.status)]
        self._style_widgets()


# --- open a fund --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def fund_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_open_funds(user):
        return render_error(request, PermissionDenied())
    initial: dict[str, Any] = {"opened_on": _today()}
    if user.organisation is not None and user.organisation.kind == OrganisationKind.IP_OFFICE:
        initial["region_code"] = user.organisation.region_code
    form = FundForm(user, request.POST if request.method == "POST" else None, initial=initial)
    error: IpfinError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = actions.create_fund(user, code=data["code"], name=data["name"], profile_name=data["profile_name"],
                                       region_code=data["region_code"], manager=data["manager"],
                                       opened_on=data["opened_on"], closes_on=data["closes_on"])
        except IpfinError as exc:
            error = exc
        else:
            messages.success(request, _("Fund %(name)s was opened.") % {"name": fund.name})
            return redirect("fund:dashboard", code=fund.code)
    status = error.http_status if error else (400 if request.method == "POST" else 200)
    return render(request, "fund/fund_new.html", {
        "form": form, "action_error": localized_message(error) if error else None}, status=status)


# --- cooperating institutions -------------------------------------------------------------------------------


def _readable_fund(user: User, code: str) -> Fund:
    """The fund whose institutions page ``user`` may read: its staff, the authorities of its region and the
    platform (the dashboard's readers); 404 for everyone else."""
    fund = visible(user, Fund).select_related("manager").filter(code=code).first()
    if fund is None or not selectors.may_read_ledger(user, fund):
        raise Http404
    return fund


def _notices_by_cooperation(user: User, fund: Fund) -> dict[int, list[BankNotice]]:
    by_cooperation: dict[int, list[BankNotice]] = {}
    notices: QuerySet[BankNotice] = (visible(user, BankNotice).filter(fund=fund)
                                     .select_related("decided_by").order_by("-issued_on", "-id"))
    for notice in notices:
        by_cooperation.setdefault(notice.cooperation_id, []).append(notice)
    return by_cooperation


def _institutions_page(request: HttpRequest, fund: Fund, *, error: IpfinError | None = None,
                       admit_form: AdmitForm | None = None, standing_forms: dict[int, StandingForm] | None = None,
                       status: int = 200) -> HttpResponse:
    user = _user(request)
    manage = fund.status == FundStatus.OPEN and actions._may_manage_cooperations(user, fund)
    notices = _notices_by_cooperation(user, fund)
    rows = []
    for cooperation in (visible(user, Cooperation).filter(fund=fund).select_related("institution")
                        .order_by("institution__name")):
        form = None
        if manage and offered_moves(cooperation.status):
            form = (standing_forms or {}).get(cooperation.pk) or StandingForm(cooperation)
        rows.append({"cooperation": cooperation, "band": BAND_LABELS.get(cooperation.ratio_band, cooperation.ratio_band),
                     "notices": notices.get(cooperation.pk, []), "form": form})
    context = {
        "fund": fund, "rows": rows, "manage": manage,
        "admit_form": (admit_form or AdmitForm(user, fund)) if manage else None,
        # not ``error_message``: web/base.html would show that a second time
        "action_error": localized_message(error) if error else None,
    }
    return render(request, "fund/cooperations.html", context, status=error.http_status if error else status)


@login_required
@require_http_methods(["GET"])
def institutions(request: HttpRequest, code: str) -> HttpResponse:
    return _institutions_page(request, _readable_fund(_user(request), code))


@login_required
@require_POST
def admit(request: HttpRequest, code: str) -> HttpResponse:
    """Admit a cooperating institution (BT-9)."""
    user = _user(request)
    fund = _readable_fund(user, code)
    form = AdmitForm(user, fund, request.POST)
    if not form.is_valid():
        return _institutions_page(request, fund, admit_form=form, status=400)
    try:
        cooperation = actions.admit_institution(user, fund.pk, form.cleaned_data["institution"].pk,
                                                admitted_on=form.cleaned_data["admitted_on"])
    except IpfinError as exc:
        return _institutions_page(request, fund, error=exc, admit_form=form)
    messages.success(request, _("%(institution)s was admitted as a cooperating institution.")
                     % {"institution": cooperation.institution.name})
    return redirect("fund:institutions", code=fund.code)


@login_required
@require_POST
def change_standing(request: HttpRequest, pk: int) -> HttpResponse:
    """A dated notice changing an institution's standing (BT-13, BT-22, BT-9)."""
    user = _user(request)
    cooperation = visible(user, Cooperation).select_related("fund", "fund__manager").filter(pk=pk).first()
    if cooperation is None or not selectors.may_read_ledger(user, cooperation.fund):
        raise Http404
    fund = cooperation.fund
    form = StandingForm(cooperation, request.POST)
    if not form.is_valid():
        return _institutions_page(request, fund, standing_forms={pk: form}, status=400)
    data = form.cleaned_data
    try:
        changed = actions.change_cooperation_status(user, pk, status=data["status"], on=data["on"],
                                                    reason=data["reason"])
    except IpfinError as exc:
        return _institutions_page(request, fund, error=exc, standing_forms={pk: form})
    messages.success(request, _("The standing of %(institution)s is now %(status)s.")
                     % {"institution": changed.institution.name, "status": changed.get_status_display()})
    return redirect("fund:institutions", code=fund.code)
