"""Registry records → the valuation model's facts, in one place (PZA-2.1.1, SC-3).

``facts_for_assets(assets)`` reads every registry row it needs with a fixed number of queries (no query
per asset) and returns :class:`~ipfin.domain.valuation.inputs.PatentFacts`,
:class:`~ipfin.domain.valuation.inputs.TrademarkFacts` or
:class:`~ipfin.domain.valuation.inputs.CopyrightFacts` per asset id. Kinds the model does not value yet
(plant varieties, GIs, data IP) are left out.

Mapping decisions (also in docs/valuation.md):

* licences, transfers, litigations and upheld invalidation decisions are counted from legal-status events;
* ``co_owner_count`` = owners − 1;
* the attributable revenue is ``details["attributable_revenue_fen"]`` when the asset records it; otherwise
  the owner's latest annual revenue (financial statements) divided evenly over the owner's assets in force;
* appraiser inputs come from ``details["appraiser_inputs"]`` ({indicator key: 0–100});
* the industry is the first owner enterprise's GB/T 4754 code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q

from ipfin.domain.valuation.inputs import (
    AssetFacts,
    Comparable,
    CopyrightFacts,
    LegalStatus,
    PatentFacts,
    TrademarkFacts,
)
from ipfin.domain.valuation.scoring import CohortTable
from ipfin.registry.choices import AssetKind, LegalEventKind, PeriodKind
from ipfin.registry.models import FinancialStatement, IpAsset, IpAssetOwner, LegalStatusEvent
from ipfin.valuation.choices import ValuationSource
from ipfin.valuation.models import Valuation

VALUED_KINDS = frozenset({AssetKind.PATENT, AssetKind.TRADEMARK, AssetKind.COPYRIGHT})
MODEL_FOR_KIND = {AssetKind.PATENT: "patent", AssetKind.TRADEMARK: "trademark", AssetKind.COPYRIGHT: "copyright"}
COHORT_METRICS = ("forward_citations", "family_size")


def _count_codes(text: str) -> int:
    return len([c for c in text.replace(",", ";").split(";") if c.strip()])


def _event_counts(asset_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (LegalStatusEvent.objects.filter(asset_id__in=asset_ids)
            .values("asset_id", "kind").annotate(n=Count("id")))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["asset_id"]][row["kind"]] = row["n"]
    return counts


def _owners(asset_ids: list[int]) -> dict[int, list[IpAssetOwner]]:
    owners: dict[int, list[IpAssetOwner]] = defaultdict(list)
    for owner in (IpAssetOwner.objects.filter(asset_id__in=asset_ids).select_related("enterprise")
                  .order_by("asset_id", "position")):
        owners[owner.asset_id].append(owner)
    return owners


def _revenue_per_asset(enterprise_ids: set[int]) -> dict[int, int]:
    """Latest annual revenue of each enterprise ÷ its assets in force (fen, floor)."""
    latest: dict[int, int] = {}
    for row in (FinancialStatement.objects.filter(enterprise_id__in=enterprise_ids, period_kind=PeriodKind.YEAR)
                .order_by("enterprise_id", "-period_end").values("enterprise_id", "revenue_fen")):
        latest.setdefault(row["enterprise_id"], row["revenue_fen"])
    in_force = dict(IpAssetOwner.objects.filter(enterprise_id__in=enterprise_ids, asset__status=LegalStatus.IN_FORCE.value)
                    .values("enterprise_id").annotate(n=Count("asset_id", distinct=True)).values_list("enterprise_id", "n"))
    return {e: revenue // max(in_force.get(e, 1), 1) for e, revenue in latest.items()}


def facts_for_assets(assets: Iterable[IpAsset]) -> dict[int, AssetFacts]:
    """Facts of each valued asset, keyed by asset id (see module docstring)."""
    assets = [a for a in assets if a.kind in VALUED_KINDS]
    ids = [a.pk for a in assets]
    if not ids:
        return {}
    loaded = {a.pk: a for a in IpAsset.objects.filter(pk__in=ids).select_related("patent", "trademark")}
    events = _event_counts(ids)
    owners = _owners(ids)
    enterprise_ids = {o.enterprise_id for rows in owners.values() for o in rows if o.enterprise_id}
    revenue_share = _revenue_per_asset(enterprise_ids)
    out: dict[int, AssetFacts] = {}
    for asset_id in ids:
        asset = loaded[asset_id]
        details: dict[str, Any] = asset.details or {}
        asset_owners = owners.get(asset_id, [])
        first_enterprise = next((o.enterprise for o in asset_owners if o.enterprise is not None), None)
        counts = events.get(asset_id, {})
        if "attributable_revenue_fen" in details:
            revenue = int(details["attributable_revenue_fen"])
        elif first_enterprise is not None and asset.status == LegalStatus.IN_FORCE.value:
            revenue = revenue_share.get(first_enterprise.pk, 0)
        else:
            revenue = 0
        common: dict[str, Any] = {
            "number": asset.number,
            "status": asset.status,
            "co_owner_count": max(len(asset_owners) - 1, 0),
            "licence_count": counts.get(LegalEventKind.LICENCE_RECORDAL, 0),
            "transfer_count": counts.get(LegalEventKind.TRANSFER, 0),
            "litigation_count": counts.get(LegalEventKind.LITIGATION, 0),
            "annual_revenue_fen": revenue,
            "industry_code": first_enterprise.industry_code if first_enterprise else "",
            "development_cost_fen": details.get("development_cost_fen"),
            "development_year": details.get("development_year"),
            "appraiser_inputs": details.get("appraiser_inputs", {}),
        }
        if asset.kind == AssetKind.PATENT:
            patent = asset.patent
            filing = asset.filing_date or asset.registration_date or date(2000, 1, 1)
            claims = max(patent.claims_count, 1)
            out[asset_id] = PatentFacts(
                kind=patent.patent_type, filing_date=filing, grant_date=asset.registration_date,
                term_end=asset.expiry_date, ipc_main_group=patent.ipc_main,
                ipc_class_count=max(_count_codes(patent.ipc_codes), 1), claims_total=claims,
                independent_claims=min(max(patent.independent_claims, 1), claims),
                forward_citations=patent.forward_citations, backward_citations=patent.backward_citations,
                family_id=str(details.get("family_id", "")), family_size=max(patent.family_size, 1),
                family_countries=max(_count_codes(patent.family_countries), 1),
                invalidation_pending=asset.invalidation_pending,
                invalidation_survived=counts.get(LegalEventKind.INVALIDATION_UPHELD, 0),
                **common,
            )
        elif asset.kind == AssetKind.TRADEMARK:
            mark = asset.trademark
            registered = asset.registration_date or asset.filing_date or date(2000, 1, 1)
            nice = tuple(int(c) for c in mark.nice_classes.replace(",", ";").split(";") if c.strip().isdigit())
            out[asset_id] = TrademarkFacts(
                registration_date=registered, term_end=asset.expiry_date or registered, mark_type=mark.mark_type,
                nice_classes=tuple(c for c in nice if 1 <= c <= 45), years_in_use=int(details.get("years_in_use", 0)),
                well_known=bool(details.get("well_known", False)),
                opposition_pending=asset.invalidation_pending, **common,
            )
        else:
            created = asset.filing_date or asset.registration_date or date(2000, 1, 1)
            work_type = details.get("work_type", "software")
            if work_type not in {"software", "literary", "art", "audiovisual", "music", "other"}:
                work_type = "other"
            out[asset_id] = CopyrightFacts(
                work_type=work_type, creation_date=created, publication_date=asset.registration_date,
                term_end=asset.expiry_date, version_count=int(details.get("version_count", 1)), **common,
            )
    return out


def cohorts_for(facts: Iterable[AssetFacts]) -> CohortTable:
    """The platform's cohorts (same IPC subclass and filing year) of the patents in ``facts``, one query."""
    keys = {(f.ipc_class, f.filing_date.year) for f in facts if isinstance(f, PatentFacts) and f.ipc_class}
    if not keys:
        return CohortTable({})
    condition = Q(pk__in=[])
    for ipc_class, year in keys:
        condition |= Q(ipc_main__istartswith=ipc_class, asset__filing_date__year=year)
    from ipfin.registry.models import Patent

    rows = []
    for ipc, filed, citations, family in (Patent.objects.filter(condition)
                                          .values_list("ipc_main", "asset__filing_date", "forward_citations",
                                                       "family_size")):
        ipc_class = ipc.replace(" ", "")[:4].upper()
        rows.append(("forward_citations", ipc_class, filed.year, citations))
        rows.append(("family_size", ipc_class, filed.year, family))
    return CohortTable.from_samples(rows)


def comparables_for(asset_kind: str, as_of: date, max_age_years: int) -> list[Comparable]:
    """Recorded third-party appraisals and negotiated values of the kind within the window (market approach)."""
    since = date(as_of.year - max_age_years, 1, 1)
    rows = (Valuation.objects.filter(asset__kind=asset_kind, as_of__gte=since, as_of__lte=as_of, value_fen__gt=0,
                                     source__in=[ValuationSource.THIRD_PARTY_APPRAISAL, ValuationSource.NEGOTIATED])
            .select_related("asset", "asset__patent", "asset__trademark"))
    out = []
    for row in rows:
        degree = float(row.result.get("value_degree") or row.inputs.get("internal_value_degree") or 0)
        if degree <= 0:
            continue
        if asset_kind == AssetKind.PATENT:
            klass = row.asset.patent.ipc_main.replace(" ", "")[:4].upper()
        elif asset_kind == AssetKind.TRADEMARK:
            klass = row.asset.trademark.nice_classes.split(";")[0].strip()
        else:
            klass = str((row.asset.details or {}).get("work_type", "software"))
        out.append(Comparable(asset_kind, klass, row.value_fen, degree, row.as_of, row.source))
    return out
