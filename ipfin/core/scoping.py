"""Who may read what: one visibility function per model, registered here.

Every read of a scoped model goes through :func:`visible` with the acting user; views, API handlers and
CLI commands never call ``Model.objects`` for user-facing reads. The role-matrix test harness
(:mod:`ipfin.core.testing.role_matrix`) walks this registry, so a model that is registered is tested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet

from ipfin.domain.errors import NotFound

if TYPE_CHECKING:
    from ipfin.accounts.models import User

M = TypeVar("M", bound=Model)
VisibilityFn = Callable[["User"], QuerySet[Any]]

_REGISTRY: dict[type[Model], VisibilityFn] = {}


def visibility(model: type[M]) -> Callable[[VisibilityFn], VisibilityFn]:
    """Register ``fn(user) -> QuerySet`` as the one function deciding who reads ``model``."""

    def register(fn: VisibilityFn) -> VisibilityFn:
        if model in _REGISTRY:
            raise RuntimeError(f"visibility for {model.__name__} is registered twice")
        _REGISTRY[model] = fn
        return fn

    return register


def visible(user: User, model: type[M]) -> QuerySet[M]:
    try:
        fn = _REGISTRY[model]
    except KeyError:
        raise RuntimeError(f"{model.__name__} has no visibility function") from None
    if not user.is_authenticated or not user.is_active:
        return model._default_manager.none()
    return fn(user)


def get_visible(user: User, model: type[M], **lookup: Any) -> M:
    """The one record the user may see, or :class:`NotFound` (never a hint that it exists)."""
    try:
        return visible(user, model).get(**lookup)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound() from None


def registered_models() -> list[type[Model]]:
    return list(_REGISTRY)
