"""The assessment domain without I/O: schemes, the tally, the engine, periods, pledges."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from assessment.domain import Exemplar, Period, PledgeBook, Reward, Scheme
from assessment.domain.common import next_start, period_end, period_start
from assessment.domain.metrics import METRICS
from assessment.domain.pledge import grade_for
from assessment.domain.scoring import check_manual_score, rank, score_subject
from assessment.domain.tally import FACT_KINDS, Tally, fold
from assessment.results import fact_kinds
from assessment.settings import AssessmentSettings
from shequ.errors import RuleViolation

ACTOR = {"person_id": "committee-1", "role": "district_staff"}


def ind(key: str, weight: Any, source: str = "manual", section: str = "daily") -> dict[str, Any]:
    return {"key": key, "name": key, "section": section, "weight": weight, "source": source}


def rule(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    return info.value.code


def define(
    indicators: list[dict[str, Any]],
    adjustments: list[dict[str, Any]] | None = None,
    kinds: list[str] | None = None,
) -> Scheme:
    return Scheme.define(
        "community",
        "办法",
        kinds or ["quarter"],
        "2025-01-01",
        indicators,
        adjustments or [],
        ACTOR,
    )


class TestSchemes:
    def test_weights_must_total_100(self) -> None:
        """RULES §5: scoring sheets total 100 points."""
        assert rule(define, [ind("a", 60), ind("b", 30)]) == "rule.weights_not_100"
        assert rule(define, [ind("a", "60.5"), ind("b", "39.49")]) == "rule.weights_not_100"
        scheme = define([ind("a", "60.5"), ind("b", "39.50")])
        assert scheme.numbered(1)["indicators"][0]["weight"] == "60.5"

    def test_items_are_checked(self) -> None:
        assert rule(define, [ind("a", 100, section="other")]) == "rule.unknown_section"
        assert rule(define, [ind("a", 100, source="weather")]) == "rule.unknown_source"
        assert rule(define, [ind("a", 100, source="chases")]) == "rule.unknown_source"
        assert rule(define, [ind("a", 50), ind("a", 50)]) == "rule.duplicate_item"
        assert rule(define, [ind("a b", 100)]) == "rule.bad_key"
        assert rule(define, [ind("a", 0), ind("b", 100)]) == "rule.bad_weight"
        assert rule(define, [ind("a", 100)], kinds=["week"]) == "rule.unknown_period_kind"
        bad_cap = {"key": "x", "name": "x", "kind": "bonus", "source": "manual", "cap": 0}
        assert rule(define, [ind("a", 100)], [bad_cap]) == "rule.bad_cap"
        bad_kind = {**bad_cap, "cap": 5, "kind": "gift"}
        assert rule(define, [ind("a", 100)], [bad_kind]) == "rule.unknown_adjustment_kind"
        over = {
            "key": "x",
            "name": "x",
            "kind": "deduction",
            "source": "chases",
            "points": 6,
            "cap": 5,
        }
        assert rule(define, [ind("a", 100)], [over]) == "rule.bad_cap"

    def test_versions_take_effect_in_order_and_periods_find_theirs(self) -> None:
        scheme = define([ind("a", 100)])
        assert (
            rule(scheme.revise, "2025-01-01", ["quarter"], [ind("a", 100)], [], ACTOR)
            == "rule.effective_not_after_previous"
        )
        assert scheme.revise("2025-04-01", ["quarter"], [ind("b", 100)], [], ACTOR) == 2
        assert scheme.version_on("2024-12-31") is None
        assert scheme.version_on("2025-03-31")["version"] == 1  # type: ignore[index]
        assert scheme.version_on("2025-04-01")["version"] == 2  # type: ignore[index]


class TestCalendar:
    @pytest.mark.parametrize(
        ("kind", "on", "start", "end", "after"),
        [
            ("month", "2025-02-14", "2025-02-01", "2025-02-28", "2025-03-01"),
            ("quarter", "2025-05-31", "2025-04-01", "2025-06-30", "2025-07-01"),
            ("half", "2025-12-31", "2025-07-01", "2025-12-31", "2026-01-01"),
            ("year", "2024-02-29", "2024-01-01", "2024-12-31", "2025-01-01"),
        ],
    )
    def test_periods(self, kind: str, on: str, start: str, end: str, after: str) -> None:
        assert period_start(kind, on) == start
        assert period_end(kind, start) == end
        assert next_start(kind, start) == after


def facts(*items: tuple[str, str, dict[str, Any]]) -> Tally:
    return fold([("c1", None, kind, key, values) for kind, key, values in items])["c1"]


class TestTally:
    def test_counts_cases_not_deliveries(self) -> None:
        tally = facts(
            ("case.opened", "k1", {}),
            ("case.opened", "k1", {}),
            ("case.resolved", "k1", {"on_time": False}),
            ("case.resolved", "k1", {"on_time": True}),
            ("case.resolved", "k2", {"on_time": False}),
            ("case.rated", "k1", {"rating": 2}),
            ("case.rated", "k1", {"rating": 4}),
        )
        m = tally.metrics()
        assert m["on_time_rate"] == Decimal("0.5")  # k1's last outcome counts, once
        assert m["resolution_rate"] == 1  # 2 resolved of 1 opened here: at most 1
        assert m["satisfaction"] == 4

    def test_no_data_is_none_and_counts_are_zero(self) -> None:
        m = Tally().metrics()
        assert m["on_time_rate"] is None and m["visit_coverage"] is None
        assert m["awareness"] is None and m["chases"] == 0

    def test_outreach_metrics(self) -> None:
        tally = facts(
            ("round.closed", "r1", {"households_total": 40, "households_visited": 30}),
            ("round.closed", "r2", {"households_total": 10, "households_visited": 10}),
            ("party_contact.logged", "p1", {}),
            ("party_contact.logged", "p2", {}),
            ("party_contact.logged", "p3", {}),
            ("party_contact.overdue", "o1", {}),
            ("card.issued", "c:1", {}),
            ("card.issued", "c:2", {}),
            ("card.distributed", "c:1", {}),
            (
                "survey.results_published",
                "s:v1",
                {"respondents": 30, "awareness": 0.9, "support": 0.8, "participation": 0.5},
            ),
            (
                "survey.results_published",
                "s:v2",
                {"respondents": 10, "awareness": 0.5, "support": 0.4, "participation": 0.1},
            ),
        )
        m = tally.metrics()
        assert m["visit_coverage"] == Decimal("0.8")
        assert m["contact_compliance"] == Decimal("0.75")
        assert m["card_distribution"] == Decimal("0.5")
        assert (m["awareness"], m["support"], m["participation"]) == (
            Decimal("0.8"),
            Decimal("0.7"),
            Decimal("0.4"),
        )

    @pytest.mark.parametrize(
        ("metric", "seen"),
        [
            pytest.param(
                "disclosure_timeliness",
                (
                    ("disclosure.published", "v1:2026Q1", {"late": False}),
                    ("disclosure.published", "v1:2026Q1", {"late": False}),  # delivered twice
                    ("disclosure.overdue", "v2:2026Q1", {}),
                    ("disclosure.published", "v2:2026Q1", {"late": True}),  # then published late
                    ("disclosure.published", "v3:2026Q1", {"late": True}),
                    ("disclosure.published", "v4:2026Q1", {"late": False}),
                ),
                id="disclosures-each-village-period-once",
            ),
            pytest.param(
                "objection_timeliness",
                (
                    ("objection.answered", "o1", {"on_time": True}),
                    ("objection.answered", "o1", {"on_time": True}),  # delivered twice
                    ("objection.overdue", "o2", {}),
                    ("objection.answered", "o2", {"on_time": False}),  # then answered late
                    ("objection.overdue", "o3", {}),  # still unanswered
                    ("objection.answered", "o4", {"on_time": True}),
                ),
                id="objections-each-once",
            ),
        ],
    )
    def test_D34_timeliness_counts_each_disclosure_or_objection_once(
        self, metric: str, seen: tuple[tuple[str, str, dict[str, Any]], ...]
    ) -> None:
        assert facts(*seen).metrics()[metric] == Decimal("0.5")
        assert facts(("case.opened", "k1", {})).metrics()[metric] is None

    def test_voucher_return_rate_counts_each_voucher_once_in_any_order(self) -> None:
        """Vouchers returned at least once / vouchers posted or returned: a voucher returned
        twice, delivered twice or posted after its return counts once."""
        seen = [
            ("voucher.returned", "v1", {}),
            ("voucher.returned", "v1", {}),  # returned again
            ("voucher.posted", "v1", {"returns": 2}),
            ("voucher.posted", "v2", {"returns": 0}),
            ("voucher.posted", "v2", {"returns": 0}),  # delivered twice
            ("voucher.posted", "v3", {"returns": 1}),  # its return fell in an earlier period
            ("voucher.posted", "v4", {"returns": 0}),
        ]
        assert facts(*seen).metrics()["voucher_return_rate"] == Decimal("0.5")
        assert facts(*reversed(seen)).metrics()["voucher_return_rate"] == Decimal("0.5")
        assert facts(("case.opened", "k1", {})).metrics()["voucher_return_rate"] is None

    def test_every_indicator_is_traced_to_the_facts_it_is_computed_from(self) -> None:
        """``indicator_sources`` lists, for each automatic indicator, facts of its own kinds:
        finance's indicators their finance facts (not the survey results)."""
        for metric in METRICS:
            assert set(fact_kinds(metric)) <= FACT_KINDS, metric
        assert fact_kinds("voucher_return_rate") == ["voucher.returned", "voucher.posted"]
        assert fact_kinds("disclosure_timeliness") == ["disclosure.published", "disclosure.overdue"]
        assert fact_kinds("objection_timeliness") == ["objection.answered", "objection.overdue"]

    def test_a_team_fact_counts_for_its_community_and_its_team(self) -> None:
        tallies = fold(
            [("c1", "t1", "case.chased", "k:1", {}), ("c1", None, "case.chased", "k:2", {})]
        )
        assert (tallies["c1"].metrics()["chases"], tallies["t1"].metrics()["chases"]) == (2, 1)


