"""The console's templates and static files (and the verify page's) ship in the package: every
file beside the code is matched by pyproject's package-data globs for ``gateway`` (the image
installs the package, not the source tree)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "gateway" / "gateway"


def test_every_template_and_static_file_is_package_data():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["gateway"]
    shipped = {p for pattern in globs for p in PACKAGE.glob(pattern) if p.is_file()}
    data = {
        p
        for folder in ("console", "verify")
        for p in (PACKAGE / folder).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert data, "no templates found: the test looks in the wrong place"
    assert sorted(str(p.relative_to(PACKAGE)) for p in data - shipped) == []
