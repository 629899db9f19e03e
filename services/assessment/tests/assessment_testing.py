"""Helpers for the assessment tests (kept out of conftest so test modules can import them).

``Feed`` delivers upstream envelopes through the platform's real ``Inbox`` (ordering,
duplicates, tracking in the same transaction), with the application's own handlers; its dead
letters are kept in a list (the broker side is covered by the end-to-end tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from assessment.application import Assessment
from assessment.domain import Period
from assessment.interests import CASEWORK, OUTREACH, REGISTRY
from assessment.reactions import CaseworkReactions, OutreachReactions, RegistryReactions
from assessment.settings import AssessmentSettings
from assessment.usecases import USE_CASES
from shequ.actor import Actor
from shequ.clock import FixedClock
from shequ.inbox import Inbox
from shequ.store import Store
from shequ.usecases import Bound

STAFF = Actor("committee-1", "district_staff")
TODAY = "2025-07-15"


def open_app(
    store: Store, settings: AssessmentSettings | None = None, today: str = TODAY
) -> Assessment:
    """The application seen through its use-case table (``USE_CASES.bind``): its use cases
    are called as methods, ``app.define_scheme(actor, key, **fields)``, through the same
    model and role checks as RPC; any other attribute is the application's own."""
    app = Assessment(store, settings, clock=FixedClock(today))
    return USE_CASES.bind(app)  # type: ignore[return-value]


def unwrap(app: Any) -> Assessment:
    """The application itself (an inbox, a sealer or a benchmark takes it, not its table)."""
    return app.app if isinstance(app, Bound) else app  # type: ignore[no-any-return]


def close_app(app: Assessment) -> None:
    unwrap(app).close()


def ratings(own: int, peer: int, branch: int, public: int) -> dict[str, int]:
    """``appraise_member``'s four ratings (自评、互评、支部评、群众评)."""
    return {
        "self_rating": own,
        "peer_rating": peer,
        "branch_rating": branch,
        "public_rating": public,
    }


def uid(name: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"test:assessment:{name}"))


class _DeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def send(self, *args: Any, **kwargs: Any) -> None:
        self.sent.append(args)


class Feed:
    """One upstream service's log as an inbox sees it: positions, ``prev`` chain."""

    def __init__(self, app: Assessment, service: str) -> None:
        app = unwrap(app)
        handler, interests = {
            "registry": (RegistryReactions, REGISTRY),
            "casework": (CaseworkReactions, CASEWORK),
            "outreach": (OutreachReactions, OUTREACH),
        }[service]
        self.service = service
        self.dead = _DeadLetters()
        self.published: list[dict[str, Any]] = []
        self.inbox = Inbox(
            "assessment",
            service,
            app,
            handler(app),
            self._pull,
            self.dead,  # type: ignore[arg-type]
            max_failures=2,
            interests=interests,
        )
        self.start = self.inbox.last()  # a second feed of the same upstream carries on

    def _pull(self, after: int, limit: int) -> list[dict[str, Any]]:
        return [e for e in self.published if e["position"] > after][:limit]

    def envelope(
        self, contract: str, data: dict[str, Any], occurred_at: str = "2025-01-01T02:00:00+00:00"
    ) -> dict[str, Any]:
        prev = self.published[-1]["position"] if self.published else (self.start or None)
        position = (prev or 0) + 1
        env = {
            "contract": f"{self.service}.{contract}",
            "version": 1,
            "service": self.service,
            "position": position,
            "prev": prev,
            "event_id": f"{self.service}:{position}",
            "aggregate_id": uid(str(data)),
            "aggregate_version": 1,
            "occurred_at": occurred_at,
            "actor": {},
            "data": data,
        }
        self.published.append(env)
        return env

    def send(self, contract: str, data: dict[str, Any], **kw: Any) -> str:
        """Publish and deliver one envelope; returns what the inbox did with it."""
        return self.inbox.process(self.envelope(contract, data, **kw))

    def redeliver(self, index: int = -1) -> str:
        return self.inbox.process(self.published[index])


def communities(app: Assessment, names: list[str]) -> tuple[Feed, dict[str, str]]:
    feed = Feed(app, "registry")
    ids = {}
    for name in names:
        ids[name] = uid(f"community:{name}")
        feed.send(
            "community.established",
            {
                "community_id": ids[name],
                "name": name,
                "name_en": name,
                "district_id": uid("district"),
            },
        )
    return feed, ids


def party_member(
    app: Assessment, name: str, joined_on: str | None = None, member: bool = True
) -> str:
    """A person the registry announces (a party member unless ``member`` is False; recorded as
    having joined on ``joined_on`` if given), as assessment's registry inbox receives them."""
    feed = Feed(app, "registry")
    person_id = uid(f"person:{name}:{feed.start}")
    feed.send(
        "person.registered",
        {
            "person_id": person_id,
            "name": name,
            "gender": "male",
            "phone": "13800000001",
            "village_id": None,
            "kinds": ["resident", "party_member"] if member and joined_on is None else ["resident"],
            "sample": True,
        },
    )
    if joined_on is not None:
        feed.send("person.became_party_member", {"person_id": person_id, "joined_on": joined_on})
    return person_id


def case(feed: Feed, contract: str, case_id: str, community_id: str, **fields: Any) -> str:
    return feed.send(
        contract, {"case_id": case_id, "community_id": community_id, "team_id": None, **fields}
    )


def noon(day: str) -> str:
    """The UTC time of local noon on ``day`` (for events dated by their envelope)."""
    return dt.datetime.fromisoformat(f"{day}T12:00:00+08:00").astimezone(dt.UTC).isoformat()


def backfill(app: Assessment) -> Any:
    """130 back-dated facts for Q1 2025: the inbox snapshots the quarter at version 100."""
    _, c = communities(app, ["立柱"])
    cw = Feed(app, "casework")
    for i in range(130):
        case(
            cw,
            "case.opened",
            f"b{i}",
            c["立柱"],
            opened_on="2025-02-03",
            case_type="demand",
            category="道路",
            channel="visit",
            due_on=None,
        )
    return Period.create_id("quarter", "2025-01-01")
