"""What every service's application shares beyond the event store: its policy table, one read
model built once (replicas and workers share it) and caught up before each read, and
``run`` (authorise, then execute once per idempotency key) and ``change`` (the same for one
aggregate loaded and changed), and the log of reads of personal
data (``reads``, ``personal_data_reads``: see :mod:`shequ.readlog`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate
from sqlalchemy.engine import Connection

from shequ.actor import Actor
from shequ.app import Outcome, ServiceApplication
from shequ.auth import Policy, Target
from shequ.clock import Clock
from shequ.commands import Keyed
from shequ.projection import Projection, Projector
from shequ.readlog import ReadLog, reads_of
from shequ.store import Store

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)


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
        self.reads = ReadLog(self.name, self.committer.commit)

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
        load: Callable[[], A],
        act: Callable[[A], dict[str, Any]],
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
