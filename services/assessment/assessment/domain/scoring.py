"""The scoring engine: one scheme version, the metrics and the committee's scores → points.

Pure and exact (Decimal). For each subject:
* an automatic indicator scores ``weight × fraction``: a rate is its own fraction, the reopen
  rate scores ``1 - rate``, satisfaction scores ``mean rating / 5``;
* a manual indicator scores what the district committee entered (0 to its weight);
  under ``rescale`` it is scaled up like the rest;
* an indicator with no data (its source service has published nothing for the subject, or no
  score was entered) says so (``no_data``) and, by the ``no_data`` setting, either scores 0
  (``zero``) or drops out, the others' weights scaled up to 100 (``rescale``);
* each item's points are rounded half up to 0.01; the base is their sum;
* a counted deduction is ``points × count`` up to its cap; a manual bonus or deduction is what
  was entered (0 to its cap);
* total = base + bonus - deduction. Ranking: by total, highest first; equal totals share a rank.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessment.domain.common import SECTIONS, cents, dec, text
from assessment.domain.metrics import METRICS
from assessment.domain.tally import SCALE

NO_DATA_RULES = ("rescale", "zero")
HUNDRED = Decimal(100)


def fraction(metric: str, value: Decimal) -> Decimal:
    scoring = METRICS[metric].scoring
    if scoring == "satisfaction":
        return value / SCALE
    if scoring == "inverse_rate":
        return max(Decimal(0), 1 - value)
    return value


def score_subject(
    version: dict[str, Any],
    metrics: dict[str, Decimal | None],
    manual: dict[str, str],
    no_data: str = "rescale",
) -> dict[str, Any]:
    """Points of one subject under one scheme version (see the module docstring)."""
    values: dict[str, Decimal | None] = {}
    for item in version["indicators"]:
        if item["source"] == "manual":
            values[item["key"]] = dec(manual[item["key"]]) if item["key"] in manual else None
        else:
            raw = metrics.get(item["source"])
            values[item["key"]] = None if raw is None else fraction(item["source"], raw)
    with_data = sum(
        (dec(i["weight"]) for i in version["indicators"] if values[i["key"]] is not None),
        Decimal(0),
    )
    factor = HUNDRED / with_data if no_data == "rescale" and with_data else Decimal(1)
    items, sections = [], {s: Decimal(0) for s in SECTIONS}
    for item in version["indicators"]:
        value = values[item["key"]]
        points = _points(item, value, factor)
        sections[item["section"]] += points
        raw = metrics.get(item["source"]) if item["source"] != "manual" else value
        items.append(
            {
                "key": item["key"],
                "name": item["name"],
                "section": item["section"],
                "source": item["source"],
                "weight": item["weight"],
                "value": None if raw is None else str(raw.quantize(Decimal("0.0001"))),
                "points": text(points),
                "no_data": value is None,
            }
        )
    base = sum(sections.values(), Decimal(0))
    adjustments, bonus, deduction = _adjustments(version, metrics, manual)
    return {
        "base": text(base),
        "bonus": text(bonus),
        "deduction": text(deduction),
        "total": text(base + bonus - deduction),
        "sections": {k: text(v) for k, v in sections.items()},
        "items": items,
        "adjustments": adjustments,
    }


def _points(item: dict[str, Any], value: Decimal | None, factor: Decimal) -> Decimal:
    if value is None:
        return Decimal(0)
    if item["source"] == "manual":
        return cents(value * factor)  # entered in points (0..weight), scaled like the rest
    return cents(dec(item["weight"]) * factor * value)


def _adjustments(
    version: dict[str, Any], metrics: dict[str, Decimal | None], manual: dict[str, str]
) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    out, bonus, deduction = [], Decimal(0), Decimal(0)
    for adj in version["adjustments"]:
        cap = dec(adj["cap"])
        if adj["source"] == "manual":
            count = None
            points = cents(dec(manual.get(adj["key"], "0")))
        else:
            count = int(metrics.get(adj["source"]) or 0)
            points = min(cap, cents(dec(adj["points"]) * count))
        if adj["kind"] == "bonus":
            bonus += points
        else:
            deduction += points
        out.append(
            {
                "key": adj["key"],
                "name": adj["name"],
                "kind": adj["kind"],
                "count": count,
                "points": text(points),
            }
        )
    return out, bonus, deduction


def rank(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered by total (highest first, then by name), each with its competition rank
    (1, 2, 2, 4): equal totals share a rank."""
    ordered = sorted(results, key=lambda r: (-dec(r["total"]), r.get("name", ""), r["subject_id"]))
    out, previous, position = [], None, 0
    for i, row in enumerate(ordered, start=1):
        if row["total"] != previous:
            position, previous = i, row["total"]
        out.append({**row, "rank": position})
    return out


def check_manual_score(version: dict[str, Any], item_key: str, score: Decimal) -> None:
    """A committee score must name a manual item of the version and stay within its range."""
    from assessment.domain.common import violation

    for item in version["indicators"]:
        if item["key"] == item_key and item["source"] == "manual":
            high = dec(item["weight"])
            break
    else:
        for adj in version["adjustments"]:
            if adj["key"] == item_key and adj["source"] == "manual":
                high = dec(adj["cap"])
                break
        else:
            raise violation(
                "not_a_manual_item",
                f"考核办法中没有可手工评分的指标：{item_key}",
                f"the scheme has no manually scored item {item_key!r}",
                "item",
            )
    if not Decimal(0) <= score <= high or score != cents(score):
        raise violation(
            "score_out_of_range",
            f"得分须在0至{high}分之间（至多两位小数）",
            f"score must be from 0 to {high} (2 decimals)",
            "score",
            low="0",
            high=str(high),
        )
