"""Helpers for the casework tests (kept out of conftest so test modules can import them).

The registry and outreach reach casework through the platform's real ``Inbox`` here; only its
two ports are hand-written fakes: the gap puller (nothing to pull) and the dead-letter queue
(a list).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from casework.application import Casework
from casework.interests import OUTREACH, REGISTRY
from casework.reactions import OutreachReactions, RegistryReactions
from casework.usecases import USE_CASES
from shequ.actor import SYSTEM, Actor
from shequ.clock import FixedClock
from shequ.inbox import Inbox
from shequ.store import Store
from shequ.testing import Chain, MemoryDeadLetters, refused
from shequ.usecases import Bound

STAFF = Actor("staff-1", "district_staff")
AUDITOR = Actor("auditor-1", "auditor")
CW_SENT_AT = "2026-03-02T01:00:00+00:00"  # when the fed upstream events happened


class Feed:
    """Delivers upstream envelopes to casework's real inbox, with positions and prev links."""

    def __init__(self, app: Casework | Bound, upstream: str) -> None:
        app = unbound(app)
        handler, interests = (
            (RegistryReactions, REGISTRY)
            if upstream == "registry"
            else (OutreachReactions, OUTREACH)
        )
        self.dead = MemoryDeadLetters()
        self.inbox = Inbox(
            "casework",
            upstream,
            app,
            handler(app),
            lambda a, n: [],
            self.dead,
            max_failures=1,
            interests=interests,
        )
        self.upstream = upstream
        self.chain = Chain(upstream, {"person_id": "system", "role": "system"}, CW_SENT_AT)
        self.sent: list[dict[str, Any]] = []

    def envelope(self, contract: str, data: dict[str, Any]) -> dict[str, Any]:
        env = self.chain.next(contract, data)
        self.sent.append(env)
        return env

    def send(self, contract: str, data: dict[str, Any]) -> str:
        return self.inbox.process(self.envelope(contract, data))


# A village decision's four meetings (四议) by step: branch, committees, party assembly,
# representatives.
MEETINGS = (
    (1, "branch_meeting"),
    (2, "committees_meeting"),
    (3, "party_assembly"),
    (4, "representatives_meeting"),
)


def open_casework(store: Store, clock: FixedClock, **options: Any) -> Any:
    """The application seen through its use-case table (``USE_CASES.bind``): use cases are
    called ``app.open_case(actor, key, **fields)`` through the same checks as RPC."""
    return USE_CASES.bind(Casework(store, clock=clock, **options))


def unbound(app: Casework | Bound) -> Casework:
    return app.app if isinstance(app, Bound) else app  # type: ignore[no-any-return]


def close_casework(app: Casework | Bound) -> None:
    app = unbound(app)
    if app._projector is not None:
        app._projector.engine.dispose()
    app.close()


@contextmanager
def running_casework(store: Store, clock: FixedClock, **options: Any) -> Iterator[Any]:
    """``open_casework`` for the length of a ``with`` block, closed however it ends."""
    app = open_casework(store, clock, **options)
    try:
        yield app
    finally:
        close_casework(app)


def refusal(fn: Any, *a: Any, **kw: Any) -> str:
    """The code of the rule ``fn(*a, **kw)`` breaks (``rule.transition``)."""
    return refused(fn, *a, **kw).code


_n = itertools.count(1)


def uid() -> str:
    return str(uuid.uuid4())


def world(app: Casework) -> dict[str, Any]:
    """A community with a team (two members in mediation, one in sanitation and welfare),
    two villages, two households; learned through the registry inbox."""
    feed = Feed(app, "registry")
    w: dict[str, Any] = {
        "feed": feed,
        "community": uid(),
        "team": uid(),
        "v1": uid(),
        "v2": uid(),
        "h1": uid(),
        "h2": uid(),
        "other_community": uid(),
    }
    feed.send(
        "community.established",
        {"community_id": w["community"], "name": "立柱", "name_en": "Lizhu", "district_id": uid()},
    )
    feed.send(
        "community.established",
        {
            "community_id": w["other_community"],
            "name": "塔桥",
            "name_en": "Taqiao",
            "district_id": uid(),
        },
    )
    for v in ("v1", "v2"):
        feed.send(
            "village.registered",
            {
                "village_id": w[v],
                "name": f"示例{v}村",
                "community_id": w["community"],
                "registered_on": "2024-01-01",
                "sample": True,
            },
        )
    for h, v in (("h1", "v1"), ("h2", "v2")):
        w[f"{h}_head"] = uid()
        feed.send(
            "household.registered",
            {
                "household_id": w[h],
                "village_id": w[v],
                "head_id": w[f"{h}_head"],
                "address": "第一组",
                "since": "2024-01-01",
                "sample": True,
            },
        )
    members = (
        ("med_a", "mediation", "2024-01-01"),
        ("med_b", "mediation", "2024-02-01"),
        ("san", "sanitation", "2024-01-01"),
        ("wel", "welfare", "2024-01-01"),
    )
    for name, _group, _since in members:
        w[name] = uid()
    form_team(feed, w["team"], w["community"], [(w[n], g, since) for n, g, since in members])
    return w