VERSION = {
    "indicators": [
        {"key": "m", "name": "m", "section": "key_work", "weight": "40", "source": "manual"},
        {"key": "t", "name": "t", "section": "daily", "weight": "30", "source": "on_time_rate"},
        {"key": "s", "name": "s", "section": "service", "weight": "30", "source": "satisfaction"},
    ],
    "adjustments": [
        {
            "key": "c",
            "name": "c",
            "kind": "deduction",
            "source": "chases",
            "points": "1.5",
            "cap": "4",
        },
        {"key": "b", "name": "b", "kind": "bonus", "source": "manual", "points": "3", "cap": "3"},
    ],
}


class TestEngine:
    def test_points_and_caps(self) -> None:
        out = score_subject(
            VERSION,
            {"on_time_rate": Decimal(2) / 3, "satisfaction": Decimal("4.5"), "chases": Decimal(3)},
            {"m": "35.5", "b": "1"},
        )
        # 35.50 + 30×2/3 = 20.00 + 30×0.9 = 27.00 → 82.50; +1; chases 3×1.5 = 4.5 → cap 4
        assert (out["base"], out["bonus"], out["deduction"], out["total"]) == (
            "82.50",
            "1.00",
            "4.00",
            "79.50",
        )
        assert out["sections"] == {"key_work": "35.50", "daily": "20.00", "service": "27.00"}

    def test_no_data_rescales_or_scores_zero_by_setting(self) -> None:
        metrics = {"on_time_rate": Decimal("0.5"), "satisfaction": None, "chases": Decimal(0)}
        rescaled = score_subject(VERSION, metrics, {"m": "40"}, "rescale")
        # with data: m 40 + t 30 = 70 → ×100/70: 40×10/7 = 57.14, 30×10/7×0.5 = 21.43
        assert rescaled["total"] == "78.57"
        assert [i["no_data"] for i in rescaled["items"]] == [False, False, True]
        assert score_subject(VERSION, metrics, {"m": "40"}, "zero")["total"] == "55.00"
        nothing = score_subject(VERSION, {}, {}, "rescale")
        assert nothing["total"] == "0.00" and all(i["no_data"] for i in nothing["items"])

    def test_equal_totals_share_a_rank(self) -> None:
        rows = [
            {"subject_id": s, "name": n, "total": t}
            for s, n, t in (
                ("1", "甲", "80.00"),
                ("2", "乙", "90.00"),
                ("3", "丙", "80.00"),
                ("4", "丁", "70.50"),
            )
        ]
        assert [(r["name"], r["rank"]) for r in rank(rows)] == [
            ("乙", 1),
            ("丙", 2),
            ("甲", 2),
            ("丁", 4),
        ]

    def test_committee_scores_stay_in_range(self) -> None:
        """A score outside its item's range is refused, naming the field."""
        check_manual_score(VERSION, "m", Decimal(40))
        assert rule(check_manual_score, VERSION, "m", Decimal("40.01")) == "rule.score_out_of_range"
        assert rule(check_manual_score, VERSION, "m", Decimal(-1)) == "rule.score_out_of_range"
        assert rule(check_manual_score, VERSION, "b", Decimal("3.5")) == "rule.score_out_of_range"
        assert rule(check_manual_score, VERSION, "m", Decimal("1.005")) == "rule.score_out_of_range"
        assert rule(check_manual_score, VERSION, "t", Decimal(1)) == "rule.not_a_manual_item"


