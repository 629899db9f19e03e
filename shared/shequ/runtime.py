"""The nameko side of the platform: one DependencyProvider gives each worker the service's
eventsourcing Application, and runs the service's background work as jobs (``shequ.jobs``):
the outbox relay (only while this replica holds leadership), the tree-head sealer, the inboxes,
the metrics, the read log's flusher and the service's own jobs. It also times every entrypoint.

The sealer seals every ``SHEQU_SEAL_INTERVAL`` seconds and once more on a clean stop, and
checks each time that the rows at or below its sealed position are the ones it sealed (an
alarm otherwise: an error log line, ``shequ_audit_alarm``, ``health`` and ``shequ status``).
Events after the last head are the window of exposure (``Runtime.audit_status``)."""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nameko.extensions import DependencyProvider

from shequ import health, metrics
from shequ.actorsig import ActorVerifier
from shequ.app import ServiceApplication
from shequ.audit.witnessing import WitnessClient, WitnessPolicy, policy_for
from shequ.config import ConfigError, ServiceConfig
from shequ.contracts import Contract, Translator
from shequ.db import schema_lock
from shequ.deadletters import DeadLetters
from shequ.errors import ShequError
from shequ.inbox import Handler, Inbox
from shequ.jobs import Job, Jobs, JobSpec
from shequ.leader import Leadership
from shequ.provenance import Signer, Verifier
from shequ.reactions import Reactions
from shequ.recorders import EventRows
from shequ.refusals import log_refusal, quiet_expected_refusals
from shequ.relay import Relay
from shequ.rpcpull import rpc_puller
from shequ.subscriber import Subscriber

if TYPE_CHECKING:
    from shequ.audit import SealAlarm, Sealer, TreeHead

log = logging.getLogger(__name__)


@dataclass
class InboxSpec:
    upstream: str
    handler: Callable[[ServiceApplication], Handler]
    interests: dict[str, Contract] | None = None

    @classmethod
    def of(cls, reactions: type[Reactions]) -> InboxSpec:
        """The inbox for a service's reactions to one upstream (``shequ.reactions``)."""
        return cls(reactions.upstream, reactions, reactions.interests)


@dataclass
class Runtime:
    """What the background loops share; also what ``status`` reports."""

    config: ServiceConfig
    app: ServiceApplication
    relay: Relay
    leadership: Leadership
    translate: Translator | None = None
    signer: Signer | None = None  # signs every envelope this service hands out (ADR 0013)
    actors: ActorVerifier | None = None  # checks the actor claims RPC callers send (ADR 0031)
    inboxes: list[Inbox] = field(default_factory=list)
    sealed_size: int = 0
    sealed_position: int = 0
    sealed_at: datetime | None = None
    audit_alarm: SealAlarm | None = None
    last_log_position: int = 0

    def note_head(self, head: TreeHead | None) -> None:
        """Remember the latest signed tree head (this replica's or the leader's)."""
        if head is not None:
            self.sealed_size, self.sealed_position = head.tree_size, head.last_position
            self.sealed_at = datetime.fromisoformat(head.sealed_at)

    def audit_status(self) -> dict[str, Any]:
        """The seal interval and the window of exposure: events stored after the last head
        (an edit to them goes undetected) and how long the oldest has waited; and the alarm.
        """
        rows = EventRows(self.app.recorder)
        oldest = rows.page(self.sealed_position, 1)
        now = datetime.now(UTC)
        age: float | None = 0.0
        if oldest:
            try:
                event: Any = self.app.mapper.to_domain_event(oldest[0])
                age = round(max(0.0, (now - event.timestamp).total_seconds()), 3)
            except Exception:  # noqa: BLE001 - a row written by hand: its age is unknown
                age = None
        alarm = self.audit_alarm
        return {
            "seal_interval_seconds": self.config.seal_interval,
            "sealed_size": self.sealed_size,
            "sealed_position": self.sealed_position,
            "last_head_at": self.sealed_at.isoformat() if self.sealed_at else None,
            "seconds_since_last_head": (
                round((now - self.sealed_at).total_seconds(), 3) if self.sealed_at else None
            ),
            "unsealed_events": rows.count(above=self.sealed_position) if oldest else 0,
            "oldest_unsealed_age_seconds": age,
            "alarm": asdict(alarm) if alarm else None,
        }


