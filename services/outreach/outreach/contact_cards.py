"""Use cases of contact cards (便民服务联系卡): delivery to the household recorded, and the cards
read back (one household's, its history, printable PDFs, a village's delivery list).

Cards are issued by the inbox when registry changes what they show (``outreach.cards``); people
only record their delivery. Queries read the read model (caught up first) and mask personal
data by role (``outreach.masking``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.commands import Command, Count, Day, Id, Keyed, Text, keyed
from shequ.errors import NotFound, RuleViolation
from shequ.readlog import Purpose
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from outreach import masking, pdf
from outreach import tables as t
from outreach.base import OutreachBase
from outreach.domain.common import violation
from outreach.examples import HOUSEHOLD, VILLAGE


class RecordCardDistribution(Keyed):
    """Record that the current card version reached the household."""

    title = "发放联系卡"
    example = keyed(
        "card-delivery-0001",
        household_id=HOUSEHOLD,
        version=1,
        acknowledged_by="王示例",
        distributed_on="2025-03-02",
    )
    household_id: Id
    version: Annotated[int, Count(1, 1_000_000, "版本")]
    acknowledged_by: Annotated[str, Text(50, "签收人")]
    distributed_on: Day | None = None


def record_card_distribution(
    cmd: RecordCardDistribution, actor: Actor, app: OutreachBase
) -> dict[str, Any]:
    """Record that the current card version was delivered to the household and who there
    acknowledged it; the deliverer is the actor."""
    p = {**cmd.payload(), "distributed_on": cmd.distributed_on or app.today()}
    household = app.household(cmd.household_id)

    def decide() -> Any:
        if p["distributed_on"] > app.today():
            raise violation(
                "date_in_future",
                "发放日期不能晚于今天",
                "the distribution date cannot be in the future",
                "distributed_on",
            )
        fresh = app.household(cmd.household_id)
        fresh.distribute(
            cmd.version, p["distributed_on"], actor.person_id, cmd.acknowledged_by, actor.to_dict()
        )
        return [fresh], {"card_id": fresh.card_id, "version": cmd.version}

    target = app.household_target(household)
    return app.run("record_card_distribution", cmd.idempotency_key, actor, target, p, decide)


# -- reading cards -----------------------------------------------------------------------------
def read_card(
    app: OutreachBase, c: Connection, household_id: str, version: int | None
) -> dict[str, Any]:
    """One version of a household's card (the current one if ``version`` is None), in clear."""
    v, h = t.card_versions, t.households
    query = select(v).where(v.c.household_id == household_id)
    query = (
        query.where(v.c.version == version)
        if version
        else query.order_by(v.c.version.desc()).limit(1)
    )
    row = c.execute(query).mappings().first()
    if row is None:
        raise NotFound(
            "该户尚无此版联系卡",
            f"household {household_id} has no such card version",
            "version" if version else "household_id",
        )
    home = c.execute(
        select(h.c.address, h.c.card_version, t.villages.c.name)
        .join(t.villages, t.villages.c.id == h.c.village_id)
        .where(h.c.id == household_id)
    ).first()
    community = c.execute(
        select(t.communities.c.name).where(t.communities.c.id == row["community_id"])
    ).scalar()
    dist = (
        c.execute(
            select(t.distributions).where(
                t.distributions.c.household_id == household_id,
                t.distributions.c.version == row["version"],
            )
        )
        .mappings()
        .first()
    )
    return {
        "card_id": row["card_id"],
        "household_id": household_id,
        "version": row["version"],
        "current": home is not None and home.card_version == row["version"],
        "issued_on": row["issued_on"],
        "reason": row["reason"],
        "community_id": row["community_id"],
        "community_name": community or "",
        "village_id": row["village_id"],
        "village_name": home.name if home else "",
        "address": home.address if home else "",
        "contacts": json.loads(row["contacts"]),
        "case_url": app.settings.case_url_for(household_id),
        "distribution": dict(dist) if dist else None,
    }


def _household_scope(app: OutreachBase, use_case: str, actor: Actor, household_id: str) -> None:
    app.policy.check(use_case, actor, app.household_target(app.household(household_id)))


def _shown(actor: Actor, card: dict[str, Any]) -> dict[str, Any]:
    return {
        **card,
        "contacts": masking.card_contacts(actor, card["contacts"]),
        "address": masking.address(actor, card["address"])
        if actor.role != "resident"
        else card["address"],
    }


class CardQuery(Command):
    """A household's contact card."""

    title = "联系卡"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id
    version: Annotated[int, Count(1, 1_000_000, "版本")] | None = None


