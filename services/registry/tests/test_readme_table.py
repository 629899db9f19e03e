"""The README's method table is the one the use-case table generates (``USE_CASES.markdown()``)."""

from __future__ import annotations

import re
from pathlib import Path

from registry.usecases import USE_CASES

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- usecases:begin -->\n(.*?)\n<!-- usecases:end -->", re.DOTALL)


def test_the_readme_method_table_is_generated_from_the_use_cases() -> None:
    found = BLOCK.search(README.read_text(encoding="utf-8"))
    assert found, "services/registry/README.md has no <!-- usecases:begin/end --> block"
    fresh = USE_CASES.markdown()
    assert found.group(1) == fresh, (
        "services/registry/README.md: the method table is out of date; paste this between "
        "<!-- usecases:begin --> and <!-- usecases:end -->:\n\n" + fresh
    )
    assert {row.split("`")[1] for row in fresh.splitlines()[2:]} == set(USE_CASES.cases)
