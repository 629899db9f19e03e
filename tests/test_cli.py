"""The `shequ` tool as an operator uses it: `up` (what `make run` runs), `call`, `seed demo`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.infra import REPO, free_port, rabbit_vhost, wait_until

SHEQU = [sys.executable, "-m", "shequ.cli"]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}


def test_up_fails_at_once_saying_how_to_start_rabbitmq(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run([*SHEQU, "up", "--var", str(tmp_path)], check=False,
                          capture_output=True, text=True, timeout=60,
                          env=_env(SHEQU_AMQP_URI="amqp://guest:guest@127.0.0.1:5999/"))
    assert proc.returncode != 0
    assert "RabbitMQ is not reachable" in proc.stderr
    assert "rabbitmq-server -detached" in proc.stderr
    assert time.monotonic() - started < 30  # "at once": no retry loop before giving up


def test_up_runs_the_suite_with_the_demo_district_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    with rabbit_vhost() as amqp:
        env = _env(SHEQU_AMQP_URI=amqp, **{f"SHEQU_{n}_METRICS_PORT": str(free_port())
                                            for n in ("REGISTRY", "CASEWORK", "OUTREACH",
                                                      "ASSESSMENT")})
        log = tmp_path / "up.log"
        with open(log, "wb") as out:
            up = subprocess.Popen([*SHEQU, "up", "--var", str(tmp_path / "var")], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            wait_until(lambda: "Shequ is running" in log.read_text(errors="replace"),
                       timeout=180, what="shequ up ready")
            text = log.read_text(errors="replace")
            assert "demo district loaded (sample data): 4 communities" in text
            assert (tmp_path / "var" / "registry.db").exists()
            called = subprocess.run([*SHEQU, "call", "registry", "communities"], check=True,
                                    capture_output=True, text=True, timeout=60, env=env)
            communities = {c["name"]: c["community_id"] for c in json.loads(called.stdout)}
            assert {"立柱", "塔桥", "下泊", "柏乡"} <= set(communities)
            # every service has demo work: two walk-in cases per community, and the opinion
            # from the demo visit became a third case in casework
            assert "demo work loaded: 8 cases, 4 visit rounds with 4 visits" in text

            def lizhu_cases() -> list[dict[str, Any]] | None:
                out = subprocess.run(
                    [*SHEQU, "call", "casework", "queue",
                     json.dumps({"community_id": communities["立柱"]})],
                    check=True, capture_output=True, text=True, timeout=60, env=env)
                cases = json.loads(out.stdout)
                return cases if len(cases) >= 3 else None
            cases = wait_until(lizhu_cases, timeout=60, what="the visit's opinion as a case")
            assert sum(c["origin_opinion_id"] is not None for c in cases) == 1
            refused = subprocess.run(
                [*SHEQU, "call", "registry", "establish_community",
                 '{"idempotency_key": "cli-test-0001", "name": "", "name_en": "X"}'],
                check=False, capture_output=True, text=True, timeout=60, env=env)
            assert refused.returncode == 1
            error = json.loads(refused.stderr)["error"]
            assert error["field"] == "name" and error["message"] and error["message_en"]
            seeded = subprocess.run([*SHEQU, "seed", "demo"], check=True, capture_output=True,
                                    text=True, timeout=300, env=env)
            assert "Lizhu" in seeded.stdout  # idempotent: the same ids come back
            children = subprocess.run(["pgrep", "-P", str(up.pid)], check=False,
                                      capture_output=True, text=True).stdout.split()
            assert children  # the registry runs as a child process
        finally:
            up.send_signal(signal.SIGINT)
            code = up.wait(timeout=60)
        assert code == 0, log.read_text(errors="replace")[-2000:]
        for pid in children:  # stopped with it, not orphaned
            assert not Path(f"/proc/{pid}").exists()
