"""The affairs disclosure (村务公开, 村民委员会组织法 Art. 30) folded from casework's own events:
village decisions with their steps, dates and results, and case statistics by type; between
them, the government grants and subsidies, a section finance fills from its own log as of the
same cut (``finance.report:grants``, ``shequ.reports.run.PARTS``) for the villages in scope.

A pure fold (ADR 0026): stored domain events in, the document's content out; no clock, no
database, no settings. Case statistics are counted by ``shequ.casestats`` from the integration
events this service publishes (``contracts.translate``, the same code as the relay), which is
exactly what assessment counts: the two can never disagree. Everything is placed in the period
by the day it happened (received, resolved, held, published): a fact recorded after a period
but dated in it shows there — a correction (a reopening, a review) is dated when it happens,
so it shows in its own period and leaves the earlier period's rows unchanged.

Names are masked (RULES §6): a meeting's chair shows as ``张*``; absentees and signatures are
counted, never named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shequ.casestats import case_fact, count_period, open_at
from shequ.clock import local_date
from shequ.privacy import mask_name
from shequ.reports.render import column
from shequ.reports.run import Fold
from shequ.reports.scope import Scope
from shequ.topics import pin_topics

from casework.contracts import translate
from casework.domain import AGGREGATES, FORMER_TOPICS
from casework.domain.decision import BODIES, MATTERS, RESULTS, STEPS
from casework.domain.vocabulary import CASE_TYPES

pin_topics("casework", *AGGREGATES, former=FORMER_TOPICS)  # as the application pins them

# what the fold reads (a case's events under their topic, and those stored before Case was one
# class under their former one, e.g. casework:CaseOutcome.Resolved); the rest of the log
# (acceptances, assignments, answers, command records, …) is not even decoded
_CASE_EVENTS = (
    "Received",
    "Resolved",
    "Reopened",
    "Refused",
    "Merged",
    "Closed",
    "Chased",
    "Reprimanded",
)
_TOPICS = frozenset(
    [
        *(f"casework:Case.{e}" for e in _CASE_EVENTS),
        *(f"casework:{t}" for t, cls in FORMER_TOPICS.items() if cls.__name__ in _CASE_EVENTS),
        "casework:Community.Learned",
        "casework:Village.Learned",
    ]
)
_STATUS = {"open": "进行中 open", "completed": "已完成 completed", "rejected": "未通过 rejected"}


def wants(topic: str) -> bool:
    return topic in _TOPICS or topic.startswith("casework:VillageDecision.")


@dataclass
class _Decision:
    """A village decision as far as the disclosure shows it."""

    community_id: str
    village_id: str
    title: str
    matter_type: str
    began_on: str
    steps: list[dict[str, Any]] = field(default_factory=list)


STAT_COLUMNS = [
    column("case_type", "类型", "type"),
    column("opened", "新收", "opened", "int"),
    column("closed", "办结", "closed", "int"),
    column("closed_on_time", "按时办结", "closed on time", "int"),
    column("on_time_rate", "按时办结率（%）", "on-time rate (%)", "decimal"),
    column("open_at_end", "期末未结", "open at the end", "int"),
    column("chases", "催办", "chases", "int"),
    column("reprimands", "通报", "reprimands", "int"),
]
DECISION_COLUMNS = [
    column("title", "事项", "matter"),
    column("matter_type", "事项类别", "kind of matter"),
    column("began_on", "启动日期", "began on", "date"),
    column("status", "期末状态", "status at the end"),
    column("resolution_on", "决议公开日期", "resolution published", "date"),
    column("result_on", "实施结果公开日期", "result published", "date"),
]
STEP_COLUMNS = [
    column("title", "事项", "matter"),
    column("step", "步骤", "step"),
    column("body", "会议", "meeting"),
    column("date", "日期", "date", "date"),
    column("place", "地点", "place"),
    column("chair", "主持人", "chair"),
    column("expected", "应到", "expected", "int"),
    column("present", "实到", "present", "int"),
    column("yes", "赞成", "yes", "int"),
    column("no", "反对", "no", "int"),
    column("abstain", "弃权", "abstain", "int"),
    column("result", "结果或公开内容", "result or text published"),
]


def percent(rate: Decimal | None) -> str | None:
    """A rate as a percentage with two decimals, rounded half up (``"66.67"``)."""
    if rate is None:
        return None
    return str((rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class _Fold:
    def __init__(self) -> None:
        self.communities: dict[str, str] = {}  # id -> name
        self.villages: dict[str, tuple[str, str]] = {}  # id -> (community id, name)
        self.case_events: list[tuple[str, dict[str, Any]]] = []  # (contract, payload)
        self.case_village: dict[str, str | None] = {}
        self.case_type: dict[str, str] = {}
        self.decisions: dict[str, _Decision] = {}

    def add(self, event: Any) -> None:
        name = type(event).__qualname__
        kind, _, what = name.partition(".")
        if kind == "Community" and what == "Learned":
            self.communities[event.community_id] = event.name
        elif kind == "Village" and what == "Learned":
            self.villages[event.village_id] = (event.community_id, event.name)
        elif kind == "VillageDecision":
            self._decision(what, event)
        elif kind == "Case":
            routed = translate(event)
            if routed is not None:
                contract, payload = routed
                short = contract.name.partition(".")[2]
                if short == "case.opened":
                    self.case_village[payload["case_id"]] = payload["village_id"]
                    self.case_type[payload["case_id"]] = payload["case_type"]
                self.case_events.append((short, payload))

    def _decision(self, what: str, event: Any) -> None:
        key = str(event.originator_id)
        if what == "Opened":
            began = getattr(event, "opened_on", None) or local_date(event.timestamp)
            self.decisions[key] = _Decision(
                event.community_id, event.village_id, event.title, event.matter_type, began
            )
            return
        decision = self.decisions.get(key)
        if decision is None:
            return
        if what == "MeetingRecorded":
            r = event.record
            steps = [event.step, 2] if event.merged_next else [event.step]
            for step in steps:
                decision.steps.append(
                    {
                        "step": step,
                        "body": BODIES.get(event.body, event.body),
                        "date": r["date"],
                        "place": r["place"],
                        "chair": mask_name(str(r["chair"])),
                        "expected": r["expected"],
                        "present": r["present"],
                        "yes": r["yes"],
                        "no": r["no"],
                        "abstain": r["abstain"],
                        "result": RESULTS.get(r["result"], r["result"]),
                        "rejected": r["result"] == "rejected",
                    }
                )
        elif what in ("ResolutionPublished", "ResultPublished"):
            decision.steps.append(
                {
                    "step": 5 if what == "ResolutionPublished" else 6,
                    "date": event.on,
                    "text": event.text,
                }
            )


def _subject(fold: _Fold, scope: Scope) -> tuple[str, str] | None:
    """(id, name) of the community or village the scope names, by id or by name."""
    if scope.level == "village":
        table = {vid: name for vid, (_, name) in fold.villages.items()}
    else:
        table = dict(fold.communities)
    if scope.ref in table:
        return scope.ref, table[scope.ref]
    named = sorted(i for i, n in table.items() if n == scope.ref)
    return (named[0], scope.ref) if len(named) == 1 else None


def _in_scope(scope: Scope, subject_id: str, community_id: str, village_id: str | None) -> bool:
    return (village_id if scope.level == "village" else community_id) == subject_id


def _villages(fold: _Fold, scope: Scope, subject_id: str) -> list[str]:
    """The ids of the villages the report covers: the village, or the community's."""
    if scope.level == "village":
        return [subject_id]
    return sorted(v for v, (community, _) in fold.villages.items() if community == subject_id)


