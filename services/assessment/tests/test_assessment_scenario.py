"""The hand-computed scenario, asserted exactly (Decimal text), on SQLite and PostgreSQL.

Three communities (立柱 A, 塔桥 B, 下泊 C), two quarters of 2025, scheme version 1 for Q1 and
version 2 from 2025-04-01, a duplicate delivery, and a case resolved in Q1 that arrives after
Q1 was scored (RULES §5: scoring sheets of 100 points with bonus and deduction items).

Scheme v1 (quarter): key_tasks manual 30 (重点工作), on_time 25 and reopen 15 (日常管理),
satisfaction 30 (为民服务); chase -1 each (cap 5), reprimand -2 each (cap 6), honour bonus
(manual, cap 5).
  A: on time 3/4 → 25×0.75 = 18.75; reopened 1/4 → 15×0.75 = 11.25; ratings 5,4,3 → 4/5 →
     24.00; key tasks 27.50 → base 81.50; bonus 2; chases 2 → -2, reprimand 1 → -2: 79.50
  B: 25 + 15 + 30 + key tasks 24 = 94.00
  C: no key-task score → no data: the other weights (70) scale to 100:
     on time 1/3 → 25×100/70/3 = 11.90; reopen 2/3 → 15×100/70/3 = 7.14;
     rating 2 → 30×100/70×0.4 = 17.14 → base 36.18; chases 6 → -5 (cap),
     reprimands 4 → -6 (cap): 25.18
  Ranking Q1: B 1, A 2, C 3.
Scheme v2 (quarter): key_tasks manual 20, on_time 30, satisfaction 30, visit_coverage 20
(outreach has published nothing: no data for all, so ×100/80 = ×1.25); chase -2 each (cap 10),
honour bonus cap 3. The late case a5 (Q1, resolved late) counts in Q2 (next_period rule).
  A: key 18×1.25 = 22.50; on time 2/3 (a6, a7 on time, a5 late) → 37.5×2/3 = 25.00;
     rating 4 → 37.5×0.8 = 30.00 → 77.50; bonus 3; chase 1 → -2: 78.50
  B: key 20 → 25.00; on time 1/2 → 18.75; ratings 3,4 → 37.5×0.7 = 26.25: 70.00
  C: key 16 → 20.00; on time 1 → 37.50; rating 5 → 37.50: 95.00
  Ranking Q2: C 1, A 2, B 3.
"""

from __future__ import annotations

from typing import Any

import pytest
from assessment.application import Assessment
from assessment.settings import AssessmentSettings
from assessment_testing import STAFF, Feed, backfill, case, close_app, communities, noon, open_app
from shequ.store import Store

from tests.support.schemes import deduction, measure

Q1, Q2 = "2025-01-01", "2025-04-01"

# What the schemes below measure: key -> (name, section, source); a version weighs some.
MEASURES = {
    "key_tasks": ("重点工作完成情况", "key_work", "manual"),
    "on_time": ("按时办结率", "daily", "on_time_rate"),
    "reopen": ("重新办理率", "daily", "reopen_rate"),
    "satisfaction": ("群众满意度", "service", "satisfaction"),
    "visits": ("走访覆盖率", "service", "visit_coverage"),
}


def honour(cap: int) -> dict[str, Any]:
    """The committee's bonus for an honour from above (entered by hand), at most ``cap``."""
    return {"key": "honour", "name": "获上级表彰", "kind": "bonus", "source": "manual", "cap": cap}


def version(weights: dict[str, int], *adjustments: dict[str, Any]) -> dict[str, Any]:
    """A quarterly scheme version weighing ``MEASURES`` by ``weights``, with ``adjustments``."""
    indicators = [measure(k, *MEASURES[k][:2], w, MEASURES[k][2]) for k, w in weights.items()]
    return {
        "indicators": indicators,
        "adjustments": list(adjustments),
        "period_kinds": ["quarter"],
    }


V1 = version(
    {"key_tasks": 30, "on_time": 25, "reopen": 15, "satisfaction": 30},
    deduction("chase", "催办", "chases", 1, 5),
    deduction("reprimand", "通报", "reprimands", 2, 6),
    honour(5),
)
V2 = version(
    {"key_tasks": 20, "on_time": 30, "satisfaction": 30, "visits": 20},
    deduction("chase", "催办", "chases", 2, 10),
    honour(3),
)


