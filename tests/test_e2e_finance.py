"""Finance end to end with real processes (issue 12, Proof): registry, finance and assessment,
each run by ``python -m shequ.runner`` on its own PostgreSQL database, over a real RabbitMQ
vhost.

1. A voucher returned once and then posted becomes two facts of its community's voucher
   return rate in assessment, keyed by the voucher; every finance envelope delivered a second
   time (published to the exchange again, as a broker redelivers after a lost ack) changes
   nothing.
2. kill -9 of finance at random points while vouchers are posted through RPC, each key sent
   again until it is acknowledged: no acknowledged voucher is lost (a retry of its key answers
   the same number, the books show it posted under it) and the numbers are 记-2026-001 … with
   none skipped and none used twice.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import eventlet
import pytest
import shequ.rpc  # noqa: F401 - structured errors cross RPC as themselves
from nameko.standalone.rpc import ClusterRpcProxy
from shequ.testing import publish_envelope

from tests.support.finance import Books
from tests.support.infra import wait_until
from tests.support.suite import Processes, on_fresh_vhost

pytestmark = [pytest.mark.slow, pytest.mark.rabbit, pytest.mark.postgres]

STAFF = {"person_id": "staff-1", "role": "district_staff"}
SYSTEM = {"person_id": "system:test", "role": "system"}
DAY = "2026-01-20"  # the vouchers' date; they are posted today, by finance's clock


class Books3(Processes):
    """Registry, finance and (unless left out) assessment."""

    timeout = 30.0

    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        super().__init__(amqp, stores, tmp, {name: name for name in stores})

    def published(self, service: str) -> list[dict[str, Any]]:
        return self.call(service, "notifications", actor=SYSTEM, after=0, limit=1000)

    def inbox(self, service: str, upstream: str) -> dict[str, Any]:
        return self.call(service, "health")["inboxes"][upstream]  # type: ignore[no-any-return]

    def caught_up(self, service: str, upstream: str) -> None:
        last = wait_until(lambda: self.published(upstream), what=f"{upstream} published")[-1]
        wait_until(
            lambda: self.inbox(service, upstream)["position"] >= last["position"],
            what=f"{service} caught up with {upstream}",
        )

    def books(self, key: str) -> tuple[Books, dict[str, str]]:
        """A village registered in the registry, known to finance, its ledger opened."""
        ids = self.establish_village(STAFF, key)
        self.caught_up("finance", "registry")
        books = Books(self.call, ids["village"])
        books.open(f"{key}-ledger", "2026-01-01")
        return books, ids


@pytest.fixture
def trio(tmp_path: Path) -> Iterator[Books3]:
    names = ("registry", "finance", "assessment")
    with on_fresh_vhost(Books3, "postgres", names, tmp_path) as p:
        yield p


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Books3]:
    with on_fresh_vhost(Books3, "postgres", ("registry", "finance"), tmp_path) as p:
        yield p


def _quarter_start(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1).isoformat()


def test_a_posted_voucher_counts_once_in_the_return_rate_despite_redelivery(trio: Books3) -> None:
    p = trio
    books, ids = p.books("e2e-fin-a")
    voucher = books.draft("e2e-fin-a-v1", DAY)
    books.review(voucher, "e2e-fin-a-v1", upto=1)
    books.send_back(voucher, "e2e-fin-a-v1-return", "finance_group", "缺少发票")
    books.review(voucher, "e2e-fin-a-v1-again")
    assert books.post(voucher, "e2e-fin-a-v1-post")["number"] == "记-2026-001"

    def finance_published() -> list[dict[str, Any]] | None:
        envelopes = p.published("finance")
        contracts = {e["contract"] for e in envelopes}
        return envelopes if "finance.voucher.posted" in contracts else None

    envelopes = wait_until(finance_published, what="the posting published")
    posted = next(e for e in envelopes if e["contract"] == "finance.voucher.posted")
    assert (posted["data"]["returns"], posted["data"]["community_id"]) == (1, ids["community"])
    p.caught_up("assessment", "finance")

    def facts() -> list[tuple[str, str]]:
        found = p.call(
            "assessment",
            "indicator_sources",
            actor=STAFF,
            period_kind="quarter",
            period_start=_quarter_start(posted["data"]["posted_on"]),
            subject_id=ids["community"],
            metric="voucher_return_rate",
        )["facts"]
        return [(f["kind"], f["key"]) for f in found]

    once = [("voucher.returned", voucher), ("voucher.posted", voucher)]
    assert facts() == once
    duplicates = p.inbox("assessment", "finance")["counts"].get("duplicate", 0)
    for envelope in envelopes:  # every finance envelope, delivered a second time
        publish_envelope(p.amqp, envelope)
    wait_until(
        lambda: (
            p.inbox("assessment", "finance")["counts"].get("duplicate", 0)
            >= duplicates + len(envelopes)
        ),
        what="the redeliveries seen as duplicates",
    )
    assert facts() == once


class Poster:
    """Posts approved vouchers one after another through RPC, each key again until it is
    acknowledged (the process may be gone): what each acknowledgement said."""

    def __init__(self, p: Books3, books: Books, vouchers: list[str]) -> None:
        self.p, self.books, self.todo = p, books, list(vouchers)
        self.acked: dict[str, str] = {}  # voucher -> number
        self.running = False

    def run(self) -> None:
        self.running = True
        while self.running and self.todo:
            try:
                config = {"AMQP_URI": self.p.amqp, "serializer": "json"}
                with ClusterRpcProxy(config, timeout=2) as proxy:
                    while self.running and self.todo:
                        voucher = self.todo[0]
                        answer = proxy.finance.post_voucher(
                            actor=self.books.agency,
                            idempotency_key=f"post-{voucher}",
                            voucher_id=voucher,
                        )
                        self.acked[voucher] = answer["number"]
                        self.todo.pop(0)
            except Exception:  # noqa: BLE001 - finance died mid-call: the same key again
                eventlet.sleep(0.1)


def test_kill9_of_finance_while_posting_loses_no_voucher_and_no_number(pair: Books3) -> None:
    p = pair
    books, _ = p.books("e2e-fin-b")
    count = 40
    keys = [f"e2e-fin-b-{i:03d}" for i in range(count)]
    vouchers = books.approved_in_batches(keys, DAY)
    poster = Poster(p, books, vouchers)
    finance = p.procs["finance"]
    # killed at three random points of the posting: once so many vouchers were acknowledged
    targets = sorted(random.Random(20261201).sample(range(5, count - 5), 3))
    for target in targets:
        worker = eventlet.spawn(poster.run)
        deadline = time.monotonic() + 30
        while len(poster.acked) < target and time.monotonic() < deadline:
            eventlet.sleep(0.002)
        finance.kill9()
        poster.running = False
        worker.wait()
        assert target <= len(poster.acked) < count, (target, len(poster.acked))
        p.start(finance)
    poster.run()  # the rest, on a finance left running
    assert not poster.todo
    numbers = [poster.acked[v] for v in vouchers]
    assert sorted(numbers) == [f"记-2026-{n:03d}" for n in range(1, count + 1)]
    for voucher in vouchers:  # stored: a retry of its key is answered from the record
        assert books.post(voucher, f"post-{voucher}")["number"] == poster.acked[voucher]
    listed = p.call(
        "finance", "vouchers", actor=books.agency, village_id=books.village_id, period="2026-01"
    )["vouchers"]
    assert {(v["id"], v["status"], v["number"]) for v in listed} == {
        (v, "posted", poster.acked[v]) for v in vouchers
    }
