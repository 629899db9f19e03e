"""The nameko side of the platform: one DependencyProvider gives each worker the service's
eventsourcing Application, and runs the service's background work in managed greenlets:
the outbox relay (only while this replica holds leadership), the tree-head sealer, the inboxes
and the metrics. It also times every entrypoint."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import eventlet
from eventlet.event import Event as GreenEvent
from nameko.extensions import DependencyProvider

from shequ import health, metrics
from shequ.app import ServiceApplication
from shequ.config import ServiceConfig
from shequ.contracts import Contract, Translator
from shequ.db import make_engine, schema_lock
from shequ.deadletters import DeadLetters
from shequ.errors import ShequError
from shequ.inbox import Handler, Inbox
from shequ.leader import Leadership
from shequ.refusals import log_refusal, quiet_expected_refusals
from shequ.relay import Relay
from shequ.rpcpull import rpc_puller
from shequ.subscriber import Subscriber

log = logging.getLogger(__name__)


@dataclass
class InboxSpec:
    upstream: str
    handler: Callable[[ServiceApplication], Handler]
    interests: dict[str, Contract] | None = None


class _Stopping:
    def __init__(self) -> None:
        self._flag = False

    def set(self) -> None:
        self._flag = True

    def is_set(self) -> bool:
        return self._flag


@dataclass
class Runtime:
    """What the background loops share; also what ``status`` reports."""

    config: ServiceConfig
    app: ServiceApplication
    relay: Relay
    leadership: Leadership
    translate: Translator | None = None
    inboxes: list[Inbox] = field(default_factory=list)
    sealed_size: int = 0
    last_log_position: int = 0


class Platform(DependencyProvider):
    def __init__(self, service: str, app_factory: Callable[[ServiceConfig], ServiceApplication],
                 translate: Translator, inboxes: list[InboxSpec] | None = None) -> None:
        self.service = service
        self.app_factory = app_factory
        self.translate = translate
        self.inbox_specs = inboxes or []
        self.runtime: Runtime | None = None
        self.stopping = _Stopping()
        self._starts: dict[Any, float] = {}

    def setup(self) -> None:
        quiet_expected_refusals()  # refusals: one line from worker_result, no traceback
        cfg = ServiceConfig.from_env(self.service)
        # One broker for everything: the one the container answers RPC on, if it was given.
        cfg = replace(cfg, amqp_uri=self.container.config.get("AMQP_URI") or cfg.amqp_uri)
        with schema_lock(cfg.store):  # replicas starting together create tables one at a time
            app = self.app_factory(cfg)
        engine = make_engine(cfg.store)
        relay = Relay(self.service, app, engine, self.translate, cfg.amqp_uri, cfg.relay_batch)
        self.runtime = Runtime(cfg, app, relay, Leadership(cfg.store, "relay"), self.translate)
        dead = DeadLetters(cfg.amqp_uri)
        for spec in self.inbox_specs:
            self.runtime.inboxes.append(Inbox(
                self.service, spec.upstream, app, spec.handler(app),
                rpc_puller(spec.upstream, cfg.amqp_uri), dead, cfg.inbox_max_failures,
                spec.interests))
        health.serve(cfg.metrics_port, health.runtime_checks(self.runtime))

    def start(self) -> None:
        assert self.runtime is not None
        self._wake = GreenEvent()
        self.runtime.app.committer.listeners.append(self._wake_relay)
        spawn = self.container.spawn_managed_thread
        spawn(self._relay_loop, identifier=f"{self.service}.relay")
        spawn(self._seal_loop, identifier=f"{self.service}.sealer")
        spawn(self._metrics_loop, identifier=f"{self.service}.metrics")
        for inbox in self.runtime.inboxes:
            sub = Subscriber(inbox, self.runtime.config.amqp_uri, self.stopping)
            spawn(sub.run, identifier=f"{self.service}.inbox.{inbox.upstream}")

    def _wake_relay(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def _idle(self, timeout: float) -> None:
        """Wait for a local commit (or ``timeout``: commits of other replicas are polled)."""
        with eventlet.Timeout(timeout, False):
            self._wake.wait()
        self._wake = GreenEvent()

    def stop(self) -> None:
        self.stopping.set()
        if self.runtime:
            self.runtime.leadership.release()
            self.runtime.relay.reset_connection()
            self.runtime.relay.engine.dispose()
            self.runtime.app.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Runtime:
        assert self.runtime is not None
        return self.runtime

    # entrypoint timing ------------------------------------------------------------------
    def worker_setup(self, worker_ctx: Any) -> None:
        self._starts[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._starts.pop(worker_ctx, None)
        name = worker_ctx.entrypoint.method_name
        if started is not None:
            metrics.ENTRYPOINT_SECONDS.labels(self.service, name).observe(
                time.perf_counter() - started)
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], ShequError):
            outcome = exc_info[1].code
            actor = worker_ctx.kwargs.get("actor", worker_ctx.args[0] if worker_ctx.args else None)
            log_refusal(self.service, name, exc_info[1], actor,
                        None if started is None else time.perf_counter() - started)
        else:
            outcome = "error"
        metrics.ENTRYPOINT_CALLS.labels(self.service, name, outcome).inc()

    # background loops -------------------------------------------------------------------
    def _relay_loop(self) -> None:
        rt = self.runtime
        assert rt is not None
        while not self.stopping.is_set():
            if not rt.leadership.held:
                if not rt.leadership.try_acquire():
                    eventlet.sleep(1.0)  # another replica relays; stand by
                    continue
                rt.relay.forget()  # the previous leader may have moved the position
            try:
                sent = rt.relay.run_once()
                metrics.RELAY_PUBLISHED.labels(self.service).inc(sent)
                if sent == 0:
                    self._idle(0.05)
                    if not rt.leadership.still_held():
                        continue
            except Exception as exc:  # noqa: BLE001 - outlive broker and database outages
                log.warning("relay %s: %s", self.service, exc)
                metrics.RELAY_ERRORS.labels(self.service).inc()
                rt.relay.reset_connection()
                eventlet.sleep(0.5)

    def _seal_loop(self) -> None:
        rt = self.runtime
        assert rt is not None
        from shequ.audit import Sealer

        sealer = None
        while not self.stopping.is_set():
            eventlet.sleep(rt.config.seal_interval)
            if not rt.leadership.held:
                sealer = None  # the relay's leader also seals, so heads come from one writer
                continue
            try:
                if sealer is None:  # newly leader: reload what the previous leader sealed
                    sealer = Sealer(self.service, rt.app.recorder, rt.config.treehead_dir,
                                    rt.config.key_path, page_size=200)
                head = sealer.seal()
                if head is not None:
                    rt.sealed_size = head.tree_size
                    metrics.TREE_SIZE.labels(self.service).set(head.tree_size)
            except Exception as exc:  # noqa: BLE001
                log.warning("sealer %s: %s", self.service, exc)

    def _metrics_loop(self) -> None:
        rt = self.runtime
        assert rt is not None
        while not self.stopping.is_set():
            try:
                top = rt.app.recorder.max_notification_id() or 0
                if top > rt.last_log_position:
                    metrics.EVENTS_APPENDED.labels(self.service).inc(top - rt.last_log_position)
                    rt.last_log_position = top
                metrics.LOG_POSITION.labels(self.service).set(top)
                metrics.RELAY_LAG.labels(self.service).set(max(0, top - rt.relay.state()[0]))
                for inbox in rt.inboxes:
                    _count_inbox(self.service, inbox)
                    metrics.CONSUMER_LAG.labels(self.service, inbox.upstream).set(
                        max(0, inbox.upstream_head - inbox.last()))
            except Exception as exc:  # noqa: BLE001
                log.debug("metrics %s: %s", self.service, exc)
            eventlet.sleep(1.0)


def _count_inbox(service: str, inbox: Inbox) -> None:
    reported = getattr(inbox, "_reported", {})
    for how, n in inbox.counts.items():
        delta = n - reported.get(how, 0)
        if delta:
            if how == "dead_lettered":
                metrics.DEAD_LETTERS.labels(service, inbox.upstream).inc(delta)
            else:
                metrics.CONSUMER_APPLIED.labels(service, inbox.upstream, how).inc(delta)
    inbox._reported = dict(inbox.counts)  # type: ignore[attr-defined]


__all__ = ["InboxSpec", "Platform", "Runtime"]
