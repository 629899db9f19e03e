"""A witness (``shequ.audit.witness``) served over real HTTP on a free port, for tests."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shequ.audit.witness import Witness, WitnessServer, WitnessState, load_logs


class SlowState(WitnessState):
    """Reads take a while, so a check and an update that were not atomic would interleave."""

    def read(self, origin: str) -> tuple[int, bytes]:
        found = super().read(origin)
        time.sleep(0.02)
        return found


class Running:
    """``Witness`` ``name`` with ``key`` on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, state: Path, logs: Path, key: Ed25519PrivateKey, name: str) -> None:
        witness = Witness(name, key, load_logs(logs), SlowState(state), clock=lambda: 1.7e9)
        self.server = WitnessServer(("127.0.0.1", 0), witness)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def post(self, body: bytes, path: str = "/add-checkpoint") -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=10)
        try:
            connection.request("POST", path, body=body)
            response = connection.getresponse()
            kind = response.getheader("Content-Type", "")
            return response.status, kind, response.read().decode()
        finally:
            connection.close()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
