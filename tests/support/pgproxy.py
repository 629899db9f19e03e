"""A TCP proxy between services and PostgreSQL that can cut every connection and refuse new
ones (a database outage, a reset network), then let them through again.

It runs in a process of its own (plain threads, no eventlet): reset sockets closed under green
threads of the test process left stale readers in its hub, and a later test whose pipe got the
same file descriptor failed with eventlet's "Second simultaneous read". The test process only
sends it commands::

    with TcpProxy(5432) as proxy:          # services connect to 127.0.0.1:proxy.port
        proxy.cut()                        # every connection reset, new ones closed at once
        proxy.restore()

``python -m tests.support.pgproxy TARGET_PORT`` prints its port, then reads ``cut``,
``restore`` and ``quit`` lines on stdin, answering ``ok`` to each.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Self

REPO = Path(__file__).resolve().parents[2]


class TcpProxy:
    """The test's handle on a proxy process."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> Self:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.pgproxy", str(self.target_port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        self.port = int(self._read())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            return
        try:
            self._command("quit")
        finally:
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)

    def cut(self) -> None:
        """Reset every connection through the proxy and refuse new ones until ``restore``."""
        self._command("cut")

    def restore(self) -> None:
        self._command("restore")

    def _command(self, word: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(word + "\n")
        self._proc.stdin.flush()
        answer = self._read()
        if answer != "ok":
            raise RuntimeError(f"proxy answered {answer!r} to {word!r}")

    def _read(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the proxy process ended")
        return line.strip()


class _Proxy:
    """The proxy itself, in the proxy process."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port: int = self._listener.getsockname()[1]
        self._open = True
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            self._open = False
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            # Wake the pump blocked in recv on it (closing under a blocked thread would not,
            # and the descriptor could be reused by a new connection under that thread); the
            # pump then closes both sockets with a reset.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)

    def restore(self) -> None:
        self._open = True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._sockets.update((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._sockets.difference_update((src, dst))
        _reset(src)
        _reset(dst)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dropped network or a killed server does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def serve(target_port: int, commands: IO[str], answers: IO[str]) -> None:
    proxy = _Proxy(target_port)
    print(proxy.port, file=answers, flush=True)
    for line in commands:
        word = line.strip()
        if word == "cut":
            proxy.cut()
        elif word == "restore":
            proxy.restore()
        elif word == "quit":
            proxy.cut()
            print("ok", file=answers, flush=True)
            return
        else:
            print(f"unknown command {word!r}", file=answers, flush=True)
            continue
        print("ok", file=answers, flush=True)


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.stdin, sys.stdout)
