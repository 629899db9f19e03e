"""services/casework/README.md stays true to the code (as tests/test_docs.py does for the
registry): every RPC entrypoint has a ``### name`` section with a ``shequ call casework`` example
whose JSON the method accepts, the **Who:** line states the policy row, and every contract is in
the events table. Each check gathers every problem first."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

from casework.application import Casework
from casework.contracts import catalogue
from casework.policy import RULES
from casework.service import CaseworkService
from shequ.actor import ROLES
from shequ.auth import SCOPES

README = Path(__file__).resolve().parents[1] / "README.md"
TIMERS = {"deadline_timer"}  # not RPC: documented, with the RPC that runs it by hand


def sections(heading: str) -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text,
                      re.MULTILINE | re.DOTALL)
    assert match, f"README has no '## {heading}' section"
    parts = re.split(r"^### (\S+)[ \t]*$", match.group(1), flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def entrypoints() -> dict[str, Any]:
    return {n: m for n, m in inspect.getmembers(CaseworkService)
            if getattr(m, "nameko_entrypoints", None)}


def example_problems(name: str, section: str) -> list[str]:
    calls = re.findall(rf"^shequ call casework {re.escape(name)} '([^'\n]*)'", section,
                       re.MULTILINE)
    if not calls:
        return [f"{name}: no `shequ call casework {name} '{{...}}'` example"]
    target = getattr(Casework, name) if name in RULES else getattr(CaseworkService, name)
    params = inspect.signature(target).parameters
    accepted = set(params) - {"self"}
    required = {p for p, v in params.items() if v.default is inspect.Parameter.empty
                and v.kind is not inspect.Parameter.VAR_KEYWORD} - {"self", "actor"}
    out = []
    for payload in calls:
        args = json.loads(payload)
        if unknown := set(args) - accepted:
            out.append(f"{name}: example passes {sorted(unknown)}")
        if missing := required - set(args):
            out.append(f"{name}: example lacks {sorted(missing)}")
        k = args.get("idempotency_key")
        if "idempotency_key" in args and not (isinstance(k, str) and 8 <= len(k) <= 200):
            out.append(f"{name}: idempotency_key must be 8-200 characters")
    return out


def test_every_entrypoint_is_documented_with_an_accepted_example() -> None:
    docs, problems = sections("RPC methods"), []
    for name in sorted(entrypoints()):
        if name not in docs:
            problems.append(f"{name}: no section")
        elif name not in TIMERS:
            problems += example_problems(name, docs[name])
    problems += [f"{n}: documented but not an entrypoint" for n in set(docs) - set(entrypoints())]
    assert not problems, "\n".join(problems)


def test_examples_pass_the_real_argument_check() -> None:
    """Each example's JSON goes through the same check the RPC entrypoint runs."""
    from shequ.actor import SYSTEM
    from shequ.rpc import _check_arguments

    for name, body in sections("RPC methods").items():
        if name in RULES:
            for payload in re.findall(r"^shequ call casework \S+ '([^'\n]*)'", body,
                                      re.MULTILINE):
                _check_arguments(inspect.signature(getattr(Casework, name)), name, SYSTEM,
                                 json.loads(payload))


def test_who_lines_state_every_policy_row() -> None:
    docs, problems = sections("RPC methods"), []
    roles, scopes = "|".join(ROLES), "|".join(SCOPES)
    for name, rule in sorted(RULES.items()):
        m = re.search(r"^- \*\*Who:\*\*(.*)$", docs.get(name, ""), re.MULTILINE)
        stated = dict(re.findall(rf"`({roles})` \(({scopes})\b", m.group(1) if m else ""))
        if stated != dict(rule.roles):
            problems.append(f"{name}: README {stated}, RULES {dict(rule.roles)}")
    assert not problems, "\n".join(problems)


def test_every_contract_is_in_the_events_table() -> None:
    text = README.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(casework\.[\w.]+)` \| (\d+) \|", text, re.MULTILINE))
    defined = {(c.name, str(c.version)) for c in catalogue}
    assert listed == defined


def test_every_entrypoint_has_a_docstring() -> None:
    assert [n for n, m in entrypoints().items() if not (inspect.getdoc(m) or "").strip()] == []
