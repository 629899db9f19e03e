"""The gateway as a real process for tests: ``python -m gateway`` on a free port, with API
tokens for a few actors, against the services of one test vhost."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.support.infra import REPO, free_port, wait_until

STAFF = {"person_id": "staff-gw", "role": "district_staff"}
AUDITOR = {"person_id": "auditor-gw", "role": "auditor"}
TOKENS = {"staff-token": STAFF, "auditor-token": AUDITOR}


class GatewayProcess:
    """``python -m gateway`` with its own ports, logging to ``tmp/gateway.log``."""

    def __init__(
        self, amqp: str, tmp: Path, tokens: dict[str, Any] | None = None, **env: str
    ) -> None:
        self.port, self.metrics_port = free_port(), free_port()
        token_file = tmp / "gateway-tokens.json"
        token_file.write_text(
            json.dumps(
                {hashlib.sha256(t.encode()).hexdigest(): a for t, a in (tokens or TOKENS).items()}
            ),
            encoding="utf-8",
        )
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "SHEQU_AMQP_URI": amqp,
            "SHEQU_GATEWAY_PORT": str(self.port),
            "SHEQU_GATEWAY_METRICS_PORT": str(self.metrics_port),
            "SHEQU_GATEWAY_TOKENS": str(token_file),
            "SHEQU_GATEWAY_STORE": f"sqlite:///{tmp / 'gateway.db'}",  # accounts, sessions
            **env,
        }
        self.log_path = tmp / "gateway.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gateway"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited:\n{self.log_tail()}")
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200

        wait_until(up, timeout=180, what="gateway up")  # imports every table: slow when busy
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def request(
        self, method: str, path: str, token: str | None = "staff-token", **kw: Any
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kw)

    def post(self, service: str, use_case: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("POST", f"/api/v1/{service}/{use_case}", json=body, **kw)

    def get(self, service: str, use_case: str, **kw: Any) -> requests.Response:
        return self.request("GET", f"/api/v1/{service}/{use_case}", **kw)

    def timed(self, method: str, path: str, **kw: Any) -> tuple[requests.Response, float]:
        start = time.monotonic()
        answer = self.request(method, path, **kw)
        return answer, time.monotonic() - start


def fuzz(url: str, tags: tuple[str, ...], token: str) -> subprocess.CompletedProcess[str]:
    """A lean schemathesis run against the running API's OpenAPI document, on the operations
    tagged ``tags``: no answer >= 500, every answer as documented (3 examples per operation)."""
    tagged = [arg for tag in tags for arg in ("--include-tag", tag)]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{url}/api/v1/openapi.json",
            *tagged,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance",
            "--max-examples",
            "3",
            "--phases",
            "examples,fuzzing",
            "--generation-deterministic",
            # hypothesis's own health checks judge the data generation (too slow on a busy
            # two-core box, too many filtered examples), not the API: the checks above do
            "--suppress-health-check",
            "all",
            "--no-color",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
