"""End to end with real processes over real RabbitMQ: registry, casework and a test publisher
standing in for outreach, each run by ``python -m shequ.runner`` as operators run them.

* A registry change of a work group's members changes who new cases route to.
* An outreach opinion becomes exactly one case, even when its message is delivered twice, and
  casework publishes the case back with the opinion's id.
* Bad input crosses RPC as a structured error and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Exchange, Producer
from shequ.errors import NotFound, RuleViolation

from tests.support.infra import rabbit_vhost, wait_until
from tests.support.suite import SYSTEM, Suite, fresh_stores, rubbish, running, sample_person

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
STAFF = {"person_id": "staff-1", "role": "district_staff"}
OUTREACH = Exchange("shequ.outreach.events", type="topic", durable=True)


class CaseworkSuite(Suite):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        more = {"casework": "casework", "outreach": "tests.support.standin:OutreachStandIn"}
        super().__init__(amqp, stores, tmp, more)
        self.casework, self.outreach = self.procs["casework"], self.procs["outreach"]

    def casework_caught_up(self, upstream: str = "registry") -> None:
        def done() -> bool:
            log = self.call(upstream, "notifications", actor=SYSTEM, after=0, limit=1000)
            last = log[-1]["position"] if log else 0
            return self.call("casework", "health")["inboxes"][upstream]["position"] >= last

        wait_until(done, timeout=60, what=f"casework caught up with {upstream}")


NAMES = ("registry", "mirror", "casework", "outreach")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def suite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CaseworkSuite]:
    with (
        rabbit_vhost() as amqp,
        fresh_stores(request.param, NAMES, tmp_path) as db,
        running(CaseworkSuite(amqp, db, tmp_path), start=False) as s,
    ):
        yield s


def community(suite: CaseworkSuite) -> dict[str, Any]:
    """A community, a village, a household and a service team with one sanitation member."""
    r: dict[str, Any] = {}

    def call(method: str, key: str, **kw: Any) -> Any:
        return suite.call("registry", method, actor=STAFF, idempotency_key=f"e2e-cw-{key}", **kw)

    call("establish_district", "district", name="胶河经济区")
    r["community"] = call("establish_community", "c", name="立柱", name_en="Lizhu")["community_id"]
    r["village"] = suite.sample_village(STAFF, "e2e-cw-v", r["community"])
    for i, name in enumerate(("head", "a", "b")):
        person = sample_person(7100 + i, f"测示{i}", village_id=r["village"], sample=True)
        r[name] = call("register_person", f"p{i}", **person)["person_id"]
    r["household"] = call(
        "register_household",
        "h",
        village_id=r["village"],
        head_id=r["head"],
        address="示例村第一村民小组",
        sample=True,
    )["household_id"]
    r["team"] = suite.team_with_cleaner(STAFF, "e2e-cw-team", r["community"], r["a"])
    return r


def open_rubbish(suite: CaseworkSuite, r: dict[str, Any], key: str) -> dict[str, Any]:
    return suite.open_accepted(STAFF, f"e2e-{key}", "垃圾未清运", household_id=r["household"])


def test_registry_team_changes_reroute_new_cases_and_opinions_become_one_case(
    suite: CaseworkSuite,
) -> None:
    suite.start(suite.registry, suite.casework, suite.outreach)
    r = community(suite)
    suite.casework_caught_up()
    assert open_rubbish(suite, r, "case-1")["owner_id"] == r["a"]
    # the registry moves the work: a leaves, b joins sanitation
    suite.hand_over(STAFF, "e2e-cw", r["team"], leaving=r["a"], joining=r["b"])
    suite.casework_caught_up()
    assert open_rubbish(suite, r, "case-2")["owner_id"] == r["b"]

    # outreach collects an opinion: casework turns it into one case, routed to b
    opinion = "0f0f0f0f-0000-5000-8000-000000000001"
    suite.call(
        "outreach",
        "emit",
        actor=SYSTEM,
        idempotency_key="e2e-opinion-1",
        contract="opinion.collected",
        data={
            "opinion_id": opinion,
            "community_id": r["community"],
            "village_id": r["village"],
            "household_id": r["household"],
            "category": "rubbish",
            "text": "村口垃圾堆放多日",
            "channel": "visit",
            "source_id": "visit-1",
            "collected_by": r["b"],
            "collected_on": "2026-03-02",
        },
    )

    def from_opinion() -> list[dict[str, Any]]:
        return [
            c
            for c in suite.call("casework", "queue", actor=STAFF, community_id=r["community"])
            if c["origin_opinion_id"] == opinion
        ]

    cases = wait_until(from_opinion, timeout=60, what="the opinion's case")
    assert len(cases) == 1 and cases[0]["owner_id"] == r["b"]
    # deliver the same message a second time: no effect
    envelope = suite.call("outreach", "notifications", actor=SYSTEM, after=0, limit=10)[0]
    with Connection(suite.amqp) as conn:
        Producer(conn.channel()).publish(
            json.dumps(envelope, ensure_ascii=False),
            exchange=OUTREACH,
            routing_key="outreach.opinion.collected.v1",
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            declare=[OUTREACH],
        )
    wait_until(
        lambda: suite.call("casework", "health")["inboxes"]["outreach"]["counts"]["duplicate"] >= 1,
        timeout=60,
        what="the repeat seen as a duplicate",
    )
    assert len(from_opinion()) == 1
    published = suite.call("casework", "notifications", actor=SYSTEM, after=0, limit=1000)
    opened = [e["data"] for e in published if e["contract"] == "casework.case.opened"]
    assert [o["origin_opinion_id"] for o in opened].count(opinion) == 1


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_bad_input_across_processes_is_refused_and_writes_nothing(suite: CaseworkSuite) -> None:
    suite.start(suite.registry, suite.casework)
    r = community(suite)
    suite.casework_caught_up()
    before = suite.call("casework", "health")["log_position"]
    nowhere = rubbish("x", "walk_in", household_id="00000000-0000-0000-0000-000000000000")
    nf = suite.refused(NotFound, "casework", "open_case", STAFF, "e2e-bad-1", **nowhere)
    assert nf.field == "household_id" and nf.message_en
    here = rubbish("垃圾", "walk_in", household_id=r["household"])
    case = suite.command("casework", "open_case", STAFF, "e2e-ok-1", **here)
    top = suite.call("casework", "health")["log_position"]
    assert top > before
    rv = suite.refused(
        RuleViolation,
        "casework",
        "resolve_case",
        STAFF,
        "e2e-bad-2",
        case_id=case["case_id"],
        evidence=["照片"],
    )
    assert rv.code == "rule.transition"
    assert suite.call("casework", "health")["log_position"] == top