class TestPeriod:
    def test_closed_periods_take_no_scores_until_reopened(self) -> None:
        period = Period.open("quarter", "2025-01-01", ACTOR)
        assert period.end == "2025-03-31"
        period.enter_score("community", "c1", "m", "30.00", "完成", ACTOR)
        assert rule(period.reopen, "更正", None, ACTOR) == "rule.period_not_closed"
        period.publish(
            7,
            {"community": 1},
            {
                "community": [
                    {
                        "subject_id": "c1",
                        "total": "30.00",
                        "base": "30.00",
                        "bonus": "0.00",
                        "deduction": "0.00",
                        "rank": 1,
                    }
                ]
            },
            0,
            ACTOR,
        )
        assert period.closed and period.revision == 1 and period.as_of == 7
        assert (
            rule(period.enter_score, "community", "c1", "m", "31", "改", ACTOR)
            == "rule.period_closed"
        )
        assert rule(period.publish, 8, {}, {}, 0, ACTOR) == "rule.period_closed"
        period.reopen("更正", None, ACTOR)
        period.enter_score("community", "c1", "m", "31.00", "改", ACTOR)
        assert period.manual_scores("c1") == {"m": "31.00"}
        names = [type(e).__qualname__ for e in period.collect_events()]
        assert names == [
            "Period.Opened",
            "Period.ScoreEntered",
            "Period.Scored",
            "Period.SubjectScored",
            "Period.RankingPublished",
            "Period.Reopened",
            "Period.ScoreEntered",
        ]


