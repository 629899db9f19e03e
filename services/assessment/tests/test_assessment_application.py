"""The assessment application, narrated, against SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from assessment.application import Assessment
from assessment.contracts import catalogue, translate
from assessment_testing import STAFF, TODAY, Feed, communities, party_member, ratings, uid
from openpyxl import load_workbook
from shequ.actor import Actor
from shequ.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationError
from test_assessment_scenario import Q1, V1, scenario_world, schemes

from tests.support.readme import readme_sections
from tests.support.schemes import measure

RESIDENT = Actor("r-1", "resident", household_id=uid("hh"))
AUDITOR = Actor("a-1", "auditor")


def unchanged(app: Assessment, fn: Any, *args: Any, **kwargs: Any) -> Exception:
    """Call ``fn``, expect a ShequError, and check that nothing was stored."""
    before = app.recorder.max_notification_id()
    with pytest.raises((ValidationError, RuleViolation, NotFound, Forbidden, Conflict)) as info:
        fn(*args, **kwargs)
    assert app.recorder.max_notification_id() == before
    return info.value


def scheme_refused(app: Assessment, key: str, **change: Any) -> Exception:
    """``define_scheme`` of a community scheme (V1's indicators, from Q1) with ``change`` applied:
    refused, nothing stored."""
    fields = {
        "subject_kind": "community",
        "name": "办法",
        "effective_from": Q1,
        "indicators": V1["indicators"],
        **change,
    }
    return unchanged(app, app.define_scheme, STAFF, key, **fields)


def test_bad_scheme_input_changes_nothing(app: Assessment) -> None:
    """RULES §5: weights not totalling 100 are refused, naming the field and the rule."""
    communities(app, ["立柱"])
    bad = [{**V1["indicators"][0], "weight": 31}, *V1["indicators"][1:]]
    err = scheme_refused(app, "scheme-bad-1", indicators=bad)
    assert (err.code, err.field, err.details["total"]) == (
        "rule.weights_not_100",  # type: ignore[attr-defined]
        "indicators",
        "101",
    )
    assert "100" in err.message_zh and "100" in err.message_en  # type: ignore[attr-defined]
    err = scheme_refused(app, "scheme-bad-2", subject_kind="village")
    assert err.field == "subject_kind"  # type: ignore[attr-defined]
    err = scheme_refused(app, "scheme-bad-3", effective_from="2025-13-01")
    assert err.field == "effective_from"  # type: ignore[attr-defined]
    err = scheme_refused(app, "scheme-bad-4", indicators=[])
    assert err.field == "indicators"  # type: ignore[attr-defined]
    schemes(app)
    err = unchanged(
        app,
        app.revise_scheme,
        STAFF,
        "scheme-bad-5",
        subject_kind="community",
        effective_from="2025-03-01",
        indicators=V1["indicators"],
    )
    assert err.code == "rule.effective_not_after_previous"  # type: ignore[attr-defined]
    err = scheme_refused(app, "scheme-bad-6")
    assert err.code == "already_exists"  # type: ignore[attr-defined]


def test_bad_scores_and_periods_change_nothing(app: Assessment) -> None:
    """A committee score outside its range, or for an unknown item, subject or period, is
    refused and stores nothing; periods are scored only once they have ended."""
    _, c = communities(app, ["立柱"])
    a = c["立柱"]
    base = {
        "period_kind": "quarter",
        "period_start": Q1,
        "subject_kind": "community",
        "subject_id": a,
        "item": "key_tasks",
        "reason": "评定",
    }
    err = unchanged(app, app.enter_score, STAFF, "bad-score-0", **base, score=10)
    assert err.code == "rule.no_scheme"  # type: ignore[attr-defined]
    schemes(app)
    for key, change, field, code in [
        ("bad-score-1", {"score": "30.01"}, "score", "rule.score_out_of_range"),
        ("bad-score-2", {"score": -1}, "score", "rule.score_out_of_range"),
        ("bad-score-3", {"score": "很好"}, "score", "invalid"),
        ("bad-score-4", {"score": 5, "item": "on_time"}, "item", "rule.not_a_manual_item"),
        ("bad-score-5", {"score": 5, "period_start": "2025-02-01"}, "period_start", "invalid"),
        ("bad-score-6", {"score": 5, "subject_id": uid("nowhere")}, "subject_id", "not_found"),
        ("bad-score-7", {"score": 5, "reason": " "}, "reason", "invalid"),
    ]:
        err = unchanged(app, app.enter_score, STAFF, key, **{**base, **change})
        assert (err.field, err.code) == (field, code), key  # type: ignore[attr-defined]
    err = unchanged(
        app,
        app.score_period,
        STAFF,
        "bad-period-1",
        period_kind="quarter",
        period_start="2025-07-01",
    )
    assert err.code == "rule.period_not_over"  # type: ignore[attr-defined]
    err = unchanged(
        app, app.score_period, STAFF, "bad-period-2", period_kind="month", period_start="2025-01-01"
    )
    assert err.code == "rule.no_scheme"  # type: ignore[attr-defined]
    err = unchanged(
        app,
        app.reopen_period,
        STAFF,
        "bad-period-3",
        period_kind="quarter",
        period_start=Q1,
        reason="更正",
    )
    assert err.code == "not_found"  # type: ignore[attr-defined]


def test_repeat_key_writes_nothing_and_other_payload_is_refused(app: Assessment) -> None:
    communities(app, ["立柱"])
    schemes(app)
    top = app.recorder.max_notification_id()
    schemes(app)
    assert app.recorder.max_notification_id() == top
    err = unchanged(
        app,
        app.define_scheme,
        STAFF,
        "scheme-community-v1",
        subject_kind="team",
        name="服务队考核",
        effective_from=Q1,
        **V1,
    )
    assert err.code == "idempotency_key_reused"  # type: ignore[attr-defined]


def test_a_command_recorded_before_the_typed_commands_is_still_its_own_repeat(
    app: Assessment,
) -> None:
    """Idempotency payloads are what the inline checks held before the move to typed commands
    (issue 11): a retry whose record was written from the old dict (scheme items as given,
    default period kinds filled in, dates defaulted to today, ratings as text) answers with
    the first result; any other payload under the key is refused."""
    _, c = communities(app, ["立柱"])
    member = party_member(app, "李旧")
    branch = Actor("branch-1", "community_staff", community_id=c["立柱"])
    book = {"member_id": member, "community_id": c["立柱"], "year": 2025}
    items = {"indicators": V1["indicators"]}
    ratings = {"self_rating": 90, "peer_rating": 80, "branch_rating": 85, "public_rating": 70}
    sent = [
        (
            "define_scheme",
            STAFF,
            {"subject_kind": "community", "name": "办法", "effective_from": Q1, **V1},
            {"subject_kind": "community", "name": "办法", "effective_from": Q1, **V1},
        ),
        (
            "revise_scheme",
            STAFF,
            {"subject_kind": "community", "effective_from": "2025-04-01", **items},
            {
                "subject_kind": "community",
                "effective_from": "2025-04-01",
                **items,
                "adjustments": [],
                "period_kinds": ["quarter", "year"],
            },
        ),
        (
            "designate_exemplary",
            STAFF,
            {"community_id": c["立柱"], "year": 2025, "reason": ""},
            {"community_id": c["立柱"], "year": 2025, "reason": "示范社区", "designated_on": TODAY},
        ),
        ("register_pledges", branch, {**book, "pledges": ["一", "二"]}, None),
        (
            "publish_pledges",
            branch,
            {"member_id": member, "year": 2025},
            {"member_id": member, "year": 2025, "published_on": TODAY},
        ),
        (
            "appraise_member",
            branch,
            {"member_id": member, "year": 2025, **ratings},
            {
                "member_id": member,
                "year": 2025,
                "ratings": {"self": "90", "peer": "80", "branch": "85", "public": "70"},
                "on": TODAY,
            },
        ),
    ]
    for name, actor, fields, old in sent:
        key = f"before-{name}"
        first = getattr(app, name)(actor, key, **fields)
        if old is None:
            continue

        def never() -> Any:
            raise AssertionError("a repeat must not decide again")

        assert app.execute(name, key, actor, old, never) == first, name
        with pytest.raises(Conflict) as refused:
            app.execute(name, key, actor, {**old, "year": 1999}, never)
        assert refused.value.code == "idempotency_key_reused"


def test_committee_scores_closed_periods_and_reopening(app: Assessment) -> None:
    """Each manual score has a reason and an actor; a closed period takes none until it is
    reopened by hand, and is then scored again as revision 2."""
    _cw, c = scenario_world(app)
    q1 = {"period_kind": "quarter", "period_start": Q1}
    key_tasks = {**q1, "subject_kind": "community", "subject_id": c["立柱"], "item": "key_tasks"}
    app.enter_score(STAFF, "key-s-0001", **key_tasks, score=20, reason="重点任务完成三分之二")
    app.score_period(STAFF, "key-p-0001", **q1)
    board = app.scoreboard(STAFF, "quarter", Q1)
    assert board["committee_scores"] == [
        {
            "subject_id": c["立柱"],
            "item": "key_tasks",
            "score": "20.00",
            "reason": "重点任务完成三分之二",
            "actor_id": "committee-1",
        }
    ]
    assert "committee_scores" not in app.scoreboard(RESIDENT, "quarter", Q1)
    err = unchanged(app, app.enter_score, STAFF, "key-s-0002", **key_tasks, score=25, reason="更正")
    assert err.code == "rule.period_closed"  # type: ignore[attr-defined]
    err = unchanged(app, app.score_period, STAFF, "key-p-0002", **q1)
    assert err.code == "rule.period_closed"  # type: ignore[attr-defined]
    app.reopen_period(STAFF, "key-r-0001", **q1, reason="更正评分")
    app.enter_score(STAFF, "key-s-0003", **key_tasks, score=25, reason="更正")
    again = app.score_period(STAFF, "key-p-0003", **q1)
    assert again["revision"] == 2
    assert app.recompute_period(AUDITOR, "quarter", Q1)["matches"]


def test_outputs_read_back(app: Assessment) -> None:
    """Scoreboard with an SVG chart; CSV and XLSX with Chinese headings, read back."""
    _cw, _c = scenario_world(app)
    app.score_period(STAFF, "key-p-0001", period_kind="quarter", period_start=Q1)
    board = app.scoreboard(RESIDENT, "quarter", Q1)
    assert board["chart_svg"].startswith("<svg") and "考核得分" in board["chart_svg"]
    assert "塔桥" in board["chart_svg"]
    out = app.export_scores(STAFF, "quarter", Q1, format="csv")
    rows = list(
        csv.reader(io.StringIO(base64.b64decode(out["content_base64"]).decode("utf-8-sig")))
    )
    assert rows[0][:9] == [
        "排名",
        "名称",
        "总分",
        "基础分",
        "重点工作",
        "日常管理",
        "为民服务",
        "加分",
        "扣分",
    ]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (str(x["rank"]), x["name"], x["total"]) for x in board["rows"]
    ]
    assert rows[0][9] == "重点工作完成情况（30分）" and rows[0][-1] == "无数据指标"
    out = app.export_scores(AUDITOR, "quarter", Q1, format="xlsx")
    assert out["filename"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(base64.b64decode(out["content_base64"]))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "2025-01-01 季度社区考核得分" and values[1][:3] == [
        "排名",
        "名称",
        "总分",
    ]
    # points are numbers in the spreadsheet, not text (issue 13)
    assert all(isinstance(v[2], int | float) for v in values[2:])
    assert [(v[1], Decimal(str(v[2])).quantize(Decimal("0.01"))) for v in values[2:]] == [
        (x["name"], Decimal(x["total"])) for x in board["rows"]
    ]
    err = unchanged(app, app.export_scores, STAFF, "quarter", Q1, format="pdf")
    assert err.field == "format"  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        app.scoreboard(STAFF, "quarter", "2025-04-01")


def test_every_value_traces_to_its_events_and_missing_sources_say_so(app: Assessment) -> None:
    """Automatic indicators name the upstream events they came from; an indicator whose source
    service has published nothing has no data, and says so."""
    _cw, c = scenario_world(app)
    trace = app.indicator_sources(STAFF, "quarter", Q1, c["立柱"], "on_time_rate")
    assert [f["key"] for f in trace["facts"]] == ["a1", "a2", "a3", "a4"]
    assert all(f["source"].startswith("casework:") for f in trace["facts"])
    chases = app.indicator_sources(STAFF, "quarter", Q1, c["立柱"], "chases")
    assert [f["key"] for f in chases["facts"]] == ["a3:2025-02-01", "a3:2025-02-05"]
    nothing = app.indicator_sources(STAFF, "quarter", Q1, c["立柱"], "visit_coverage")
    assert nothing["no_data"] and nothing["source_service"] == "outreach"
    app.score_period(STAFF, "key-p-0001", period_kind="quarter", period_start=Q1)
    assert app.scoreboard(STAFF, "quarter", Q1)["facts_by_source"] == {
        "casework": 40,
        "outreach": 0,
    }
    staff_b = Actor("s-b", "community_staff", community_id=c["塔桥"])
    with pytest.raises(Forbidden):
        app.indicator_sources(staff_b, "quarter", Q1, c["立柱"], "on_time_rate")


def test_outreach_facts_and_team_schemes(app: Assessment) -> None:
    """Outreach's events feed visit coverage and publicity; teams are scored on their own
    scheme from the cases that name them."""
    reg, c = communities(app, ["立柱"])
    team = uid("team:立柱")
    reg.send(
        "team.formed",
        {
            "team_id": team,
            "community_id": c["立柱"],
            "name": "立柱社区服务队",
            "groups": ["mediation"],
        },
    )
    for key, subject_kind, name, indicators in (
        (
            "scheme-c",
            "community",
            "社区考核",
            [
                measure("visits", "走访覆盖率", "service", 60, "visit_coverage"),
                measure("aware", "知晓率", "key_work", 40, "awareness"),
            ],
        ),
        (
            "scheme-t",
            "team",
            "服务队考核",
            [measure("on_time", "按时办结率", "daily", 100, "on_time_rate")],
        ),
    ):
        app.define_scheme(
            STAFF,
            key,
            subject_kind=subject_kind,
            name=name,
            effective_from=Q1,
            period_kinds=["quarter"],
            indicators=indicators,
        )
    out = Feed(app, "outreach")
    out.send(
        "round.closed",
        {
            "round_id": "r1",
            "community_id": c["立柱"],
            "period_start": "2025-01-01",
            "period_end": "2025-02-28",
            "households_total": 50,
            "households_visited": 45,
        },
    )
    out.send(
        "survey.results_published",
        {
            "campaign_id": "s1",
            "community_id": c["立柱"],
            "village_id": uid("v1"),
            "topic": "政策",
            "period_end": "2025-03-01",
            "respondents": 20,
            "awareness": 0.85,
            "support": 0.9,
            "participation": 0.6,
        },
    )
    cw = Feed(app, "casework")
    for case_id, on_time in (("t1", True), ("t2", False)):
        cw.send(
            "case.resolved",
            {
                "case_id": case_id,
                "community_id": c["立柱"],
                "team_id": team,
                "case_type": "demand",
                "resolved_on": "2025-02-02",
                "due_on": None,
                "on_time": on_time,
            },
        )
    result = app.score_period(STAFF, "key-p-0001", period_kind="quarter", period_start=Q1)
    # community: 60×0.9 = 54 + 40×0.85 = 34 → 88; team: 100×0.5 = 50
    assert [(r["name"], r["total"]) for r in result["results"]["community"]] == [("立柱", "88.00")]
    assert [(r["name"], r["total"]) for r in result["results"]["team"]] == [
        ("立柱社区服务队", "50.00")
    ]
    assert app.recompute_period(STAFF, "quarter", Q1)["matches"]


def test_pledges_registered_published_fulfilled_appraised_and_masked(app: Assessment) -> None:
    """RULES §5 pledges: 2-5, registered by the branch, published, carried out, appraised;
    RULES §6: the public board shows the member's name masked."""
    _, c = communities(app, ["立柱", "塔桥"])
    branch = Actor("branch-1", "community_staff", community_id=c["立柱"])
    member = party_member(app, "王建国")
    base = {"member_id": member, "community_id": c["立柱"], "year": 2025}
    for n in (1, 6):
        err = unchanged(
            app,
            app.register_pledges,
            branch,
            f"pledge-bad-{n}",
            **base,
            pledges=[f"承诺{i}" for i in range(n)],
        )
        assert (err.code, err.field) == ("rule.pledge_count", "pledges")  # type: ignore[attr-defined]
    err = unchanged(app, app.register_pledges, branch, "pledge-bad-3", **base, pledges=["承诺", ""])
    assert err.field == "pledges[1]"  # type: ignore[attr-defined]
    other = Actor("branch-2", "community_staff", community_id=c["塔桥"])
    err = unchanged(app, app.register_pledges, other, "pledge-bad-4", **base, pledges=["一", "二"])
    assert err.code == "out_of_scope"  # type: ignore[attr-defined]
    app.register_pledges(branch, "pledge-1", **base, pledges=["每月走访联系户", "帮扶两户增收"])
    assert app.pledges(RESIDENT, 2025) == []  # not public yet
    app.publish_pledges(branch, "pledge-2", member_id=member, year=2025, published_on="2025-02-01")
    app.record_fulfilment(
        branch,
        "pledge-3",
        member_id=member,
        year=2025,
        index=1,
        evidence="帮扶两户种植马铃薯",
        on="2025-10-01",
    )
    book = {"member_id": member, "year": 2025}
    err = unchanged(
        app, app.appraise_member, branch, "pledge-bad-5", **book, **ratings(101, 80, 80, 80)
    )
    assert err.field == "self_rating"  # type: ignore[attr-defined]
    result = app.appraise_member(
        branch, "pledge-4", **book, **ratings(80, 70, 75, 72), on="2025-12-30"
    )
    # 80×0.2 + 70×0.3 + 75×0.3 + 72×0.2 = 16 + 21 + 22.5 + 14.4 = 73.90 → 基本合格
    assert (result["score"], result["grade"], result["grade_zh"]) == (
        "73.90",
        "basically_qualified",
        "基本合格",
    )
    public = app.pledges(RESIDENT, 2025)
    assert public[0]["member_name"] == "王**" and public[0]["grade"] == "basically_qualified"
    assert public[0]["pledges"][1]["evidence"] == [
        {"evidence": "帮扶两户种植马铃薯", "on": "2025-10-01"}
    ]
    assert app.pledges(branch, 2025, c["立柱"])[0]["member_name"] == "王建国"
    assert app.pledges(AUDITOR, 2025)[0]["member_name"] == "王**"


def test_rewards_and_exemplary_communities(app: Assessment) -> None:
    """Rewards in integer fen (RULES §2: money is exact); one exemplary designation per
    community and year."""
    _, c = communities(app, ["立柱"])
    reward = app.grant_reward(
        STAFF,
        "reward-1",
        community_id=c["立柱"],
        amount_fen=2_000_000,
        reason="2025年度考核第一名",
        granted_on="2026-01-20",
    )
    grant = {"community_id": c["立柱"], "reason": "奖励"}
    err = unchanged(app, app.grant_reward, STAFF, "reward-bad-1", **grant, amount_fen=12.5)
    assert err.field == "amount_fen"  # type: ignore[attr-defined]
    unknown = {**grant, "community_id": uid("x")}
    err = unchanged(app, app.grant_reward, STAFF, "reward-bad-2", **unknown, amount_fen=100)
    assert err.code == "not_found"  # type: ignore[attr-defined]
    lizhu_2025 = {"community_id": c["立柱"], "year": 2025}
    app.designate_exemplary(
        STAFF, "exemplar-1", **lizhu_2025, reason="为民服务成效突出", designated_on="2026-01-20"
    )
    again = {**lizhu_2025, "reason": "再次命名"}
    err = unchanged(app, app.designate_exemplary, STAFF, "exemplar-2", **again)
    assert err.code == "already_exists"  # type: ignore[attr-defined]
    listed = app.rewards(RESIDENT, 2026)
    assert [(r["id"], r["amount_fen"]) for r in listed["rewards"]] == [
        (reward["reward_id"], 2_000_000)
    ]
    assert [e["year"] for e in app.rewards(RESIDENT, 2025)["exemplary"]] == [2025]


def test_upstream_breaking_its_contract_is_dead_lettered_and_writes_nothing(
    app: Assessment,
) -> None:
    """A casework event without the fields we rely on goes to the dead letters; the inbox
    records its position and goes on; no fact is written."""
    _, c = communities(app, ["立柱"])
    cw = Feed(app, "casework")
    assert cw.send("case.resolved", {"case_id": "x", "community_id": c["立柱"]}) == "dead_lettered"
    assert cw.send("case.assigned", {"case_id": "x"}) == "ignored"
    assert len(cw.dead.sent) == 1
    assert app.indicator_sources(STAFF, "quarter", Q1, c["立柱"], "on_time_rate")["no_data"]


def test_published_events_follow_the_contracts(app: Assessment) -> None:
    """Every stored event that is published validates against its contract."""
    _cw, c = scenario_world(app)
    app.score_period(STAFF, "key-p-0001", period_kind="quarter", period_start=Q1)
    app.grant_reward(STAFF, "reward-1", community_id=c["立柱"], amount_fen=100, reason="奖励")
    app.designate_exemplary(STAFF, "exemplar-1", community_id=c["立柱"], year=2025, reason="示范")
    app.reopen_period(STAFF, "reopen-q1-1", period_kind="quarter", period_start=Q1, reason="更正")
    member = party_member(app, "王建国")
    app.register_pledges(
        STAFF, "pledge-1", member_id=member, community_id=c["立柱"], year=2025, pledges=["一", "二"]
    )
    app.publish_pledges(STAFF, "pledge-2", member_id=member, year=2025)
    app.record_fulfilment(STAFF, "pledge-3", member_id=member, year=2025, index=0, evidence="证")
    app.appraise_member(STAFF, "pledge-4", member_id=member, year=2025, **ratings(90, 90, 90, 90))
    names = set()
    for note in app.recorder.select_notifications(0, 100000):
        out = translate(app.mapper.to_domain_event(note))
        if out is not None:
            out[0].validate(out[1])
            names.add(out[0].name)
    assert {
        "assessment.scheme.defined",
        "assessment.scheme.revised",
        "assessment.period.scored",
        "assessment.ranking.published",
        "assessment.reward.granted",
    } <= names
    assert {c.name for c in catalogue} == names  # every contract is exercised here


def test_the_readmes_pledge_examples_run_as_written(app: Assessment) -> None:
    """The README's ``register_pledges``, ``publish_pledges`` and ``pledges`` commands, as
    written, against the ids they name: the member is a party member the registry announced,
    and the board shows the registry's name for them, masked for the public."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    sections = readme_sections(readme, "RPC methods")
    args = {
        name: json.loads(
            re.findall(rf"^shequ call assessment {name} '([^'\n]*)'", sections[name], re.MULTILINE)[
                0
            ]
        )
        for name in ("register_pledges", "publish_pledges", "pledges")
    }
    feed = Feed(app, "registry")
    feed.send(
        "community.established",
        {
            "community_id": args["register_pledges"]["community_id"],
            "name": "立柱",
            "name_en": "Lizhu",
            "district_id": uid("district"),
        },
    )
    feed.send(
        "person.registered",
        {
            "person_id": args["register_pledges"]["member_id"],
            "name": "王建国",
            "gender": "male",
            "phone": "13800000001",
            "village_id": None,
            "kinds": ["resident", "party_member"],
            "sample": True,
        },
    )
    assert app.register_pledges(STAFF, **args["register_pledges"])["pledges"] == 2
    app.publish_pledges(STAFF, **args["publish_pledges"])
    board = app.pledges(RESIDENT, **args["pledges"])
    assert [(b["member_id"], b["member_name"]) for b in board] == [
        (args["register_pledges"]["member_id"], "王**")
    ]
