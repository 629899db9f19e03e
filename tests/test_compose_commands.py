"""Every built service started exactly as its docker-compose.yml entry starts it (command and
environment; hostnames rabbitmq/postgres -> 127.0.0.1 with a fresh vhost and databases, volumes
-> temporary folders), as the least-privilege role deploy/postgres/init-databases.sh creates:
each becomes ready on /readyz and serves /metrics. Also the health server itself, directly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import amqp.exceptions
import kombu.exceptions
import psycopg
import pytest
import requests
from shequ import health
from shequ.suite import SERVICE_CLASSES
from shequ.testing import captured

from tests.support.compose import load_compose, read_env_file, service_process_env
from tests.support.infra import PG_ADMIN, RABBIT_API, REPO, free_port, rabbit_vhost, wait_until

BUILT = sorted(SERVICE_CLASSES)


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# the health server, directly --------------------------------------------------------------------
def test_health_server_routes_and_checks() -> None:
    port = free_port()
    state = {"broker": True}

    def broker() -> str:
        if not state["broker"]:
            raise ConnectionError("broker refused")
        return "connected"

    def hung() -> None:
        import eventlet

        eventlet.sleep(30)

    app = health.serve(port, {"store": lambda: 7, "broker": broker})
    try:
        status, body = get(port, "/healthz")
        assert status == 200 and json.loads(body)["status"] == "alive"
        status, body = get(port, "/readyz")
        ready = json.loads(body)
        assert status == 200, body
        assert ready["ready"] is True and ready["failed"] == []
        assert ready["checks"]["store"] == {**ready["checks"]["store"], "ok": True, "value": 7}
        status, body = get(port, "/metrics")
        assert status == 200 and "# HELP shequ_relay_lag" in body
        assert get(port, "/nothing")[0] == 404

        state["broker"] = False
        status, body = get(port, "/readyz")
        assert status == 503
        assert json.loads(body)["failed"] == ["broker"]
        assert "broker refused" in json.loads(body)["checks"]["broker"]["error"]

        # a second serve() on the port (a restarted container) replaces the checks
        assert health.serve(port, {"store": hung}) is app
        app.timeout = 0.5
        status, body = get(port, "/readyz")
        assert status == 503 and json.loads(body)["failed"] == ["store"]
        assert "no answer" in json.loads(body)["checks"]["store"]["error"]
        assert get(port, "/healthz")[0] == 200  # liveness does not depend on the store

        health.serve(port, {})
        status, body = get(port, "/readyz")
        assert status == 503 and json.loads(body)["failed"] == ["no_checks"]
    finally:
        health.shutdown(port)


def test_probe_client_exit_codes() -> None:
    port = free_port()
    health.serve(port, {"store": lambda: 1})
    try:
        env = {**os.environ, "PYTHONPATH": str(REPO), "SHEQU_REGISTRY_METRICS_PORT": str(port)}
        for args, code in ((["--ready"], 0), ([], 0)):
            run = captured(
                [sys.executable, "-m", "shequ.health", *args],
                env=env,
                timeout=60,
            )
            assert run.returncode == code, run.stdout + run.stderr
        health.serve(port, {"store": lambda: 1 / 0})
        run = captured(
            [sys.executable, "-m", "shequ.health", "--ready"],
            env=env,
            timeout=60,
        )
        assert run.returncode == 1 and "ZeroDivisionError" in run.stdout
    finally:
        health.shutdown(port)
    run = captured(
        [sys.executable, "-m", "shequ.health", str(port)],
        env=env,
        timeout=60,
    )
    assert run.returncode == 1  # nothing listens any more


def test_broker_check_against_the_real_broker() -> None:
    with rabbit_vhost() as uri:
        check = health.BrokerCheck(uri)
        assert check() == "connected"
        assert check() == "connected"  # the kept connection is reused
    with pytest.raises((amqp.exceptions.AMQPError, kombu.exceptions.KombuError, OSError)):
        check()  # the vhost is gone: the check fails instead of answering from memory
    check.close()


# compose entries as processes -------------------------------------------------------------------
class PgRoles:
    """deploy/postgres/init-databases.sh run against the local server with a unique prefix."""

    def __init__(self, services: list[str]) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:8]}_"
        self.services = services
        self.env = {
            **os.environ,
            **read_env_file(),
            "SHEQU_SERVICES": " ".join(services),
            "SHEQU_DB_PREFIX": self.prefix,
            "SHEQU_REVOKE_PUBLIC_CONNECT": "no",
            "PGHOST": "127.0.0.1",
            "PGPORT": "5432",
            "POSTGRES_USER": "postgres",
        }
        for service in services:
            self.env.setdefault(f"SHEQU_{service.upper()}_DB_PASSWORD", "x")

    def create(self) -> None:
        for _ in range(2):  # idempotent: a second run changes nothing and does not fail
            run = captured(
                ["bash", str(REPO / "deploy/postgres/init-databases.sh")],
                env=self.env,
            )
            assert run.returncode == 0, run.stdout + run.stderr

    def url(self, service: str, role: str | None = None) -> str:
        return f"postgresql://{role or self.prefix + service}@127.0.0.1:5432/{self.prefix}{service}"

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for service in self.services:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.prefix}{service}" WITH (FORCE)')
            for role in [self.prefix + s for s in self.services] + [self.prefix + "shequ_auditor"]:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.postgres
def test_every_built_service_runs_from_its_compose_entry(tmp_path: Path) -> None:
    compose = load_compose()
    postgres_env = compose["services"]["postgres"]["environment"]
    assert set(postgres_env["SHEQU_SERVICES"].split()) == set(BUILT)
    roles = PgRoles(BUILT + ["othersvc"])  # one more database, to prove isolation
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports: dict[str, int] = {}
    try:
        roles.create()
        with rabbit_vhost() as amqp:
            for service in BUILT:
                entry = compose["services"][service]
                command = entry["command"]
                assert command == ["python", "-m", "shequ.runner", service]
                volumes = {name: tmp_path / name for name in ("treeheads", "keys")}
                env = service_process_env(entry, amqp, {service: roles.url(service)}, volumes)
                assert env[f"SHEQU_{service.upper()}_STORE"].startswith(
                    f"postgresql://{roles.prefix}{service}:"
                )
                ports[service] = int(env[f"SHEQU_{service.upper()}_METRICS_PORT"])
                clean = {k: v for k, v in os.environ.items() if not k.startswith("SHEQU_")}
                log = open(tmp_path / f"{service}.log", "ab")  # noqa: SIM115
                procs[service] = subprocess.Popen(
                    [sys.executable, *command[1:]],
                    cwd=REPO,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**clean, **env, "PYTHONPATH": str(REPO)},
                )
            for service, port in ports.items():
                _wait_ready(service, port, procs[service], tmp_path)
                status, text = get(port, "/metrics")
                assert status == 200
                for name in (
                    "shequ_relay_lag",
                    "shequ_entrypoint_seconds",
                    "shequ_dead_letters_total",
                ):
                    assert f"# HELP {name}" in text
                assert f'shequ_log_position{{service="{service}"}}' in text
                assert get(port, "/healthz")[0] == 200
            _check_privileges(roles)
            # readiness follows the broker: take the vhost away, /readyz says what failed
            service, port = BUILT[0], ports[BUILT[0]]
            vhost = amqp.rsplit("/", 1)[1]
            requests.delete(
                f"{RABBIT_API}/vhosts/{vhost}", auth=("guest", "guest"), timeout=30
            ).raise_for_status()

            def not_ready() -> Any:
                status, body = get(port, "/readyz")
                return status == 503 and "broker" in json.loads(body)["failed"]

            wait_until(not_ready, 60, 0.5, what="/readyz to report the broker gone")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        roles.drop()


def _wait_ready(service: str, port: int, proc: subprocess.Popen[bytes], tmp: Path) -> None:
    def ready() -> Any:
        if proc.poll() is not None:
            raise RuntimeError("exited")
        status, body = get(port, "/readyz")
        answer = json.loads(body)
        return (
            status == 200
            and answer["ready"]
            and answer["checks"]["store"]["ok"]
            and answer["checks"]["broker"]["ok"]
        )

    try:
        wait_until(ready, 90, 0.3, what=f"{service} /readyz")
    except AssertionError as exc:
        log = (tmp / f"{service}.log").read_text(errors="replace")[-4000:]
        raise AssertionError(f"{service} never ready on port {port}: {exc}\n{log}") from None


def _check_privileges(roles: PgRoles) -> None:
    auditor = roles.prefix + "shequ_auditor"
    for service in BUILT:
        # the service created its tables as its own role; the auditor reads, never writes
        with psycopg.connect(roles.url(service, auditor), autocommit=True) as conn:
            tables = [
                r[0]
                for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
            assert f"{service}_events" in tables
            count = conn.execute(f'SELECT count(*) FROM "{service}_events"').fetchone()
            assert count is not None
            with pytest.raises(psycopg.Error):
                conn.execute(f'DELETE FROM "{service}_events"')
        with pytest.raises(psycopg.OperationalError):  # no CONNECT on another's database
            psycopg.connect(roles.url("othersvc", roles.prefix + service)).close()
    with psycopg.connect(PG_ADMIN) as conn:
        flags = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s",
            (roles.prefix + BUILT[0],),
        ).fetchone()
        assert flags == (False, False, False)


def test_compose_waits_for_healthy_dependencies() -> None:
    compose = load_compose()
    services = compose["services"]
    for service in BUILT:
        entry = services[service]
        assert entry["depends_on"] == {
            "rabbitmq": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
            # its RabbitMQ user exists before it logs in (ADR 0031)
            "broker-users": {"condition": "service_completed_successfully"},
        }
        assert entry["healthcheck"]["test"] == ["CMD", "python", "-m", "shequ.health", "--ready"]
    for name in ("rabbitmq", "postgres", "prometheus", "grafana"):
        assert services[name].get("healthcheck"), name
    time.sleep(0)
