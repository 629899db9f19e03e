"""The `shequ` tool as an operator uses it: `up` (what `make run` runs), `call`, `seed demo`.

Two `shequ up` runs, one per clock: today's, and (libfaketime) a day months before the fixed
dates the demo once had; each takes about a minute and a half here."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from shequ import demo
from shequ.suite import SERVICES
from shequ.testing import captured

from tests.support.infra import REPO, free_port, rabbit_vhost, wait_until

SHEQU = [sys.executable, "-m", "shequ.cli"]
BUILT = tuple(s.upper() for s in SERVICES)
AS_INSTALLED = [str(Path(sys.executable).with_name("shequ"))]  # the console script itself
FAKETIME_LIBS = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}


def test_up_fails_at_once_saying_how_to_start_rabbitmq(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = captured(
        [*SHEQU, "up", "--var", str(tmp_path)],
        timeout=60,
        env=_env(SHEQU_AMQP_URI="amqp://guest:guest@127.0.0.1:5999/"),
    )
    assert proc.returncode != 0
    assert "RabbitMQ is not reachable" in proc.stderr
    assert "rabbitmq-server -detached" in proc.stderr
    assert time.monotonic() - started < 30  # "at once": no retry loop before giving up


@contextlib.contextmanager
def shequ_up(
    tmp_path: Path, amqp: str, *args: str, **extra: str
) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, str], Path]]:
    """`shequ up` in ``tmp_path`` on its own vhost and metrics ports, until it says it runs;
    SIGINT on the way out if it still runs."""
    env = _env(
        SHEQU_AMQP_URI=amqp,
        SHEQU_GATEWAY_PORT=str(free_port()),
        SHEQU_GATEWAY_METRICS_PORT=str(free_port()),
        **{f"SHEQU_{n}_METRICS_PORT": str(free_port()) for n in BUILT},
        **extra,
    )
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        up = subprocess.Popen(
            [*SHEQU, "up", "--var", str(tmp_path / "var"), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        wait_until(
            lambda: "Shequ is running" in log.read_text(errors="replace") or up.poll() is not None,
            timeout=240,
            what="shequ up ready",
        )
        assert up.poll() is None, log.read_text(errors="replace")[-3000:]
        yield up, env, log
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=90)


def shequ(
    env: dict[str, str],
    *args: str,
    cwd: Path | None = None,
    check: bool = True,
    tool: list[str] = SHEQU,
) -> subprocess.CompletedProcess[str]:
    plain = {k: v for k, v in env.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    return subprocess.run(
        [*tool, *args], check=check, capture_output=True, text=True, timeout=300, env=plain, cwd=cwd
    )


def scoreboard(env: dict[str, str], period_start: str) -> dict[str, Any]:
    out = shequ(
        env,
        "call",
        "assessment",
        "scoreboard",
        json.dumps({"period_kind": "quarter", "period_start": period_start}),
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def assert_published_results(board: dict[str, Any]) -> None:
    """Four communities ranked on the quarter, the visits and contacts counted in it."""
    assert board["status"] == "closed" and board["revision"] == 1
    assert len(board["rows"]) == 4
    assert all(float(row["total"]) > 0 for row in board["rows"])
    assert board["facts_by_source"]["outreach"] > 0


def assert_quarter_casework(env: dict[str, str], board: dict[str, Any]) -> None:
    """Each community's on-time rate, resolution rate and satisfaction in the quarter, with
    data and exactly as the demo's cases imply: its past cases (the plan) resolved and rated
    in the quarter, against every case casework holds as received in it (the visit's opinion
    too, and the paper case if ten days back falls in the quarter)."""
    start, end = board["period_start"], board["period_end"]
    plans = demo.PAST_CASES
    ratings = Decimal(sum(p.rating for p in plans)) / len(plans)
    on_time = Decimal(sum(not p.late for p in plans)) / len(plans)
    assert 0 < on_time < 1  # at least one late: the rate says something
    for row in board["rows"]:
        cases = json.loads(
            shequ(
                env,
                "call",
                "casework",
                "queue",
                json.dumps({"community_id": row["subject_id"], "include_closed": True}),
            ).stdout
        )
        opened = sum(start <= c["received_on"] <= end for c in cases)
        items = {i["key"]: i for i in row["items"]}
        expected = {
            "on_time": on_time,
            "satisfaction": ratings,
            "resolution": min(Decimal(len(plans)) / opened, Decimal(1)),
        }
        for key, value in expected.items():
            assert not items[key]["no_data"], (row["name"], key)
            assert Decimal(items[key]["value"]) == value.quantize(Decimal("0.0001")), (
                row["name"],
                key,
                items[key],
            )


def service_pids(up: subprocess.Popen[bytes]) -> list[int]:
    found = captured(["pgrep", "-P", str(up.pid)]).stdout.split()
    return [int(pid) for pid in found]


def last_complete_quarter_start(today: dt.date) -> str:
    month = (today.month - 1) // 3 * 3 + 1 - 3
    year = today.year - (month < 1)
    return dt.date(year, month % 12 or 12, 1).isoformat()


def readme_commands(substitutions: dict[str, str]) -> list[list[str]]:
    """The README's `shequ` lines as written, with the demo's ids where it writes `…`."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## The `shequ` tool", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    block = block.replace("\\\n", " ")  # a command continued on the next line is one line
    commands = []
    for line in block.splitlines():
        for pattern, value in substitutions.items():
            line = line.replace(pattern, value)
        words = shlex.split(line, comments=True)
        if (
            not words
            or "…" in line
            or "|" in words
            or words[1] in ("up", "backup", "restore", "asyncapi")
        ):
            continue  # up runs; backup/restore and asyncapi write outside a test's reach
        commands.append(words[1:])
    return commands