def schemes(app: Assessment) -> None:
    app.define_scheme(
        STAFF,
        "scheme-community-v1",
        subject_kind="community",
        name="社区工作考核办法",
        effective_from=Q1,
        **V1,
    )
    app.revise_scheme(
        STAFF, "scheme-community-v2", subject_kind="community", effective_from=Q2, **V2
    )


def resolve(
    cw: Feed, case_id: str, community: str, day: str, on_time: bool, rating: int | None = None
) -> None:
    case(
        cw,
        "case.opened",
        case_id,
        community,
        opened_on=day,
        case_type="demand",
        category="道路",
        channel="visit",
        due_on=day,
    )
    case(
        cw,
        "case.resolved",
        case_id,
        community,
        resolved_on=day,
        due_on=day,
        case_type="demand",
        on_time=on_time,
    )
    if rating is not None:
        cw.send(
            "case.rated",
            {
                "case_id": case_id,
                "community_id": community,
                "team_id": None,
                "rating": rating,
                "rated_on": day,
            },
            occurred_at=noon(day),
        )


def q1_facts(cw: Feed, c: dict[str, str]) -> None:
    a, b, cc = c["立柱"], c["塔桥"], c["下泊"]
    resolve(cw, "a1", a, "2025-01-10", True, 5)
    resolve(cw, "a2", a, "2025-02-10", True, 4)
    resolve(cw, "a3", a, "2025-02-11", False, 3)
    assert cw.redeliver() == "duplicate"  # the same rating delivered again counts once
    resolve(cw, "a4", a, "2025-03-01", True)
    case(cw, "case.reopened", "a3", a, reopened_on="2025-02-20")
    for day in ("2025-02-01", "2025-02-05"):
        case(cw, "case.chased", "a3", a, chased_on=day, due_on="2025-01-31", owner_id=None)
    case(
        cw,
        "case.reprimanded",
        "a3",
        a,
        reprimanded_on="2025-02-08",
        due_on="2025-01-31",
        owner_id=None,
    )
    resolve(cw, "b1", b, "2025-01-15", True, 5)
    resolve(cw, "b2", b, "2025-03-15", True, 5)
    resolve(cw, "c1", cc, "2025-01-05", False, 2)
    resolve(cw, "c2", cc, "2025-02-05", False)
    resolve(cw, "c3", cc, "2025-03-05", True)
    for case_id in ("c1", "c2"):
        case(cw, "case.reopened", case_id, cc, reopened_on="2025-03-10")
    for i in range(6):
        case(
            cw,
            "case.chased",
            f"c{i % 2 + 1}",
            cc,
            chased_on=f"2025-03-{10 + i}",
            due_on="2025-03-01",
            owner_id=None,
        )
    for i in range(4):
        case(
            cw,
            "case.reprimanded",
            "c1",
            cc,
            reprimanded_on=f"2025-03-{20 + i}",
            due_on="2025-03-01",
            owner_id=None,
        )


def q2_facts(cw: Feed, c: dict[str, str]) -> None:
    a, b, cc = c["立柱"], c["塔桥"], c["下泊"]
    resolve(cw, "a6", a, "2025-04-10", True, 4)
    resolve(cw, "a7", a, "2025-05-10", True)
    case(cw, "case.chased", "a7", a, chased_on="2025-05-01", due_on="2025-04-30", owner_id=None)
    resolve(cw, "b3", b, "2025-04-12", False, 3)
    resolve(cw, "b4", b, "2025-06-12", True, 4)
    resolve(cw, "c4", cc, "2025-05-05", True, 5)


def score(
    app: Assessment,
    start: str,
    c: dict[str, str],
    entries: dict[str, dict[str, Any]],
    key: str = "",
) -> dict[str, Any]:
    for name, items in entries.items():
        for item, points in items.items():
            app.enter_score(
                STAFF,
                f"score-{start}-{name}-{item}{key}",
                period_kind="quarter",
                period_start=start,
                subject_kind="community",
                subject_id=c[name],
                item=item,
                score=points,
                reason=f"{name}{item}评定",
            )
    return app.score_period(
        STAFF, f"score-period-{start}{key}", period_kind="quarter", period_start=start
    )


def totals(result: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(r["name"], r["total"], r["rank"]) for r in result["results"]["community"]]


