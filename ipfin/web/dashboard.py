"""Dashboard cards: each app contributes the counts its users should see on their workbench.

An app registers its cards once, from its ``AppConfig.ready`` (or a ``cards`` module imported there)::

    from ipfin.web.dashboard import register_card

    register_card(
        "registry.ip_assets", _("IP assets"), roles=None,
        count=lambda user: visible(user, IpAsset).count(), url_name="registry:assets", order=200,
    )

``count`` receives the acting user and MUST read through :func:`ipfin.core.scoping.visible`, so that a
card never counts rows its reader may not see. ``roles=None`` shows the card to every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from ipfin.accounts.models import User

CountFn = Callable[[User], int]


@dataclass(frozen=True)
class Card:
    key: str
    title: Promise | str
    roles: frozenset[str] | None
    count: CountFn
    url_name: str | None = None
    order: int = 100

    def shown_to(self, user: User) -> bool:
        return self.roles is None or user.has_role(*self.roles)


@dataclass(frozen=True)
class CardValue:
    """A card as rendered for one user: its title, their count and where the card links to."""

    key: str
    title: str
    count: int
    url: str | None


class CardRegistry:
    def __init__(self) -> None:
        self._cards: dict[str, Card] = {}

    def register(
        self,
        key: str,
        title: Promise | str,
        *,
        roles: Iterable[str] | None = None,
        count: CountFn,
        url_name: str | None = None,
        order: int = 100,
    ) -> Card:
        if key in self._cards:
            raise RuntimeError(f"dashboard card {key!r} is registered twice")
        card = Card(key, title, frozenset(roles) if roles is not None else None, count, url_name, order)
        self._cards[key] = card
        return card

    def cards(self) -> list[Card]:
        return sorted(self._cards.values(), key=lambda card: (card.order, card.key))

    def cards_for(self, user: User) -> list[CardValue]:
        """The cards ``user`` may see, counted for them, in display order."""
        if not user.is_authenticated or not user.is_active:
            return []
        values = []
        for card in self.cards():
            if not card.shown_to(user):
                continue
            values.append(CardValue(card.key, str(card.title), int(card.count(user)), _url(card.url_name)))
        return values


def _url(url_name: str | None) -> str | None:
    if url_name is None:
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:  # the app providing the page is not installed (yet)
        return None


registry = CardRegistry()


def register_card(
    key: str,
    title: Promise | str,
    roles: Iterable[str] | None = None,
    count: CountFn | None = None,
    url_name: str | None = None,
    order: int = 100,
) -> Card:
    """Register a dashboard card on the platform's registry (see the module docstring)."""
    if count is None:
        raise TypeError("register_card() needs a count function")
    return registry.register(key, title, roles=roles, count=count, url_name=url_name, order=order)


def cards_for(user: User) -> list[CardValue]:
    return registry.cards_for(user)
