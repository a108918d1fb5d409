"""Idempotency keys for create actions (API ``Idempotency-Key`` header, form tokens)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """Remembers which object a (user, scope, key) created, and a hash of the request that created it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("scope"), max_length=60, help_text=_("e.g. origination.application"))
    key = models.CharField(_("key"), max_length=100)
    request_hash = models.CharField(_("request hash"), max_length=64)
    object_id = models.BigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class NumberCounter(models.Model):
    """The last serial handed out for a document-number stem (e.g. ``SQ2026``). Locked with ``SELECT … FOR
    UPDATE`` while a number is taken, so concurrent creates get consecutive numbers instead of racing."""

    stem = models.CharField(_("stem"), max_length=30, unique=True)
    last_serial = models.BigIntegerField(_("last serial"))

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.stem}:{self.last_serial}"
