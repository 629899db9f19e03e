"""An assessment scheme (考核办法), set by the district for communities or for service teams.

A scheme is versioned: each version takes effect from a date; a period is scored under the
version in force on its first day, and keeps it (RULES §5: scoring sheets total 100 points:
base items, bonus and deduction items).

An indicator: ``{"key", "name", "section" (key_work | daily | service), "weight" (points),
"source" (a metric of ``metrics.METRICS`` or "manual")}``; weights total exactly 100.
An adjustment: ``{"key", "name", "kind" (bonus | deduction), "source" ("manual" or a count
metric), "points" (per count, for counted items), "cap" (most points the item can move)}``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict

from assessment.domain.common import (
    IDS,
    PERIOD_KINDS,
    SECTIONS,
    SUBJECT_KINDS,
    dec,
    violation,
)
from assessment.domain.metrics import COUNT_METRICS, RATE_METRICS

ADJUSTMENT_KINDS = {"bonus": "加分", "deduction": "扣分"}


class ItemList(NamedTuple):
    """What one list of a scheme version holds: its items, in Chinese (``what``, and as a
    source ``source_what``), the field that sorts them into ``kinds`` (refused with the rule
    ``code``: Chinese ``zh``, the allowed values in English ``en``), the metrics they draw on."""

    name: str
    what: str
    field: str
    kinds: Collection[str]
    code: str
    zh: str
    en: str
    metrics: Collection[str]
    source_what: str


INDICATORS = ItemList(
    "indicators",
    "指标",
    "section",
    SECTIONS,
    "unknown_section",
    "指标须属于重点工作、日常管理或为民服务",
    "key_work, daily or service",
    RATE_METRICS,
    "指标",
)
ADJUSTMENTS = ItemList(
    "adjustments",
    "加扣分项",
    "kind",
    ADJUSTMENT_KINDS,
    "unknown_adjustment_kind",
    "加扣分项须为加分或扣分",
    "bonus or deduction",
    COUNT_METRICS,
    "加扣分",
)


@dataclass
class Scheme(Aggregate, created_event_name="Defined"):
    """One scheme per subject kind (community or team), with its dated versions."""

    subject_kind: str
    name: str
    first: dict[str, Any]
    actor: ActorDict
    versions: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.versions = [self.first]

    create_id = IDS.keyed_by("scheme", "subject_kind")

    @classmethod
    def define(
        cls,
        subject_kind: str,
        name: str,
        period_kinds: list[str],
        effective_from: str,
        indicators: list[dict[str, Any]],
        adjustments: list[dict[str, Any]],
        actor: ActorDict,
    ) -> Scheme:
        """Version 1 of the scheme; the indicators and adjustments are checked first."""
        if subject_kind not in SUBJECT_KINDS:
            raise violation(
                "unknown_subject_kind",
                "考核对象须为社区或服务队",
                "subject_kind must be community or team",
                "subject_kind",
            )
        version = check_version(1, effective_from, period_kinds, indicators, adjustments)
        return cls(subject_kind, name, version, actor)

    def revise(
        self,
        effective_from: str,
        period_kinds: list[str],
        indicators: list[dict[str, Any]],
        adjustments: list[dict[str, Any]],
        actor: ActorDict,
    ) -> int:
        """A new version from ``effective_from``, which must come after the last one's."""
        last = self.versions[-1]
        if effective_from <= last["effective_from"]:
            raise violation(
                "effective_not_after_previous",
                f"新版本生效日期须晚于上一版本（{last['effective_from']}）",
                f"a new version must take effect after {last['effective_from']}",
                "effective_from",
            )
        version = check_version(
            len(self.versions) + 1, effective_from, period_kinds, indicators, adjustments
        )
        self._revised(self.subject_kind, version, actor)
        return int(version["version"])

    @event("Revised")
    def _revised(self, subject_kind: str, record: dict[str, Any], actor: ActorDict) -> None:
        self.versions.append(record)

    def version_on(self, day: str) -> dict[str, Any] | None:
        """The version in force on ``day`` (None before the first takes effect)."""
        found = None
        for version in self.versions:
            if version["effective_from"] <= day:
                found = version
        return found

    def numbered(self, number: int) -> dict[str, Any]:
        return self.versions[number - 1]


