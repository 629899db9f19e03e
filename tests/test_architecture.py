"""The import fences that `lint-imports` (pyproject's [tool.importlinter]) cannot draw alone.

import-linter sees a third-party package only by the names its contract lists; this test holds
the domain packages to an allow-list instead: the standard library, ``eventsourcing.domain``,
``shequ.errors``, ``shequ.domainkit`` (ids, violations, the time zone), ``shequ.casestats`` (case counting shared with casework's report, itself held
to the standard library and ``shequ.errors``) and their own package. No server needed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ["registry", "casework", "outreach", "assessment", "finance"]
ALLOWED = {
    "eventsourcing.domain",
    "shequ.errors",
    "shequ.casestats",
    "shequ.domainkit",
    "shequ.workcalendar",
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in the file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found)


def outside_the_fence(package: Path, own: str) -> list[str]:
    """Every import in ``package`` (the module ``own``) that leaves the domain's fence."""
    problems = []
    paths = [package] if package.is_file() else sorted(package.rglob("*.py"))
    for path in paths:
        for line, module in imported_modules(path):
            if (
                module.split(".")[0] in sys.stdlib_module_names
                or module in ALLOWED
                or module == own
                or module.startswith(own + ".")
            ):
                continue
            problems.append(f"{path.relative_to(package.parent)}:{line} imports {module}")
    return problems


def test_domain_packages_import_only_the_standard_library_and_the_allowed_modules() -> None:
    problems = [
        p
        for s in DOMAINS
        for p in outside_the_fence(REPO / "services" / s / s / "domain", f"{s}.domain")
    ]
    assert not problems, "\n".join(problems)


def test_the_shared_case_statistics_import_only_the_standard_library_and_errors() -> None:
    assert outside_the_fence(REPO / "shared/shequ/casestats.py", "shequ.casestats") == []


def test_the_work_calendar_imports_only_the_standard_library() -> None:
    assert outside_the_fence(REPO / "shared/shequ/workcalendar.py", "shequ.workcalendar") == []


def test_the_domain_kit_imports_only_the_standard_library_and_errors() -> None:
    assert outside_the_fence(REPO / "shared/shequ/domainkit.py", "shequ.domainkit") == []


def test_the_fence_names_each_import_past_it(tmp_path: Path) -> None:
    package = tmp_path / "domain"
    package.mkdir()
    (package / "__init__.py").write_text("from casework.domain.case import Case\n")
    (package / "case.py").write_text(
        "import json\nfrom eventsourcing.domain import Aggregate\n"
        "from eventsourcing.application import Application\nimport pydantic\n"
        "def f():\n    from shequ.errors import RuleViolation\n    import shequ.rpc\n"
        "from registry.domain import Person\nfrom . import common\n"
    )
    assert outside_the_fence(package, "casework.domain") == [
        "domain/case.py:3 imports eventsourcing.application",
        "domain/case.py:4 imports pydantic",
        "domain/case.py:7 imports shequ.rpc",
        "domain/case.py:8 imports registry.domain",
    ]
