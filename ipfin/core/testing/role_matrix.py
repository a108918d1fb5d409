"""The role-matrix harness: proves, model by model, that no role reads or changes what it must not.

An app plugs a model in by subclassing :class:`RoleMatrixCase` in ``ipfin/<app>/tests/test_role_matrix.py``:

    class TestEnterpriseMatrix(RoleMatrixCase):
        model = Enterprise
        owners = ["ent_bt", "ent_pzh"]                   # world organisations that own one record each
        expected_readers = {"ent_bt.admin": {"ent_bt"}, ...}  # EVERY viewer key, written out literally
        expected_changers = {"ent_bt.admin": {"ent_bt"}, ...} # optional, with change() below

        def make(self, world, owner_key): ...             # create the record owned by that organisation
        def change(self, user, obj): ...                  # call the action function that changes it

Reads go through ``visible(user, model)``; changes must raise ``PermissionDenied`` or ``NotFound`` for
everyone not listed. ``ipfin/core/tests/test_role_matrix_coverage.py`` fails when a model with a
visibility function has no matrix.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.db.models import Model

from ipfin.accounts.models import User
from ipfin.core.scoping import visible
from ipfin.core.testing.world import VIEWERS, World, build_world
from ipfin.domain.errors import NotFound, PermissionDenied


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


class RoleMatrixCase:
    model: ClassVar[type[Model]]
    owners: ClassVar[list[str]]
    expected_readers: ClassVar[dict[str, set[str]]]
    expected_changers: ClassVar[dict[str, set[str]] | None] = None

    def make(self, world: World, owner_key: str) -> Model:
        raise NotImplementedError

    def change(self, user: User, obj: Model) -> Any:
        raise NotImplementedError

    def _records(self, world: World) -> dict[str, Model]:
        return {owner: self.make(world, owner) for owner in self.owners}

    def test_matrix_lists_every_viewer(self) -> None:
        assert set(self.expected_readers) == set(VIEWERS), "expected_readers must name every viewer of the world"
        if self.expected_changers is not None:
            assert set(self.expected_changers) == set(VIEWERS)

    def test_each_role_reads_exactly_what_it_may(self, world: World) -> None:
        records = self._records(world)
        wrong: list[str] = []
        for viewer, allowed_owners in self.expected_readers.items():
            ids = set(visible(world.users[viewer], self.model).filter(
                pk__in=[r.pk for r in records.values()]).values_list("pk", flat=True))
            seen = {owner for owner, record in records.items() if record.pk in ids}
            if seen != allowed_owners:
                wrong.append(f"{viewer}: sees {sorted(seen)}, expected {sorted(allowed_owners)}")
        assert not wrong, f"{self.model.__name__} visibility:\n" + "\n".join(wrong)

    def test_each_role_changes_only_what_it_may(self, world: World) -> None:
        if self.expected_changers is None:
            pytest.skip(f"{self.model.__name__} has no user-facing change action")
        wrong: list[str] = []
        for viewer, allowed_owners in self.expected_changers.items():
            for owner in self.owners:
                record = self.make(world, owner)
                try:
                    with transaction.atomic():
                        self.change(world.users[viewer], record)
                    allowed = True
                except (PermissionDenied, NotFound):
                    allowed = False
                if allowed != (owner in allowed_owners):
                    wrong.append(f"{viewer} on {owner}'s record: {'allowed' if allowed else 'refused'}")
        assert not wrong, f"{self.model.__name__} changes:\n" + "\n".join(wrong)
