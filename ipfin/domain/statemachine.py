"""Explicit transition tables: ``ALLOWED: dict[State, frozenset[State]]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from ipfin.domain.errors import IllegalTransition

S = TypeVar("S")


def check_transition(allowed: Mapping[S, frozenset[S]], current: S, target: S, *, object_name: str) -> None:
    """Raise :class:`IllegalTransition` unless ``target`` is reachable from ``current`` in one step."""
    if target not in allowed.get(current, frozenset()):
        raise IllegalTransition(object=object_name, current=str(current), target=str(target))
