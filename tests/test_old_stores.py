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
import tarfile
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
from shequ.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "old-stores"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
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
    folder = tmp_path_factory.mktemp("old-stores")
    with tarfile.open(FIXTURE / "stores.tar.xz", "r:xz") as tar:
        tar.extractall(folder, filter="data")
    return folder


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
    with tarfile.open(FIXTURE / "stores.tar.xz", "r:xz") as tar:
        tar.extract("casework.db", tmp_path, filter="data")
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
    with tarfile.open(FIXTURE / "stores.tar.xz", "r:xz") as tar:
        tar.extract("casework.db", tmp_path, filter="data")
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
