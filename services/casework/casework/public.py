"""What the public may see of casework (the gateway's Open311 GeoReport v2, GATEWAY.md G30–G36):
the kinds of case one can file, and the cases filed, without personal data.

A public row names no one: no title, place text, resident, household, owner or handler; the
description only when the resident agreed to publish it (``open_case``'s
``publish_description``); the place only as its village (and community), and coordinates, when
the place ends in ``lat,long``, rounded to 3 decimals (about 100 m). Cases in which persons are reported are left
out. ``settled`` is casework's word for "closed" to the public: closed, refused, merged or
confirmed, or answered (or rated) with the window to reopen it passed; a case that may still be
reopened is not settled.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.commands import Choice, Command, Count, Day, Flag, Note
from shequ.errors import ValidationError
from shequ.validation import check_uuid
from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from casework import tables as t
from casework.base import CaseworkBase
from casework.domain.vocabulary import CATEGORIES, GROUPS, STATES

SETTLED = ("closed", "refused", "merged", "confirmed")
"""States in which a case is over for good."""
REOPENABLE = ("answered", "rated")
"""States in which a case is over unless the resident reopens it within the window."""
MAX_ROWS = 1000
COORDINATES = re.compile(r"(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\s*\)?\s*$")


def settled_on(day: str) -> ColumnElement[bool]:
    """Cases over for the public on ``day``."""
    cs = t.cases.c
    return or_(
        cs.state.in_(SETTLED),
        and_(cs.state.in_(REOPENABLE), cs.reopen_until.is_not(None), cs.reopen_until < day),
    )


def coordinates(place: str | None) -> tuple[float, float] | None:
    """``lat,long`` at the end of a place, rounded to 3 decimals; None if there are none."""
    found = COORDINATES.search(place or "")
    if not found:
        return None
    lat, lon = float(found[1]), float(found[2])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 3), round(lon, 3)


class CaseCategories(Command):
    """The kinds of case one can file."""

    title = "案件类别"
    example: ClassVar[dict[str, Any]] = {}


def case_categories(cmd: CaseCategories, actor: Actor, app: CaseworkBase) -> list[dict[str, Any]]:
    """Every category of case with the work group that handles it (what Open311 lists as
    services)."""
    app.policy.check_role("case_categories", actor)
    return [
        {"category": code, "category_zh": zh, "work_group": group, "work_group_zh": GROUPS[group]}
        for code, (group, zh) in CATEGORIES.items()
    ]


class PublicCases(Command):
    """Cases as the public sees them."""

    title = "公开案件"
    example: ClassVar[dict[str, Any]] = {
        "category": "rubbish",
        "received_from": "2026-03-01",
        "received_to": "2026-03-31",
        "settled": False,
    }
    case_ids: Annotated[str, Note(4000, "案件编号（逗号分隔）")] = ""
    category: Annotated[str, Choice(CATEGORIES, "类别")] | None = None
    received_from: Day | None = None
    received_to: Day | None = None
    settled: Flag | None = None
    limit: Annotated[int, Count(1, MAX_ROWS, "条数")] = MAX_ROWS


def _ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) > MAX_ROWS:
        raise ValidationError(
            f"案件编号至多 {MAX_ROWS} 个",
            f"at most {MAX_ROWS} case ids",
            "case_ids",
            rule="size",
        )
    return [check_uuid(i, "case_ids") for i in ids]


def public_cases(cmd: PublicCases, actor: Actor, app: CaseworkBase) -> list[dict[str, Any]]:
    """Cases without personal data, newest first: ``case_ids`` (comma-separated) when given,
    else those of a category, received between two days, settled or not; at most ``limit``."""
    app.policy.check_role("public_cases", actor)
    ids = _ids(cmd.case_ids)
    today = app.today()
    cs, vs, co, tl = t.cases, t.villages, t.communities, t.timeline
    updated = (
        select(tl.c.case_id, func.max(tl.c.at).label("updated_at"))
        .group_by(tl.c.case_id)
        .subquery()
    )
    q = (
        select(
            cs,
            vs.c.name.label("village_name"),
            co.c.name.label("community_name"),
            updated.c.updated_at,
            settled_on(today).label("settled"),
        )
        .outerjoin(vs, vs.c.id == cs.c.village_id)
        .outerjoin(co, co.c.id == cs.c.community_id)
        .outerjoin(updated, updated.c.case_id == cs.c.id)
        .where(cs.c.reported.in_(["[]", ""]) | cs.c.reported.is_(None))
        .order_by(cs.c.received_on.desc(), cs.c.recorded_at.desc(), cs.c.id)
        .limit(cmd.limit)
    )
    if ids:
        q = q.where(cs.c.id.in_(ids))
    else:
        if cmd.category:
            q = q.where(cs.c.category == cmd.category)
        if cmd.received_from:
            q = q.where(cs.c.received_on >= cmd.received_from)
        if cmd.received_to:
            q = q.where(cs.c.received_on <= cmd.received_to)
        if cmd.settled is not None:
            q = q.where(settled_on(today) if cmd.settled else not_(settled_on(today)))
    with app.read() as c:
        rows = c.execute(q).mappings().all()
    return [_public(r) for r in rows]


def _public(r: Any) -> dict[str, Any]:
    where = coordinates(r["place"])
    group, category_zh = CATEGORIES.get(r["category"], (r["work_group"], r["category"]))
    return {
        "case_id": r["id"],
        "category": r["category"],
        "category_zh": category_zh,
        "work_group": r["work_group"],
        "work_group_zh": GROUPS.get(r["work_group"] or group, ""),
        "channel": r["channel"],
        "description": r["public_description"],
        "state": r["state"],
        "state_zh": STATES[r["state"]],
        "settled": bool(r["settled"]),
        "community_id": r["community_id"],
        "community_name": r["community_name"],
        "village_id": r["village_id"],
        "village_name": r["village_name"],
        "lat": where[0] if where else None,
        "long": where[1] if where else None,
        "received_on": r["received_on"],
        "recorded_at": r["recorded_at"],
        "updated_at": r["updated_at"] or r["recorded_at"],
        "due_on": r["due_on"],
    }
