"""``shequ up`` (what ``make run`` runs): every built service as a local process on SQLite
stores under var/, RabbitMQ on localhost, the demo district loaded once, and the HTTP gateway
(``python -m gateway``, ADR 0032) in front of them with an API token for this run.

The gateway is no domain service (it is not in ``shequ.suite.SUITE``: no store, no log): it is
started as a process by its module name, never imported from here. Its token, for a district
staff member, is made afresh each run and kept only hashed in ``var/gateway-tokens.json``
(unless the operator names their own file in ``SHEQU_GATEWAY_TOKENS``).

Each service runs in its own process group, which ``shequ up`` stops on SIGTERM and SIGINT
(Ctrl-C) alike; the children also get SIGTERM if ``shequ up`` itself dies (Linux's parent-death
signal), so no service is left running on its own. A second run that would share a metrics
port or a SQLite store with a running one refuses to start, with one line saying which.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

import click

from shequ.config import ConfigError, amqp_uri, env_number, metrics_port
from shequ.store import Store, StoreConfigError
from shequ.suite import SERVICES

BUILT = SERVICES
PR_SET_PDEATHSIG = 1
GATEWAY = "gateway"
# the gateway's own defaults (services/gateway/gateway/settings.py), read here without
# importing it: shared code never imports the gateway
GATEWAY_PORT, GATEWAY_METRICS_PORT = 8080, 9110
DEMO_TOKEN_ACTOR = {"person_id": "demo-staff", "role": "district_staff"}


class Stop(BaseException):
    """SIGTERM (or SIGINT) reached ``shequ up``: stop the services and leave. A BaseException,
    as KeyboardInterrupt is, so that no ``except Exception`` on the way (a health poll that
    retries) swallows it."""


def broker_reachable(uri: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


def service_env(name: str, var: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ.setdefault(f"SHEQU_{name.upper()}_STORE", f"sqlite:///{var.resolve()}/{name}.db")
    environ.setdefault("SHEQU_TREEHEAD_DIR", str(var.resolve() / "treeheads"))
    environ.setdefault("SHEQU_KEY_DIR", str(var.resolve() / "keys"))
    return environ


def gateway_ports() -> tuple[int, int]:
    """SHEQU_GATEWAY_PORT and SHEQU_GATEWAY_METRICS_PORT (0: no metrics), as the gateway reads
    them."""
    try:
        return (
            int(env_number("SHEQU_GATEWAY_PORT", GATEWAY_PORT, int, 1)),
            int(env_number("SHEQU_GATEWAY_METRICS_PORT", GATEWAY_METRICS_PORT, int, 0)),
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def gateway_token(var: Path) -> str | None:
    """A fresh API token for this run (a district staff member), kept hashed in
    ``var/gateway-tokens.json`` and named to the gateway by ``SHEQU_GATEWAY_TOKENS``; None when
    the operator names their own tokens file."""
    if os.environ.get("SHEQU_GATEWAY_TOKENS", "").strip():
        return None
    token = secrets.token_urlsafe(24)
    path = var.resolve() / "gateway-tokens.json"
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    path.write_text(json.dumps({digest: DEMO_TOKEN_ACTOR}), encoding="utf-8")
    path.chmod(0o600)
    os.environ["SHEQU_GATEWAY_TOKENS"] = str(path)
    return token


def gateway_env(var: Path) -> dict[str, str]:
    """The gateway's environment: its own store (accounts, sessions) under ``var`` unless
    SHEQU_GATEWAY_STORE names one."""
    environ = dict(os.environ)
    environ.setdefault("SHEQU_GATEWAY_STORE", f"sqlite:///{var.resolve()}/gateway.db")
    return environ


def unsigned_actors_warning() -> None:
    """A local run takes unsigned actors (SHEQU_ALLOW_UNSIGNED_ACTORS=1) unless the operator
    set it to 0 (then the CLI signs with SHEQU_ACTOR_KEY); says so in one line when it does."""
    os.environ.setdefault("SHEQU_ALLOW_UNSIGNED_ACTORS", "1")
    if os.environ["SHEQU_ALLOW_UNSIGNED_ACTORS"].strip().lower() in ("1", "true", "yes"):
        click.echo(
            "WARNING: development run: the services accept UNSIGNED actors "
            "(SHEQU_ALLOW_UNSIGNED_ACTORS=1), so anyone who reaches the broker can act as "
            "anyone. Production mounts actor keys instead (docs/operations.md, ADR 0031).",
            err=True,
        )


def demo_settings(var: Path) -> None:
    """The demo district's casework settings (sample data: paper records back to the start of
    the last complete quarter, ``shequ.demo.CASEWORK_SETTINGS``), unless the operator names
    their own in ``SHEQU_CASEWORK_SETTINGS``."""
    import json

    from shequ.demo import CASEWORK_SETTINGS

    path = var.resolve() / "demo-casework-settings.json"
    path.write_text(json.dumps(CASEWORK_SETTINGS), encoding="utf-8")
    os.environ.setdefault("SHEQU_CASEWORK_SETTINGS", str(path))


def port_in_use(port: int) -> bool:
    """Whether binding the metrics port the way the service will bind it fails now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def claim(var: Path) -> list[IO[str]]:
    """Lock every SQLite store (a ``.lock`` file beside it, held while this run lives) and
    check every metrics port and the gateway's ports are free; one line naming what another run
    holds, else the locks."""
    locks: list[IO[str]] = []
    try:
        for name in BUILT:
            port = metrics_port(name)
            if port and port_in_use(port):
                raise click.ClickException(
                    f"port {port} ({name} metrics) is in use: is another `shequ up` running? "
                    f"Stop it, or set SHEQU_{name.upper()}_METRICS_PORT"
                )
            try:
                store = Store.parse(service_env(name, var)[f"SHEQU_{name.upper()}_STORE"])
            except StoreConfigError as exc:
                raise click.ClickException(str(exc)) from None
            if store.kind != "sqlite" or store.path is None:
                continue
            store.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(f"{store.path}.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held
            locks.append(lock)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "?"
                raise click.ClickException(
                    f"store {store.path} is in use by another `shequ up` (pid {holder}): "
                    "stop it first, or use another --var"
                ) from None
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()))
            lock.flush()
        for port, what in zip(gateway_ports(), ("API", "metrics"), strict=True):
            if port and port_in_use(port):
                raise click.ClickException(
                    f"port {port} (gateway {what}) is in use: is another `shequ up` running? "
                    f"Stop it, or set SHEQU_GATEWAY_{'PORT' if what == 'API' else 'METRICS_PORT'}"
                )
    except BaseException:
        for held in locks:
            held.close()
        raise
    return locks


