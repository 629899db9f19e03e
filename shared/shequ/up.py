"""``shequ up`` (what ``make run`` runs): every built service as a local process on SQLite
stores under var/, RabbitMQ on localhost, the demo district loaded once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from shequ.config import METRICS_PORTS, amqp_uri

BUILT = ("registry", "casework", "outreach", "assessment")


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


def wait_healthy(name: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    from shequ.cli import rpc_call

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


@click.command()
@click.option("--var", default="var", type=click.Path(path_type=Path), show_default=True)
@click.option("--seed/--no-seed", default=True, help="load the demo district")
def up(var: Path, seed: bool) -> None:
    """Start every built service locally and stay in the foreground (Ctrl-C stops)."""
    uri = amqp_uri()
    problem = broker_reachable(uri)
    if problem:
        raise click.ClickException(
            f"RabbitMQ is not reachable at {uri} ({problem}).\n"
            "Start it with `rabbitmq-server -detached` (or set SHEQU_AMQP_URI), then retry.")
    var.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen] = {}

    def stop_all(*_: object) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        for name in BUILT:
            procs[name] = subprocess.Popen([sys.executable, "-m", "shequ.runner", name],
                                           env=service_env(name, var))
        for name, proc in procs.items():
            wait_healthy(name, proc)
        if seed:
            from shequ.cli import rpc_call

            result = rpc_call("registry", "seed_demo",
                              {"actor": {"person_id": "system:seed", "role": "system"}},
                              timeout=600)
            communities = result.get("communities", {})
            villages = sum(len(c.get("villages", [])) for c in communities.values())
            households = sum(len(v.get("households", [])) for c in communities.values()
                             for v in c.get("villages", []))
            click.echo(f"demo district loaded (sample data): {len(communities)} communities, "
                       f"{villages} villages, {households} households")
            from shequ.demo import seed_services

            made = seed_services(lambda s, m, p: rpc_call(s, m, p, timeout=120), result)
            click.echo(f"demo work loaded: {made['cases']} cases, {made['rounds']} visit rounds "
                       f"with {made['visits']} visits, {made['schemes']} assessment scheme")
        click.echo("\nShequ is running (Ctrl-C stops):")
        click.echo(f"  broker   {uri}")
        for name, proc in procs.items():
            env = service_env(name, var)
            click.echo(f"  {name:<10} pid {proc.pid:<7} store {env[f'SHEQU_{name.upper()}_STORE']}"
                       f"  metrics http://127.0.0.1:{METRICS_PORTS[name]}/metrics")
        click.echo("  call a service:  shequ call registry health")
        while all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
        raise click.ClickException("a service exited; stopping the others")
    except KeyboardInterrupt:
        click.echo("\nstopping…")
    finally:
        stop_all()
