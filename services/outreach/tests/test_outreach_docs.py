"""services/outreach/README.md stays true to the code (no servers needed): every entrypoint
has a ``### name`` section with a ``shequ call outreach`` example whose JSON the entrypoint's
argument check accepts (a use case's command model), every policy row's roles and scopes are
stated, the method table is the use-case table, every contract is in the events table, and every
contract's example validates."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from outreach.contracts import catalogue
from outreach.service import OutreachService
from outreach.usecases import USE_CASES
from shequ.errors import ValidationError

from tests.support.readme import (
    PLATFORM_COMMANDS,
    assert_use_case_table,
    example_problems,
    policy_problems,
    readme_sections,
)
from tests.support.readme import entrypoints as shared_entrypoints

README = Path(__file__).resolve().parents[1] / "README.md"


def entrypoints() -> dict[str, Any]:
    return shared_entrypoints(OutreachService)


def sections() -> dict[str, str]:
    found = readme_sections(README.read_text(encoding="utf-8"), "RPC methods")
    assert found, "README has no '## RPC methods' section"
    return found


def test_every_entrypoint_has_a_section_with_an_example_its_argument_check_accepts():
    found, problems = sections(), []
    for name, method in sorted(entrypoints().items()):
        if name not in found:
            problems.append(f"{name}: no ### section")
            continue
        calls = re.findall(rf"^shequ call outreach {name} '([^'\n]*)'", found[name], re.MULTILINE)
        if not calls:
            problems.append(f"{name}: no example")
        if name not in USE_CASES:
            problems += example_problems(
                "outreach", name, found[name], PLATFORM_COMMANDS.get(name) or method
            )
            continue
        for payload in calls:
            args = json.loads(payload)
            try:  # the entrypoint's own check: the use case's command model
                USE_CASES[name].parse(args)
            except ValidationError as exc:
                problems.append(f"{name}: {exc}")
            if "idempotency_key" in args:
                assert 8 <= len(args["idempotency_key"]) <= 200, name
    problems += [f"{n}: documented but not an entrypoint" for n in set(found) - set(entrypoints())]
    assert not problems, "\n".join(problems)


def test_readme_states_each_policy_row():
    problems = policy_problems(sections(), USE_CASES)
    assert not problems, "\n".join(problems)


def test_readme_lists_every_contract_and_every_example_validates():
    text = README.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(outreach\.[\w.]+)` \| (\d+) \|", text, re.MULTILINE))
    defined = {(c.name, str(c.version)) for c in catalogue}
    assert listed == defined
    checker = jsonschema.FormatChecker()
    for contract in catalogue:
        jsonschema.validate(contract.example, contract.schema, format_checker=checker)


def test_every_entrypoint_has_a_docstring():
    assert not [n for n, m in entrypoints().items() if not (inspect.getdoc(m) or "").strip()]


def test_the_method_table_is_the_use_case_table():
    """The README's table of methods is ``USE_CASES.markdown()``, pasted between its markers;
    when a use case changes, this prints the fresh table to paste."""
    assert_use_case_table(README.read_text(encoding="utf-8"), USE_CASES)
