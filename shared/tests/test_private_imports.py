"""The lint check that no module takes another module's ``_name`` (run by ``make lint``)."""

from __future__ import annotations

from pathlib import Path

from shequ.lint.private_imports import main, reached

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_private_name_imported_or_reached_through_a_module_is_found(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "from shequ.cli import _store_for, rpc_call\n"
        "import shequ.inbox as inbox_module\n"
        "from shequ import runtime\n"
        "inbox_module._reported = {}\n"
        "runtime._count_inbox\n",
    )
    assert [(line, name) for line, name, _ in reached(path)] == [
        (1, "_store_for"),
        (4, "_reported"),
        (5, "_count_inbox"),
    ]
    assert main([str(path)]) == 1


def test_public_names_dunders_and_own_private_names_pass(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "from __future__ import annotations\n"
        "from shequ import __name__ as package\n"
        "from shequ.client import rpc_call\n"
        "from shequ.app import ServiceApplication\n"
        "def _mine() -> None: ...\n"
        "_mine()\n"
        "class Thing:\n"
        "    _slot = 1\n"
        "ServiceApplication._projector\n",  # a class's attribute: not a module's name
    )
    assert list(reached(path)) == []
    assert main([str(path)]) == 0


def test_the_tree_has_none() -> None:
    paths = ["shared", "services", "tests", "benchmarks", "conftest.py"]
    assert main([str(REPO / p) for p in paths]) == 0
