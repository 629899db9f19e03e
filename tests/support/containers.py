"""A service run in this process for interface tests: its settings in the environment and its
nameko ``ServiceContainer`` on a test vhost; polling for what it does in the background."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from nameko.containers import ServiceContainer

from tests.support.infra import free_port


def service_env(
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    store_url: str,
    amqp: str,
    tmp: Path,
    metrics_port: int | None = None,
    **more: str,
) -> None:
    """Set ``service``'s store and metrics port, the tree-head and key folders under ``tmp``,
    the broker and ``more`` (``SHEQU_`` names without the prefix). The Platform's relay reads its
    broker from the environment (ServiceConfig.from_env), not from the container's AMQP_URI, so
    both must name the test vhost."""
    prefix = f"SHEQU_{service.upper()}"
    settings = {
        f"{prefix}_STORE": store_url,
        f"{prefix}_METRICS_PORT": str(metrics_port or free_port()),
        "SHEQU_TREEHEAD_DIR": str(tmp / "treeheads"),
        "SHEQU_KEY_DIR": str(tmp / "keys"),
        "SHEQU_AMQP_URI": amqp,
        **{f"SHEQU_{name}": value for name, value in more.items()},
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


@contextmanager
def started(service_cls: type, amqp: str) -> Iterator[ServiceContainer]:
    """``service_cls`` in a started container on the vhost ``amqp``, stopped afterwards."""
    container = ServiceContainer(service_cls, {"AMQP_URI": amqp, "serializer": "json"})
    container.start()
    try:
        yield container
    finally:
        container.stop()


def wait_for(check: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
    """Poll ``check`` until it returns something truthy; fail with the last value otherwise (an
    exception from ``check`` is not waited out: it fails the test at once)."""
    deadline = time.monotonic() + timeout
    value: Any = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}: last {value!r}")
