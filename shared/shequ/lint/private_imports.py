"""No module imports another module's leading-underscore name (issue 11).

A name that starts with ``_`` is private to its module: ``from shequ.cli import _store_for``
couples two modules through something neither promised to keep. Found by reading the source
(``ast``), nothing is imported. Also refused: ``module._name`` on a module imported with
``import`` (``inbox._reported = ...`` from outside is the same coupling). Dunders
(``__version__``) and ``from __future__`` are allowed.

Run: ``python -m shequ.lint.private_imports PATH...`` (directories are walked for ``*.py``);
prints one line per finding and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

SKIP_DIRS = {".venv", "var", "node_modules", "__pycache__", ".git", "build", "dist"}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def findings(path: Path) -> Iterator[str]:
    """``path:line: what`` for each private name reached across a module boundary."""
    for line, _name, what in reached(path):
        yield f"{path}:{line}: {what}"


def reached(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, name, what) for each private name this module takes from another."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    modules: set[str] = set()  # local names bound to imported modules
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                if private(alias.name):
                    yield node.lineno, alias.name, f"imports {alias.name} from {source}"
                elif alias.asname is None or not private(alias.asname):
                    modules.add(alias.asname or alias.name)  # may be a module: checked below
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(private(part) for part in alias.name.split(".")):
                    yield node.lineno, alias.name, f"imports {alias.name}"
                modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _looks_like_module(node.value.id, tree)
        ):
            yield node.lineno, node.attr, f"uses {node.value.id}.{node.attr}"


def _looks_like_module(name: str, tree: ast.Module) -> bool:
    """Whether ``name`` is bound by an import statement only (not reassigned to an object)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if (a.asname or a.name) == name:
                    return a.name[:1].islower()  # modules are lower case; classes are not
    return False


def python_files(paths: Iterable[str]) -> Iterator[Path]:
    for text in paths:
        path = Path(text)
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*.py")):
            if not SKIP_DIRS.intersection(found.parts):
                yield found


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    found = [line for f in python_files(paths or ["."]) for line in findings(f)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} private names reached across modules (rename them, or move them)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