def _statistics(fold: _Fold, scope: Scope, subject_id: str) -> list[list[Any]]:
    start, end = scope.period.start, scope.period.end
    rows = []
    for case_type, label in CASE_TYPES.items():
        events = [
            (contract, payload)
            for contract, payload in fold.case_events
            if fold.case_type.get(payload["case_id"]) == case_type
            and _in_scope(
                scope,
                subject_id,
                payload["community_id"],
                fold.case_village.get(payload["case_id"]),
            )
        ]
        facts = [f for f in (case_fact(c, p) for c, p in events) if f is not None]
        count = count_period(facts, start, end)
        rows.append(
            [
                f"{label} {case_type}",
                len(count.opened),
                count.closed,
                count.closed_on_time,
                percent(count.on_time_rate()),
                open_at(events, end),
                len(count.chases),
                len(count.reprimands),
            ]
        )
    return rows


def _decisions(fold: _Fold, scope: Scope, subject_id: str) -> tuple[list[Any], list[Any]]:
    start, end = scope.period.start, scope.period.end
    summary, steps = [], []
    chosen = [
        d
        for d in fold.decisions.values()
        if _in_scope(scope, subject_id, d.community_id, d.village_id)
        and d.began_on <= end
        and (start <= d.began_on or any(start <= s["date"] <= end for s in d.steps))
    ]
    for d in sorted(chosen, key=lambda d: (d.began_on, d.title)):
        done = [s for s in d.steps if s["date"] <= end]
        status = (
            "rejected"
            if any(s.get("rejected") for s in done)
            else "completed"
            if any(s["step"] == 6 for s in done)
            else "open"
        )
        published = {s["step"]: s["date"] for s in done if s["step"] in (5, 6)}
        summary.append(
            [
                d.title,
                MATTERS.get(d.matter_type, d.matter_type),
                d.began_on,
                _STATUS[status],
                published.get(5),
                published.get(6),
            ]
        )
        for s in done:
            label = f"第{s['step']}步 {STEPS[s['step']]}"
            if "text" in s:
                steps.append(
                    [d.title, label, None, s["date"], None, None] + [None] * 5 + [s["text"]]
                )
                continue
            steps.append(
                [
                    d.title,
                    label,
                    s["body"],
                    s["date"],
                    s["place"],
                    s["chair"],
                    s["expected"],
                    s["present"],
                    s["yes"],
                    s["no"],
                    s["abstain"],
                    s["result"],
                ]
            )
    return summary, steps


