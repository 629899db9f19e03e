"""A TCP proxy between services and PostgreSQL that can cut every connection and refuse new
ones (a database outage, a reset network), then let them through again.

Runs in the test process (green threads under the tests' eventlet patching)::

    with TcpProxy(5432) as proxy:          # services connect to 127.0.0.1:proxy.port
        proxy.cut()                        # every connection reset, new ones closed at once
        proxy.restore()
"""
from __future__ import annotations

import socket
import struct
import threading
from typing import Any


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port: int = self._listener.getsockname()[1]
        self._open = True
        self._closed = False
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.refused = 0

    def __enter__(self) -> TcpProxy:
        threading.Thread(target=self._accept, name="pgproxy-accept", daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._closed = True
        self._listener.close()
        self.cut()

    def cut(self) -> None:
        """Reset every connection through the proxy and refuse new ones until ``restore``."""
        with self._lock:
            self._open = False
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _reset(sock)

    def restore(self) -> None:
        self._open = True

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                self.refused += 1
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
        except (OSError, EOFError):  # EOFError: eventlet's read on a socket closed by cut()
            pass
        with self._lock:
            self._sockets.difference_update((src, dst))
        _reset(src)
        _reset(dst)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dropped network or a killed server does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