def scenario_world(app: Assessment) -> tuple[Feed, dict[str, str]]:
    _, c = communities(app, ["立柱", "塔桥", "下泊"])
    schemes(app)
    cw = Feed(app, "casework")
    q1_facts(cw, c)
    return cw, c


def test_hand_computed_scores_two_periods_scheme_change_and_late_event(app: Assessment) -> None:
    """RULES §5 (scores total 100, bonus and deduction items); late event: next_period."""
    cw, c = scenario_world(app)
    q1 = score(app, Q1, c, {"立柱": {"key_tasks": "27.5", "honour": 2}, "塔桥": {"key_tasks": 24}})
    assert totals(q1) == [("塔桥", "94.00", 1), ("立柱", "79.50", 2), ("下泊", "25.18", 3)]
    board = app.scoreboard(STAFF, "quarter", Q1)
    assert board["versions"] == {"community": 1}
    a_row = next(r for r in board["rows"] if r["name"] == "立柱")
    assert (a_row["base"], a_row["bonus"], a_row["deduction"]) == ("81.50", "2.00", "4.00")
    assert a_row["sections"] == {"key_work": "27.50", "daily": "30.00", "service": "24.00"}
    c_row = next(r for r in board["rows"] if r["name"] == "下泊")
    assert [(i["key"], i["points"], i["no_data"]) for i in c_row["items"]] == [
        ("key_tasks", "0.00", True),
        ("on_time", "11.90", False),
        ("reopen", "7.14", False),
        ("satisfaction", "17.14", False),
    ]

    # a5: resolved late in Q1, delivered after Q1 closed: counted in Q2, said so on the fact.
    resolve(cw, "a5", c["立柱"], "2025-03-20", False)
    late = app.indicator_sources(STAFF, "quarter", Q2, c["立柱"], "on_time_rate")["facts"]
    assert [(f["key"], f["late"]["late"], f["late"]["moved"].get("quarter")) for f in late] == [
        ("a5", ["quarter:2025-01-01"], Q2)
    ]
    q2_facts(cw, c)
    q2 = score(
        app,
        Q2,
        c,
        {
            "立柱": {"key_tasks": 18, "honour": 3},
            "塔桥": {"key_tasks": 20},
            "下泊": {"key_tasks": 16},
        },
    )
    assert totals(q2) == [("下泊", "95.00", 1), ("立柱", "78.50", 2), ("塔桥", "70.00", 3)]
    assert app.scoreboard(STAFF, "quarter", Q2)["versions"] == {"community": 2}
    # Q1 kept what it published; both periods recompute from the log to the same results.
    assert totals(
        {"results": {"community": app.scoreboard(STAFF, "quarter", Q1)["rows"]}}
    ) == totals(q1)
    for start in (Q1, Q2):
        check = app.recompute_period(STAFF, "quarter", start)
        assert check["matches"] and check["differences"] == []


def test_late_event_reopens_the_period_when_so_set(store: Store) -> None:
    """Late-event rule ``reopen``: the period reopens (published), is scored again (revision
    2) under the version it was first scored under, and recomputes to the new results."""
    app = open_app(store, AssessmentSettings(late_events="reopen"))
    try:
        cw, c = scenario_world(app)
        entries = {"立柱": {"key_tasks": "27.5", "honour": 2}, "塔桥": {"key_tasks": 24}}
        score(app, Q1, c, entries)
        resolve(cw, "a5", c["立柱"], "2025-03-20", False)
        board = app.scoreboard(STAFF, "quarter", Q1)
        assert (board["status"], board["revision"]) == ("reopened", 1)
        listed = {p["period_start"]: p for p in app.periods(STAFF, "quarter")}
        # a5's opened and resolved facts are pending until Q1 is scored again
        assert (listed[Q1]["status"], listed[Q1]["pending"]) == ("reopened", 2)
        again = app.score_period(
            STAFF, "score-period-q1-again", period_kind="quarter", period_start=Q1
        )
        # A: on time 3/5 → 25×0.6 = 15.00 instead of 18.75; 5 resolved, 1 reopened → 15×0.8
        # = 12.00 → base 27.5 + 15 + 12 + 24 = 78.50; +2 -4 = 76.50
        assert totals(again) == [("塔桥", "94.00", 1), ("立柱", "76.50", 2), ("下泊", "25.18", 3)]
        assert again["revision"] == 2
        assert app.periods(STAFF, "quarter")[-1]["pending"] == 0
        assert app.scoreboard(STAFF, "quarter", Q1)["versions"] == {"community": 1}
        assert app.recompute_period(STAFF, "quarter", Q1)["matches"]
        reopened = [
            e
            for e in app.recorder.select_notifications(0, 10000)
            if e.topic == "assessment:Period.Reopened"
        ]
        assert len(reopened) == 1
    finally:
        close_app(app)


