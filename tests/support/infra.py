"""Real servers for cross-service tests: a RabbitMQ vhost and PostgreSQL databases per test,
service processes started with the same runner operators use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import requests

RABBIT_API = os.environ.get("SHEQU_TEST_RABBIT_API", "http://127.0.0.1:15672/api")
PG_ADMIN = os.environ.get("SHEQU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parents[2]


@contextmanager
def rabbit_vhost() -> Iterator[str]:
    """A fresh vhost; yields its AMQP URI and deletes it afterwards."""
    name = f"shequ-test-{uuid.uuid4().hex[:10]}"
    auth = ("guest", "guest")
    requests.put(f"{RABBIT_API}/vhosts/{name}", auth=auth, timeout=10).raise_for_status()
    requests.put(
        f"{RABBIT_API}/permissions/{name}/guest",
        auth=auth,
        timeout=10,
        json={"configure": ".*", "write": ".*", "read": ".*"},
    ).raise_for_status()
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        requests.delete(f"{RABBIT_API}/vhosts/{name}", auth=auth, timeout=30)


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database; yields its URL and drops it afterwards."""
    name = f"shequ_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServiceProcess:
    """One service run as `python -m shequ.runner TARGET`, as `shequ up` and compose do."""

    def __init__(self, target: str, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.target = target
        self.name = name
        self.env = {**os.environ, **env, "PYTHONPATH": str(REPO)}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.argv = [sys.executable, "-m", "shequ.runner", target]

    def start(self) -> ServiceProcess:
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the handle
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        return self

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def rpc(amqp_uri: str, service: str, method: str, timeout: float = 30, **kwargs: Any) -> Any:
    from shequ.client import rpc_call

    return rpc_call(service, method, kwargs, timeout, amqp=amqp_uri)


def wait_until(check: Any, timeout: float = 60, interval: float = 0.2, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - eventual consistency: retry
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what or check}: last error {last_exc!r}")


def wait_healthy(amqp_uri: str, proc: ServiceProcess, timeout: float = 60) -> dict[str, Any]:
    def ready() -> Any:
        assert proc.proc is not None
        if proc.proc.poll() is not None:
            raise RuntimeError(f"{proc.name} exited:\n{proc.log_tail()}")
        health = rpc(amqp_uri, proc.name, "health", timeout=3)
        return health if health.get("ready") else None

    try:
        return wait_until(ready, timeout, what=f"{proc.name} ready")
    except AssertionError:
        raise AssertionError(f"{proc.name} not ready:\n{proc.log_tail()}") from None
