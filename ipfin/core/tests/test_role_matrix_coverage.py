"""Every model with a visibility function must have a role matrix somewhere in the test suite."""

from __future__ import annotations

import importlib
import pkgutil

import ipfin
from ipfin.core.scoping import registered_models
from ipfin.core.testing.role_matrix import RoleMatrixCase


def _matrix_models() -> set[type]:
    covered: set[type] = set()
    for module_info in pkgutil.walk_packages(ipfin.__path__, prefix="ipfin."):
        if module_info.name.endswith(".tests.test_role_matrix"):
            module = importlib.import_module(module_info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, RoleMatrixCase) and getattr(value, "model", None):
                    covered.add(value.model)
    return covered


def test_every_scoped_model_has_a_role_matrix() -> None:
    missing = {m.__name__ for m in registered_models()} - {m.__name__ for m in _matrix_models()}
    assert not missing, f"models with a visibility function but no role matrix: {sorted(missing)}"
