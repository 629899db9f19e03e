"""Helpers for the outreach tests (kept out of conftest so test modules can import them).

``World`` is an Outreach application with a controlled clock, fed registry and casework
envelopes through the platform's real ``Inbox`` (tracking, duplicates, batches); only the
inbox's ports are faked: the gap puller (nothing to pull) and the dead-letter queue (a list).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from outreach.application import Outreach
from outreach.contracts import translate
from outreach.interests import CASEWORK, REGISTRY
from outreach.reactions import CaseworkReactions, RegistryReactions
from outreach.settings import OutreachSettings
from outreach.usecases import USE_CASES
from shequ.actor import SYSTEM, Actor
from shequ.clock import FixedClock
from shequ.inbox import Inbox
from shequ.outbox import envelopes_after
from shequ.store import Store
from shequ.testing import Chain, MemoryDeadLetters

STAFF = Actor(person_id="staff-1", role="district_staff")
AUDITOR = Actor(person_id="auditor-1", role="auditor")
GROUPS = ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"]
_phones = itertools.count(13900000000)
ONLY_SQLITE = pytest.mark.parametrize("store", ["sqlite"], indirect=True)
"""For a test of what does not depend on the store: its ``world`` on SQLite only."""


def new_id() -> str:
    return str(uuid.uuid4())


def spring_round(x: dict[str, Any]) -> dict[str, Any]:
    """A visit round over March 2025 in district ``x``'s community, its services member
    assigned (``open_round``'s fields but the kind and villages)."""
    return {
        "community_id": x["community_id"],
        "title": "春季走访",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "assignees": [x["members"]["services"]],
    }


def phone() -> str:
    return str(next(_phones))


class Upstream:
    """Envelopes as a service's relay would publish them, in order, fed to an Inbox."""

    def __init__(self, service: str, inbox: Inbox) -> None:
        self.service, self.inbox = service, inbox
        staff = {"person_id": "staff-1", "role": "district_staff"}
        self.chain = Chain(service, staff, "2025-01-01T00:00:00+00:00", event_prefix="x")
        self.published = 0
        self.log: list[dict[str, Any]] = []

    def envelope(self, contract: str, data: dict[str, Any]) -> dict[str, Any]:
        env = self.chain.next(contract, data)
        self.log.append(env)
        return env

    def send(self, contract: str, **data: Any) -> str:
        return self.inbox.process(self.envelope(contract, data))


class RegistryFacts:
    """Registry's facts as its relay announces them, each handed to ``announce``: into
    outreach's inbox (``World``) or onto registry's exchange (the interface tests)."""

    def announce(self, contract: str, **data: Any) -> str:
        """Hand registry's ``contract`` with ``data`` on; what became of it."""
        raise NotImplementedError

    def registered(self, contract: str, id_field: str, **data: Any) -> str:
        """The registry announces a new record (``contract``); its new id, sent as
        ``id_field``."""
        new = new_id()
        self.announce(contract, **{id_field: new}, **data)
        return new

    def community(self, name: str = "立柱") -> str:
        return self.registered(
            "community.established",
            "community_id",
            name=name,
            name_en="Lizhu",
            district_id=new_id(),
        )

    def village(self, community_id: str, name: str = "东王家村（示例）") -> str:
        return self.registered(
            "village.registered",
            "village_id",
            name=name,
            community_id=community_id,
            registered_on="2024-01-01",
            sample=True,
        )

    def person(
        self, name: str = "王示例", party: bool = False, village_id: str | None = None
    ) -> str:
        kinds = ["resident", "party_member"] if party else ["resident"]
        return self.registered(
            "person.registered",
            "person_id",
            name=name,
            gender="male",
            phone=phone(),
            village_id=village_id,
            kinds=kinds,
            sample=True,
        )

    def team(self, community_id: str) -> dict[str, Any]:
        """A team with a leader and one contact per group (plus a second, unshown, member)."""
        tid = self.registered(
            "team.formed",
            "team_id",
            community_id=community_id,
            name="立柱社区服务队",
            groups=GROUPS,
        )

        def joined(group: str, name: str, duties: str, since: str) -> str:
            team = {"team_id": tid, "community_id": community_id}
            member = {"group": group, "name": name, "duties": duties, "since": since}
            return self.registered(
                "team.member_joined", "person_id", **team, **member, phone=phone()
            )

        members = {
            group: joined(group, f"队员{i}", f"{group}职责", "2024-01-01")
            for i, group in enumerate(GROUPS)
        }
        extra = joined("mediation", "后来者", "协助调解", "2024-06-01")
        self.announce(
            "team.leader_appointed", team_id=tid, person_id=members["mediation"], since="2024-01-01"
        )
        return {"team_id": tid, "members": members, "unshown": extra}

    def household(self, village_id: str, address: str = "东王家村（示例）第一村民小组12号") -> str:
        head = self.person("户主示例", village_id=village_id)
        return self.registered(
            "household.registered",
            "household_id",
            village_id=village_id,
            head_id=head,
            address=address,
            since="2024-01-01",
            sample=True,
        )

    def link(self, member_id: str, household_id: str, since: str = "2025-01-01") -> None:
        self.announce(
            "party_member.household_linked",
            zone_id=new_id(),
            party_member_id=member_id,
            household_id=household_id,
            since=since,
        )

    def move_village(self, x: dict[str, Any], y: dict[str, Any], on: str = "2025-02-01") -> str:
        """The registry moves district ``x``'s village into district ``y``'s community."""
        return self.announce(
            "village.moved",
            village_id=x["village_id"],
            from_community_id=x["community_id"],
            to_community_id=y["community_id"],
            effective_date=on,
        )

    def district(self, households: int = 3) -> dict[str, Any]:
        """A community with a team, one village and ``households`` households."""
        cid = self.community()
        vid = self.village(cid)
        team = self.team(cid)
        hids = [self.household(vid) for _ in range(households)]
        return {"community_id": cid, "village_id": vid, "households": hids, **team}


class World(RegistryFacts):
    """An outreach app plus a fake registry and casework upstream with helpers for facts.

    ``world.app`` is the application seen through its use-case table (``USE_CASES.bind``): use
    cases are its methods, checked as over RPC; ``world.outreach`` is the application itself."""

    def __init__(self, store: Store, settings: OutreachSettings | None = None) -> None:
        self.clock = FixedClock("2025-03-01")
        self.outreach = Outreach(store, settings, clock=self.clock)
        self.app = USE_CASES.bind(self.outreach)
        self.dead = MemoryDeadLetters()
        self.registry = self.upstream("registry", RegistryReactions(self.outreach), REGISTRY)
        self.casework = self.upstream("casework", CaseworkReactions(self.outreach), CASEWORK)

    def upstream(self, service: str, handler: Any, interests: Any) -> Upstream:
        """``service`` feeding outreach's real inbox (nothing to pull, 2 attempts)."""
        no_gaps = lambda a, n: []
        inbox = Inbox("outreach", service, self.outreach, handler, no_gaps, self.dead, 2, interests)
        return Upstream(service, inbox)

    def close(self) -> None:
        self.outreach.close()

    def top(self) -> int:
        return self.outreach.recorder.max_notification_id() or 0

    def announce(self, contract: str, **data: Any) -> str:
        return self.registry.send(contract, **data)

    # -- reading ---------------------------------------------------------------------------
    def card(self, household_id: str, actor: Actor = SYSTEM) -> dict[str, Any]:
        return self.app.card(actor, household_id)

    def published(self, contract: str) -> list[dict[str, Any]]:
        """The data of every envelope of ``contract`` the relay would publish (validated)."""
        envelopes = envelopes_after("outreach", self.outreach, translate, 0, 100_000, None)
        return [e["data"] for e in envelopes if e["contract"] == f"outreach.{contract}"]

    def versions(self, household_id: str) -> list[int]:
        return [c["version"] for c in self.app.card_history(SYSTEM, household_id)]
