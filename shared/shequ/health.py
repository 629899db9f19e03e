"""Liveness, readiness and metrics on one small HTTP server per process (the metrics port).

    GET /healthz   200 {"status": "alive", ...}: the process's event loop answers
    GET /readyz    200 {"ready": true, "checks": {...}} when every readiness check answers,
                   503 {"ready": false, "failed": ["broker"], "checks": {...}} otherwise
    GET /metrics   the Prometheus exposition (prometheus_client's make_wsgi_app)

The server runs in a daemon thread (a green thread under eventlet) started once per process and
port, as the DESIGN note requires: it answers while every nameko worker is busy, where an @http
entrypoint would wait for a free worker. A service calls, from its DependencyProvider's setup::

    health.serve(cfg.metrics_port, health.runtime_checks(runtime))

Calling ``serve`` again for the same port (the runner builds a new container after a broker
outage) replaces the checks, so readiness always reflects the live container.

A check is a callable that returns (anything) when its dependency answers and raises when it
does not; each runs with a timeout (``CHECK_TIMEOUT`` seconds) and the body names what failed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app

import shequ.metrics  # noqa: F401 - the suite's metric families exist before the first scrape

log = logging.getLogger(__name__)

Check = Callable[[], Any]
CHECK_TIMEOUT = float(os.environ.get("SHEQU_HEALTH_CHECK_TIMEOUT", "") or 3.0)
STARTED_AT = time.time()


class HealthApp:
    """The WSGI application: /healthz, /readyz, and /metrics (everything else is 404)."""

    def __init__(
        self,
        checks: Mapping[str, Check] | None = None,
        registry: CollectorRegistry = REGISTRY,
        timeout: float = CHECK_TIMEOUT,
    ) -> None:
        self.checks: dict[str, Check] = dict(checks or {})
        self.timeout = timeout
        self.metrics_app = make_wsgi_app(registry)

    def set_checks(self, checks: Mapping[str, Check] | None) -> None:
        self.checks = dict(checks or {})

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        results = {
            name: run_check(check, self.timeout) for name, check in list(self.checks.items())
        }
        failed = [name for name, result in results.items() if not result["ok"]]
        ok = not failed and bool(results)
        body: dict[str, Any] = {"ready": ok, "checks": results, "failed": failed}
        if not results:
            body["failed"] = ["no_checks"]
            body["reason"] = "no readiness checks registered yet (service still starting)"
        return ok, body

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            return _json(
                start_response,
                200,
                {
                    "status": "alive",
                    "pid": os.getpid(),
                    "uptime_seconds": round(time.time() - STARTED_AT, 3),
                },
            )
        if path == "/readyz":
            ok, body = self.readiness()
            return _json(start_response, 200 if ok else 503, body)
        if path == "/metrics":
            return self.metrics_app(environ, start_response)
        return _json(
            start_response,
            404,
            {"error": "not found", "paths": ["/healthz", "/readyz", "/metrics"]},
        )


def run_check(check: Check, timeout: float) -> dict[str, Any]:
    """Run one check in its own (green) thread; a hung dependency counts as failed."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            value = check()
            outcome["ok"] = True
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                outcome["value"] = value
        except Exception as exc:  # noqa: BLE001 - report, never raise, from a probe
            outcome["ok"] = False
            outcome["error"] = f"{type(exc).__name__}: {exc}"[:500]

    started = time.perf_counter()
    worker = threading.Thread(target=target, name="shequ-health-check", daemon=True)
    worker.start()
    worker.join(timeout)
    elapsed = round(time.perf_counter() - started, 4)
    if "ok" not in outcome:
        return {"ok": False, "error": f"no answer within {timeout} s", "seconds": elapsed}
    return {**outcome, "seconds": elapsed}


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(
        f"{status} {reason}",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("health %s", format % args)


_servers: dict[int, tuple[WSGIServer, HealthApp]] = {}
_lock = threading.Lock()


def serve(
    port: int, checks: Mapping[str, Check] | None = None, addr: str = "0.0.0.0"
) -> HealthApp | None:
    """Serve /healthz, /readyz and /metrics on ``port`` once per process (0 disables it).

    A second call for the same port replaces the readiness checks and returns the same app.
    """
    if not port:
        return None
    with _lock:
        if port in _servers:
            app = _servers[port][1]
            app.set_checks(checks)
            return app
        app = HealthApp(checks)
        server = make_server(
            addr, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        thread = threading.Thread(
            target=server.serve_forever, name=f"shequ-health-{port}", daemon=True
        )
        thread.start()
        _servers[port] = (server, app)
        return app


def shutdown(port: int) -> None:
    """Stop the server on ``port`` (tests)."""
    with _lock:
        entry = _servers.pop(port, None)
    if entry:
        entry[0].shutdown()
        entry[0].server_close()


# the platform's checks --------------------------------------------------------------------------
class BrokerCheck:
    """Readiness of the broker: one kept AMQP connection, probed with a passive declare of a
    built-in exchange (one round trip); on failure the connection is dropped and reopened on
    the next probe."""

    def __init__(self, amqp_uri: str, timeout: float = 2.0) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._conn: Any = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        from kombu import Connection

        with self._lock:
            try:
                if self._conn is None:
                    self._conn = Connection(
                        self.amqp_uri, heartbeat=0, connect_timeout=self.timeout
                    )
                    self._conn.ensure_connection(max_retries=1)
                channel = self._conn.default_channel
                channel.exchange_declare("amq.direct", "direct", passive=True)
                return "connected"
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.release()
            except Exception as exc:  # noqa: BLE001
                log.debug("closing the health broker connection: %s", exc)


def store_check(recorder: Any) -> Check:
    """Readiness of the store: a trivial query (the highest notification id)."""

    def check() -> int:
        return int(recorder.max_notification_id() or 0)

    return check


def runtime_checks(runtime: Any) -> dict[str, Check]:
    """The readiness checks of a running service (a ``shequ.runtime.Runtime``): its store
    answers and its broker connection is up."""
    return {
        "store": store_check(runtime.app.recorder),
        "broker": BrokerCheck(runtime.config.amqp_uri),
    }


def tcp_check(host: str, port: int, timeout: float = 2.0) -> Check:
    """A plain TCP connect (for tools that have no store or broker object)."""

    def check() -> str:
        with socket.create_connection((host, port), timeout=timeout):
            return "open"

    return check


__all__ = [
    "BrokerCheck",
    "HealthApp",
    "runtime_checks",
    "serve",
    "shutdown",
    "store_check",
    "tcp_check",
]


# probe client: the image's HEALTHCHECK and compose healthchecks ---------------------------------
def probe_port(environ: Mapping[str, str] | None = None) -> int:
    """The port to probe: SHEQU_HEALTH_PORT, else the one SHEQU_<SERVICE>_METRICS_PORT set."""
    environ = os.environ if environ is None else environ
    if environ.get("SHEQU_HEALTH_PORT"):
        return int(environ["SHEQU_HEALTH_PORT"])
    ports = sorted(
        {
            int(v)
            for k, v in environ.items()
            if k.startswith("SHEQU_") and k.endswith("_METRICS_PORT") and v.strip()
        }
    )
    if len(ports) != 1:
        raise SystemExit(
            f"cannot tell which port to probe ({ports or 'none set'}): set SHEQU_HEALTH_PORT"
        )
    return ports[0]


def main(argv: list[str] | None = None) -> int:
    """``python -m shequ.health [--ready] [PORT]``: exit 0 when /healthz (or /readyz) is 200."""
    import sys
    import urllib.error
    import urllib.request

    args = list(sys.argv[1:] if argv is None else argv)
    path = "/readyz" if "--ready" in args else "/healthz"
    rest = [a for a in args if a != "--ready"]
    port = int(rest[0]) if rest else probe_port()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            print(answer.read().decode("utf-8", "replace"))
            return 0 if answer.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(exc.read().decode("utf-8", "replace"))
        return 1
    except OSError as exc:
        print(f"{path} on port {port}: {exc}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
