"""The collective's annual plan (财务计划, F7), its distribution of the year's income (收益分配,
F8) and its 一事一议 projects (筹资筹劳, F9): each approved by a village decision casework
published (cited like a voucher's, F29), each once per village and year (the plan and the
distribution) or per project.

Amounts are fen; a distribution's allocations add up exactly to the income it distributes
(§1.4); a 一事一议 project raises at most the province's cap per person and year, in money and
in labour days, over all the village's projects of the year (国办发〔2007〕4号, caps a setting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from finance.domain.common import IDS, ActorDict, refuse, yuan

# a distribution's allocations in the order of the 收益分配 table (§1.4)
ALLOCATIONS = {
    "reserve_fen": "提取公积公益金",
    "welfare_fen": "提取福利费",
    "investors_fen": "外来投资分利",
    "members_fen": "成员分配",
    "other_fen": "其他",
}


@dataclass
class AnnualPlan(Aggregate, created_event_name="Adopted"):
    """A village's financial plan for one year: items, each planned on an account of the chart
    so that its execution can be read from the books."""

    village_id: str
    year: int
    items: list[dict[str, Any]]
    decision_id: str
    adopted_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("plan", "village_id", "year")


@dataclass
class Distribution(Aggregate, created_event_name="Decided"):
    """How a village distributes the income of one year (收益分配方案), as its members'
    assembly approved it."""

    village_id: str
    year: int
    distributable_fen: int
    allocations: dict[str, int]
    members: dict[str, int]  # persons, per_person_fen
    decision_id: str
    decided_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("distribution", "village_id", "year")

    @staticmethod
    def check(distributable_fen: int, allocations: dict[str, int]) -> None:
        """§1.4: the allocations add up to the distributable income, to the fen."""
        total = sum(allocations.values())
        if total != distributable_fen:
            raise refuse(
                "distribution.unbalanced",
                f"分配合计 {yuan(total)} 元与可分配收益 {yuan(distributable_fen)} 元不符",
                f"the allocations ({yuan(total)} yuan) differ from the distributable income "
                f"({yuan(distributable_fen)} yuan)",
                "allocations",
                difference_fen=total - distributable_fen,
            )


@dataclass
class PooledProject(Aggregate, created_event_name="Decided"):
    """A 一事一议 project: what it builds, the money raised per person (标准, fen) from how many
    persons, and the labour days per labourer from how many labourers, as the villagers'
    meeting decided."""

    village_id: str
    number: str
    project: dict[str, Any]
    decision_id: str
    decided_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("pooled", "village_id", "number")

    @staticmethod
    def check_caps(
        year: int,
        per_person_fen: int,
        days: int,
        raised_this_year: tuple[int, int],
        caps: tuple[int, int],
    ) -> None:
        """The year's projects of the village raise at most ``caps`` (fen per person, labour
        days per labourer) in all [local: the province's]."""
        fen_before, days_before = raised_this_year
        cap_fen, cap_days = caps
        if fen_before + per_person_fen > cap_fen:
            raise refuse(
                "pooled.over_cap",
                f"{year} 年一事一议筹资每人合计 {yuan(fen_before + per_person_fen)} 元，超过上限 "
                f"{yuan(cap_fen)} 元",
                f"the year's 一事一议 raise {yuan(fen_before + per_person_fen)} yuan per person, "
                f"over the cap of {yuan(cap_fen)} yuan",
                "per_person_fen",
                cap_fen=cap_fen,
                before_fen=fen_before,
            )
        if days_before + days > cap_days:
            raise refuse(
                "pooled.over_cap",
                f"{year} 年一事一议筹劳每个劳动力合计 {days_before + days} 个工日，超过上限 {cap_days} 个",
                f"the year's 一事一议 ask {days_before + days} labour days per labourer, over the "
                f"cap of {cap_days}",
                "labour_days_per_labourer",
                cap_days=cap_days,
                before_days=days_before,
            )