class Platform(DependencyProvider):
    def __init__(
        self,
        service: str,
        app_factory: Callable[[ServiceConfig], ServiceApplication],
        translate: Translator,
        inboxes: list[InboxSpec] | None = None,
        jobs: list[JobSpec] | None = None,
    ) -> None:
        self.service = service
        self.app_factory = app_factory
        self.translate = translate
        self.inbox_specs = inboxes or []
        self.job_specs = jobs or []
        self.runtime: Runtime | None = None
        self.jobs = Jobs(service)  # ``@job`` entrypoints add theirs at setup
        self.stopping = self.jobs.stopping
        self._starts: dict[Any, float] = {}
        self._sealer: Sealer | None = None
        self._witnesses: WitnessClient | None = None
        self._witness_job: Job | None = None
        self.witness_policy = WitnessPolicy()  # read at setup

    def setup(self) -> None:
        quiet_expected_refusals()  # refusals: one line from worker_result, no traceback
        cfg = ServiceConfig.from_env(self.service)
        self.witness_policy = policy_for(self.service)  # F43 witness_policy (ADR 0041)
        # One broker for everything: the one the container answers RPC on, if it was given.
        cfg = replace(cfg, amqp_uri=self.container.config.get("AMQP_URI") or cfg.amqp_uri)
        serve_health(cfg)  # first: a busy port is a configuration error, found before the store
        with schema_lock(cfg.store):  # replicas starting together create tables one at a time
            app = self.app_factory(cfg)
        signer = Signer.for_service(self.service, cfg.key_path)
        relay = Relay(
            self.service, app, app.engine, self.translate, cfg.amqp_uri, cfg.relay_batch, signer
        )
        self.runtime = Runtime(
            cfg,
            app,
            relay,
            Leadership(cfg.store, "relay", self.service),
            self.translate,
            signer,
            ActorVerifier.from_env(self.service, cfg.trusted_keys_dir),
        )
        dead = DeadLetters(cfg.amqp_uri)
        verifier = Verifier(cfg.trusted_keys_dir)
        for spec in self.inbox_specs:
            self.runtime.inboxes.append(
                Inbox(
                    self.service,
                    spec.upstream,
                    app,
                    spec.handler(app),
                    rpc_puller(spec.upstream, cfg.amqp_uri, signer),
                    dead,
                    cfg.inbox_max_failures,
                    spec.interests,
                    verifier,
                )
            )
        health.serve(cfg.metrics_port, health.runtime_checks(self.runtime))
        metrics.SEAL_INTERVAL.labels(self.service).set(cfg.seal_interval)
        self._follow_heads()

    def start(self) -> None:
        rt = self.runtime
        assert rt is not None
        from shequ.readlog import flush_seconds

        relay = self.jobs.add(Job("relay", self._relay_pass, 0.05))
        rt.app.committer.listeners.append(relay.wake)
        self.jobs.add(
            Job("sealer", self._seal_pass, rt.config.seal_interval, rt.config.seal_interval)
        )
        if not self.witness_policy.empty:
            self._witness_job = self.jobs.add(
                Job("witness", self._witness_pass, rt.config.seal_interval, rt.config.seal_interval)
            )
        self.jobs.add(Job("metrics", self._metrics_pass, 1.0))
        reads = getattr(rt.app, "reads", None)
        if reads is not None:
            reads.on_full = self.jobs.add(Job("readlog", self._flush_reads, flush_seconds())).wake
        for inbox in rt.inboxes:
            sub = Subscriber(
                inbox,
                rt.config.amqp_uri,
                self.stopping,
                max_bytes=rt.config.inbox_max_envelope_bytes,
            )
            self.jobs.add(Job(f"inbox.{inbox.upstream}", sub.run, 1.0))
        for spec in self.job_specs:
            self.jobs.add(Job(spec.name, spec.make(rt.app), spec.every, spec.after))
        self.jobs.start(
            lambda fn, identifier: self.container.spawn_managed_thread(fn, identifier=identifier)
        )

    def stop(self) -> None:
        """A clean stop: every worker has finished, so one last seal covers their events."""
        self._shutdown(seal=True)

    def kill(self) -> None:
        self._shutdown(seal=False)

    def _shutdown(self, seal: bool) -> None:
        first = not self.stopping.is_set()
        self.stopping.set()
        if self.runtime:
            self.jobs.stop()  # before their connections close under them
            self._flush_reads()  # before the last seal: they belong in the log it covers
            if seal and first and self.runtime.leadership.held:
                self._seal_pass()
            self.runtime.leadership.release()
            self.runtime.relay.reset_connection()
            self.runtime.relay.engine.dispose()
            self.runtime.app.close()

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
                time.perf_counter() - started
            )
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], ShequError):
            outcome = exc_info[1].code
            actor = worker_ctx.kwargs.get("actor", worker_ctx.args[0] if worker_ctx.args else None)
            log_refusal(
                self.service,
                name,
                exc_info[1],
                actor,
                None if started is None else time.perf_counter() - started,
            )
        else:
            outcome = "error"
        metrics.ENTRYPOINT_CALLS.labels(self.service, name, outcome).inc()

    # background loops -------------------------------------------------------------------
    def _relay_pass(self) -> float | None:
        """Publish what is new, if this replica leads (else stand by and try for the lead);
        waits for a local commit when idle (commits of other replicas are polled)."""
        rt = self.runtime
        assert rt is not None
        try:  # everything, leadership included: outlive broker and database outages
            if not rt.leadership.held:
                if not rt.leadership.try_acquire():
                    return 1.0  # another replica relays; stand by
                rt.relay.forget()  # the previous leader may have moved the position
            sent = rt.relay.run_once()
            metrics.RELAY_PUBLISHED.labels(self.service).inc(sent)
            if sent:
                return 0.0
            return 0.05 if rt.leadership.still_held() else 0.0
        except Exception as exc:  # noqa: BLE001 - outlive broker and database outages
            log.warning("relay %s: %s", self.service, exc)
            metrics.RELAY_ERRORS.labels(self.service).inc()
            rt.relay.reset_connection()
            return 0.5

    def _seal_pass(self) -> None:
        """Seal new events and check the sealed ones, if this replica leads; else follow."""
        rt = self.runtime
        assert rt is not None
        from shequ.audit import Sealer

        if not rt.leadership.held:
            self._sealer = None  # the relay's leader also seals, so heads come from one writer
            self._follow_heads()
            return
        try:
            if self._sealer is None:  # newly leader: reload what the previous leader sealed
                self._sealer = Sealer(
                    self.service,
                    rt.app.recorder,
                    rt.config.treehead_dir,
                    rt.config.key_path,
                    page_size=200,
                )
                self._follow_heads()
            head = self._sealer.seal()
            rt.note_head(head)
            if head is not None and self._witness_job is not None:
                self._witness_job.wake()  # witnesses are asked at once, on their own job
            self._note_alarm(self._sealer.check(full=False))
        except Exception as exc:  # noqa: BLE001
            log.warning("sealer %s: %s", self.service, exc)
        metrics.TREE_SIZE.labels(self.service).set(rt.sealed_size)
        if rt.sealed_at:
            metrics.LAST_HEAD_TIME.labels(self.service).set(rt.sealed_at.timestamp())

    def _witness_pass(self) -> None:
        """Submit the newest checkpoint to the policy's witnesses, if this replica seals.
        A witness that fails is logged and counted; sealing and commands never wait on it
        (a job of its own, ADR 0041)."""
        rt = self.runtime
        assert rt is not None
        if not rt.leadership.held:
            self._witnesses = None
            return
        if self._witnesses is None:
            import eventlet.tpool

            self._witnesses = WitnessClient(
                rt.config.treehead_dir,
                self.service,
                self.witness_policy,
                offload=eventlet.tpool.execute,  # the proof reads the leaf log: off the hub
            )
        try:
            outcomes = self._witnesses.submit()
        except Exception as exc:  # noqa: BLE001 - a witness never stops the service
            log.warning("witnesses of %s: %s", self.service, exc)
            return
        for outcome in outcomes:
            if outcome.ok:
                metrics.WITNESS_COSIGNED.labels(self.service, outcome.label).inc()
            else:
                log.warning(
                    "witness %s did not cosign %s at size %d: %s",
                    outcome.label,
                    self.service,
                    outcome.size,
                    outcome.detail,
                )
                metrics.WITNESS_FAILURES.labels(self.service, outcome.label).inc()

    def _follow_heads(self) -> None:
        """Read the newest head from the tree-head directory (written by the leader)."""
        rt = self.runtime
        assert rt is not None
        from shequ.audit import latest_head, service_dir

        try:
            rt.note_head(latest_head(service_dir(rt.config.treehead_dir, self.service)))
        except Exception as exc:  # noqa: BLE001 - verify reports a bad head; keep serving
            log.warning("tree heads of %s: %s", self.service, exc)

    def _note_alarm(self, alarm: SealAlarm | None) -> None:
        rt = self.runtime
        assert rt is not None
        if alarm is not None and alarm != rt.audit_alarm:
            log.error("audit alarm %s: %s", self.service, alarm.message_en)
        elif alarm is None and rt.audit_alarm is not None:
            log.warning("audit %s: the stored rows match the sealed leaves again", self.service)
        rt.audit_alarm = alarm
        metrics.AUDIT_ALARM.labels(self.service).set(1 if alarm else 0)

    def _flush_reads(self) -> None:
        assert self.runtime is not None
        reads = getattr(self.runtime.app, "reads", None)
        try:
            if reads is not None:
                reads.flush()
        except Exception as exc:  # noqa: BLE001 - kept in the buffer for the next flush
            log.warning("readlog %s: %s", self.service, exc)

    def _metrics_pass(self) -> None:
        rt = self.runtime
        assert rt is not None
        try:
            top = rt.app.recorder.max_notification_id() or 0
            if top > rt.last_log_position:
                metrics.EVENTS_APPENDED.labels(self.service).inc(top - rt.last_log_position)
                rt.last_log_position = top
            metrics.LOG_POSITION.labels(self.service).set(top)
            metrics.RELAY_LAG.labels(self.service).set(max(0, top - rt.relay.state()[0]))
            window = rt.audit_status()
            metrics.UNSEALED_EVENTS.labels(self.service).set(window["unsealed_events"])
            age = window["oldest_unsealed_age_seconds"]
            metrics.UNSEALED_AGE.labels(self.service).set(float("nan") if age is None else age)
            for inbox in rt.inboxes:
                _count_inbox(self.service, inbox)
                metrics.CONSUMER_LAG.labels(self.service, inbox.upstream).set(
                    max(0, inbox.upstream_head - inbox.last())
                )
        except Exception as exc:  # noqa: BLE001
            log.debug("metrics %s: %s", self.service, exc)


def serve_health(cfg: ServiceConfig) -> None:
    """Open the process's health and metrics port (its checks are set once the runtime is
    built); a port in use is a configuration error naming the port and its setting."""
    try:
        health.serve(cfg.metrics_port, {})
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ConfigError(
            f"metrics port {cfg.metrics_port} is in use ({cfg.metrics_port_setting})"
        ) from None


def _count_inbox(service: str, inbox: Inbox) -> None:
    for how, delta in inbox.counts_since_reported().items():
        if how == "dead_lettered":
            metrics.DEAD_LETTERS.labels(service, inbox.upstream).inc(delta)
        else:
            metrics.CONSUMER_APPLIED.labels(service, inbox.upstream, how).inc(delta)


__all__ = ["InboxSpec", "Platform", "Runtime"]