@pytest.mark.timeout(600)  # the suite, the demo and the gateway's start, on a busy machine
def test_up_runs_the_suite_with_a_scored_past_quarter_and_the_readme_as_written(
    tmp_path: Path,
) -> None:
    """Today's clock: the demo's past quarter is published; the printout names the ports as
    configured; the first start is quiet; the README's commands run as written."""
    with rabbit_vhost() as amqp, shequ_up(tmp_path, amqp) as (up, env, log):
        text = log.read_text(errors="replace")
        assert "demo district loaded (sample data): 4 communities" in text
        # a development run says that it takes unsigned actors (ADR 0031)
        assert "WARNING: development run: the services accept UNSIGNED actors" in text
        assert re.search(
            r"demo work loaded: 12 cases today \(4 resolved, answered and rated; "
            r"[4-9] chased\), 16 cases handled to the end, 4 visit rounds with "
            r"72 visits",
            text,
        ), text
        assert (tmp_path / "var" / "registry.db").exists()
        for name in BUILT:  # the metrics addresses printed are the ones configured
            assert f"http://127.0.0.1:{env[f'SHEQU_{name}_METRICS_PORT']}/metrics" in text
        # quiet: no amqp close noise, card re-issues summed, upstreams not yet up said calmly
        assert "Received method (60, 80)" not in text
        assert len(re.findall(r"re-issued", text)) <= 3, text
        assert "catch-up deferred" not in text and "UnknownService" not in text
        quarter = last_complete_quarter_start(dt.datetime.now(ZoneInfo("Asia/Shanghai")).date())
        board = scoreboard(env, quarter)
        assert_published_results(board)
        assert_quarter_casework(env, board)

        communities = {
            c["name"]: c for c in json.loads(shequ(env, "call", "registry", "communities").stdout)
        }
        assert {"立柱", "塔桥", "下泊", "柏乡"} <= set(communities)
        lizhu = communities["立柱"]["community_id"]

        # the gateway runs too, at the address printed, with the token printed for this run
        gateway = f"http://127.0.0.1:{env['SHEQU_GATEWAY_PORT']}"
        assert f"{gateway}/api/v1/docs" in text
        token = re.search(r"gateway token \(district staff, this run only\): (\S+)", text)
        assert token, text
        assert requests.get(f"{gateway}/healthz", timeout=30).status_code == 200
        assert requests.get(f"{gateway}/api/v1/registry/communities", timeout=30).status_code == 401
        over_http = requests.get(
            f"{gateway}/api/v1/registry/communities",
            headers={"Authorization": f"Bearer {token[1]}"},
            timeout=30,
        )
        assert over_http.status_code == 200, over_http.text
        assert {c["community_id"] for c in over_http.json()} == {
            c["community_id"] for c in communities.values()
        }
        assert token[1] not in (tmp_path / "var" / "gateway-tokens.json").read_text()

        def lizhu_cases() -> list[dict[str, Any]] | None:
            cases = json.loads(
                shequ(env, "call", "casework", "queue", json.dumps({"community_id": lizhu})).stdout
            )
            return cases if any(c["origin_opinion_id"] for c in cases) else None

        cases = wait_until(lizhu_cases, timeout=60, what="the visit's opinion as a case")
        assert sum(c["origin_opinion_id"] is not None for c in cases) == 1
        household = next(c["household_id"] for c in cases if c["origin_opinion_id"] is None)

        refused = shequ(
            env,
            "call",
            "registry",
            "establish_community",
            '{"idempotency_key": "cli-test-0001", "name": "", "name_en": "X"}',
            check=False,
        )
        assert refused.returncode == 1
        error = json.loads(refused.stderr)["error"]
        assert error["field"] == "name" and error["message"] and error["message_en"]

        # a resident's own call needs no hand-written actor; a file comes back as a file
        mine = json.loads(
            shequ(
                env,
                "call",
                "casework",
                "my_cases",
                json.dumps({"household_id": household}),
                "--household",
                household,
            ).stdout
        )
        assert mine and all(c["household_id"] == household for c in mine)

        cut = dt.datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")
        for words in readme_commands(
            {
                '"household_id": "…"': f'"household_id": "{household}"',
                "--household …": f"--household {household}",
                '"community_id": "…"': f'"community_id": "{lizhu}"',
                '"period_start": "…"': f'"period_start": "{quarter}"',
                # the report lines: the demo's quarter, cut now (before the README seals)
                "--period …": f"--period {quarter[:4]}Q{(int(quarter[5:7]) - 1) // 3 + 1}",
                "--as-of …": f"--as-of {cut}",
            }
        ):
            ran = shequ(env, *words, cwd=tmp_path, check=False, tool=AS_INSTALLED)
            assert ran.returncode == 0, (words, ran.stdout[-500:], ran.stderr[-1500:])
        assert (tmp_path / "card.pdf").read_bytes().startswith(b"%PDF")
        assert (tmp_path / "scores.xlsx").read_bytes().startswith(b"PK")  # a zip: XLSX
        assert (tmp_path / "affairs.pdf").read_bytes().startswith(b"%PDF")
        assert (tmp_path / "results.xlsx").read_bytes().startswith(b"PK")
        assert up.poll() is None