def card(cmd: CardQuery, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """A household's contact card (the current version, or ``version``)."""
    _household_scope(app, "card", actor, cmd.household_id)
    with app.read() as c:
        return _shown(actor, read_card(app, c, cmd.household_id, cmd.version))


class CardHistory(Command):
    """Every version of a household's card."""

    title = "联系卡历次版本"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id


def card_history(cmd: CardHistory, actor: Actor, app: OutreachBase) -> list[dict[str, Any]]:
    """Every version of a household's card, oldest first, with its distribution."""
    _household_scope(app, "card_history", actor, cmd.household_id)
    with app.read() as c:
        versions = (
            c.execute(
                select(t.card_versions.c.version)
                .where(t.card_versions.c.household_id == cmd.household_id)
                .order_by(t.card_versions.c.version)
            )
            .scalars()
            .all()
        )
        return [_shown(actor, read_card(app, c, cmd.household_id, v)) for v in versions]


class CardPdf(Command):
    """The current card as a printable PDF."""

    title = "打印联系卡"
    example: ClassVar[dict[str, Any]] = {"household_id": HOUSEHOLD}
    household_id: Id


def card_pdf(cmd: CardPdf, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """The current card as a printable A6 PDF (base64), for the household's own copy."""
    _household_scope(app, "card_pdf", actor, cmd.household_id)
    with app.read() as c:
        shown = read_card(app, c, cmd.household_id, None)
    return {
        "filename": f"card-{cmd.household_id}-v{shown['version']}.pdf",
        "version": shown["version"],
        "pages": 1,
        "pdf_base64": base64.b64encode(pdf.render([shown])).decode(),
    }


def _village_community(app: OutreachBase, village_id: str) -> str:
    community_id = app.village_community(village_id)
    if community_id is None:
        raise NotFound("未找到村", f"no village {village_id}", "village_id")
    return community_id


class VillageCardsPdf(Command):
    """Every household's current card in a village, printable."""

    title = "打印全村联系卡"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id


def village_cards_pdf(cmd: VillageCardsPdf, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Every household's current card in a village, one A6 page each (base64 PDF)."""
    community_id = _village_community(app, cmd.village_id)
    app.policy.check("village_cards_pdf", actor, app.community_target(community_id))
    with app.read() as c:
        ids = (
            c.execute(
                select(t.households.c.id)
                .where(t.households.c.village_id == cmd.village_id, t.households.c.card_version > 0)
                .order_by(t.households.c.address, t.households.c.id)
            )
            .scalars()
            .all()
        )
        cards = [read_card(app, c, i, None) for i in ids]
    if not cards:
        raise RuleViolation(
            "该村尚无联系卡", "the village has no cards yet", "village_id", code="rule.no_cards"
        )
    return {
        "filename": f"cards-{cmd.village_id}.pdf",
        "pages": len(cards),
        "pdf_base64": base64.b64encode(pdf.render(cards)).decode(),
    }


class VillageCards(Command):
    """The households of a village with their card's delivery."""

    title = "全村联系卡发放情况"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE, "purpose": "核对送卡名单"}
    village_id: Id
    purpose: Purpose = None


def village_cards(cmd: VillageCards, actor: Actor, app: OutreachBase) -> list[dict[str, Any]]:
    """The households of a village with their current card version and its delivery
    (heads and addresses in clear for the team, and for staff who give a ``purpose``)."""
    community_id = _village_community(app, cmd.village_id)
    app.policy.check("village_cards", actor, app.community_target(community_id))
    h, d = t.households, t.distributions
    with app.read() as c:
        rows = c.execute(
            with_heads(select(h.c.id, h.c.card_version, d.c.distributed_on))
            .outerjoin(d, (d.c.household_id == h.c.id) & (d.c.version == h.c.card_version))
            .where(h.c.village_id == cmd.village_id)
            .order_by(h.c.address, h.c.id)
        ).all()
    shown = heads(app, actor, cmd.purpose, "village_cards", cmd.village_id, rows)
    return [
        {**s, "card_version": r.card_version, "distributed_on": r.distributed_on}
        for s, r in zip(shown, rows, strict=True)
    ]


def with_heads(query: Select[Any]) -> Select[Any]:
    """``query`` over households with what ``heads`` shows of each: its ``address`` and its
    head's ``name`` (empty while registry has not told us of the head)."""
    h, p = t.households, t.persons
    return query.add_columns(h.c.address, func.coalesce(p.c.name, "").label("name")).outerjoin(
        p, p.c.id == h.c.head_id
    )


def heads(
    app: OutreachBase,
    actor: Actor,
    purpose: str | None,
    use_case: str,
    target_id: str,
    rows: Sequence[Any],
) -> list[dict[str, Any]]:
    """Heads and addresses of listed households, masked or in clear (and recorded)."""
    seen = masking.list_sight(actor, purpose)
    if seen.purpose and rows:
        app.reads.note(
            actor,
            use_case,
            target_id,
            seen.purpose,
            {r.id: r.name for r in rows},
            ["name", "address"],
        )
    return masking.heads(seen, rows)
