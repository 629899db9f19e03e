"""What every registry aggregate shares besides the suite's kit (shequ.domainkit: the actor,
rule violations, the end-date check): its ids and dated records.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application; the domain compares them as text (ISO dates sort correctly).
"""

from __future__ import annotations

from typing import Any

from shequ.domainkit import Ids, check_end, found, violation

IDS = Ids("registry")
natural_id = IDS.natural_id
key_id = IDS.key_id


def current_on(since: str, until: str | None, on: str) -> bool:
    """Whether a record dated [since, until) holds on the day ``on``."""
    return since <= on and (until is None or on < until)


class HoldsPosts:
    """A body whose ``appointments`` (by id) are posts held [since, until): a party
    organisation, a villagers' committee."""

    appointments: dict[str, dict[str, Any]]

    def current(self, on: str) -> list[dict[str, Any]]:
        """Appointments holding on the day ``on``."""
        return [a for a in self.appointments.values() if current_on(a["since"], a["until"], on)]


UNKNOWN_APPOINTMENT = ("unknown_appointment", "未找到该任职", "no such appointment")


def check_ending(appointments: dict[str, dict[str, Any]], appointment_id: str, until: str) -> None:
    """An appointment (a post held [since, until)) may end once, on ``until``, not before it
    began: refused naming the appointment or the date otherwise."""
    record = found(appointments, appointment_id, "appointment_id", UNKNOWN_APPOINTMENT)
    if record["until"] is not None:
        raise violation(
            "appointment_already_ended",
            "该任职已结束",
            "the appointment has already ended",
            "appointment_id",
        )
    check_end(record["since"], until)


def check_seat(
    holding: list[dict[str, Any]],
    person_id: str,
    post: str,
    sole_post: str,
    words: tuple[tuple[str, str], tuple[str, str]],
) -> None:
    """A person holds one post of a body at a time (``holding``: its appointments on the
    day), and its ``sole_post`` (chair, secretary) has one holder. ``words``: the Chinese and
    English refusing a second post, then those refusing a filled sole post."""
    once, filled = words
    if any(a["person_id"] == person_id for a in holding):
        raise violation("person_already_holds_post", *once, "person_id")
    if post == sole_post and any(a["post"] == sole_post for a in holding):
        raise violation("post_already_filled", *filled, "post")
