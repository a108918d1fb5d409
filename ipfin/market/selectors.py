"""Who reads products and credit plans, and how much of a plan is used (PZA-3.乙1).

- :class:`Product`: a product on offer is public to every signed-in user (enterprises shop for loans);
  drafts and withdrawn products only to the bank (a head office sees its branches'), the regional
  authorities of the bank's region (IP office, regulator, fund manager) and the platform;
- :class:`CreditPlan`: the bank (head office sees its branches'), the regional authorities, the platform.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ipfin.accounts.models import User
from ipfin.accounts.permissions import org_scope
from ipfin.core.scoping import visibility
from ipfin.market.choices import ProductStatus
from ipfin.market.models import CreditPlan, Product

# Applications whose approved amount draws on the plan: approved and every later step of the path.
UTILISING_STATES = ("approved", "contract_signed", "pledge_registered", "disbursed")


@visibility(Product)
def products_visible_to(user: User) -> QuerySet[Product]:
    return Product.objects.filter(Q(status=ProductStatus.ACTIVE) | org_scope(user, "bank"))


@visibility(CreditPlan)
def credit_plans_visible_to(user: User) -> QuerySet[CreditPlan]:
    return CreditPlan.objects.filter(org_scope(user, "bank"))


def _utilising_applications():  # type: ignore[no-untyped-def]
    from ipfin.origination.models import Application

    return Application.objects.filter(status__in=UTILISING_STATES, approved_amount_fen__isnull=False)


def with_utilisation(plans: QuerySet[CreditPlan]) -> QuerySet[CreditPlan]:
    """``plans`` annotated with ``utilised_fen``: the approved amounts of applications under products drawing
    on each plan, decided in the plan's year (one correlated aggregate, not a query per plan)."""
    used = (_utilising_applications()
            .filter(product__credit_plan=OuterRef("pk"), decided_on__year=OuterRef("year"))
            .order_by().values("product__credit_plan")
            .annotate(total=Sum("approved_amount_fen")).values("total"))
    return plans.annotate(utilised_fen=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)),
                          remaining_fen=F("amount_fen") - F("utilised_fen"))


def credit_plan_utilisation(plan: CreditPlan) -> int:
    """Fen of the plan used: approved amounts (approved … disbursed) decided within the plan's year."""
    total = (_utilising_applications()
             .filter(product__credit_plan=plan, decided_on__gte=date(plan.year, 1, 1),
                     decided_on__lte=date(plan.year, 12, 31))
             .aggregate(total=Sum("approved_amount_fen"))["total"])
    return int(total or 0)


def utilisation_share(plan: CreditPlan, utilised_fen: int) -> int:
    """Whole percent of the plan used (for the progress bar), capped at 100."""
    if plan.amount_fen <= 0:
        return 0
    return min(100, utilised_fen * 100 // plan.amount_fen)


def _regions_meet(a: str, b: str) -> bool:
    """Two GB/T 2260 codes overlap: one lies within the other's jurisdiction (a city and its districts)."""
    from ipfin.domain.regions import is_within

    return is_within(a, b) or is_within(b, a)


def filter_offers(products: QuerySet[Product], *, kind: str | None = None, region: str | None = None,
                  amount_fen: int | None = None) -> list[Product]:
    """Products matching an enterprise's search: accepting ``kind``, covering ``region`` (a code overlapping one
    of the product's regions) and lending ``amount_fen``. The list fields are JSON, filtered here in Python —
    a bank offers a handful of products, not thousands."""
    rows = products.select_related("bank")
    if amount_fen is not None:
        rows = rows.filter(amount_min_fen__lte=amount_fen, amount_max_fen__gte=amount_fen)
    out = []
    for product in rows:
        if kind and kind not in product.accepted_kinds:
            continue
        if region and not any(_regions_meet(region, r) for r in product.regions):
            continue
        out.append(product)
    return out
