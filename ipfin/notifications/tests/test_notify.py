"""notify(): rows and e-mails only after commit, none on rollback; role filter, exclude, inactive users."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils.text import format_lazy

from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.core.testing.world import World
from ipfin.notifications.models import Notification
from ipfin.notifications.services import notify, recipients

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _with_mail(world: World, *keys: str) -> None:
    for key in keys:
        User.objects.filter(pk=world.users[key].pk).update(email=f"{key.replace('.', '-')}@example.cn")


def test_rows_and_mails_only_after_commit(world: World, django_capture_on_commit_callbacks: Any,
                                          mailoutbox: list[Any]) -> None:
    _with_mail(world, "bank_a.loan_officer")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            notify(organisations=[world.orgs["bank_a"]], verb="application.submitted", title="新申请",
                   body="请审查", url="/origination/1/")
    assert len(callbacks) == 1
    assert Notification.objects.count() == 0 and mailoutbox == []
    callbacks[0]()
    rows = Notification.objects.order_by("recipient__username")
    assert [r.recipient.username for r in rows] == ["bank_a-approver", "bank_a-branch_head", "bank_a-loan_officer"]
    assert {r.verb for r in rows} == {"application.submitted"} and rows[0].url == "/origination/1/"
    assert [m.to for m in mailoutbox] == [["bank_a-loan_officer@example.cn"]]
    assert mailoutbox[0].subject == "新申请" and "请审查" in mailoutbox[0].body and "/origination/1/" in mailoutbox[0].body
    assert [r.emailed for r in rows] == [False, False, True]


def test_nothing_on_rollback(world: World, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]) -> None:
    _with_mail(world, "bank_b.loan_officer")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(organisations=[world.orgs["bank_b"]], verb="x.y", title="t")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Notification.objects.count() == 0 and mailoutbox == []


def test_role_filter_and_exclude(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(organisations=[world.orgs["bank_a"], world.orgs["ipo_bt"], None], verb="v",
               title="t", roles=["approver", "leader"], exclude=world.users["bank_a.approver"])
    assert [n.recipient.username for n in Notification.objects.all()] == ["ipo_bt-leader"]


def test_inactive_users_are_skipped(world: World) -> None:
    User.objects.filter(pk=world.users["ent_bt.staff"].pk).update(is_active=False)
    assert [u.username for u in recipients([world.orgs["ent_bt"].pk])] == ["ent_bt-admin"]


def test_lazy_title_is_rendered_in_chinese(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(organisations=[world.orgs["ent_pzh"]], verb="v",
               title=format_lazy("{}: {name}", Role.LOAN_OFFICER.label, name="攀枝花"))
    assert Notification.objects.get().title == "客户经理: 攀枝花"


def test_mail_failure_keeps_the_in_app_notification(world: World, settings: Any,
                                                    django_capture_on_commit_callbacks: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    _with_mail(world, "ent_pzh.admin")
    with django_capture_on_commit_callbacks(execute=True):
        notify(organisations=[world.orgs["ent_pzh"]], verb="v", title="t")
    row = Notification.objects.get()
    assert row.recipient == world.users["ent_pzh.admin"] and not row.emailed
    assert len(mail.outbox) == 0
