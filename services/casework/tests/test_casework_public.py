"""What the public sees of casework (``case_categories``, ``public_cases``, for the gateway's
Open311): no personal data, the description only with the resident's consent, coordinates to
3 decimals, and ``settled`` as the states and the reopening window say."""

from __future__ import annotations

import json

import pytest
from casework.application import Casework
from casework_testing import AUDITOR, STAFF, key, open_demand, world
from shequ.actor import Actor
from shequ.clock import FixedClock
from shequ.errors import Forbidden, ValidationError

PUBLIC = Actor("open311", "auditor")


def _public(app: Casework, case_id: str) -> dict:
    [row] = app.public_cases(PUBLIC, case_ids=case_id)
    return row


def test_a_public_row_names_no_one_and_rounds_the_place(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = open_demand(
        app,
        w,
        village_id=w["v1"],
        description="王示例家门口停水",
        place="示例村东头 3 号 36.3012345,119.7098765",
    )["case_id"]
    row = _public(app, case_id)
    text = json.dumps(row, ensure_ascii=False)
    for personal in ("王示例", "13812345678", "停水", "东头", "36.3012", w["h1"]):
        assert personal not in text, personal
    assert (row["lat"], row["long"]) == (36.301, 119.71)
    assert row["description"] is None and row["village_id"] == w["v1"]
    assert row["settled"] is False and row["category_zh"] == "供水"
    # with the resident's consent the description is public, nothing else more
    agreed = open_demand(app, w, description="路灯坏了", place="村口", publish_description=True)[
        "case_id"
    ]
    shown = _public(app, agreed)
    assert shown["description"] == "路灯坏了" and shown["lat"] is None


def test_settled_follows_the_states_and_the_reopening_window(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = open_demand(app, w)["case_id"]
    refused_id = open_demand(app, w, category="rubbish", title="另一件")["case_id"]
    app.refuse_case(STAFF, key(), case_id=refused_id, reason_code="other", reason="不属实")
    for command in ("accept_case", "start_case"):
        getattr(app, command)(STAFF, key(), case_id=case_id)
    app.resolve_case(STAFF, key(), case_id=case_id, evidence=["维修记录"])
    app.answer_case(STAFF, key(), case_id=case_id, text="已恢复供水")  # reopen until 9 March
    assert _public(app, case_id)["settled"] is False  # the resident may still reopen it
    assert _public(app, refused_id)["settled"] is True
    open_now = {r["case_id"] for r in app.public_cases(PUBLIC, settled=False)}
    assert open_now == {case_id}
    clock.set("2026-03-10")  # the window has passed: over for the public
    assert _public(app, case_id)["settled"] is True
    assert app.public_cases(PUBLIC, settled=False) == []
    assert {r["case_id"] for r in app.public_cases(PUBLIC, settled=True)} == {case_id, refused_id}
    # filters: category, days received
    assert [r["case_id"] for r in app.public_cases(PUBLIC, category="rubbish")] == [refused_id]
    assert app.public_cases(PUBLIC, received_from="2026-03-03") == []


def test_who_may_ask_and_what_is_refused(casework: Casework) -> None:
    app, w = casework, world(casework)
    resident = Actor(w["h1_head"], "resident", household_id=w["h1"])
    with pytest.raises(Forbidden):
        app.public_cases(resident)
    assert app.public_cases(AUDITOR) == []
    with pytest.raises(ValidationError) as info:
        app.public_cases(PUBLIC, case_ids="not-a-case")
    assert info.value.field == "case_ids"
    categories = {c["category"]: c for c in app.case_categories(resident)}
    assert categories["rubbish"]["work_group_zh"] == "环境卫生组"
