"""The schema and loader import no Django, so domain code and the CLI can read profiles without settings."""

from __future__ import annotations

import subprocess
import sys


def test_loader_imports_no_django() -> None:
    code = ("import sys; from ipfin.policy.loader import get_profile; get_profile('baotou-2021'); "
            "import ipfin.policy.cli; "
            "sys.exit(1 if [m for m in sys.modules if m == 'django' or m.startswith('django.')] else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
