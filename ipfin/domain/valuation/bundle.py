"""Combined pledges (组合质押, PZA-2.1.2): the value of a bundle without double counting patent families.

Members of one patent family (同族专利: the same invention filed in several countries, or a Chinese
invention and utility model filed together) protect the same income; counting each would inflate the
collateral. Per family the bundle counts only the highest-valued member (ties: the smallest asset id);
assets without a family (trademarks, copyrights, patents with no family id) count in full.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ipfin.domain.errors import InvalidInput, _


class InvalidBundle(InvalidInput):
    code = "invalid_bundle"
    message_template = _("Invalid pledge bundle: {reason}")


@dataclasses.dataclass(frozen=True, slots=True)
class BundleMember:
    asset_id: str
    value_fen: int
    family_id: str = ""          # "" = not part of a family


@dataclasses.dataclass(frozen=True, slots=True)
class BundleValue:
    value_fen: int
    counted: tuple[BundleMember, ...]
    excluded: tuple[BundleMember, ...]   # family members already represented by a higher-valued one

    def as_dict(self) -> dict[str, object]:
        return {"value_fen": self.value_fen,
                "counted": [dataclasses.asdict(m) for m in self.counted],
                "excluded": [dataclasses.asdict(m) for m in self.excluded]}


def bundle_value(members: Iterable[BundleMember]) -> BundleValue:
    """Σ of member values with each family counted once (its max-valued member)."""
    members = list(members)
    ids = [m.asset_id for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidBundle(reason="an asset appears twice in the bundle")
    if any(isinstance(m.value_fen, bool) or not isinstance(m.value_fen, int) or m.value_fen < 0 for m in members):
        raise InvalidBundle(reason="member values must be whole fen ≥ 0")
    best: dict[str, BundleMember] = {}
    counted: list[BundleMember] = []
    for member in members:
        if not member.family_id:
            counted.append(member)
            continue
        current = best.get(member.family_id)
        if current is None or (member.value_fen, current.asset_id) > (current.value_fen, member.asset_id):
            best[member.family_id] = member
    counted.extend(best.values())
    counted_ids = {m.asset_id for m in counted}
    excluded = tuple(m for m in members if m.asset_id not in counted_ids)
    ordered = tuple(m for m in members if m.asset_id in counted_ids)
    return BundleValue(sum(m.value_fen for m in ordered), ordered, excluded)