def check_version(
    number: int,
    effective_from: str,
    period_kinds: list[str],
    indicators: list[dict[str, Any]],
    adjustments: list[dict[str, Any]],
) -> dict[str, Any]:
    """A clean version record, or the first rule it breaks (nothing is stored then)."""
    kinds = [k for k in period_kinds if k in PERIOD_KINDS]
    if not period_kinds or len(kinds) != len(period_kinds):
        raise violation(
            "unknown_period_kind",
            "考核周期须为月度、季度、半年或年度",
            "period_kinds must be among month, quarter, half, year",
            "period_kinds",
        )
    clean = [_indicator(i, item) for i, item in enumerate(indicators)]
    total = sum((dec(i["weight"]) for i in clean), Decimal(0))
    if total != 100:
        raise violation(
            "weights_not_100",
            f"各项指标权重之和须为100分，现为{total}分",
            f"indicator weights must total 100 points, not {total}",
            "indicators",
            total=str(total),
        )
    extra = [_adjustment(i, item) for i, item in enumerate(adjustments)]
    keys = [i["key"] for i in clean] + [a["key"] for a in extra]
    duplicate = sorted({k for k in keys if keys.count(k) > 1})
    if duplicate:
        raise violation(
            "duplicate_item",
            f"指标编码重复：{duplicate[0]}",
            f"item key used twice: {duplicate[0]}",
            "indicators",
        )
    return {
        "version": number,
        "effective_from": effective_from,
        "period_kinds": kinds,
        "indicators": clean,
        "adjustments": extra,
    }


def _indicator(i: int, item: Any) -> dict[str, Any]:
    where, key, name, source = _head(INDICATORS, i, item)
    weight = dec(item.get("weight"))
    if not 0 < weight <= 100 or weight != weight.quantize(Decimal("0.01")):
        raise violation(
            "bad_weight",
            "权重须大于0、不超过100，至多两位小数",
            f"{where}.weight must be more than 0 and at most 100 (2 decimals)",
            f"{where}.weight",
        )
    return {
        "key": key,
        "name": name,
        "section": item["section"],
        "source": source,
        "weight": str(weight),
    }


def _adjustment(i: int, item: Any) -> dict[str, Any]:
    where, key, name, source = _head(ADJUSTMENTS, i, item)
    cap = dec(item.get("cap"))
    points = dec(item.get("points", cap))
    if not 0 < cap <= 100 or not 0 < points <= cap:
        raise violation(
            "bad_cap",
            "加扣分上限须在0至100之间，每次分值不超过上限",
            f"{where}: cap must be in (0, 100] and points in (0, cap]",
            f"{where}.cap",
        )
    return {
        "key": key,
        "name": name,
        "kind": item["kind"],
        "source": source,
        "points": str(points),
        "cap": str(cap),
    }


def _head(items: ItemList, i: int, item: Any) -> tuple[str, str, str, str]:
    """Where the ``i``-th item of the list stands (``indicators[2]``), its key, its name and
    its source, once it is an object of a kind the list holds."""
    where = f"{items.name}[{i}]"
    if not isinstance(item, dict):
        raise violation("bad_item", f"{items.what}须为对象", f"{where} must be an object", where)
    key, name = _key_name(item, where)
    if item.get(items.field) not in items.kinds:
        raise violation(
            items.code,
            items.zh,
            f"{where}.{items.field} must be {items.en}",
            f"{where}.{items.field}",
        )
    return where, key, name, _source(item, where, items.metrics, items.source_what)


def _source(item: dict[str, Any], where: str, metrics: Collection[str], what: str) -> str:
    """The item's source: entered by hand (``manual``) or one of ``metrics``."""
    source = item.get("source")
    if source != "manual" and source not in metrics:
        raise violation(
            "unknown_source",
            f"未知的{what}来源：{source}",
            f"{where}.source must be manual or one of {sorted(metrics)}",
            f"{where}.source",
        )
    return str(source)


def _key_name(item: dict[str, Any], where: str) -> tuple[str, str]:
    key, name = item.get("key"), item.get("name")
    if not (isinstance(key, str) and key.isidentifier() and len(key) <= 40):
        raise violation(
            "bad_key",
            "指标编码须为字母、数字或下划线",
            f"{where}.key must be an identifier of at most 40 characters",
            f"{where}.key",
        )
    if not (isinstance(name, str) and name.strip() and len(name) <= 100):
        raise violation(
            "bad_name",
            "指标名称不能为空（至多100字）",
            f"{where}.name is required (at most 100 characters)",
            f"{where}.name",
        )
    return key, name.strip()
