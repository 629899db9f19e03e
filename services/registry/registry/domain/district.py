"""The district (区): its leadership team (区工管委领导班子) and its organs (区直部门/站所).

Leadership membership and organ-cadre status are dated records: the composition rules of a
community's general branch read them as of the appointment date.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, Refusal, check_end, violation

from registry.domain.common import IDS, current_on

ORGAN_KINDS = {"department": "区直部门", "station": "站所"}
# (code, 中文, English) of the refusal to end what a person does not hold
NOT_A_LEADER = (
    "not_a_leader",
    "此人不是现任区领导班子成员",
    "the person is not on the leadership team",
)
NOT_A_CADRE = ("not_a_cadre", "此人不是现任区直机构干部", "the person is not a current organ cadre")


class District(Aggregate):
    """The one district; holds who leads it and which cadres serve in its organs."""

    id: UUID  # decided by the application (natural or from the idempotency key)

    create_id = IDS.keyed_by("district")

    @event("Established")
    def __init__(self, name: str, actor: ActorDict) -> None:
        self.name = name
        self.leaders: list[dict[str, Any]] = []
        self.organs: dict[str, dict[str, str]] = {}
        self.cadres: list[dict[str, Any]] = []

    # -- leadership team -------------------------------------------------------------------
    def is_leader(self, person_id: str, on: str) -> bool:
        """Whether the person is a member of the leadership team on the day ``on``."""
        return _holds(self.leaders, person_id, on)

    def appoint_leader(self, person_id: str, title: str, since: str, actor: ActorDict) -> None:
        """Make a person a member of the district leadership team from ``since``."""
        if _open(self.leaders, person_id):
            raise violation(
                "already_leader",
                "此人已是区领导班子成员",
                "the person is already on the leadership team",
                "person_id",
            )
        self._leader_appointed(person_id, title, since, actor)

    @event("LeaderAppointed")
    def _leader_appointed(self, person_id: str, title: str, since: str, actor: ActorDict) -> None:
        self.leaders.append({"person_id": person_id, "title": title, "since": since, "until": None})

    def end_leadership(self, person_id: str, until: str, actor: ActorDict) -> None:
        """End a person's membership of the leadership team on ``until``."""
        _check_end_of(self.leaders, person_id, until, NOT_A_LEADER)
        self._leadership_ended(person_id, until, actor)

    @event("LeadershipEnded")
    def _leadership_ended(self, person_id: str, until: str, actor: ActorDict) -> None:
        _end(self.leaders, person_id, until)

    # -- organs and cadres -----------------------------------------------------------------
    def establish_organ(self, organ_id: str, name: str, kind: str, actor: ActorDict) -> None:
        """Add a district organ (department or station) to which cadres belong."""
        if organ_id in self.organs:
            raise violation("organ_exists", f"机构已存在：{name}", f"organ {name} exists", "name")
        self._organ_established(organ_id, name, kind, actor)

    @event("OrganEstablished")
    def _organ_established(self, organ_id: str, name: str, kind: str, actor: ActorDict) -> None:
        self.organs[organ_id] = {"name": name, "kind": kind}

    def is_cadre(self, person_id: str, on: str) -> bool:
        """Whether the person is a cadre of a district organ on the day ``on``."""
        return _holds(self.cadres, person_id, on)

    def assign_cadre(
        self, person_id: str, organ_id: str, community_id: str | None, since: str, actor: ActorDict
    ) -> None:
        """Record a person as cadre of an organ, assigned down to a community (责任区) if given."""
        if organ_id not in self.organs:
            raise violation(
                "unknown_organ", "该区直机构不存在", "no such district organ", "organ_id"
            )
        if _open(self.cadres, person_id):
            raise violation(
                "already_cadre",
                "此人已是区直机构干部",
                "the person is already a cadre of an organ",
                "person_id",
            )
        self._cadre_assigned(person_id, organ_id, community_id, since, actor)

    @event("CadreAssigned")
    def _cadre_assigned(
        self, person_id: str, organ_id: str, community_id: str | None, since: str, actor: ActorDict
    ) -> None:
        self.cadres.append(
            {
                "person_id": person_id,
                "organ_id": organ_id,
                "community_id": community_id,
                "since": since,
                "until": None,
            }
        )

    def release_cadre(self, person_id: str, until: str, actor: ActorDict) -> None:
        """End a person's cadre status on ``until``."""
        _check_end_of(self.cadres, person_id, until, NOT_A_CADRE)
        self._cadre_released(person_id, until, actor)

    @event("CadreReleased")
    def _cadre_released(self, person_id: str, until: str, actor: ActorDict) -> None:
        _end(self.cadres, person_id, until)


# Leadership and cadre status are both dated records of a person: [since, until).
def _holds(records: list[dict[str, Any]], person_id: str, on: str) -> bool:
    return any(
        r["person_id"] == person_id and current_on(r["since"], r["until"], on) for r in records
    )


def _open(records: list[dict[str, Any]], person_id: str) -> dict[str, Any] | None:
    return next((r for r in records if r["person_id"] == person_id and r["until"] is None), None)


def _check_end_of(
    records: list[dict[str, Any]], person_id: str, until: str, refusal: Refusal
) -> None:
    """The person's open record may end on ``until``; ``refusal`` if there is none."""
    record = _open(records, person_id)
    if record is None:
        raise violation(*refusal, "person_id")
    check_end(record["since"], until)


def _end(records: list[dict[str, Any]], person_id: str, until: str) -> None:
    record = _open(records, person_id)
    assert record is not None
    record["until"] = until