def fold_affairs(events: Iterable[Any], scope: Scope) -> dict[str, Any] | None:
    """The affairs disclosure of a community or village for a period (pure)."""
    fold = _Fold()
    for event in events:
        fold.add(event)
    subject = _subject(fold, scope)
    if subject is None:
        return None
    subject_id, name = subject
    summary, steps = _decisions(fold, scope, subject_id)
    return {
        "title": f"{name}{scope.period.title_zh}村务公开",
        "subject": {"level": scope.level, "id": subject_id, "name": name},
        "sections": [
            {
                "key": "decisions",
                "title": "村级重大事项（四议两公开）Village decisions",
                "columns": DECISION_COLUMNS,
                "rows": summary,
            },
            {
                "key": "decision_steps",
                "title": "决策步骤、日期与结果 Steps, dates and results",
                "columns": STEP_COLUMNS,
                "rows": steps,
            },
            {
                "key": "grants",
                "title": "政府拨款、补贴与专项资金 Government grants and subsidies",
                "part": "finance",
                "villages": _villages(fold, scope, subject_id),
            },
            {
                "key": "case_statistics",
                "title": "群众诉求办理情况 Cases by type",
                "columns": STAT_COLUMNS,
                "rows": _statistics(fold, scope, subject_id),
            },
        ],
        "notes": [
            (
                "依据《村民委员会组织法》第三十条公开；事项按发生日期计入期间；人名已按规定遮蔽。"
                " / Published under Art. 30 of the Organic Law of Villagers' Committees; matters "
                "count in the period of the day they happened; names are masked."
            ),
            (
                "政府拨款、补贴与专项资金来自财务服务的日志（截至同一时点）。 / Government grants "
                "and subsidies come from finance's log, cut at the same instant."
            ),
        ],
    }


affairs = Fold(wants=wants, fold=fold_affairs)

__all__ = ["affairs", "fold_affairs", "percent"]
