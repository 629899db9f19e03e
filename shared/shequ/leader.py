"""Leadership: only one relay per service is active, however many replicas run.

PostgreSQL: a session-level advisory lock held on a dedicated connection (released by the
server if the process dies). SQLite (single machine): an exclusive flock on a file beside the
database (released by the kernel if the process dies).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from typing import Any

from shequ.store import Store

log = logging.getLogger(__name__)


class Leadership:
    def __init__(self, store: Store, name: str, service: str = "shequ") -> None:
        self.store = store
        self.name = name
        self.service = service
        self._handle: Any = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        if self.store.kind == "sqlite":
            return self._try_flock()
        return self._try_advisory()

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            if self.store.kind == "sqlite":
                fcntl.flock(handle, fcntl.LOCK_UN)
                os.close(handle)
            else:
                # Unlock before closing: the server frees a closed session's locks only once
                # its backend has gone, so a standby asking at once could still be refused.
                try:
                    handle.execute("SELECT pg_advisory_unlock_all()")
                finally:
                    handle.close()
        except Exception as exc:  # noqa: BLE001 - the lock dies with its handle anyway
            log.debug("releasing %s: %s", self.name, exc)

    def _try_flock(self) -> bool:
        assert self.store.path is not None
        path = f"{self.store.path}.{self.name}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._handle = fd
        return True

    def _try_advisory(self) -> bool:

        from shequ.pgpool import session_connection

        key = int.from_bytes(
            hashlib.sha256(f"shequ:{self.name}".encode()).digest()[:8], "big", signed=True
        )
        conn = session_connection(self.store, self.service, "leader")
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        except BaseException:
            conn.close()
            raise
        got = bool(row and row[0])
        if not got:
            conn.close()
            return False
        self._handle = conn
        return True

    def still_held(self) -> bool:
        """PostgreSQL: check the lock's connection is alive (a dropped connection frees it)."""
        if self._handle is None:
            return False
        if self.store.kind == "sqlite":
            return True
        try:
            self._handle.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001
            self.release()
            return False
