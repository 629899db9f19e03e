"""Attendance and vote thresholds of village meetings (RULES §1). Pure.

Law is the default; districts may be stricter (settings), never looser. Each check returns the
thresholds a record misses, each naming itself, so a refusal can say which one was missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

BODIES = {
    "branch_meeting": "党支部会议",
    "committees_meeting": "村两委会议",
    "party_assembly": "党员大会",
    "villagers_assembly": "村民会议",
    "representatives_meeting": "村民代表会议",
}
MATTERS = {"general": "一般事项", "collective_property": "集体资产处置等集体财产事项"}


@dataclass(frozen=True)
class LocalRules:
    """Local practice (stricter than the law, never looser); defaults named in RULES §1."""

    party_assembly_two_thirds: bool = False  # many districts: 2/3 attendance
    party_assembly_notice_days: int = 3  # proposal sent 3 days ahead
    villagers_assembly_notice_days: int = 10  # 村民委员会组织法 Art. 21: 10 days' notice
    representatives_majority_of_all: bool = False  # majority of ALL representatives


@dataclass(frozen=True)
class Missed:
    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


def _days_before(notice_on: str | None, held_on: str) -> int | None:
    if not notice_on:
        return None
    return (dt.date.fromisoformat(held_on) - dt.date.fromisoformat(notice_on)).days


def missed(body: str, matter: str, r: dict[str, Any], local: LocalRules) -> list[Missed]:
    """The thresholds a meeting record ``r`` misses for ``body`` and ``matter``."""
    exp, pres, yes = r["expected"], r["present"], r["yes"]
    out: list[Missed] = []

    def need(ok: bool, code: str, zh: str, en: str) -> None:
        if not ok:
            out.append(Missed(code, zh, en))

    if body in ("branch_meeting", "committees_meeting"):
        need(
            pres * 2 > exp,
            "quorum.majority",
            "到会人数须超过应到人数的一半",
            "more than half of those expected must attend",
        )
        need(
            yes * 2 > pres,
            "vote.majority_present",
            "赞成票须超过到会人数的一半",
            "yes votes must exceed half of those present",
        )
    elif body == "party_assembly":  # 中国共产党支部工作条例 Art. 11
        need(
            pres * 2 > exp,
            "quorum.majority",
            "有表决权的党员到会须超过半数",
            "more than half of the voting members must attend",
        )
        if local.party_assembly_two_thirds:
            need(
                pres * 3 >= exp * 2,
                "quorum.two_thirds_local",
                "本地规定到会须达三分之二",
                "local rule: two thirds must attend",
            )
        need(
            yes * 2 > exp,
            "vote.majority_expected",
            "赞成票须超过应到会有表决权党员的半数",
            "yes votes must exceed half of the voting members expected, not present",
        )
        days = _days_before(r.get("notice_on"), r["date"])
        need(
            local.party_assembly_notice_days == 0
            or (days is not None and days >= local.party_assembly_notice_days),
            "notice.local",
            f"议题须提前{local.party_assembly_notice_days}天送达党员",
            f"the proposal must reach members {local.party_assembly_notice_days} days ahead",
        )
    elif body == "villagers_assembly":  # 村民委员会组织法 Arts. 21-22
        hh_exp, hh_pres = r.get("households_expected") or 0, r.get("households_present") or 0
        need(
            pres * 2 > exp or (hh_exp > 0 and hh_pres * 3 >= hh_exp * 2),
            "quorum.villagers",
            "须有本村十八周岁以上村民过半数，或本村三分之二以上的户的代表参加",
            "more than half of adult villagers, or representatives of two thirds of "
            "households, must attend",
        )
        need(
            yes * 2 > pres,
            "vote.majority_present",
            "须经到会人员过半数同意",
            "more than half of those present must agree",
        )
        days = _days_before(r.get("notice_on"), r["date"])
        need(
            days is not None and days >= local.villagers_assembly_notice_days,
            "notice.law",
            f"村民会议须提前{local.villagers_assembly_notice_days}天通知",
            f"a villagers' assembly needs {local.villagers_assembly_notice_days} days' notice",
        )
    elif body == "representatives_meeting":  # 村民委员会组织法 Arts. 25-26
        need(
            pres * 3 >= exp * 2,
            "quorum.two_thirds",
            "须有三分之二以上的村民代表参加",
            "at least two thirds of the representatives must attend",
        )
        need(
            yes * 2 > pres,
            "vote.majority_present",
            "须经到会人员过半数同意",
            "more than half of those present must agree",
        )
        if local.representatives_majority_of_all:
            need(
                yes * 2 > exp,
                "vote.majority_all_local",
                "本地规定须经全体村民代表过半数同意",
                "local rule: a majority of all representatives must agree",
            )
    if matter == "collective_property" and body in (
        "villagers_assembly",
        "representatives_meeting",
    ):
        # 农村集体经济组织法 (2024, in force 2025-05-01)
        need(
            pres * 3 >= exp * 2,
            "collective.attendance",
            "集体财产事项须三分之二以上成员到会",
            "collective-property matters: two thirds must attend",
        )
        need(
            yes * 3 >= exp * 2,
            "collective.vote",
            "集体财产事项须经全体成员三分之二以上同意",
            "collective-property matters: two thirds of ALL members must agree",
        )
    return out