def form_team(
    feed: Feed, team_id: str, community_id: str, members: list[tuple[str, str, str]]
) -> None:
    """The registry forms 立柱社区服务队 with ``members`` (person id, work group, since)."""
    groups = sorted({group for _person, group, _since in members})
    feed.send(
        "team.formed",
        {
            "team_id": team_id,
            "community_id": community_id,
            "name": "立柱社区服务队",
            "groups": groups,
        },
    )
    for person, group, since in members:
        join(feed, {"team": team_id, "community": community_id}, person, group, since)


README_IDS = "5b2d7c1e-0000-5000-8000-00000000000"  # + one digit: the README examples' ids


def readme_place(feed: Feed) -> str:
    """The community (…4), village (…5) and household (…9) the README's examples name."""
    c = README_IDS
    feed.send(
        "community.established",
        {"community_id": c + "4", "name": "立柱", "name_en": "Lizhu", "district_id": uid()},
    )
    feed.send(
        "village.registered",
        {
            "village_id": c + "5",
            "name": "示例村",
            "community_id": c + "4",
            "registered_on": "2024-01-01",
            "sample": True,
        },
    )
    feed.send(
        "household.registered",
        {
            "household_id": c + "9",
            "village_id": c + "5",
            "head_id": uid(),
            "address": "第一组",
            "since": "2024-01-01",
            "sample": True,
        },
    )
    return c


def join(feed: Feed, w: dict[str, Any], person: str, group: str, since: str = "2024-03-01") -> None:
    feed.send(
        "team.member_joined",
        {
            "team_id": w["team"],
            "community_id": w["community"],
            "person_id": person,
            "group": group,
            "name": "测示",
            "phone": "13800000001",
            "duties": "",
            "since": since,
        },
    )


def scan_at(app: Casework, clock: FixedClock, when: str) -> dict[str, Any]:
    """Move the clock to ``when`` (it stays there) and run the deadline scan, as the
    service's timer would at that time."""
    clock.at(when)
    return app.scan_deadlines(SYSTEM)


def key() -> str:
    return f"test:key:{next(_n)}:{uuid.uuid4().hex[:8]}"


FAILED = {"reason": "分歧过大", "routes_told": ["arbitration", "administrative", "litigation"]}
"""A mediation that failed, the parties told of every other route."""

RUBBISH = {"case_type": "demand", "category": "rubbish", "title": "垃圾未清运"}
"""The rubbish demand the interface and application tests open (they add its channel and
place)."""


def open_demand(
    app: Casework, w: dict[str, Any], actor: Actor = STAFF, **over: Any
) -> dict[str, Any]:
    args: dict[str, Any] = {
        "case_type": "demand",
        "category": "water_supply",
        "channel": "walk_in",
        "title": "自来水停水三天",
        "household_id": w["h1"],
        "resident_name": "王示例",
        "resident_phone": "13812345678",
    }
    args.update(over)
    return app.open_case(actor, key(), **args)


def open_decision(app: Casework, w: dict[str, Any], **over: Any) -> str:
    """A village decision case (四议两公开) in village ``v1``; its id."""
    args: dict[str, Any] = {
        "case_type": "decision",
        "category": "village_decision",
        "channel": "committee",
        "title": "村集体机动地对外发包",
        "village_id": w["v1"],
    }
    args.update(over)
    return str(app.open_case(STAFF, key(), **args)["case_id"])


PETITION = {
    "form": "written",
    "petitioner_name": "李示例",
    "address": "示例村第一组",
    "request": "要求补发土地补偿款",
    "facts": "2025年征地补偿款未足额发放。",
}
