"""services/casework/README.md stays true to the code (as tests/test_docs.py does for the
registry): every RPC entrypoint has a ``### name`` section with a ``shequ call casework`` example
whose JSON the method accepts, the **Who:** line states the policy row, and every contract is in
the events table. Each check gathers every problem first."""

from __future__ import annotations

import inspect
import itertools
import json
import re
from pathlib import Path
from typing import Any

from casework import parameters
from casework.contracts import catalogue
from casework.service import CaseworkService
from casework.usecases import USE_CASES
from shequ.actor import ROLES
from shequ.auth import SCOPES

from tests.support.readme import (
    PLATFORM_COMMANDS,
    assert_use_case_table,
    command_target,
    entrypoints,
    example_problems,
    parameters_line,
    readme_sections,
    shape_fields,
)

README = Path(__file__).resolve().parents[1] / "README.md"
TIMERS = {"deadline_timer"}  # not RPC: documented, with the RPC that runs it by hand
RULES = USE_CASES.policy.rules


def target(name: str) -> Any:
    """What an entrypoint accepts: a use case's command fields, or a platform method's."""
    if name in USE_CASES:
        return command_target(USE_CASES[name].command)
    if name in PLATFORM_COMMANDS:  # the platform's typed entrypoints
        return command_target(PLATFORM_COMMANDS[name])
    return getattr(CaseworkService, name)


def sections(heading: str) -> dict[str, str]:
    found = readme_sections(README.read_text(encoding="utf-8"), heading)
    assert found, f"README has no '## {heading}' section"
    return found


def test_every_entrypoint_is_documented_with_an_accepted_example() -> None:
    docs, problems = sections("RPC methods"), []
    for name in sorted(entrypoints(CaseworkService)):
        if name not in docs:
            problems.append(f"{name}: no section")
        elif name not in TIMERS:
            problems += example_problems(
                "casework",
                name,
                docs[name],
                target(name),
            )
    problems += [
        f"{n}: documented but not an entrypoint"
        for n in set(docs) - set(entrypoints(CaseworkService))
    ]
    assert not problems, "\n".join(problems)


def test_examples_pass_the_real_argument_check() -> None:
    """Each example's JSON goes through the same check the RPC entrypoint runs: the use
    case's command model."""
    for name, body in sections("RPC methods").items():
        if name in USE_CASES:
            for payload in re.findall(r"^shequ call casework \S+ '([^'\n]*)'", body, re.MULTILINE):
                USE_CASES[name].parse(json.loads(payload))


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
    assert [
        n for n, m in entrypoints(CaseworkService).items() if not (inspect.getdoc(m) or "").strip()
    ] == []


def test_parameter_lines_give_each_type_and_the_allowed_values() -> None:
    """Each use case's parameters with their types, choices (case type, category, channel,
    ...) and defaults, as rendered from its signature and ``casework.parameters``."""
    docs, problems = sections("RPC methods"), []
    for name in sorted(RULES):
        want = parameters_line(
            target(name), parameters.CHOICES, parameters.SHAPES, parameters.TEXT_IDS
        )
        stated = re.findall(r"^- \*\*Parameters:\*\*.*$", docs.get(name, ""), re.MULTILINE)
        if stated != [want]:
            problems.append(f"### {name}: write\n{want}")
    assert not problems, "\n".join(problems)


def test_parameter_shapes_list_every_field_of_each_object() -> None:
    shapes = sections("Parameter shapes")
    assert set(shapes) == set(parameters.SHAPES)
    assert {n: shape_fields(body) for n, body in shapes.items()} == parameters.SHAPES


DEMAND = (
    "accept_case",
    "assign_case",
    "add_co_handler",
    "start_case",
    "pause_case",
    "resume_case",
    "extend_deadline",
    "resolve_case",
    "answer_case",
    "add_material",
    "rate_case",
    "confirm_case",
    "close_case",
)
CASES = {
    "demand": "a3d768c2-42e3-525c-b1e7-fe0e912b2bb6",
    "petition": "81a70ec5-66b4-5f76-babb-a25c5f263fdb",
    "dispute": "50fc4f66-c7e2-5411-82c1-d50bbdc97eeb",
    "decision": "6f10b8b9-8ce4-5381-b2a4-239af7a9d65d",
}


