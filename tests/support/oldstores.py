"""The old-store fixture (``tests/fixtures/old-stores``): where it is, how a test unpacks it,
and the demand its maker opened cases with (``tests/fixtures/make_old_stores.py``), which
``tests/test_old_stores.py`` opens again on today's code."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "old-stores"
ARCHIVE = "stores.tar.xz"  # registry.db, casework.db, outreach.db, assessment.db, treeheads/


def manifest() -> dict[str, Any]:
    """The ids the tests ask about and what the applications answered when it was made."""
    answered: dict[str, Any] = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
    return answered


def unpack(folder: Path, *members: str) -> Path:
    """A copy of the fixture's stores in ``folder`` (tests may write to it): the ``members``
    named (``casework.db``), or all."""
    with tarfile.open(FIXTURE / ARCHIVE, "r:xz") as tar:
        if not members:
            tar.extractall(folder, filter="data")
        for member in members:
            tar.extract(member, folder, filter="data")
    return folder


def water_demand(household: str | None, **over: Any) -> dict[str, Any]:
    """``open_case``'s arguments for a resident's walk-in demand about the water supply."""
    return {
        "case_type": "demand",
        "category": "water_supply",
        "channel": "walk_in",
        "title": "自来水停水三天（示例）",
        "household_id": household,
        "resident_name": "王示例",
        "resident_phone": "13812345678",
        **over,
    }
