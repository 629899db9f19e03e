"""The assessment disclosure folded from assessment's own events: the results published for a
period (its last scoring recorded by the cut), ranked, and where each indicator of the
community came from (ADR 0026).

A pure fold: stored domain events in, the document's content out; no clock, no database. The
results are the ones the period recorded when it was scored (``Period.Scored``), so a
scoring recorded after the cut is not shown, and a later rescoring (revision 2, …) shows only
in reports cut after it. Scores are decimal text in ``decimal`` columns (numbers in XLSX).
Subjects are communities and their service teams: no person is named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shequ.reports.render import column
from shequ.reports.run import Fold
from shequ.reports.scope import Scope
from shequ.topics import pin_topics

from assessment.domain import AGGREGATES
from assessment.domain.common import SUBJECT_KINDS
from assessment.domain.metrics import METRICS

pin_topics("assessment", *AGGREGATES)  # the stored topics, as the application pins them

_TOPICS = ("assessment:Period.", "assessment:Subject.Registered")
_SERVICES = {"casework": "案件办理 casework", "outreach": "走访联系 outreach"}


def wants(topic: str) -> bool:
    return topic.startswith(_TOPICS)


def _kind(label: str) -> str:
    return "quarter" if "Q" in label else "month" if "-" in label else "year"


RANK_COLUMNS = [
    column("rank", "排名", "rank", "int"),
    column("name", "名称", "name"),
    column("kind", "类别", "kind"),
    column("total", "总分", "total", "decimal"),
    column("base", "基础分", "base", "decimal"),
    column("bonus", "加分", "bonus", "decimal"),
    column("deduction", "扣分", "deduction", "decimal"),
]
ITEM_COLUMNS = [
    column("subject", "对象", "subject"),
    column("item", "指标", "indicator"),
    column("source", "来源", "source"),
    column("metric", "计算口径", "measure"),
    column("weight", "分值", "weight", "decimal"),
    column("value", "指标值", "value", "decimal"),
    column("points", "得分", "points", "decimal"),
    column("no_data", "无数据", "no data"),
]


def _source(item: dict[str, Any]) -> tuple[str, str]:
    """Where an indicator comes from (the committee, or an upstream service) and how it is
    measured: an automatic indicator's ``source`` names its metric (``on_time_rate``)."""
    metric = METRICS.get(str(item.get("source")))
    if metric is None:
        return "考核组评分 committee", "考核组评分 committee's score"
    return _SERVICES.get(metric.source, metric.source), f"{metric.name_zh} {item['source']}"


def _rows(
    results: dict[str, list[dict[str, Any]]],
    names: dict[tuple[str, str], tuple[str, str]],
    subject_id: str,
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every subject's rank and totals; the subject's (and its teams') indicators."""
    ranks: list[list[Any]] = []
    items: list[list[Any]] = []
    for kind in sorted(results):
        for row in sorted(results[kind], key=lambda r: (r["rank"], r["subject_id"])):
            name = names.get((kind, row["subject_id"]), (row.get("name", ""), ""))[0]
            ranks.append(
                [
                    row["rank"],
                    name,
                    f"{SUBJECT_KINDS.get(kind, kind)} {kind}",
                    row["total"],
                    row["base"],
                    row["bonus"],
                    row["deduction"],
                ]
            )
            community = names.get((kind, row["subject_id"]), ("", ""))[1]
            if row["subject_id"] != subject_id and community != subject_id:
                continue
            for item in row["items"]:
                items.append(
                    [
                        name,
                        item["name"],
                        *_source(item),
                        str(item["weight"]),
                        item["value"],
                        item["points"],
                        "是 yes" if item["no_data"] else "",
                    ]
                )
    return ranks, items


def fold_assessment(events: Iterable[Any], scope: Scope) -> dict[str, Any] | None:
    """The published results of the scope's period, for a community and its teams (pure)."""
    names: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, id) -> (name, community)
    periods: dict[str, tuple[str, str]] = {}  # aggregate -> (kind, start)
    scored: dict[str, Any] = {}  # aggregate -> its last Scored event
    for event in events:
        what = type(event).__qualname__
        if what == "Subject.Registered":
            names[(event.subject_kind, event.subject_id)] = (event.name, event.community_id)
        elif what == "Period.Opened":
            periods[str(event.originator_id)] = (event.kind, event.start)
        elif what == "Period.Scored":
            scored[str(event.originator_id)] = event
    if scope.level != "community":
        return None  # assessment scores communities and their teams, not villages
    communities = {i: n for (k, i), (n, _) in names.items() if k == "community"}
    subject_id = scope.ref if scope.ref in communities else None
    if subject_id is None:
        named = sorted(i for i, n in communities.items() if n == scope.ref)
        subject_id = named[0] if len(named) == 1 else None
    if subject_id is None:
        return None
    wanted = (_kind(scope.period.label), scope.period.start)
    result = next(
        (scored[a] for a, p in sorted(periods.items()) if p == wanted and a in scored), None
    )
    revision = 0 if result is None else result.revision
    ranks, items = ([], []) if result is None else _rows(result.results, names, subject_id)
    community_name = communities[subject_id]
    return {
        "title": f"{community_name}{scope.period.title_zh}考核结果公开",
        "subject": {"level": "community", "id": subject_id, "name": community_name},
        "sections": [
            {
                "key": "ranking",
                "title": f"考核结果与排名（第 {revision} 次评分）Results and ranks",
                "columns": RANK_COLUMNS,
                "rows": ranks,
            },
            {
                "key": "indicators",
                "title": "各项指标及其来源 Indicators and their sources",
                "columns": ITEM_COLUMNS,
                "rows": items,
            },
        ],
        "notes": [
            "案件类指标按 shequ.casestats 计数，与村务公开的案件统计同一口径。"
            " / Case indicators are counted by shequ.casestats, as in the affairs disclosure."
            if result is not None
            else "该期间截至此时尚未公布考核结果。 / No results were published for the period "
            "by the cut."
        ],
    }


assessment = Fold(wants=wants, fold=fold_assessment)

__all__ = ["assessment", "fold_assessment"]
