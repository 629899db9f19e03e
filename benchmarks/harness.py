"""What the service benchmarks share: the store's own append rate as their baseline, one
service process on a vhost and database of its own, and the district the commands run in.

Import it after ``common`` and ``eventlet.monkey_patch()``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event
from shequ.app import ServiceApplication
from shequ.store import Store

from tests.support.infra import ServiceProcess, free_port, rpc

STAFF = {"person_id": "bench", "role": "district_staff"}


class Item(Aggregate):
    @event("Made")
    def __init__(self, name: str) -> None:
        self.name = name


class Raw(ServiceApplication):
    name = "rawbench"


def raw_appends(store_url: str, n: int) -> float:
    """Sequential saves of one small new aggregate each: the store's own rate."""
    app = Raw(Store.parse(store_url))
    started = time.perf_counter()
    for i in range(n):
        app.save(Item(name=f"item {i}"))
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed


def service_env(name: str, amqp: str, db: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of service ``name`` on broker ``amqp`` and store ``db``; its tree
    heads and keys under ``tmp``."""
    up = name.upper()
    return {
        "SHEQU_AMQP_URI": amqp,
        f"SHEQU_{up}_STORE": db,
        f"SHEQU_{up}_METRICS_PORT": str(free_port()),
        "SHEQU_TREEHEAD_DIR": str(tmp / "heads"),
        "SHEQU_KEY_DIR": str(tmp / "keys"),
        **extra,
    }


def service(name: str, amqp: str, db: str, tmp: Path, module: str = "") -> ServiceProcess:
    """Service ``name`` (from ``module``, its own package by default), not yet started."""
    return ServiceProcess(module or name, name, service_env(name, amqp, db, tmp), tmp)


def establish_district(amqp: str, key: str) -> Any:
    """The district the benchmark's commands run in."""
    return rpc(
        amqp, "registry", "establish_district", actor=STAFF, idempotency_key=key, name="压测区"
    )
