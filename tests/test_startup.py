"""Startup configuration errors: `python -m shequ.runner` says in one line which setting is wrong
and exits non-zero, instead of a traceback or an endless restart loop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from shequ.testing import captured

from tests.support.infra import REPO, free_port


def run_service(tmp: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEQU_")}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "SHEQU_TREEHEAD_DIR": str(tmp / "treeheads"),
            "SHEQU_KEY_DIR": str(tmp / "keys"),
            "SHEQU_REGISTRY_METRICS_PORT": str(free_port()),
            # a broker nobody listens on: configuration is checked before it matters
            "SHEQU_AMQP_URI": f"amqp://guest:guest@127.0.0.1:{free_port()}/",
        }
    )
    env.update(settings)
    # The timeout only ends a hung run (the old behaviour was a restart loop); it asserts nothing.
    return captured(
        [sys.executable, "-m", "shequ.runner", "registry"],
        env=env,
        cwd=REPO,
        timeout=60,
    )


def one_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and "Eventlet is deprecated" not in line
    ]
    errors = [line for line in lines if line.startswith("shequ ")]
    assert run.returncode != 0, run.stdout + run.stderr
    assert len(errors) == 1 and "Traceback" not in run.stderr, run.stdout + run.stderr
    return errors[0]


def test_busy_metrics_port_fails_at_start_naming_the_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = run_service(
            tmp_path,
            SHEQU_REGISTRY_STORE=f"sqlite:///{tmp_path}/registry.db",
            SHEQU_REGISTRY_METRICS_PORT=str(port),
        )
    assert one_line(run) == (
        f"shequ registry: metrics port {port} is in use (SHEQU_REGISTRY_METRICS_PORT)"
    )
    assert "restarting" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "SHEQU_REGISTRY_STORE"),
        ({"SHEQU_REGISTRY_STORE": "mysql://nowhere/registry"}, "SHEQU_REGISTRY_STORE"),
        ({"SHEQU_RELAY_BATCH": "lots"}, "SHEQU_RELAY_BATCH"),
        ({"SHEQU_PG_POOL_SIZE": "-1"}, "SHEQU_PG_POOL_SIZE"),
    ],
)
def test_configuration_errors_print_one_line_naming_the_setting(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    base = {"SHEQU_REGISTRY_STORE": f"sqlite:///{tmp_path}/registry.db"}
    line = one_line(
        run_service(tmp_path, **{**base, **settings}) if settings else run_service(tmp_path)
    )
    assert line.startswith("shequ registry: ") and named in line
