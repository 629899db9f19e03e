"""The suite of real processes used by cross-service tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.infra import ServiceProcess, free_port, rpc, wait_healthy

SYSTEM = {"person_id": "system:test", "role": "system"}


class Suite:
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        self.amqp = amqp
        self.tmp = tmp
        self.common = {
            "SHEQU_AMQP_URI": amqp,
            "SHEQU_TREEHEAD_DIR": str(tmp / "treeheads"),
            "SHEQU_KEY_DIR": str(tmp / "keys"),
            "SHEQU_SEAL_INTERVAL": "1",
            "SHEQU_INBOX_MAX_FAILURES": "3",
        }
        self.registry = ServiceProcess(
            "registry",
            "registry",
            {
                **self.common,
                "SHEQU_REGISTRY_STORE": stores["registry"],
                "SHEQU_REGISTRY_METRICS_PORT": str(free_port()),
            },
            tmp,
        )
        self.mirror = ServiceProcess(
            "tests.support.mirror:MirrorService",
            "mirror",
            {
                **self.common,
                "SHEQU_MIRROR_STORE": stores["mirror"],
                "SHEQU_MIRROR_METRICS_PORT": str(free_port()),
            },
            tmp,
        )

    def call(self, service: str, method: str, timeout: float = 30, **kwargs: Any) -> Any:
        return rpc(self.amqp, service, method, timeout=timeout, **kwargs)

    def start(self, *procs: ServiceProcess) -> None:
        for proc in procs:
            proc.start()
        for proc in procs:
            wait_healthy(self.amqp, proc)

    def published_positions(self) -> list[int]:
        out: list[int] = []
        after = 0
        while True:
            batch = self.call("registry", "notifications", actor=SYSTEM, after=after, limit=1000)
            if not batch:
                return out
            out.extend(e["position"] for e in batch)
            after = batch[-1]["position"]

    def registry_log(self) -> list[dict[str, Any]]:
        return self.call("registry", "notifications", actor=SYSTEM, after=0, limit=1000)

    def stop(self) -> None:
        for proc in (self.mirror, self.registry):
            proc.stop()