@pytest.mark.timeout(600)  # the suite, the demo and the gateway's start, on a busy machine
def test_up_before_the_old_demo_dates_runs_scores_its_quarter_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    """A clock in May 2026 (the demo once crashed before 2026-11-20): the suite runs, 2026Q1 is
    scored; a second run refuses in one line; SIGTERM leaves no process of it behind."""
    assert FAKETIME_LIBS, "libfaketime: deploy/local/system-packages.sh installs it"
    with (
        rabbit_vhost() as amqp,
        shequ_up(
            tmp_path, amqp, LD_PRELOAD=str(FAKETIME_LIBS[0]), FAKETIME="@2026-05-15 10:00:00"
        ) as (up, env, log),
    ):
        assert "2026Q1 scored for 4 communities" in log.read_text(errors="replace")
        board = scoreboard(env, "2026-01-01")
        assert_published_results(board)
        assert_quarter_casework(env, board)
        children = service_pids(up)
        assert len(children) == len(BUILT) + 1  # the services and the gateway

        # a second run on the same stores (other ports): one line, nothing started
        second = captured(
            [*SHEQU, "up", "--var", str(tmp_path / "var")],
            timeout=60,
            cwd=tmp_path,
            env={**env, **{f"SHEQU_{n}_METRICS_PORT": str(free_port()) for n in BUILT}},
        )
        assert second.returncode != 0
        assert "registry.db is in use by another `shequ up`" in second.stderr, second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        assert "Shequ is running" not in second.stdout
        other = captured(
            [*SHEQU, "up", "--var", str(tmp_path / "other")],
            timeout=60,
            env=env,
            cwd=tmp_path,
        )
        assert other.returncode != 0 and "port" in other.stderr, other.stderr
        assert service_pids(up) == children

        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=90) == 0
    for pid in children:  # stopped with it, not orphaned; nothing left in their groups
        assert not Path(f"/proc/{pid}").exists()
        left = captured(["pgrep", "-g", str(pid)]).stdout.split()
        assert not left, left
