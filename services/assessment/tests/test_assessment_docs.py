"""services/assessment/README.md stays true to the code (no servers needed): the method table
is the use-case table's, every entrypoint has a ``### name`` section with a ``shequ call
assessment <name> '<json>'`` example its command model accepts, every policy row's roles and
scopes are stated, every contract is listed and its example validates."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import jsonschema
from assessment.contracts import catalogue
from assessment.service import AssessmentService
from assessment.usecases import USE_CASES

from tests.support.readme import (
    assert_use_case_table,
    entrypoints,
    example_problems,
    policy_problems,
    readme_section,
    readme_sections,
    signature_target,
)

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
RULES = USE_CASES.policy.rules


def test_the_method_table_is_the_use_case_tables() -> None:
    """The README's table of methods is ``USE_CASES.markdown()``, pasted between its markers;
    when a use case changes, this prints the fresh table to paste."""
    assert_use_case_table(TEXT, USE_CASES)


def test_every_entrypoint_is_documented_with_a_valid_example() -> None:
    sections = readme_sections(TEXT, "RPC methods")
    found = entrypoints(AssessmentService)
    assert set(RULES) | {"batch", "notifications", "health", "replay_dead_letter"} <= set(found)
    out = [f"{n}: not documented" for n in sorted(set(found) - set(sections))]
    out += [f"{n}: documented but not an entrypoint" for n in sorted(set(sections) - set(found))]
    for name in sorted(set(found) & set(sections)):
        out += example_problems(
            "assessment",
            name,
            sections[name],
            signature_target(object, AssessmentService, USE_CASES, name),
        )
    assert not out, "\n".join(out)


def test_examples_pass_the_real_argument_check() -> None:
    """Each example's JSON goes through the check the RPC entrypoint runs: the use case's
    command model (a malformed example raises the ValidationError it would answer)."""
    for name, body in readme_sections(TEXT, "RPC methods").items():
        if name in USE_CASES:
            for payload in re.findall(
                rf"^shequ call assessment {name} '([^'\n]*)'", body, re.MULTILINE
            ):
                args = json.loads(payload)
                args.pop("actor", None)  # the caller, not a field of the command
                USE_CASES[name].parse(args)


def test_readme_states_the_policy_of_each_use_case() -> None:
    problems = policy_problems(readme_sections(TEXT, "RPC methods"), USE_CASES)
    assert not problems, "\n".join(problems)


def test_every_contract_is_listed_and_its_example_validates() -> None:
    events = readme_section(TEXT, "Integration events") or ""
    listed = set(re.findall(r"^\| `([\w.]+)` \| (\d+) \|", events, re.MULTILINE))
    defined = {(c.name, str(c.version)) for c in catalogue}
    assert listed == defined
    for contract in catalogue:
        contract.validate(contract.example)
        jsonschema.validate(
            contract.example, contract.schema, format_checker=jsonschema.FormatChecker()
        )


def test_every_entrypoint_has_a_docstring() -> None:
    missing = [
        n
        for n, m in entrypoints(AssessmentService).items()
        if not (inspect.getdoc(m) or "").strip()
    ]
    assert not missing


def test_our_upstream_interests_match_the_published_contracts() -> None:
    """docs/integration-events.md: every contract we read exists upstream in the same version,
    with every field we rely on, of the same kind; the upstream example passes our check."""
    from assessment.interests import CASEWORK, OUTREACH, REGISTRY
    from shequ.catalogues import all_catalogues

    published = {c.name: c for cat in all_catalogues() for c in cat}
    out = []
    for name, ours in {**REGISTRY, **CASEWORK, **OUTREACH}.items():
        theirs = published.get(name)
        if theirs is None or theirs.version != ours.version:
            out.append(f"{name} v{ours.version}: not published")
            continue
        for field, kind in ours.fields.items():
            if theirs.fields.get(field, kind).rstrip("?") != kind.rstrip("?"):
                out.append(f"{name}.{field}: ours {kind}, theirs {theirs.fields.get(field)}")
            elif field not in theirs.fields and not kind.endswith("?"):
                out.append(f"{name}.{field}: not published")
        ours.validate(theirs.example)
    assert not out, "\n".join(out)
