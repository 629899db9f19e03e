"""Party-member household contact (党员联户): contact logs, the interval rule, overdue flags.

RULES §5 [local, settings]: no more than one month between contacts; at least one practical
task (办实事) per household per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from outreach.domain.common import IDS, ActorDict, add_months, violation


def check_contact(
    linked_member: str | None, member_id: str, link_since: str | None, contacted_on: str, today: str
) -> None:
    """A contact is logged by the household's currently linked member, within the link."""
    if linked_member != member_id or link_since is None:
        raise violation(
            "household_not_linked_to_member",
            "该户不是该党员的联系户",
            "the household is not linked to this party member",
            "household_id",
        )
    if contacted_on > today:
        raise violation(
            "date_in_future",
            "联系日期不能晚于今天",
            "the contact date cannot be in the future",
            "contacted_on",
        )
    if contacted_on < link_since:
        raise violation(
            "contact_before_link",
            f"联系日期早于联户开始日期（{link_since}）",
            f"the contact date is before the link began ({link_since})",
            "contacted_on",
        )


def contact_due(link_since: str, last_contact_on: str | None, interval_months: int) -> str:
    """The last day the next contact may take place (RULES §5: ≤ interval between contacts)."""
    start = max(last_contact_on or link_since, link_since)
    return add_months(start, interval_months)


@dataclass
class PartyContact(Aggregate, created_event_name="Logged"):
    """One contact of a party member with a linked household."""

    id: UUID
    member_id: str
    household_id: str
    community_id: str
    village_id: str
    contacted_on: str
    practical_task: bool
    task: str
    notes: str
    opinion_ids: list[str]
    actor: ActorDict


@dataclass
class OverdueFlag(Aggregate, created_event_name="Flagged"):
    """A missed contact deadline; one per (member, household, due date), so flagged once."""

    member_id: str
    household_id: str
    community_id: str
    last_contact_on: str | None
    due_on: str
    flagged_on: str
    actor: ActorDict

    create_id = IDS.keyed_by("overdue", "member_id", "household_id", "due_on")