def test_the_readmes_walkthrough_runs_as_written_in_sequence(tmp_path: Path) -> None:
    """The README's examples, exactly as written and in order, through the same argument
    check as the RPC entrypoint: four cases opened, then each one's life, every example
    naming the id its ``open_case`` returned (the steps the README leaves out in between)."""
    from casework_testing import (
        STAFF,
        Feed,
        FixedClock,
        form_team,
        readme_place,
        running_casework,
    )
    from shequ.store import Store
    from test_casework_petitions import REPLY
    from test_casework_procedures import record

    clock = FixedClock("2026-03-09T09:00:00+08:00")
    docs, steps = sections("RPC methods"), itertools.count()

    def readme(name: str) -> list[Any]:
        out = []
        for payload in re.findall(
            rf"^shequ call casework {name} '([^'\n]*)'", docs[name], re.MULTILINE
        ):
            # through the use case's command model and role check, as over RPC
            out.append(getattr(app, name)(STAFF, **json.loads(payload)))
        return out

    def step(name: str, case: str, **args: Any) -> None:  # one the README leaves out
        getattr(app, name)(STAFF, f"walkthrough:{next(steps)}", case_id=CASES[case], **args)

    with running_casework(Store.parse(f"sqlite:///{tmp_path / 'casework.db'}"), clock) as app:
        feed = Feed(app, "registry")
        n = readme_place(feed)
        joined = {"7": ("welfare", "2024-01-01"), "2": ("welfare", "2024-02-01")}
        joined["3"] = ("services", "2024-01-01")
        form_team(feed, n + "8", n + "4", [(n + p, g, since) for p, (g, since) in joined.items()])
        assert [o["case_id"] for o in readme("open_case")] == list(CASES.values())
        states = [readme(name)[0]["state"] for name in DEMAND]
        assert states[-5:] == ["answered", "answered", "rated", "confirmed", "closed"]
        demand = app.case(STAFF, CASES["demand"])
        assert (demand["owner_id"], demand["co_handlers"]) == (n + "2", [n + "3"])
        step("accept_case", "petition", owner_id=n + "2")
        step("start_case", "petition")
        step("resolve_case", "petition", evidence=["核查记录"], outcome="supported", reply=REPLY)
        step("answer_case", "petition", text="处理意见书")
        for name in (
            "start_mediation",
            "consent_to_mediation",
            "choose_mediator",
            "reject_mediator",
            "record_mediation_session",
            "draft_agreement",
            "sign_agreement",
        ):
            readme(name)
        for signer in ("p2", n + "2"):
            step("sign_agreement", "dispute", signer_id=signer)
        readme("seal_agreement")
        readme("start_decision")
        clock.set("2026-03-20")
        readme("record_decision_meeting")
        for number, body in (
            (2, "committees_meeting"),
            (3, "party_assembly"),
            (4, "representatives_meeting"),
        ):
            step("record_decision_meeting", "decision", step=number, body=body, record=record())
        readme("publish_decision")
        clock.set("2026-04-06")
        for name in ("apply_for_confirmation", "follow_up_mediation", "refer_to_police"):
            readme(name)
        clock.set("2026-04-10")
        readme("request_review")
        readme("answer_review")
        petition = app.case(STAFF, CASES["petition"])
        mediation = app.case(STAFF, CASES["dispute"])["mediation"]
        decided = app.case(STAFF, CASES["decision"])["decision"]
        assert [(r["level"], r["requested_on"], r["outcome"]) for r in petition["reviews"]] == [
            ("review", "2026-04-08", "not_supported")
        ]
        assert (
            mediation["state"],
            mediation["effective_on"],
            mediation["confirmation_applied_on"],
        ) == ("effective", "2026-03-09", "2026-04-03")
        assert decided["done"] == [1, 2, 3, 4, 5]


def test_the_method_table_is_the_use_case_table() -> None:
    """The README's table of methods is ``USE_CASES.markdown()``, pasted between its markers;
    when a use case changes, this prints the fresh table to paste."""
    assert_use_case_table(README.read_text(encoding="utf-8"), USE_CASES)