@pytest.mark.parametrize("rule", ["next_period", "reopen"])
def test_a_duplicate_delivery_changes_nothing(store: Store, rule: str) -> None:
    """Exactly once: a redelivered envelope is a duplicate and writes nothing."""
    app = open_app(store, AssessmentSettings(late_events=rule))
    try:
        cw, _c = scenario_world(app)
        top = app.recorder.max_notification_id()
        assert [cw.redeliver(i) for i in (0, 5, -1)] == ["duplicate"] * 3
        assert app.recorder.max_notification_id() == top
    finally:
        close_app(app)


def test_a_fact_for_an_ended_period_fences_a_concurrent_scoring(app: Assessment) -> None:
    """No fact slips in unseen: a fact dated in an ended period writes to that period, so if
    the period is scored between the handler's read and its commit, the commit is refused
    (optimistic concurrency) and the inbox's retry finds the period closed (late rule)."""
    from assessment.reactions import CaseworkReactions
    from eventsourcing.application import ProcessingEvent
    from eventsourcing.persistence import IntegrityError, Tracking
    from shequ.inbox import Unit

    cw, c = scenario_world(app)
    env = cw.envelope(
        "case.resolved",
        {
            "case_id": "a9",
            "community_id": c["立柱"],
            "team_id": None,
            "case_type": "demand",
            "resolved_on": "2025-03-30",
            "on_time": True,
        },
    )
    unit = Unit(app)
    unit.add(CaseworkReactions(app)(env, unit))  # read while Q1 is open: counts in Q1 ...
    app.score_period(STAFF, "score-period-race", period_kind="quarter", period_start=Q1)
    with pytest.raises(IntegrityError):  # ... but Q1 closed meanwhile: refused
        tracking = Tracking(application_name="casework", notification_id=env["position"])
        saving = ProcessingEvent(tracking)
        saving.collect_events(*unit.aggregates())
        app.save_processed(saving)
    assert cw.inbox.process(env) == "applied"  # the retry applies the late-event rule
    trace = app.indicator_sources(STAFF, "quarter", Q2, c["立柱"], "on_time_rate")
    assert [f["key"] for f in trace["facts"]] == ["a9"]
    assert app.recompute_period(STAFF, "quarter", Q1)["matches"]


def test_facts_of_running_periods_touch_no_period(app: Assessment) -> None:
    """Only ended periods can be scored, so only facts dated in them write to them."""
    cw, c = scenario_world(app)  # today is 2025-07-15
    before = {
        n.originator_id
        for n in app.recorder.select_notifications(0, 100000)
        if n.topic.startswith("assessment:Period.")
    }
    case(
        cw,
        "case.resolved",
        "r1",
        c["立柱"],
        resolved_on="2025-07-10",
        on_time=True,
        case_type="demand",
        due_on=None,
    )
    after = {
        n.originator_id
        for n in app.recorder.select_notifications(0, 100000)
        if n.topic.startswith("assessment:Period.")
    }
    assert after == before
    case(
        cw,
        "case.resolved",
        "r2",
        c["立柱"],
        resolved_on="2025-06-10",
        on_time=True,
        case_type="demand",
        due_on=None,
    )
    touched = [
        n
        for n in app.recorder.select_notifications(0, 100000)
        if n.topic == "assessment:Period.ArrivalAfterEnd"
    ]
    kinds = sorted(app.repository.get(n.originator_id).kind for n in touched[-3:])
    assert kinds == ["half", "month", "quarter"]  # June, Q2 and H1 have ended; 2025 has not


def test_periods_written_by_many_back_dated_facts_are_snapshotted(app: Assessment) -> None:
    """A backfill writes one event per fact to the ended periods; the inbox snapshots them so
    loading a period does not replay them all, and the state read back is the same."""
    pid = backfill(app)
    snaps = list(app.snapshots.get(pid))  # type: ignore[union-attr]
    assert [s.originator_version for s in snaps] == [100]
    assert app.repository.get(pid).version == 131  # Opened + 130 arrivals
    assert app.repository.get(pid).arrivals_after_end == 130
