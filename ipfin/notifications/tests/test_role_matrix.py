"""Notifications: the recipient reads and marks them; nobody else, the platform administrator included."""

from __future__ import annotations

from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import VIEWERS, World
from ipfin.notifications import actions
from ipfin.notifications.models import Notification

OWNERS = ["ent_bt.admin", "bank_a.loan_officer", "platform.admin"]


class TestNotificationMatrix(RoleMatrixCase):
    model = Notification
    owners = OWNERS  # here an "owner" is the recipient's viewer key
    expected_readers = {key: ({key} if key in OWNERS else set()) for key in VIEWERS}
    expected_changers = expected_readers

    def make(self, world: World, owner_key: str) -> Notification:
        return Notification.objects.create(recipient=world.users[owner_key], verb="test", title="测试")

    def change(self, user: User, obj: Any) -> Any:
        return actions.mark_read(user, obj.pk)
