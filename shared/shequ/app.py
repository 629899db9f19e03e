"""The base every service's eventsourcing Application builds on.

It adds what the platform guarantees for commands: a recorded actor, and idempotency keys
(a repeated key returns the first result and writes nothing), kept in the same atomic save as
the command's own events, so a crash can never store one without the other.

``DomainApplication`` is what each service's application class extends: its use-case table's
policy, one read model built once (replicas and workers share it) and caught up before each
read, ``run`` (authorise, then execute once per idempotency key) and ``change`` (the same for one
aggregate loaded and changed), and the log of reads of personal data (``reads``,
``personal_data_reads``: see :mod:`shequ.readlog`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, Generic, Self, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import EventStore, IntegrityError, ProcessRecorder
from sqlalchemy.engine import Connection, Engine

from shequ import batchorder
from shequ.actor import Actor
from shequ.auth import Policy, Target
from shequ.clock import Clock
from shequ.commands import Keyed
from shequ.config import ServiceConfig, max_envelope_bytes
from shequ.db import make_engine
from shequ.errors import Conflict, NotFound, ValidationError
from shequ.groupcommit import GroupCommitter, LoserQueue
from shequ.metrics import COMMANDS
from shequ.projection import Projection, Projector
from shequ.readlog import ReadLog, reads_of
from shequ.recorders import GuardedRecorder, InsertCheck
from shequ.snapshots import CheckedSnapshotStore, fold
from shequ.store import Store
from shequ.topics import pin_topics


class CommandRecord(Aggregate):
    """The first outcome of an idempotency key: who asked, what, and the result returned."""

    @staticmethod
    def create_id(service: str, key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"shequ:{service}:command:{key}")

    @event("Recorded")
    def __init__(
        self,
        service: str,
        key: str,
        command: str,
        fingerprint: str,
        actor: dict[str, Any],
        result: Any,
    ) -> None:
        self.key = key
        self.command = command
        self.fingerprint = fingerprint
        self.actor = actor
        self.result = result


pin_topics("platform", CommandRecord)

Outcome = tuple[Iterable[Aggregate], Any]
A = TypeVar("A")
log = logging.getLogger(__name__)
Agg = TypeVar("Agg", bound=Aggregate)
S = TypeVar("S")

# eventsourcing writes a transaction's events through one psycopg pipeline; past a few MiB of
# events in one transaction, client and server each wait for the other to read, forever (seen
# here from about 4 MiB; psycopg/psycopg#685). A larger transaction is refused before it is
# sent, with an error, instead of hanging a worker: split such work into batches (ADR 0009).
MAX_TRANSACTION_BYTES = int(os.environ.get("SHEQU_MAX_TRANSACTION_BYTES", str(2 * 1024 * 1024)))
# One event may hold at most half the largest envelope an inbox accepts: its integration
# envelope copies some of its fields and adds a few hundred bytes, so a genuine envelope never
# meets the inbox's bound (ADR 0013). The platform's own dead letters, never published, may
# hold a whole envelope.
MAX_EVENT_BYTES = max_envelope_bytes() // 2
UNBOUNDED_TOPICS = ("platform:DeadLetter.",)


def check_size(stored_events: Sequence[Any]) -> None:
    """Refuse a transaction over MAX_TRANSACTION_BYTES, or an event over MAX_EVENT_BYTES,
    before it is sent (the recorders' ``check_insert``)."""
    limit = MAX_TRANSACTION_BYTES
    size = sum(len(e.state) + len(e.topic) + 64 for e in stored_events)
    if size > limit:
        raise ValidationError(
            f"一次提交的数据过大（{len(stored_events)} 个事件，{size // 1024} KiB，"
            f"上限 {limit // 1024} KiB），请分批处理",
            f"one transaction would store {len(stored_events)} events ({size // 1024} KiB), "
            f"more than the {limit // 1024} KiB limit; split the work into batches",
            None,
            code="transaction_too_large",
        )
    largest = max(stored_events, key=_event_size, default=None)
    if largest is not None and _event_size(largest) > MAX_EVENT_BYTES:
        raise ValidationError(
            f"单个事件过大（{len(largest.state) // 1024} KiB，上限 "
            f"{MAX_EVENT_BYTES // 1024} KiB），请拆分数据",
            f"one event ({largest.topic}) would hold {len(largest.state) // 1024} KiB, "
            f"more than the {MAX_EVENT_BYTES // 1024} KiB an event may hold; split it",
            None,
            code="event_too_large",
        )


def _event_size(stored: Any) -> int:
    return 0 if stored.topic.startswith(UNBOUNDED_TOPICS) else len(stored.state)


def _project(aggregate: Any, events: Iterable[Any]) -> Any:
    return fold(events, aggregate)


class FoldingRepository(Repository[UUID]):
    """eventsourcing's repository, rebuilding aggregates with ``shequ.snapshots.fold``: the
    library's projector asserts ``isinstance(event, CanMutateProtocol)`` for every event, a
    runtime Protocol check that on Python 3.11 costs more than applying the event (loading
    2,000 events: 16.3-17.3 µs an event with it, 7.2 without). Our stored events are all the
    library's domain events, whose ``mutate`` the fold calls, as the projector does."""

    def get(  # type: ignore[override]
        self, aggregate_id: UUID, *, projector_func: Any = _project, **options: Any
    ) -> Any:
        if self.cache is None or options.get("version") is not None:
            return super().get(aggregate_id, projector_func=projector_func, **options)
        # From the cache, fast-forwarded; the caller gets its own copy, made by pickling
        # (the library's deepcopy walks the state in Python, several times slower).
        copied = options.pop("deepcopy_from_cache", True) and self.deepcopy_from_cache
        kept = super().get(
            aggregate_id, projector_func=projector_func, deepcopy_from_cache=False, **options
        )
        return _copied(kept) if copied else kept


def _copied(aggregate: Any) -> Any:
    """A copy of a cached aggregate for one caller: pickled, or deep-copied where its class
    cannot be pickled (one defined inside a function)."""
    try:
        return pickle.loads(pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, AttributeError, TypeError):
        return copy.deepcopy(aggregate)


class ServiceApplication(Application[UUID]):
    """An Application bound to an explicit store; never the library's in-memory default."""

    recorder: ProcessRecorder

    def __init__(
        self, store: Store, env: dict[str, str] | None = None, clock: Clock | None = None
    ) -> None:
        self.store = store
        # The service's time, injected (``App(store, clock=FixedClock("2026-03-02"))``);
        # every date of record comes from it, never from the caller or the module level.
        self.clock: Clock = clock or Clock()
        merged = store.eventsourcing_env()
        # Aggregates are kept between commands and fast-forwarded with the events stored
        # since (one query, usually no rows) instead of rebuilt from all their events: an
        # aggregate's load no longer grows with its history (ADR 0005 §10). Every command
        # gets its own copy; a replica's commits are read by the fast-forward.
        cache = os.environ.get("SHEQU_AGGREGATE_CACHE", "5000")
        merged.setdefault("AGGREGATE_CACHE_MAXSIZE", "" if cache == "0" else cache)
        merged.update(env or {})
        super().__init__(env=merged)

    def construct_recorder(self) -> ProcessRecorder:
        # A process recorder is an application recorder that can also record, in the same
        # transaction, which upstream notification an inbox effect came from.
        recorder = self.factory.process_recorder()
        if isinstance(recorder, InsertCheck):
            recorder.check_insert = check_size
        return recorder

    def construct_repository(self) -> Repository[UUID]:
        made = super().construct_repository()
        ours = FoldingRepository(
            made.event_store,
            snapshot_store=made.snapshot_store,
            fastforward=made.fastforward,
            fastforward_skipping=made.fastforward_skipping,
            deepcopy_from_cache=made.deepcopy_from_cache,
        )
        ours.cache = made.cache
        return ours

    def construct_snapshot_store(self) -> EventStore[UUID]:
        # A snapshot is served only if the events up to its version make the same state
        # (shequ.snapshots, ADR 0017): a forged snapshot row is ignored, never served.
        return CheckedSnapshotStore(
            self.mapper, self.factory.aggregate_recorder("snapshots"), self.events, self.name
        )

    def changed_since(self, after: int, topics: Sequence[str]) -> tuple[int | None, bool]:
        """The log's top past position ``after`` (None if it has not grown) and whether an
        event of one of ``topics`` was stored past it, in one query."""
        recorder = self.recorder
        assert isinstance(recorder, GuardedRecorder), "every store names a guarded recorder"
        return recorder.changed_since(after, topics)

    def execute(
        self,
        command: str,
        idempotency_key: str,
        actor: Actor,
        payload: Any,
        decide: Callable[[], Outcome],
    ) -> Any:
        """Run ``decide`` once per idempotency key and save its aggregates atomically.

        ``decide`` returns (aggregates to save, result to return). A repeat of the key returns
        the first result; a repeat with a different payload is refused.
        """
        if not isinstance(idempotency_key, str) or not 8 <= len(idempotency_key) <= 200:
            raise ValidationError(
                "幂等键须为8至200个字符", "idempotency_key must be 8-200 chars", "idempotency_key"
            )
        # The actor is part of the fingerprint: another person reusing a key gets a refusal,
        # never someone else's result.
        fingerprint = _fingerprint(command, actor.to_dict(), payload)
        record_id = self.command_record_id(idempotency_key)

        # The key is not looked up first (a read per command, for the rare repeat): the command
        # record is stored at version 1 in the same transaction as the command's events, so a
        # repeat cannot be stored twice. It is recognised when its save conflicts, or when
        # deciding again fails (the first command's effect is there now); either way it is
        # answered with the first result, or refused if the payload differs.
        def attempt() -> tuple[bool, Any, list[UUID]]:
            try:
                aggregates, result = decide()
            except Exception:
                first = self._recorded(record_id, fingerprint)
                if first is None:
                    raise
                COMMANDS.labels(self.name, command, "repeat").inc()
                return True, first, []
            record = CommandRecord(
                service=self.name,
                key=idempotency_key,
                command=command,
                fingerprint=fingerprint,
                actor=actor.to_dict(),
                result=result,
            )
            saving: ProcessingEvent[UUID] = ProcessingEvent()
            saving.collect_events(*aggregates, record)
            ids = list(saving.aggregates)
            batchorder.turn(ids)  # inside a batch: in batch order
            try:
                self.committer.commit(saving.events)
                COMMANDS.labels(self.name, command, "stored").inc()
                self.take_due_snapshots(saving)
                return True, result, ids
            except IntegrityError:
                # Either the same key won a race (answer with its result) or another command
                # changed an aggregate this one read: decide again on fresh state.
                again = self._recorded(record_id, fingerprint)
                if again is not None:
                    COMMANDS.labels(self.name, command, "repeat").inc()
                    return True, again, ids
                return False, None, ids

        done, value, touched = attempt()
        if done:
            return value
        # Lost a race: re-decide behind this process's other losers on the same aggregates, so
        # that a burst on one aggregate queues instead of racing until the retries run out.
        with self.losers.queue(touched):
            for _retry in range(self.CONFLICT_RETRIES - 1):
                done, value, touched = attempt()
                if done:
                    return value
        COMMANDS.labels(self.name, command, "conflict").inc()
        raise Conflict(
            "记录被频繁同时修改，请稍后重试",
            "the records kept changing concurrently; retry the command later",
            code="concurrent_change",
        )

    CONFLICT_RETRIES = 5

    @cached_property
    def engine(self) -> Engine:
        """The process's one SQLAlchemy engine on this store: read models, relay and projector
        positions share its pool (built on first use, outside the schema lock)."""
        return make_engine(self.store, self.name)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        super().close()

    def save_processed(self, processing: ProcessingEvent[UUID]) -> None:
        """``Application.save`` for what an inbox (or a dead letter's replay) built: the events
        and the upstream position in one transaction, then the snapshots that are due."""
        self._record(processing)
        self.take_due_snapshots(processing)

    def commit(self, aggregates: Iterable[Aggregate]) -> None:
        """Store the aggregates' pending events through group commit, outside any command."""
        saving: ProcessingEvent[UUID] = ProcessingEvent()
        saving.collect_events(*aggregates)
        self.committer.commit(saving.events)
        self.take_due_snapshots(saving)

    def take_due_snapshots(self, saved: ProcessingEvent[UUID]) -> None:
        """eventsourcing's own snapshotting (``snapshotting_intervals``, ``take_snapshot``) for
        the save paths that do not go through ``Application.save``: group commit, inboxes,
        replays. A snapshot is only a cache of what the events say (``shequ.snapshots``): one
        that cannot be stored now (another replica took it, the store went away) is skipped,
        never a failure of what was saved."""
        if not self.snapshots or not self.snapshotting_intervals:
            return
        try:
            self._take_snapshots(saved)
        except Exception as exc:  # noqa: BLE001 - the events are stored; the cache can wait
            log.warning("%s: snapshot not taken: %s: %s", self.name, type(exc).__name__, exc)

    @cached_property
    def committer(self) -> GroupCommitter:
        return GroupCommitter(self.events)

    @cached_property
    def losers(self) -> LoserQueue:
        return LoserQueue()

    def command_record_id(self, key: str) -> UUID:
        return CommandRecord.create_id(self.name, key)

    def _recorded(self, record_id: UUID, fingerprint: str) -> Any | None:
        try:
            record: CommandRecord = self.repository.get(record_id)
        except AggregateNotFoundError:
            return None
        if record.fingerprint != fingerprint:
            raise Conflict(
                "幂等键已用于另一条不同的指令",
                "idempotency_key was already used for a different command",
                "idempotency_key",
                code="idempotency_key_reused",
            )
        return record.result if record.result is not None else {}

    def today(self) -> str:
        """Today's civil date in the district, by the service's clock (dates of record)."""
        return self.clock.today()

    def get(
        self, aggregate_id: UUID | str, kind: type[A], label_zh: str = "", field: str = "id"
    ) -> A:
        """The aggregate of class ``kind`` with this id, or NotFound naming ``field`` (an id
        that is no UUID is not found either). ``label_zh`` names the kind for people (default:
        the class's ``label_zh``, else its name)."""
        agg: Any
        try:
            agg = self.repository.get(
                aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
            )
        except (AggregateNotFoundError, ValueError):
            agg = None
        if agg is None or not isinstance(agg, kind):
            label = label_zh or getattr(kind, "label_zh", "") or kind.__name__
            raise NotFound(
                f"未找到{label}：{aggregate_id}",
                f"no {kind.__name__} with id {aggregate_id}",
                field,
            )
        return agg

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate with this id, or None."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether anything is stored under this id (reads one event, rebuilds nothing)."""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def ensure_new(
        self, aggregate_id: UUID, label_zh: str, field: str, code: str = "already_exists"
    ) -> None:
        """Refuse to create what already exists under a natural key (a second district, a
        second ledger for a village): ``field`` names the key, ``code`` the rule."""
        if self.exists(aggregate_id):
            raise Conflict(f"{label_zh}已存在", f"{field}: already recorded", field, code=code)


def _fingerprint(command: str, actor: dict[str, Any], payload: Any) -> str:
    text = json.dumps([command, actor, payload], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class DomainApplication(ServiceApplication):
    """Subclasses set ``policy`` and ``make_projection()`` (and ``projector_class`` if the
    read model needs more than :class:`~shequ.projection.Projector`)."""

    policy: ClassVar[Policy]
    projector_class: ClassVar[type[Projector]] = Projector

    def __init__(
        self, store: Store, env: dict[str, str] | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__(store, env, clock)
        self._projector: Projector | None = None
        # Built on first use, not here: building takes the platform's schema lock, which the
        # runtime already holds while it creates the application.
        self._projector_lock = threading.Lock()
        self.reads = ReadLog(self.name, self.commit)

    def make_projection(self) -> Projection:
        raise NotImplementedError

    def close(self) -> None:
        """Store the reads still waiting, then close the connections."""
        try:
            self.reads.flush()
        except Exception as exc:  # noqa: BLE001 - closing must not fail; say what is lost
            log.error(
                "%s: %d reads of personal data not stored: %s", self.name, self.reads.pending(), exc
            )
        super().close()

    @property
    def projector(self) -> Projector:
        """The read-model projector, built once: concurrent first uses (RPC workers, a batch,
        an inbox) share it rather than each building one and applying the same page."""
        if self._projector is None:
            with self._projector_lock:
                if self._projector is None:
                    self._projector = self.projector_class(
                        self, self.make_projection(), self.engine
                    )
        return self._projector

    def read(self) -> Connection:
        """A connection to the read model, caught up with every event stored so far."""
        self.projector.catch_up()
        return self.projector.engine.connect()

    def run(
        self,
        command: str,
        key: str,
        actor: Actor,
        target: Target,
        payload: Mapping[str, Any],
        decide: Callable[[], Outcome],
    ) -> Any:
        """Authorise, then execute once per idempotency key (validation has happened already)."""
        self.policy.check(command, actor, target)
        return self.execute(command, key, actor, payload, decide)

    def change(
        self,
        command: str,
        cmd: Keyed,
        actor: Actor,
        target: Target,
        load: Callable[[], Agg],
        act: Callable[[Agg], dict[str, Any]],
        payload: Mapping[str, Any] | None = None,
    ) -> Any:
        """``run`` for the common shape of a use case: ``load`` one aggregate (refusing what
        does not exist), let ``act`` ask it to decide and say the result, save it. The
        idempotency record keeps ``payload`` (default: the command's)."""

        def decide() -> Outcome:
            aggregate = load()
            return [aggregate], act(aggregate)

        kept = cmd.payload() if payload is None else payload
        return self.run(command, cmd.idempotency_key, actor, target, kept, decide)

    def personal_data_reads(
        self,
        actor: Actor,
        subject_id: str | None = None,
        reader_id: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Recorded reads of personal data in clear, oldest first: who (person, role), which
        use case and target, whose (subject id, masked name), which fields, why, when.

        Reads wait in memory for up to a second before they are stored (``shequ.readlog``).
        Example: ``{"actor": {"person_id": "audit-1", "role": "auditor"},
        "subject_id": "5b2d7c1e-0000-5000-8000-000000000001"}``
        """
        self.policy.check("personal_data_reads", actor, Target())
        with self.read() as c:
            return reads_of(c, subject_id, reader_id, max(1, min(int(limit), 5000)))


class ConfiguredApplication(DomainApplication, Generic[S]):
    """A domain application with settings of type ``S`` (``settings_class()`` unless the
    caller gives them) and the read model ``projection_class()``: subclasses set both."""

    settings_class: ClassVar[type[Any]]
    projection_class: ClassVar[type[Projection]]

    def __init__(
        self,
        store: Store,
        settings: S | None = None,
        env: dict[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(store, env, clock)
        self.settings: S = settings or self.settings_class()

    @classmethod
    def for_service(cls, config: ServiceConfig) -> Self:
        """The application a service process runs (its ``Platform``'s factory): on the
        configured store, with its settings from the environment (``settings_class.from_env``)."""
        return cls(config.store, cls.settings_class.from_env())

    def make_projection(self) -> Projection:
        return self.projection_class()