def _child_setup() -> None:
    """In the child before exec: its own process group, SIGTERM when ``shequ up`` dies."""
    os.setpgrp()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_all(procs: dict[str, subprocess.Popen[Any]]) -> None:
    """SIGTERM every service's process group, wait, then kill what is left."""
    for proc in procs.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_healthy(name: str, proc: subprocess.Popen[Any], timeout: float = 90) -> None:
    from shequ.client import rpc_call

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"{name} exited with code {proc.returncode}")
        try:
            if rpc_call(name, "health", {}, timeout=3).get("ready"):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    raise click.ClickException(f"{name} did not become ready in {timeout:.0f}s")


def wait_gateway(proc: subprocess.Popen[Any], timeout: float = 180) -> None:
    """Until the gateway answers ``/healthz`` (it imports every service's table at start:
    seconds, tens of seconds on a busy machine)."""
    url = f"http://127.0.0.1:{gateway_ports()[0]}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"the gateway exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise click.ClickException(f"the gateway did not answer {url} in {timeout:.0f}s")


def load_demo() -> None:
    from shequ import client

    result, made = client.load_demo()
    communities = result.get("communities", {})
    villages = sum(len(c.get("villages", [])) for c in communities.values())
    households = sum(
        len(v.get("households", [])) for c in communities.values() for v in c.get("villages", [])
    )
    click.echo(
        f"demo district loaded (sample data): {len(communities)} communities, "
        f"{villages} villages, {households} households"
    )
    board = (
        f'shequ call assessment scoreboard \'{{"period_kind": "quarter", '
        f'"period_start": "{made["period_start"]}"}}\''
    )
    if not made["loaded"]:
        click.echo(f"demo work for {made['quarter']} loaded before: {board}")
        return
    click.echo(
        f"demo work loaded: {made['cases']} cases today ({made['finished']} resolved, "
        f"answered and rated; {made['chased']} chased), {made['past_cases']} cases "
        f"handled to the end, {made['rounds']} visit rounds "
        f"with {made['visits']} visits and {made['contacts']} party contacts in "
        f"{made['quarter']}; {made['quarter']} scored for {made['scored']} "
        f"communities: {board}"
    )


