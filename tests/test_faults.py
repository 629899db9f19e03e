"""Faults on the real servers.

* kill -9 of the registry at 20+ random points while commands and the relay run: every
  acknowledged command is stored (a retry of its key returns the same result), and the
  consumer's effects equal the published events, none missing and none twice.
* RabbitMQ stopped and started under load: clients retry with the same keys until acknowledged;
  afterwards the same equality holds.
"""
from __future__ import annotations

import random
import subprocess
import time
from typing import Any

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.infra import wait_until
from tests.support.suite import SYSTEM, Suite

STAFF = {"person_id": "staff-1", "role": "district_staff"}
pytestmark = pytest.mark.slow


def _command(i: int) -> dict[str, Any]:
    return {"actor": STAFF, "idempotency_key": f"fault-{i:06d}", "name": f"故障社区{i}",
            "name_en": f"Fault community {i}"}


class Client:
    """Sends establish_community commands one after another; remembers what was acknowledged."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.next = 0
        self.acked: dict[int, dict[str, Any]] = {}
        self.running = False

    def run_until_stopped(self, timeout: float = 4) -> None:
        self.running = True
        while self.running:
            try:
                with ClusterRpcProxy({"AMQP_URI": self.suite.amqp, "serializer": "json"},
                                     timeout=timeout) as proxy:
                    while self.running:
                        i = self.next
                        self.next += 1
                        self.acked[i] = proxy.registry.establish_community(**_command(i))
            except Exception:  # noqa: BLE001 - the server died or the broker went away
                eventlet.sleep(0.1)

    def stop(self) -> None:
        self.running = False


def _assert_consistent(suite: Suite, acked: dict[int, dict[str, Any]]) -> None:
    for i, result in acked.items():  # stored: the retry is answered from the record
        assert suite.call("registry", "establish_community", **_command(i)) == result
    published = wait_until(lambda: suite.published_positions(), what="published")
    assert len(published) == len(set(published))

    def caught_up() -> Any:
        copied = suite.call("mirror", "copied", actor=SYSTEM)
        return copied if len(copied) >= len(published) else None

    copied = wait_until(caught_up, timeout=120, what="consumer caught up")
    assert copied == published  # none missing, none twice, in order
    assert len(published) >= len(acked) + 1


def test_kill9_registry_at_random_points(suite: Suite) -> None:
    suite.start(suite.registry, suite.mirror)
    suite.call("registry", "establish_district", actor=STAFF, idempotency_key="fault-district",
               name="胶河经济区")
    rnd = random.Random(20261126)
    client = Client(suite)
    kills = 0
    for _ in range(20):
        worker = eventlet.spawn(client.run_until_stopped)
        eventlet.sleep(rnd.uniform(0.2, 1.5))
        suite.registry.kill9()
        kills += 1
        client.stop()
        worker.wait()
        suite.start(suite.registry)
    assert kills >= 20 and len(client.acked) > 20
    _assert_consistent(suite, client.acked)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_rabbitmq_stopped_and_started_under_load(suite: Suite) -> None:
    suite.start(suite.registry, suite.mirror)
    suite.call("registry", "establish_district", actor=STAFF, idempotency_key="fault-district",
               name="胶河经济区")
    client = Client(suite)
    worker = eventlet.spawn(client.run_until_stopped, 3)
    eventlet.sleep(2)
    _rabbitmqctl("stop_app")
    try:
        time.sleep(3)
    finally:
        _rabbitmqctl("start_app")
        _rabbitmqctl("await_startup")
    eventlet.sleep(6)  # load continues after the broker is back
    client.stop()
    worker.wait()
    assert len(client.acked) > 10
    _assert_consistent(suite, client.acked)
