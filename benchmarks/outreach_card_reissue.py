"""Outreach: one team change re-issues the contact cards of 10,000 households.

A community with a full service team and N households (default 10,000), and a second
community (1,000 households) that must not be touched, are fed to outreach through the
platform's real Inbox (batches of 100, as the subscriber delivers them). Then one registry
event changes the phone of a team member shown on every card of the first community.

Above ``inline_reissue_limit`` (500) the inbox transaction records only the new team section,
and the service's re-issuer issues the cards in chunks of 500, one transaction each (ADR 0007:
one transaction of 10,000 events stalls PostgreSQL's pipelined insert). The benchmark runs the
same code the service runs: the inbox, then ``reissue_pending`` until it returns 0.

Prints: the inbox event's time, the re-issue time (all chunks, read model included), cards/s,
peak Python memory (tracemalloc, measured on a second change); then checks that all N cards
carry the new phone at the new version, that the other community's cards did not change, and
that delivering the event again changes nothing.

Usage: .venv/bin/python benchmarks/outreach_card_reissue.py [--households 10000]
       [--store postgres|sqlite]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from typing import Any

import common

sys.path.insert(0, str(common.REPO / "services" / "outreach"))

from outreach import tables as t
from outreach.application import Outreach
from outreach.interests import REGISTRY
from outreach.reactions import RegistryReactions
from shequ.inbox import Inbox
from shequ.store import Store
from shequ.testing import Chain
from sqlalchemy import func, select

GROUPS = ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"]


class Feed:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.pending = inbox, []
        bench = {"person_id": "bench", "role": "system"}
        self.chain = Chain("registry", bench, "2025-01-01T00:00:00+00:00", event_prefix="r")

    def envelope(self, contract: str, **data: Any) -> dict[str, Any]:
        return self.chain.next(contract, data)

    def add(self, contract: str, **data: Any) -> None:
        self.pending.append(self.envelope(contract, **data))
        if len(self.pending) == 100:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            outcomes = self.inbox.process_batch(self.pending)
            assert set(outcomes) == {"applied"}, outcomes
            self.pending = []


def community(feed: Feed, households: int) -> dict[str, Any]:
    cid, vid, tid = (str(uuid.uuid4()) for _ in range(3))
    feed.add(
        "community.established",
        community_id=cid,
        name="立柱",
        name_en="Lizhu",
        district_id=str(uuid.uuid4()),
    )
    feed.add(
        "village.registered",
        village_id=vid,
        name="东王家村",
        community_id=cid,
        registered_on="2024-01-01",
        sample=True,
    )
    feed.add("team.formed", team_id=tid, community_id=cid, name="服务队", groups=GROUPS)
    members = []
    for i, group in enumerate(GROUPS):
        pid = str(uuid.uuid4())
        members.append(pid)
        feed.add(
            "team.member_joined",
            team_id=tid,
            community_id=cid,
            person_id=pid,
            group=group,
            name=f"队员{i}",
            phone=f"1390000000{i}",
            duties=f"职责{i}",
            since="2024-01-01",
        )
    hids = [str(uuid.uuid4()) for _ in range(households)]
    for n, hid in enumerate(hids):
        feed.add(
            "household.registered",
            household_id=hid,
            village_id=vid,
            head_id=str(uuid.uuid4()),
            address=f"东王家村第{n % 20 + 1}村民小组{n}号",
            since="2024-01-01",
            sample=True,
        )
    feed.flush()
    return {"community_id": cid, "team_id": tid, "members": members, "households": hids}


def check(
    app: Outreach, households: list[str], version: int, phone: str | None, member: str
) -> int:
    """How many of ``households`` have current card ``version`` (showing ``phone``)."""
    h, v = t.households, t.card_versions
    good = 0
    with app.read() as c:
        rows = c.execute(
            select(h.c.id, h.c.card_version, v.c.contacts)
            .join(v, (v.c.household_id == h.c.id) & (v.c.version == h.c.card_version))
            .where(h.c.id.in_(households))
        ).all()
    for row in rows:
        shown = {x["person_id"]: x["phone"] for x in json.loads(row.contacts)}
        if row.card_version == version and (phone is None or shown.get(member) == phone):
            good += 1
    return good


def change(app: Outreach, inbox: Inbox, env: dict[str, Any]) -> tuple[float, float, int]:
    """Deliver one team change, then run the re-issuer until nothing is pending."""
    started = time.perf_counter()
    assert inbox.process(env) == "applied"
    inbox_s = time.perf_counter() - started
    started, chunks = time.perf_counter(), 0
    while app.reissue_pending() > 0:
        chunks += 1
    app.projector.catch_up()
    return inbox_s, time.perf_counter() - started, chunks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    from tests.support.infra import pg_database

    with tempfile.TemporaryDirectory() as tmp:
        if args.store == "postgres":
            with pg_database() as url:
                run(Store.parse(url), args.households)
        else:
            run(Store.parse(f"sqlite:///{tmp}/outreach.db"), args.households)


def run(store: Store, n: int) -> None:
    app = Outreach(store)
    dead: list[Any] = []

    class Dead:
        def send(self, *a: Any, **k: Any) -> None:
            dead.append(a)

    inbox = Inbox(
        "outreach",
        "registry",
        app,
        RegistryReactions(app),
        lambda a, b: [],
        Dead(),  # type: ignore[arg-type]
        3,
        REGISTRY,
    )
    feed = Feed(inbox)
    started = time.perf_counter()
    big, small = community(feed, n), community(feed, 1000)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    app.projector.catch_up()
    print(
        f"setup: {n + 1000} households with their first card in {setup:.1f} s "
        f"(read model caught up in {time.perf_counter() - started:.1f} s), store {store.kind}"
    )
    shown = big["members"][2]
    top = app.recorder.max_notification_id() or 0

    env = feed.envelope(
        "team.member_phone_changed", team_id=big["team_id"], person_id=shown, phone="13812345678"
    )
    inbox_s, reissue_s, chunks = change(app, inbox, env)
    written = (app.recorder.max_notification_id() or 0) - top
    print(
        f"re-issue of {n} cards after one team change: inbox event {inbox_s * 1000:.0f} ms; "
        f"re-issuer {reissue_s:.1f} s in {chunks} chunks ({n / reissue_s:.0f} cards/s); "
        f"{written} events written"
    )
    right = check(app, big["households"], 2, "13812345678", shown)
    untouched = check(app, small["households"], 1, None, shown)
    print(
        f"verified: {right}/{n} cards at version 2 with the new phone; "
        f"{untouched}/1000 cards of the other community still at version 1"
    )
    assert right == n and untouched == 1000
    top = app.recorder.max_notification_id() or 0
    assert inbox.process(env) == "duplicate" and app.reissue_pending() == 0
    assert (app.recorder.max_notification_id() or 0) == top
    print("duplicate delivery: skipped, 0 events written")

    env = feed.envelope(
        "team.member_phone_changed", team_id=big["team_id"], person_id=shown, phone="13887654321"
    )
    tracemalloc.start()
    _, traced, _ = change(app, inbox, env)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak Python memory during a re-issue of {n} cards: {peak / 2**20:.0f} MiB "
        f"(measured on a second change, {traced:.1f} s under tracemalloc)"
    )
    right = check(app, big["households"], 3, "13887654321", shown)
    print(
        f"verified: {right}/{n} cards at version 3 with the second phone; dead letters {len(dead)}"
    )
    assert right == n and not dead
    with app.read() as c:
        total = c.execute(select(func.count()).select_from(t.card_versions)).scalar_one()
    print(
        f"card versions kept: {total} (= {n} x 3 + 1000); process peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (whole run)"
    )
    app.close()


if __name__ == "__main__":
    main()