class TestPledges:
    def register(self, n: int) -> PledgeBook:
        return PledgeBook.register(
            "m1", "王示例", "c1", 2025, [f"承诺{i}" for i in range(n)], 2, 5, ACTOR
        )

    @pytest.mark.parametrize("n", [0, 1, 6])
    def test_two_to_five_pledges(self, n: int) -> None:
        """RULES §5: 2-5 pledges per member per year."""
        assert rule(self.register, n) == "rule.pledge_count"

    def test_published_then_fulfilled_then_appraised_once(self) -> None:
        """RULES §5: registered, published, carried out, appraised by self, peers, branch and
        public into 优秀 / 合格 / 基本合格 / 不合格."""
        book = self.register(2)
        settings = AssessmentSettings()
        ratings = {"self": "95", "peer": "90", "branch": "92", "public": "88"}
        weights, thresholds = settings.appraisal_weights, settings.grade_thresholds
        appraise = partial(book.appraise, ratings, weights, thresholds, "2025-12-31", ACTOR)
        assert rule(book.fulfil, 0, "证明", "2025-06-01", ACTOR) == "rule.pledges_not_published"
        assert rule(appraise) == "rule.pledges_not_published"
        book.publish("2025-02-01", ACTOR)
        assert rule(book.publish, "2025-02-02", ACTOR) == "rule.already_published"
        assert rule(book.fulfil, 2, "证明", "2025-06-01", ACTOR) == "rule.unknown_pledge"
        book.fulfil(0, "走访记录", "2025-06-01", ACTOR)
        # 95×0.2 + 90×0.3 + 92×0.3 + 88×0.2 = 19 + 27 + 27.6 + 17.6 = 91.20 → 优秀
        assert appraise() == {"score": "91.20", "grade": "excellent", "grade_zh": "优秀"}
        assert rule(appraise) == "rule.already_appraised"

    @pytest.mark.parametrize(
        ("score", "grade"),
        [
            ("90", "excellent"),
            ("89.99", "qualified"),
            ("75", "qualified"),
            ("60", "basically_qualified"),
            ("59.99", "unqualified"),
        ],
    )
    def test_grades(self, score: str, grade: str) -> None:
        assert grade_for(Decimal(score), AssessmentSettings().grade_thresholds) == grade


def test_rewards_and_exemplars_are_plain_records() -> None:
    from uuid import uuid4

    reward = Reward(
        id=uuid4(),
        community_id="c1",
        amount_fen=2_000_000,
        reason="第一名",  # type: ignore[call-arg]
        period_id=None,
        granted_on="2026-01-20",
        actor=ACTOR,
    )
    assert reward.amount_fen == 2_000_000
    assert (
        Exemplar.create_id("c1", 2025)
        == Exemplar.create_id("c1", 2025)
        != Exemplar.create_id("c1", 2026)
    )


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        AssessmentSettings(late_events="ignore")
    with pytest.raises(ValueError):
        AssessmentSettings(
            appraisal_weights={"self": "0.5", "peer": "0.5", "branch": "0.5", "public": "0"}
        )