def _say_running(
    uri: str, procs: dict[str, subprocess.Popen[Any]], var: Path, token: str | None
) -> None:
    click.echo("\nShequ is running (Ctrl-C stops):")
    click.echo(f"  broker   {uri}")
    for name, proc in procs.items():
        if name == GATEWAY:
            continue
        port = metrics_port(name)
        where = f"http://127.0.0.1:{port}/metrics" if port else "off"
        click.echo(
            f"  {name:<10} pid {proc.pid:<7} store "
            f"{service_env(name, var)[f'SHEQU_{name.upper()}_STORE']}  "
            f"metrics {where}"
        )
    port, gateway_metrics = gateway_ports()
    where = f"http://127.0.0.1:{gateway_metrics}/metrics" if gateway_metrics else "off"
    click.echo(
        f"  {GATEWAY:<10} pid {procs[GATEWAY].pid:<7} http://127.0.0.1:{port}/api/v1/docs  "
        f"metrics {where}"
    )
    click.echo("  call a service:  shequ call registry health")
    if token:
        click.echo(f"  gateway token (district staff, this run only): {token}")
        click.echo(
            f'  over HTTP:       curl -H "Authorization: Bearer {token}" '
            f"http://127.0.0.1:{port}/api/v1/registry/communities"
        )


@click.command()
@click.option("--var", default="var", type=click.Path(path_type=Path), show_default=True)
@click.option("--seed/--no-seed", default=True, help="load the demo district")
def up(var: Path, seed: bool) -> None:
    """Start every built service and the HTTP gateway locally and stay in the foreground
    (Ctrl-C or SIGTERM stops them all)."""
    uri = amqp_uri()
    problem = broker_reachable(uri)
    if problem:
        raise click.ClickException(
            f"RabbitMQ is not reachable at {uri} ({problem}).\n"
            "Start it with `rabbitmq-server -detached` (or set SHEQU_AMQP_URI), then retry."
        )
    var.mkdir(parents=True, exist_ok=True)
    if seed:
        demo_settings(var)
    locks = claim(var)  # a run that collides exits with one line, before any warning
    token = gateway_token(var)
    unsigned_actors_warning()
    procs: dict[str, subprocess.Popen[Any]] = {}

    def on_signal(signum: int, _frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for name in BUILT:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "shequ.runner", name],
                env=service_env(name, var),
                preexec_fn=_child_setup,  # noqa: PLW1509
            )
        for name in BUILT:
            wait_healthy(name, procs[name])
        if seed:
            load_demo()
        # after the services and the demo: its start (importing every table) is CPU-heavy
        procs[GATEWAY] = subprocess.Popen(
            [sys.executable, "-m", GATEWAY],
            env=gateway_env(var),
            preexec_fn=_child_setup,  # noqa: PLW1509
        )
        wait_gateway(procs[GATEWAY])
        _say_running(uri, procs, var, token)
        while all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
        raise click.ClickException("a service exited; stopping the others")
    except Stop:
        click.echo("\nstopping…")
    finally:
        for s in (signal.SIGTERM, signal.SIGINT):  # a second signal must not cut the stop short
            signal.signal(s, signal.SIG_IGN)
        stop_all(procs)
        for s, handler in previous.items():
            signal.signal(s, handler)
        for lock in locks:
            lock.close()
