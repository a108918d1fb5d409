"""The parameters that apply to one decision, looked up across several policy profiles.

A product names the profiles it operates under, most specific first (e.g. the Panzhihua agreement, then the
Sichuan plan); a fund adds its own. On a business date only the profiles in force count. A rule asks the set
for a key and gets the value with its clause and the profile it came from — or ``None``, which the rule
reports as "not applicable under these profiles", never as a default buried in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.policy.loader import get_profile
from ipfin.policy.schema import PolicyProfile


@dataclass(frozen=True)
class PolicyValue:
    key: str
    value: Any
    clause: str
    profile: str
    unit: str

    @property
    def decimal(self) -> Decimal:
        return Decimal(str(self.value))


@dataclass(frozen=True)
class PolicySet:
    profiles: tuple[PolicyProfile, ...]
    not_in_force: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.profiles)

    def find(self, key: str) -> PolicyValue | None:
        for profile in self.profiles:
            if profile.has(key):
                return PolicyValue(key, profile.param(key), profile.clause_of(key), profile.name,
                                   profile.unit_of(key))
        return None

    def find_all(self, key: str) -> list[PolicyValue]:
        """Every in-force profile's value for ``key`` (for caps that must all hold)."""
        return [PolicyValue(key, p.param(key), p.clause_of(key), p.name, p.unit_of(key))
                for p in self.profiles if p.has(key)]


def policy_set(names: Iterable[str], on: date) -> PolicySet:
    """The profiles ``names`` (unknown names raise the loader's error) that are in force on ``on``."""
    in_force: list[PolicyProfile] = []
    lapsed: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        profile = get_profile(name)
        if profile.is_effective_on(on):
            in_force.append(profile)
        else:
            lapsed.append(profile.name)
    return PolicySet(tuple(in_force), tuple(lapsed))


def merged(*sets: Sequence[str]) -> list[str]:
    """Concatenate profile-name lists, first occurrence wins."""
    out: list[str] = []
    for names in sets:
        out.extend(n for n in names if n not in out)
    return out
