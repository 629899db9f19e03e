"""Stores written by older code still load, verify and answer (issue 11).

``tests/fixtures/old-stores/`` holds the four services' SQLite stores and their sealed tree
heads as commit 393a8d7 wrote them (``tests/fixtures/make_old_stores.py`` says how): the demo
district plus casework's procedures, with a case's events stored under the topics of the
classes it was then split over (``casework:CaseOutcome.Resolved`` and the like). Every stored
event must still decode, every aggregate load, ``shequ audit verify`` pass on every store, and
the applications answer as they did when the stores were written.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from assessment.application import Assessment
from casework.application import Casework
from click.testing import CliRunner
from outreach.application import Outreach
from registry.application import Registry
from shequ.actor import Actor
from shequ.audit import verify_service
from shequ.cli import main as shequ_cli
from shequ.clock import FixedClock
from shequ.errors import Conflict
from shequ.store import Store

from tests.support.oldstores import manifest, unpack, water_demand

MANIFEST = manifest()
APPS: dict[str, Any] = {
    "registry": Registry,
    "casework": Casework,
    "outreach": Outreach,
    "assessment": Assessment,
}
STAFF = Actor("fixture-staff", "district_staff")
SEED = Actor("system:seed", "system")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture (tests may write: a read model rebuilt, a command recorded)."""
    return unpack(tmp_path_factory.mktemp("old-stores"))


def store(folder: Path, name: str) -> Store:
    return Store.parse(f"sqlite:///{folder}/{name}.db")


def through_table(service: str, app: Any) -> Any:
    """The application as its callers see it: through its use-case table once it has one
    (``USE_CASES.bind``: the same calls, the same checks as RPC)."""
    try:
        table = importlib.import_module(f"{service}.usecases").USE_CASES
    except ModuleNotFoundError:
        return app
    return table.bind(app)


@pytest.fixture(scope="module")
def apps(stores: Path) -> Iterator[dict[str, Any]]:
    opened = {name: through_table(name, cls(store(stores, name))) for name, cls in APPS.items()}
    yield opened
    for app in opened.values():
        projector = getattr(app, "_projector", None)
        if projector is not None:
            projector.engine.dispose()
        app.close()


@pytest.mark.parametrize("service", list(APPS))
def test_every_stored_event_decodes_and_every_aggregate_loads(
    apps: dict[str, Any], service: str
) -> None:
    app = apps[service]
    ids: dict[Any, int] = {}
    topics: set[str] = set()
    start = 1
    while notes := app.recorder.select_notifications(start, 500):
        for note in notes:
            event = app.mapper.to_domain_event(note)
            topics.add(note.topic)
            ids[event.originator_id] = event.originator_version
        start = notes[-1].id + 1
    assert ids
    for originator_id, version in ids.items():
        assert app.repository.get(originator_id).version == version
    if service == "casework":  # the topics of the classes Case was split over
        assert "casework:CaseOutcome.Resolved" in topics
        assert "casework:Case.Received" in topics


