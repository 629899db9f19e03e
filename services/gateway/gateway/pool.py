"""RPC to the services through a bounded pool of standalone nameko proxies.

Each ``ClusterRpcProxy`` holds one AMQP connection and one reply queue and is not safe to share
between threads, so a proxy is checked out by one thread for one call and returned after it.
The pool holds at most ``size`` proxies (8 by default: more threads lost throughput on two cores,
GATEWAY.md §4); the gateway runs each blocking call in a worker thread with a limiter of the same
size, so a checkout never waits in practice; the wait is measured all the same. A proxy whose
call failed other than with one of the suite's errors (a timeout, a broken connection) is closed
and replaced, never handed out again.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import shequ.rpc  # noqa: F401 - registers the suite's errors for deserialisation
from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import ClusterRpcProxy
from shequ.errors import ShequError

from gateway.metrics import POOL_IN_USE, POOL_WAIT


class Proxy:
    """One started standalone proxy and the context that stops it."""

    def __init__(self, amqp_uri: str, timeout: float) -> None:
        config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self._context = ClusterRpcProxy(config, timeout=timeout)
        self.cluster = self._context.start()

    def call(self, service: str, method: str, kwargs: dict[str, Any]) -> Any:
        return getattr(getattr(self.cluster, service), method)(**kwargs)

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # its connection is gone already
            self._context.stop()


class RpcPool:
    def __init__(self, amqp_uri: str, size: int = 8, timeout: float = 10.0) -> None:
        self.amqp_uri = amqp_uri
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue[Proxy] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._made = 0
        self._closed = False

    @property
    def made(self) -> int:
        """Proxies open now (idle or checked out)."""
        return self._made

    def _take(self, wait: float | None) -> Proxy:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise RuntimeError("the RPC pool is closed")
            grow = self._made < self.size
            if grow:
                self._made += 1
        if grow:
            try:
                return Proxy(self.amqp_uri, self.timeout)
            except BaseException:
                with self._lock:
                    self._made -= 1
                raise
        return self._idle.get(timeout=wait)

    def _discard(self, proxy: Proxy) -> None:
        proxy.stop()
        with self._lock:
            self._made -= 1

    @contextmanager
    def checkout(self, wait: float | None = None) -> Iterator[Proxy]:
        """A proxy for this thread alone; back to the pool after, or replaced if it failed."""
        start = time.perf_counter()
        proxy = self._take(wait)
        POOL_WAIT.observe(time.perf_counter() - start)
        POOL_IN_USE.inc()
        healthy = False
        try:
            yield proxy
            healthy = True
        except ShequError:
            healthy = True  # the service answered: the proxy is fine
            raise
        finally:
            POOL_IN_USE.dec()
            if healthy and not self._closed:
                self._idle.put(proxy)
            else:
                self._discard(proxy)

    def call(self, service: str, method: str, kwargs: dict[str, Any]) -> Any:
        """SERVICE.METHOD(**kwargs) over RPC (blocking: run it in a worker thread)."""
        with self.checkout() as proxy:
            return proxy.call(service, method, kwargs)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._discard(self._idle.get_nowait())
            except queue.Empty:
                return


__all__ = ["RpcPool", "RpcTimeout"]
