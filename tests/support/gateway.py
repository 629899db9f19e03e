"""The gateway as a real process for tests: ``python -m gateway`` on a free port, with API
tokens for a few actors, against the services of one test vhost."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.support.infra import ServiceProcess, free_port, wait_until
from tests.support.suite import Processes

STAFF = {"person_id": "staff-gw", "role": "district_staff"}
AUDITOR = {"person_id": "auditor-gw", "role": "auditor"}
TOKENS = {"staff-token": STAFF, "auditor-token": AUDITOR}


class GatewayProcess(ServiceProcess):
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
        gateway_env = {
            "SHEQU_AMQP_URI": amqp,
            "SHEQU_GATEWAY_PORT": str(self.port),
            "SHEQU_GATEWAY_METRICS_PORT": str(self.metrics_port),
            "SHEQU_GATEWAY_TOKENS": str(token_file),
            "SHEQU_GATEWAY_STORE": f"sqlite:///{tmp / 'gateway.db'}",  # accounts, sessions
            "SHEQU_DISCLOSURE_LOG_DIR": str(tmp / "disclosure-log"),  # as finance's (suite.py)
            **env,
        }
        super().__init__("gateway", "gateway", gateway_env, tmp)
        self.argv = [sys.executable, "-m", "gateway"]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayProcess:
        super().start()

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited:\n{self.log_tail()}")
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200

        wait_until(up, timeout=180, what="gateway up")  # imports every table: slow when busy
        return self

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


class WithGateway(Processes):
    """Services on one vhost (``targets``, as ``Processes``) and a gateway in front of them
    (``gateway_env`` added to its environment): started after them unless only some services
    are restarted, stopped before them."""

    def __init__(
        self,
        amqp: str,
        stores: dict[str, str],
        tmp: Path,
        targets: dict[str, str],
        **gateway_env: str,
    ) -> None:
        super().__init__(amqp, stores, tmp, targets)
        self.gateway = GatewayProcess(amqp, tmp, **gateway_env)

    def start(self, *procs: ServiceProcess) -> None:
        super().start(*procs)
        if not procs:
            self.gateway.start()

    def stop(self) -> None:
        self.gateway.stop()
        super().stop()

    def logs(self) -> str:
        return f"{super().logs()}\n--- gateway ---\n{self.gateway.log_tail(40)}"


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