@pytest.mark.parametrize("service", list(APPS))
def test_audit_verify_passes_on_every_old_store(stores: Path, service: str) -> None:
    report = verify_service(service, store(stores, service), stores / "treeheads")
    assert report.ok, report.message_en
    result = CliRunner().invoke(
        shequ_cli,
        [
            "audit",
            "verify",
            "--service",
            service,
            "--store",
            f"sqlite:///{stores}/{service}.db",
            "--treeheads",
            str(stores / "treeheads"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_casework_answers_as_it_did(apps: dict[str, Any]) -> None:
    app: Casework = apps["casework"]
    ids = MANIFEST["ids"]
    then = MANIFEST["answers"]
    states = {name: app.case(STAFF, ids[name])["state"] for name in then["case_states"]}
    assert states == then["case_states"]
    assert states["petition_case"] == "answered" and states["mediated_case"] == "resolved"
    for name, events in then["timeline_events"].items():
        assert [e["event"] for e in app.case_timeline(STAFF, ids[name])["events"]] == events
    petition = app.case(STAFF, ids["petition_case"])
    assert petition["outcome"] == "explained"  # the review's answer replaced the reply's
    assert [r["level"] for r in petition["reviews"]] == ["review"]
    assert app.case(STAFF, ids["mediated_case"])["mediation"]["state"] == "effective"
    assert app.case(STAFF, ids["failed_mediation_case"])["mediation"]["state"] == "failed"
    assert app.case(STAFF, ids["merged_case"])["merged_into"] == ids["reopened_case"]


def test_the_other_services_answer(apps: dict[str, Any]) -> None:
    ids = MANIFEST["ids"]
    household = apps["registry"].household(STAFF, ids["household_id"])
    assert household["village_id"] == ids["village_id"]
    periods = apps["assessment"].periods(SEED, period_kind="quarter")
    assert [p["period_start"] for p in periods if p["revision"] >= 1] == [
        MANIFEST["seeded"]["period_start"]
    ]
    opinions = apps["outreach"].opinions(STAFF, ids["community_id"])
    assert opinions and all(o["text"] for o in opinions)


def test_a_case_stored_under_the_old_topics_takes_new_events_under_the_new(
    tmp_path: Path,
) -> None:
    unpack(tmp_path, "casework.db")
    app = through_table("casework", Casework(store(tmp_path, "casework")))
    try:
        case_id = MANIFEST["ids"]["petition_case"]
        before = app.recorder.max_notification_id() or 0
        app.add_material(
            STAFF, "old-stores:material", case_id=case_id, title="复查材料", content="（示例）"
        )
        topics = [n.topic for n in app.recorder.select_notifications(before + 1, 10)]
        assert "casework:Case.MaterialAdded" in topics
        case = app.case(STAFF, case_id)
        assert [m["title"] for m in case["materials"]] == ["补偿清单", "复查材料"]
        # one stored under casework:CaseOutcome.MaterialAdded, one under casework:Case.…
        assert app.repository.get(UUID(case_id)).materials[0]["title"] == "补偿清单"
    finally:
        if app._projector is not None:
            app._projector.engine.dispose()
        app.close()


def test_casework_rebuilds_its_read_model_in_the_new_shape(tmp_path: Path) -> None:
    """``cw_procedures.case_id`` held village, household and team ids too: it is
    ``subject_id`` with a ``subject_kind`` now, and an old store's read model is rebuilt from
    the log on start (ADR 0014) with the same rows under the new names."""
    unpack(tmp_path, "casework.db")
    path = tmp_path / "casework.db"

    def rows(sql: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(path)) as db:
            return sorted(db.execute(sql).fetchall())

    before = rows("SELECT id, case_id, kind FROM cw_procedures")
    assert {kind for _, _, kind in before} == {
        "village",
        "household",
        "team",
        "mediation",
        "decision",
    }
    app = through_table("casework", Casework(store(tmp_path, "casework")))
    try:
        case_id = MANIFEST["ids"]["mediated_case"]
        timeline = app.case_timeline(STAFF, case_id)["events"]  # reads the read model
        assert [e["event"] for e in timeline if e["kind"] == "mediation"][-1] == (
            "AgreementEffective"
        )
    finally:
        if app._projector is not None:
            app._projector.engine.dispose()
        app.close()
    assert rows("SELECT id, subject_id, subject_kind FROM cw_procedures") == before
    assert (case_id, "mediation") in {(s, k) for _, s, k in before}


def test_the_affairs_report_folds_the_old_casework_log(stores: Path, tmp_path: Path) -> None:
    """``shequ report affairs`` reads the stored events themselves, old topics among them."""
    out = tmp_path / "affairs.json"
    made_on = MANIFEST["made_on"]
    args = ["report", "affairs", "--community", MANIFEST["ids"]["community_id"]]
    args += ["--period", made_on[:4], "--as-of", made_on, "-o", str(out)]
    args += ["--store", f"sqlite:///{stores}/casework.db", "--treeheads", str(stores / "treeheads")]
    result = CliRunner().invoke(shequ_cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    sections = {s["key"]: s["rows"] for s in doc["sections"]}
    title, _, _, status, resolution_on, result_on = sections["decisions"][0]
    assert (title, status) == ("村集体机动地对外发包（示例）", "已完成 completed")
    assert resolution_on == result_on == made_on
    assert len(sections["decision_steps"]) == 6
    # resolutions stored as casework:CaseOutcome.Resolved count as closed
    assert sections["case_statistics"] == [
        ["诉求 demand", 9, 5, 4, "80.00", 3, 1, 0],
        ["意见建议 suggestion", 1, 0, 0, None, 1, 0, 0],
        ["信访 petition", 2, 2, 2, "100.00", 0, 0, 0],
        ["矛盾纠纷 dispute", 2, 2, 2, "100.00", 0, 0, 0],
        ["村级重大事项 decision", 1, 0, 0, None, 1, 0, 0],
    ]


def test_casework_commands_stored_from_the_old_inline_dicts_are_still_their_own_repeats(
    tmp_path: Path,
) -> None:
    """Every casework command the fixture's main stored (``make_old_stores.procedures``, keys
    ``fixture:0`` to ``fixture:50``), sent again with its key and arguments through the typed
    commands, is recognised as a repeat: the first result, nothing written. The payloads the
    handlers fingerprint are the ones the inline dicts held. Another payload under a stored
    key is refused."""
    from casework.usecases import USE_CASES

    from tests.fixtures.make_old_stores import AGREEMENT, PARTIES, PETITION, REPLY, minutes

    unpack(tmp_path, "casework.db")
    made_on = MANIFEST["made_on"]
    raw = Casework(store(tmp_path, "casework"), clock=FixedClock(f"{made_on}T15:00:00+08:00"))
    app = USE_CASES.bind(raw)
    ids = MANIFEST["ids"]
    welfare, services, mediation = ids["members"]
    home = {n: raw.repository.get(UUID(ids[n])).household_id for n in ids if n.endswith("_case")}
    calls: list[tuple[str, dict[str, Any]]] = []

    def demand(household: str | None, **over: Any) -> None:
        calls.append(("open_case", water_demand(household, **over)))

    def on(case: str, *steps: tuple[str, dict[str, Any]]) -> None:
        calls.extend((name, {"case_id": ids[case], **args}) for name, args in steps)

    demand(home["reopened_case"])
    on(
        "reopened_case",
        ("accept_case", {}),
        (
            "assign_case",
            {"owner_id": services, "work_group": "services", "reason": "原承办人外出（示例）"},
        ),
        ("add_co_handler", {"person_id": welfare}),
        ("start_case", {}),
        ("pause_case", {"reason": "等待供水公司检测（示例）"}),
        ("resume_case", {}),
        (
            "extend_deadline",
            {"days": 5, "reason": "需更换管道（示例）", "approved_by": "fixture-lead"},
        ),
        ("resolve_case", {"evidence": ["更换管道记录（示例）"]}),
        ("answer_case", {"text": "已更换管道（示例）"}),
        ("reopen_case", {"reason": "仍有停水（示例）"}),
    )
    demand(home["merged_case"])
    on(
        "merged_case",
        ("merge_cases", {"into_case_id": ids["reopened_case"], "reason": "同一事项（示例）"}),
    )
    demand(home["refused_case"], title="咨询个人所得税（示例）")
    on(
        "refused_case",
        ("refuse_case", {"reason_code": "not_competent", "reason": "不属本级（示例）"}),
    )
    demand(home["petition_case"], case_type="petition", category="petition", petition=PETITION)
    on(
        "petition_case",
        ("accept_case", {}),
        ("recuse", {"person_id": mediation, "reason": "与信访人有亲属关系（示例）"}),
        ("assign_case", {"owner_id": services, "work_group": "services"}),
        ("add_material", {"title": "补偿清单", "content": "清单（示例）"}),
        ("start_case", {}),
        (
            "resolve_case",
            {"evidence": ["补发凭证（示例）"], "outcome": "supported", "reply": REPLY},
        ),
        ("answer_case", {"text": "已补发（示例）"}),
        ("request_review", {"level": "review", "reason": "金额有误（示例）"}),
        (
            "answer_review",
            {"outcome": "explained", "decision": "维持原答复", "basis": "核算无误（示例）"},
        ),
    )
    dispute = {"case_type": "dispute", "category": "neighbour_dispute"}
    mediation_started = (
        ("accept_case", {}),
        ("start_case", {}),
        ("start_mediation", {"initiative": "committee", "parties": PARTIES}),
    )
    demand(home["mediated_case"], **dispute)
    on(
        "mediated_case",
        *mediation_started,
        ("choose_mediator", {"person_id": mediation}),
        ("consent_to_mediation", {"party_id": "p1"}),
        ("consent_to_mediation", {"party_id": "p2"}),
        ("record_mediation_session", {"place": "村委会调解室", "summary": "第一次调解（示例）"}),
        ("draft_agreement", {"agreement": AGREEMENT}),
        *(("sign_agreement", {"signer_id": signer}) for signer in ("p1", "p2", mediation)),
        ("seal_agreement", {}),
    )
    demand(home["failed_mediation_case"], **dispute)
    on(
        "failed_mediation_case",
        *mediation_started,
        (
            "fail_mediation",
            {
                "reason": "分歧过大（示例）",
                "routes_told": ["arbitration", "administrative", "litigation"],
            },
        ),
    )
    calls.append(
        (
            "open_case",
            {
                "case_type": "decision",
                "category": "village_decision",
                "channel": "committee",
                "title": "村集体机动地对外发包（示例）",
                "village_id": ids["village_id"],
            },
        )
    )
    meetings = ("branch_meeting", "committees_meeting", "party_assembly", "representatives_meeting")
    on(
        "decision_case",
        ("start_decision", {"matter_type": "general", "one_shoulder": False}),
        *(
            ("record_decision_meeting", {"step": step, "body": body, "record": minutes(made_on)})
            for step, body in enumerate(meetings, 1)
        ),
        ("publish_decision", {"step": 5, "text": "决议：同意发包（示例）"}),
        ("publish_decision", {"step": 6, "text": "已签订承包合同（示例）"}),
    )
    try:
        top = raw.recorder.max_notification_id()
        cases = {ids[n] for n in ids if n.endswith("_case")}
        for n, (name, args) in enumerate(calls):
            answer = getattr(app, name)(STAFF, f"fixture:{n}", **args)
            if name == "open_case":  # the id the first run returned: the same command
                assert answer["case_id"] in cases, (n, name, answer)
            assert isinstance(answer, dict), (n, name)
        assert len(calls) == 51
        assert raw.recorder.max_notification_id() == top  # nothing written
        with pytest.raises(Conflict) as reused:
            app.pause_case(STAFF, "fixture:5", case_id=ids["reopened_case"], reason="另一原因")
        assert reused.value.code == "idempotency_key_reused"
    finally:
        if raw._projector is not None:
            raw._projector.engine.dispose()
        raw.close()
