"""`ipfin` sub-commands of the market app."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this app's sub-commands (none yet)."""
