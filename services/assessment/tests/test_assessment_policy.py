"""Every role against every entrypoint of the policy (SQLite, one world per module).

For each (entrypoint, role): a role the policy allows succeeds on a target in its scope and is
refused out of scope; any other role is refused before anything is looked up or written.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from assessment.application import Assessment
from assessment.usecases import USE_CASES
from assessment_testing import close_app, open_app, party_member, ratings, uid
from shequ.actor import ROLES, SYSTEM, Actor
from shequ.errors import Conflict, Forbidden
from shequ.store import Store
from test_assessment_scenario import V1, scenario_world

Call = Callable[[Actor, str], Any]
counter = itertools.count()
POLICY = USE_CASES.policy
MONTHLY = {**V1, "period_kinds": ["month", "quarter"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    app = open_app(
        Store.parse(f"sqlite:///{tmp_path_factory.mktemp('policy')}/a.db"), today="2030-01-15"
    )
    _cw, c = scenario_world(app)
    app.revise_scheme(
        SYSTEM, "policy-monthly", subject_kind="community", effective_from="2025-05-01", **MONTHLY
    )
    app.score_period(SYSTEM, "policy-score-q1", period_kind="quarter", period_start="2025-01-01")
    yield {"app": app, "A": c["立柱"], "B": c["塔桥"]}
    close_app(app)


def n() -> int:
    return next(counter)


def key(tag: str) -> str:
    return f"policy:{tag}:{n()}"


MONTHS = iter(
    [
        f"{y}-{m:02d}-01"
        for y in range(2025, 2030)
        for m in range(1, 13)
        if f"{y}-{m:02d}" >= "2025-05"
    ]
)


# A fresh year for each designation (the key counter outgrows the years a command takes).
YEARS = iter(range(2030, 2101))


def month(app: Assessment) -> str:
    """A fresh month under the monthly scheme version, ended by the world's 'today'."""
    return next(MONTHS)


def book(w: dict[str, Any], publish: bool) -> str:
    member = party_member(w["app"], f"李示{n()}")
    w["app"].register_pledges(
        SYSTEM, key("book"), member_id=member, community_id=w["A"], year=2025, pledges=["一", "二"]
    )
    if publish:
        w["app"].publish_pledges(SYSTEM, key("pub"), member_id=member, year=2025)
    return member


def build(name: str, w: dict[str, Any]) -> tuple[Call, str | None, bool]:
    """(call, target community, whether a Conflict also proves the policy let it through)."""
    app, a = w["app"], w["A"]
    if name == "define_scheme":
        return (
            (
                lambda ac, k: app.define_scheme(
                    ac, k, subject_kind="team", name="服务队", effective_from="2025-01-01", **V1
                )
            ),
            None,
            True,
        )
    if name == "revise_scheme":
        day = (dt.date(2030, 1, 1) + dt.timedelta(days=n())).isoformat()
        return (
            (
                lambda ac, k: app.revise_scheme(
                    ac, k, subject_kind="community", effective_from=day, **V1
                )
            ),
            None,
            False,
        )
    if name == "enter_score":
        start = month(app)
        return (
            (
                lambda ac, k: app.enter_score(
                    ac,
                    k,
                    period_kind="month",
                    period_start=start,
                    subject_kind="community",
                    subject_id=a,
                    item="key_tasks",
                    score=10,
                    reason="评定",
                )
            ),
            None,
            False,
        )
    if name == "score_period":
        start = month(app)
        return (
            (lambda ac, k: app.score_period(ac, k, period_kind="month", period_start=start)),
            None,
            False,
        )
    if name == "reopen_period":
        start = month(app)
        app.score_period(SYSTEM, key("score"), period_kind="month", period_start=start)
        return (
            (
                lambda ac, k: app.reopen_period(
                    ac, k, period_kind="month", period_start=start, reason="更正"
                )
            ),
            None,
            False,
        )
    if name == "grant_reward":
        return (
            (lambda ac, k: app.grant_reward(ac, k, community_id=a, amount_fen=100, reason="奖励")),
            None,
            False,
        )
    if name == "designate_exemplary":
        return (
            (
                lambda ac, k: app.designate_exemplary(
                    ac, k, community_id=a, year=next(YEARS), reason="示范"
                )
            ),
            None,
            False,
        )
    if name == "register_pledges":
        member = party_member(app, f"赵示{n()}")
        return (
            (
                lambda ac, k: app.register_pledges(
                    ac, k, member_id=member, community_id=a, year=2025, pledges=["一", "二"]
                )
            ),
            a,
            False,
        )
    if name == "publish_pledges":
        member = book(w, False)
        return (lambda ac, k: app.publish_pledges(ac, k, member_id=member, year=2025)), a, False
    if name == "record_fulfilment":
        member = book(w, True)
        return (
            (
                lambda ac, k: app.record_fulfilment(
                    ac, k, member_id=member, year=2025, index=0, evidence="已完成"
                )
            ),
            a,
            False,
        )
    if name == "appraise_member":
        member = book(w, True)
        return (
            (
                lambda ac, k: app.appraise_member(
                    ac, k, member_id=member, year=2025, **ratings(90, 90, 90, 90)
                )
            ),
            a,
            False,
        )
    queries: dict[str, tuple[Call, str | None]] = {
        "scheme": (lambda ac, k: app.scheme(ac, "community"), None),
        "scoreboard": (lambda ac, k: app.scoreboard(ac, "quarter", "2025-01-01"), None),
        "export_scores": (lambda ac, k: app.export_scores(ac, "quarter", "2025-01-01"), None),
        "indicator_sources": (
            lambda ac, k: app.indicator_sources(ac, "quarter", "2025-01-01", a, "on_time_rate"),
            a,
        ),
        "recompute_period": (lambda ac, k: app.recompute_period(ac, "quarter", "2025-01-01"), None),
        "pledges": (lambda ac, k: app.pledges(ac, 2025), None),
        "periods": (lambda ac, k: app.periods(ac, "quarter"), None),
        "rewards": (lambda ac, k: app.rewards(ac), None),
        "personal_data_reads": (lambda ac, k: app.personal_data_reads(ac), None),
    }
    call, target = queries[name]
    return call, target, False


def actor(role: str, w: dict[str, Any], community: str) -> Actor:
    return Actor(
        f"{role}-1",
        role,
        community_id=community if role == "community_staff" else None,
        household_id=uid("hh") if role == "resident" else None,
    )


CASES = [(name, role) for name in POLICY.entrypoints() for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_role_against_entrypoint(world: dict[str, Any], name: str, role: str) -> None:
    call, target, conflict_ok = build(name, world)
    scope = POLICY.rules[name].roles.get(role)
    app = world["app"]
    if scope is None:
        before = app.recorder.max_notification_id()
        with pytest.raises(Forbidden):
            call(actor(role, world, world["A"]), key("refused"))
        assert app.recorder.max_notification_id() == before
        return
    if scope == "community" and target is not None:
        with pytest.raises(Forbidden) as info:
            call(actor(role, world, world["B"]), key("outside"))
        assert info.value.code == "out_of_scope"
    try:
        assert call(actor(role, world, world["A"]), key("allowed")) is not None
    except Conflict:
        assert conflict_ok


def test_auditors_only_read() -> None:
    for name, rule in POLICY.rules.items():
        assert ("auditor" in rule.roles) <= rule.reads, name
