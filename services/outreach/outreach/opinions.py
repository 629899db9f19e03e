"""Use cases of opinions (群众意见、诉求、建议): taken down on a visit, a party member's contact, a
call to a number on the contact card or a survey, each published for casework, which opens one
case for it and tells outreach the case id (``outreach.reactions``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from pydantic import BeforeValidator, Field
from shequ.actor import Actor
from shequ.commands import Choice, Command, Id, Keyed, Text, keyed
from sqlalchemy import select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.domain import Household, Opinion
from outreach.domain.common import key_id, natural_id
from outreach.domain.visits import CATEGORIES
from outreach.examples import COMMUNITY, HOUSEHOLD

MAX_OPINIONS = 20
Category = Annotated[str, Choice(CATEGORIES, "意见类别")]
Said = Annotated[str, Text(1000, "意见内容")]  # what the household said


class Heard(Command):
    """One opinion heard: its category and what was said."""

    category: Category
    text: Said


Heards = Annotated[
    list[Heard], BeforeValidator(lambda v: [] if v is None else v), Field(max_length=MAX_OPINIONS)
]
"""The opinions heard on a visit or a contact (at most 20; null is none)."""


def taken_down(
    items: list[Heard],
    community_id: str,
    village_id: str | None,
    household_id: str | None,
    channel: str,
    source_id: str,
    actor: Actor,
    on: str,
) -> list[Opinion]:
    """The opinions heard through ``channel`` on the visit, contact or call ``source_id``."""
    return [
        Opinion(
            id=natural_id("opinion", source_id, str(i)),  # type: ignore[call-arg]
            community_id=community_id,
            village_id=village_id,
            household_id=household_id,
            category=item.category,
            text=item.text,
            channel=channel,
            source_id=source_id,
            collected_by=actor.person_id,
            collected_on=on,
            actor=actor.to_dict(),
        )
        for i, item in enumerate(items)
    ]


def recorded(cmd: Keyed, **decided: Any) -> dict[str, Any]:
    """What a visit or contact records: its command's fields but the idempotency key and the
    opinions heard (each recorded as an Opinion), with what the handler ``decided``."""
    return {**cmd.model_dump(exclude={"idempotency_key", "opinions"}), **decided}


def with_opinions(
    kind: Callable[..., Aggregate],
    record_id: UUID,
    id_name: str,
    channel: str,
    heard: list[Heard],
    actor: Actor,
    on: str,
    **fields: Any,
) -> tuple[list[Aggregate], dict[str, Any]]:
    """A visit or contact (``kind``, with its ``fields``) saved with the opinions heard on it
    through ``channel``: it lists their ids, and so does the result beside its own
    (``id_name``)."""
    opinions = taken_down(
        heard,
        fields["community_id"],
        fields["village_id"],
        fields["household_id"],
        channel,
        str(record_id),
        actor,
        on,
    )
    ids = [str(o.id) for o in opinions]
    record = kind(id=record_id, **fields, opinion_ids=ids, actor=actor.to_dict())
    return [record, *opinions], {id_name: str(record_id), "opinion_ids": ids}


class RecordOpinion(Keyed):
    """Record an opinion a household gave outside a visit."""

    title = "记录群众意见"
    example = keyed(
        "opinion-2025-0001",
        household_id=HOUSEHOLD,
        category="suggestion",
        text="希望增设健身器材",
        channel="contact_card",
    )
    household_id: Id
    category: Category
    text: Said
    channel: Annotated[str, Choice(("contact_card", "survey"), "渠道")] = "contact_card"


def record_opinion(cmd: RecordOpinion, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Record an opinion a household gave outside a visit (a call to a number on its
    contact card, or a survey); it is published for casework."""
    household = app.household(cmd.household_id)

    def decide() -> Any:
        fresh: Household = app.household(cmd.household_id)
        source = str(key_id("opinion-source", cmd.idempotency_key))
        [opinion] = taken_down(
            [Heard(category=cmd.category, text=cmd.text)],
            fresh.community_id,
            fresh.village_id,
            fresh.household_id,
            cmd.channel,
            source,
            actor,
            app.today(),
        )
        return [opinion], {"opinion_id": str(opinion.id)}

    target = app.household_target(household)
    return app.run("record_opinion", cmd.idempotency_key, actor, target, cmd.payload(), decide)


class OpinionsQuery(Command):
    """Opinions collected in a community."""

    title = "群众意见"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY}
    community_id: Id


def opinions(cmd: OpinionsQuery, actor: Actor, app: OutreachBase) -> list[dict[str, Any]]:
    """Opinions collected in a community, with the case casework opened for each."""
    app.policy.check("opinions", actor, app.community_target(cmd.community_id))
    o = t.opinions
    with app.read() as c:
        rows = (
            c.execute(
                select(o)
                .where(o.c.community_id == cmd.community_id)
                .order_by(o.c.collected_on, o.c.id)
            )
            .mappings()
            .all()
        )
    # every column but the id (given as opinion_id) and the community asked for
    fields = [c.name for c in o.columns if c.name not in ("id", "community_id")]
    return [{"opinion_id": r["id"], **{k: r[k] for k in fields}} for r in rows]
