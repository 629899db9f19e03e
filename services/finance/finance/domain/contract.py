"""Contracts on the collective's resources and assets (承包、租赁、出让), F6 and F30, and the
village decisions finance knows of from casework (四议两公开 resolutions, published).

A contract that lets, leases or sells collective property cites the village decision that
approved it: a resolution casework published for the same village on a collective-property
matter, which casework let pass only under the two-thirds rules (农村集体经济组织法, 2024)."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from finance.domain.common import IDS, ActorDict, Numbered, refuse

PROPERTY = "collective_property"  # casework's matter type decided under the 2/3 rules


@dataclass
class Decision(Aggregate, created_event_name="Known"):
    """A village decision whose resolution casework published (decision.resolution_published)."""

    decision_id: str
    village_id: str
    title: str
    matter_type: str
    published_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("decision", "decision_id")


def check_cited(
    decision: Decision | None, village_id: str, on: str, code: str, needs_property: bool
) -> None:
    """A decision cited by a voucher (F29) or a contract (F30): a resolution published for the
    same village by ``on``; for a contract, on a collective-property matter."""
    if (
        decision is None
        or decision.village_id != village_id
        or decision.published_on > on
        or (needs_property and decision.matter_type != PROPERTY)
    ):
        raise refuse(
            code,
            "须引用本村已公开的村级决策"
            + ("（集体财产事项，经三分之二规则表决）" if needs_property else ""),
            "cite a village decision of this village whose resolution was published"
            + (" on a collective-property matter (the two-thirds rules)" if needs_property else ""),
            "decision_id",
        )


@dataclass
class Contract(Numbered, Aggregate, created_event_name="Signed"):
    """A contract on collective property, signed once under its number."""

    create_id = IDS.keyed_by("contract", "village_id", "number")
