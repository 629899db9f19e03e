"""Documentation stays true to the code: no servers needed.

* ``docs/asyncapi.json`` is what ``shequ asyncapi`` generates from the contracts today;
* every integration contract carries an example that its own schema accepts, and is listed in
  the registry README;
* every RPC entrypoint of ``RegistryService`` has a docstring, and a ``### <name>`` section in
  ``services/registry/README.md`` with a ``shequ call registry <name> '<json>'`` example whose
  arguments the method accepts, and (for use cases) the roles and scopes of
  ``registry.usecases.USE_CASES``.

Each check gathers every problem first, so one run names everything that is out of date.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import jsonschema
import pytest
from registry.application import Registry
from registry.service import RegistryService
from registry.usecases import USE_CASES
from shequ.catalogues import all_catalogues
from shequ.contracts import Catalogue, asyncapi

from tests.support.readme import (
    entrypoints,
    example_problems,
    readme_section,
    readme_sections,
    signature_target,
    who,
)

ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI = ROOT / "docs" / "asyncapi.json"
README = ROOT / "services" / "registry" / "README.md"
RULES = USE_CASES.policy.rules
# Entrypoints of the service that are not use cases of the table.
EXTRAS = {"seed_demo", "notifications", "health"}


# -- (a) the AsyncAPI document is generated, not edited, and not stale ------------------------
def test_asyncapi_document_is_up_to_date() -> None:
    expected = json.loads(json.dumps(asyncapi(all_catalogues()), ensure_ascii=False))
    assert ASYNCAPI.exists(), f"{ASYNCAPI.relative_to(ROOT)} is missing: run `make asyncapi`"
    committed = json.loads(ASYNCAPI.read_text(encoding="utf-8"))
    if committed != expected:
        new, gone = expected["channels"].keys(), committed.get("channels", {}).keys()
        changed = sorted(
            c for c in new & gone if expected["channels"][c] != committed["channels"][c]
        )
        others = sorted(
            k
            for k in expected.keys() | committed.keys()
            if k != "channels" and expected.get(k) != committed.get(k)
        )
        pytest.fail(
            f"{ASYNCAPI.relative_to(ROOT)} is stale: run `make asyncapi` "
            "(shequ asyncapi -o docs/asyncapi.json) and commit the result.\n"
            f"  channels missing from the file: {sorted(new - gone)}\n"
            f"  channels no longer defined:     {sorted(gone - new)}\n"
            f"  channels that differ:           {changed}\n"
            f"  other keys that differ:         {others}"
        )


# -- (b) every contract has an example its schema accepts ------------------------------------
def contract_example_problems(catalogues: list[Catalogue]) -> list[str]:
    problems = []
    checker = jsonschema.FormatChecker()
    for catalogue in catalogues:
        for contract in catalogue:
            label = f"{contract.name} v{contract.version}"
            if not contract.example:
                problems.append(f"{label}: no example")
                continue
            try:
                contract.validate(contract.example)
                # Also check formats (a "date" must be a real YYYY-MM-DD date).
                jsonschema.validate(contract.example, contract.schema, format_checker=checker)
            except Exception as exc:  # noqa: BLE001 - report every broken example
                first = str(exc).splitlines()[0]
                problems.append(f"{label}: example does not validate: {first}")
    return problems


def test_every_contract_has_a_valid_example() -> None:
    catalogues = all_catalogues()
    assert catalogues and all(list(c) for c in catalogues), "no contracts found"
    problems = contract_example_problems(catalogues)
    assert not problems, "contracts without a valid example:\n  " + "\n  ".join(problems)


def test_readme_lists_every_registry_contract() -> None:
    text = README.read_text(encoding="utf-8")
    events = readme_section(text, "Integration events")
    assert events, "services/registry/README.md has no '## Integration events' section"
    listed = set(re.findall(r"^\| `([\w.]+)` \| (\d+) \|", events, re.MULTILINE))
    defined = {
        (c.name, str(c.version))
        for cat in all_catalogues()
        if cat.service == "registry"
        for c in cat
    }
    assert defined - listed == set(), (
        f"contracts missing from the README's events table: {sorted(defined - listed)}"
    )
    assert listed - defined == set(), (
        f"README lists events that are not defined: {sorted(listed - defined)}"
    )


# -- (c) every RPC entrypoint is documented, with an example call ----------------------------
def test_entrypoints_are_found() -> None:
    names = set(entrypoints(RegistryService))
    assert set(RULES) | EXTRAS <= names, (
        f"entrypoints not found on RegistryService: {sorted(set(RULES) | EXTRAS - names)}"
    )


def test_every_entrypoint_is_documented_with_an_example() -> None:
    text = README.read_text(encoding="utf-8")
    sections = readme_sections(text, "RPC methods")
    assert sections, "services/registry/README.md has no '## RPC methods' section with '### '"
    problems = []
    for name in sorted(entrypoints(RegistryService)):
        if name not in sections:
            problems.append(f"{name}: no `### {name}` heading under '## RPC methods'")
            continue
        problems += example_problems(
            "registry",
            name,
            sections[name],
            signature_target(Registry, RegistryService, USE_CASES, name),
        )
    unknown = sorted(set(sections) - set(entrypoints(RegistryService)))
    problems += [
        f"{name}: documented, but RegistryService has no such entrypoint" for name in unknown
    ]
    assert not problems, (
        "services/registry/README.md is out of date with "
        "RegistryService:\n  " + "\n  ".join(problems)
    )


def test_readme_states_the_policy_of_each_use_case() -> None:
    sections = readme_sections(README.read_text(encoding="utf-8"), "RPC methods")
    problems = []
    for name, rule in sorted(RULES.items()):
        stated = who(sections.get(name, ""))
        if stated != dict(rule.roles):
            problems.append(
                f"{name}: README says {stated or 'nothing'}, RULES says {dict(rule.roles)}"
            )
    assert not problems, (
        "the **Who:** lines of services/registry/README.md disagree with "
        "registry.usecases.USE_CASES:\n  " + "\n  ".join(problems)
    )


# -- (d) every entrypoint explains itself ----------------------------------------------------
def test_every_entrypoint_has_a_docstring() -> None:
    missing = sorted(
        name
        for name, method in entrypoints(RegistryService).items()
        if not (inspect.getdoc(method) or "").strip()
    )
    assert not missing, f"RegistryService entrypoints without a docstring: {missing}"
