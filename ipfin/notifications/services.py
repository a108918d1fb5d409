"""Notify the parties of a step: in-app rows plus an e-mail through Django's e-mail backend.

Action functions call :func:`notify` inside their transaction; nothing is written or sent until the
transaction commits (``transaction.on_commit``), so a rolled-back action notifies nobody. Messages are
rendered in Chinese, the platform's language (design §5).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from ipfin.accounts.models import Organisation, User
from ipfin.notifications.models import Notification

logger = logging.getLogger(__name__)
LANGUAGE = "zh-hans"


def recipients(organisations: Iterable[Organisation | int], roles: Iterable[str] | None = None,
               exclude: User | None = None) -> list[User]:
    org_ids = {o if isinstance(o, int) else o.pk for o in organisations if o is not None}
    users = User.objects.filter(organisation_id__in=org_ids, is_active=True)
    if roles is not None:
        users = users.filter(role_assignments__role__in=list(roles)).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users.order_by("pk"))


def notify(*, organisations: Iterable[Organisation | int | None], verb: str, title: Any, body: Any = "",
           url: str = "", roles: Iterable[str] | None = None, exclude: User | None = None) -> None:
    """After commit: one :class:`Notification` per active user of ``organisations`` (only those holding one
    of ``roles`` when given, never ``exclude``), and one e-mail to each of them who has an address.

    ``title`` and ``body`` may be lazy translations with ``{placeholders}`` already filled in.
    """
    orgs = [o for o in organisations if o is not None]
    role_list = list(roles) if roles is not None else None

    def deliver() -> None:
        with translation.override(LANGUAGE):
            title_text, body_text = str(title), str(body)
        users = recipients(orgs, role_list, exclude)
        created = Notification.objects.bulk_create(
            Notification(recipient=u, verb=verb, title=title_text[:200], body=body_text, url=url) for u in users
        )
        mails = [(title_text, f"{body_text}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
                 for u in users if u.email]
        if mails:
            try:
                send_mass_mail(mails, fail_silently=False)
            except OSError:  # the in-app notification stands; a mail server being down must not fail the step
                logger.exception("notification e-mail for %s could not be sent", verb)
            else:
                mailed = [n.pk for n in created if n.recipient.email and n.pk is not None]
                Notification.objects.filter(pk__in=mailed).update(emailed=True)

    transaction.on_commit(deliver)
