"""Integration events assessment publishes: versioned, primitive fields, one example each.

Scores travel as decimal text (``"87.50"``), never floats; money as integer fen. Not published:
facts (they are other services' events, recorded), committee scores (inputs; the results are
published), subjects, idempotency records.
"""

from __future__ import annotations

from typing import Any

from shequ.contracts import Catalogue, attributes

catalogue = Catalogue("assessment")
translate = catalogue.translate
C = "5a8e0c2d-0000-5000-8000-00000000000"  # example ids: C + one digit


def _scheme(e: Any) -> dict[str, Any]:
    """A scheme's first version (defined) or new version (revised), with its item keys."""
    version = getattr(e, "first", None) or e.record
    return {
        "scheme_id": str(e.originator_id),
        "subject_kind": getattr(e, "subject_kind", None),
        "version": version["version"],
        "effective_from": version["effective_from"],
        "period_kinds": version["period_kinds"],
        "indicators": [i["key"] for i in version["indicators"]]
        + [a["key"] for a in version["adjustments"]],
    }


_VERSION = {
    "scheme_id": C + "1",
    "subject_kind": "community",
    "version": 2,
    "effective_from": "2025-04-01",
    "period_kinds": ["quarter", "year"],
    "indicators": ["on_time", "satisfaction", "key_tasks"],
}
_SCHEME = {
    "scheme_id": "string",
    "subject_kind": "string",
    "version": "integer",
    "effective_from": "date",
    "period_kinds": "strings",
    "indicators": "strings",
}
catalogue.publish(
    "Scheme.Defined",
    "scheme.defined",
    _SCHEME,
    "The district set an assessment scheme (version 1); indicators lists the item keys.",
    {**_VERSION, "version": 1, "effective_from": "2025-01-01"},
    build=_scheme,
)
catalogue.publish(
    "Scheme.Revised",
    "scheme.revised",
    _SCHEME,
    "A new version of a scheme, in force from effective_from; "
    "periods already scored keep their version.",
    _VERSION,
    build=_scheme,
)
_PERIOD = {
    "period_id": "string",
    "period_kind": "string",
    "period_start": "date",
    "period_end": "date",
}
_P = {
    "period_id": C + "2",
    "period_kind": "quarter",
    "period_start": "2025-01-01",
    "period_end": "2025-03-31",
}
catalogue.publish(
    "Period.SubjectScored",
    "period.scored",
    {
        **_PERIOD,
        "revision": "integer",
        "subject_kind": "string",
        "subject_id": "string",
        "scheme_version": "integer",
        "total": "string",
        "base": "string",
        "bonus": "string",
        "deduction": "string",
        "rank": "integer",
    },
    "One subject's published score for a period (revision 2+ after a reopened period is "
    "scored again). Points are decimal text.",
    {
        **_P,
        "revision": 1,
        "subject_kind": "community",
        "subject_id": C + "3",
        "scheme_version": 1,
        "total": "87.50",
        "base": "85.50",
        "bonus": "3.00",
        "deduction": "1.00",
        "rank": 1,
    },
    id_field="period_id",
)
catalogue.publish(
    "Period.RankingPublished",
    "ranking.published",
    {
        **_PERIOD,
        "revision": "integer",
        "subject_kind": "string",
        "ranked_ids": "strings",
        "totals": "strings",
        "ranks": "strings",
    },
    "The ranking of a period: subject ids from first to last, their totals and ranks "
    "(equal totals share a rank).",
    {
        **_P,
        "revision": 1,
        "subject_kind": "community",
        "ranked_ids": [C + "3", C + "4"],
        "totals": ["87.50", "80.00"],
        "ranks": ["1", "2"],
    },
    build=lambda e: {
        **attributes(e, catalogue.get("assessment.ranking.published", 1), "period_id"),
        "ranks": [str(r) for r in e.ranks],
    },
)
catalogue.publish(
    "Period.Reopened",
    "period.reopened",
    {**_PERIOD, "reason": "string", "source": "string?"},
    "A scored period was opened again: by hand, or by a late event under the reopen rule "
    "(source names the upstream event).",
    {**_P, "reason": "late_event", "source": "casework:1042"},
    id_field="period_id",
)
catalogue.publish(
    "Reward.Granted",
    "reward.granted",
    {
        "reward_id": "string",
        "community_id": "string",
        "amount_fen": "integer",
        "reason": "string",
        "period_id": "string?",
        "granted_on": "date",
    },
    "A reward and support (奖励扶持) to a community, in integer fen.",
    {
        "reward_id": C + "5",
        "community_id": C + "3",
        "amount_fen": 2000000,
        "reason": "2025年度考核第一名",
        "period_id": C + "2",
        "granted_on": "2026-01-20",
    },
    id_field="reward_id",
)
catalogue.publish(
    "Exemplar.Designated",
    "community.designated_exemplary",
    {
        "designation_id": "string",
        "community_id": "string",
        "year": "integer",
        "reason": "string",
        "designated_on": "date",
    },
    "A community was designated exemplary (示范社区) for a year.",
    {
        "designation_id": C + "6",
        "community_id": C + "3",
        "year": 2025,
        "reason": "为民服务成效突出",
        "designated_on": "2026-01-20",
    },
    id_field="designation_id",
)
_BOOK = {"book_id": "string", "member_id": "string", "community_id": "string", "year": "integer"}
_B = {"book_id": C + "7", "member_id": C + "8", "community_id": C + "3", "year": 2025}
catalogue.publish(
    "PledgeBook.Registered",
    "pledge.registered",
    {**_BOOK, "pledges": "strings"},
    "A party member's pledges for the year (2-5), registered by the branch.",
    {**_B, "pledges": ["每月走访联系户一次", "帮助两户发展庭院经济"]},
    id_field="book_id",
)
catalogue.publish(
    "PledgeBook.Published",
    "pledge.published",
    {**_BOOK, "published_on": "date"},
    "The member's pledges were made public.",
    {**_B, "published_on": "2025-02-01"},
    id_field="book_id",
)
catalogue.publish(
    "PledgeBook.Fulfilled",
    "pledge.fulfilled",
    {**_BOOK, "index": "integer", "evidence": "string", "on": "date"},
    "Evidence that one pledge (index from 0) was carried out (践诺).",
    {**_B, "index": 0, "evidence": "全年走访联系户12次，见走访记录", "on": "2025-12-20"},
    id_field="book_id",
)
catalogue.publish(
    "PledgeBook.Appraised",
    "pledge.appraised",
    {**_BOOK, "score": "string", "grade": "string"},
    "The year-end appraisal (self, peers, branch, public): weighted score and grade "
    "(excellent 优秀, qualified 合格, basically_qualified 基本合格, unqualified 不合格).",
    {**_B, "score": "91.50", "grade": "excellent"},
    id_field="book_id",
)
