"""Staff reads of personal data, themselves recorded (个人信息保护法; RULES §6; ADR 0020).

A query decides, through :func:`sight`, whether an actor sees personal data in clear: the
resident sees their own household's; an actor whose assigned duty needs it (the team member who
phones the household, the case's handler) sees it and the duty is the recorded purpose; staff
(and the system) see it only when they give a ``purpose``; auditors never. Every answer that
shows personal data in clear to anyone but its own household is noted in the application's
:class:`ReadLog`: who (person and role), which use case and target, whose data (subject ids and
masked names), which fields, why, and when.

Noting a read costs no database write on the query's path: reads wait in an in-process buffer
and are stored in batches, one :class:`PersonalDataReads` event per flush, in the service's own
event log (so they are sealed into its Merkle tree like every other event, replayed, and
verified by ``shequ audit verify``). The runtime flushes every ``SHEQU_READLOG_SECONDS``
(1 s), sooner when ``MAX_PENDING`` reads wait, and on a clean stop; a crash loses at most the
reads noted since the last flush. The read model keeps one row per (read, subject) for the
``personal_data_reads`` query that auditors call on every service.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, ClassVar, NamedTuple

from eventsourcing.domain import Aggregate, event
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shequ import privacy
from shequ.actor import Actor
from shequ.auth import Rule, Target
from shequ.commands import Check, Command, Count, Id, Note
from shequ.errors import ValidationError
from shequ.topics import pin_topics
from shequ.validation import check_uuid, require_text

log = logging.getLogger(__name__)

MAX_PENDING = 200  # a flush is due at once when this many reads wait


def flush_seconds() -> float:
    """How long a noted read may wait in memory before it is stored (the crash window)."""
    return float(os.environ.get("SHEQU_READLOG_SECONDS", "1"))


# Roles that may ask for personal data in clear by giving a purpose (a reason of record).
PURPOSE_ROLES = frozenset({"district_staff", "community_staff", "system"})

# The policy row of every service's ``personal_data_reads`` query.
READS_ROLES = {"district_staff": "all", "system": "all", "auditor": "all"}
READS_RULE = Rule(roles=READS_ROLES, reads=True)


class PersonalDataReads(Aggregate):
    """One flush of a replica's read buffer: the reads of personal data it noted."""

    @event("Recorded")
    def __init__(self, service: str, reads: list[dict[str, Any]]) -> None:
        self.service = service
        self.reads = reads


pin_topics("platform", PersonalDataReads)
TOPIC = "platform:PersonalDataReads.Recorded"

# Part of every service's read model: the projector fingerprints, builds and rebuilds it with
# the service's own tables (ADR 0014), from the same log.
metadata = MetaData()
data_reads = Table(
    "shequ_personal_data_reads",
    metadata,
    Column("read_id", String(36), primary_key=True),
    Column("subject_id", String(36), primary_key=True),
    Column("subject_name", Text),  # masked: the record never repeats what it guards
    Column("reader_id", String(100), index=True),
    Column("reader_role", String(20)),
    Column("service", String(40)),
    Column("use_case", String(60)),
    Column("target_id", String(36)),
    Column("fields", Text),
    Column("purpose", Text),
    Column("read_at", String(40), index=True),
    Column("position", Integer),
)


class Sight(NamedTuple):
    """How an answer shows personal data: in clear or masked, and the purpose to record."""

    clear: bool
    purpose: str | None  # None: nothing to record (masked, or the household's own data)


MASKED = Sight(False, None)


def check_purpose(purpose: Any) -> str | None:
    """A query's optional ``purpose``: None, or text of at most 200 characters."""
    if purpose is None or purpose == "":
        return None
    return require_text(purpose, "purpose", "查看目的", 200)


def _purpose(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError("须为文本", f"{field} must be text", field, rule="type.text")
    return check_purpose(value)


Purpose = Annotated[
    str | None, Check(_purpose, {"type": "string", "maxLength": 200, "title": "查看目的"})
]
"""A query's optional ``purpose`` (see :func:`check_purpose`): absent, null or "" is none."""


class PersonalDataReadsQuery(Command):
    """Recorded reads of personal data in clear (every service has this query)."""

    title = "个人信息查看记录"
    example: ClassVar[dict[str, Any]] = {"subject_id": "5b2d7c1e-0000-5000-8000-000000000001"}
    subject_id: Id | None = None
    reader_id: Annotated[str, Note(100, "查看人")] = ""
    limit: Annotated[int, Count(1, 5000, "条数")] = 500


def personal_data_reads(cmd: PersonalDataReadsQuery, actor: Actor, app: Any) -> Any:
    """Recorded reads of personal data in clear, oldest first: who (person, role), which
    use case and target, whose (subject id, masked name), which fields, why, when.

    Reads wait in memory for up to a second before they are stored (``shequ.readlog``).
    Example: ``{"actor": {"person_id": "audit-1", "role": "auditor"},
    "subject_id": "5b2d7c1e-0000-5000-8000-000000000001"}``
    """
    app.policy.check("personal_data_reads", actor, Target())
    with app.read() as c:
        return reads_of(c, cmd.subject_id, cmd.reader_id, cmd.limit)


def sight(
    actor: Actor, purpose: str | None, *, own: bool = False, duty: str | None = None
) -> Sight:
    """Whether ``actor`` sees personal data in clear, and why (masked by default).

    ``own``: the data are the actor's own household's (a resident: not a staff read).
    ``duty``: the actor is assigned to the subject (a case handler, the household's team
    member), so the duty needs the clear value; it is the purpose unless one is given.
    """
    if actor.role == "resident":
        return Sight(True, None) if own else MASKED
    if actor.role == "auditor":
        return MASKED  # auditors check the records, not the people
    if duty is not None:
        return Sight(True, purpose or duty)
    if purpose and actor.role in PURPOSE_ROLES:
        return Sight(True, purpose)
    return MASKED


class ReadLog:
    """The in-process buffer of one application's reads of personal data."""

    def __init__(self, service: str, commit: Callable[[Sequence[Aggregate]], None]) -> None:
        self.service = service
        self._commit = commit
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self.on_full: Callable[[], None] | None = None  # the runtime's flusher wakes up
        self.flushed = 0

    def note(
        self,
        actor: Actor,
        use_case: str,
        target_id: str,
        purpose: str,
        subjects: Mapping[str, str],
        fields: Iterable[str],
    ) -> None:
        """Note one answer that showed ``fields`` of ``subjects`` (id -> name) in clear."""
        read = {
            "read_id": str(uuid.uuid4()),
            "actor": actor.to_dict(),
            "use_case": use_case,
            "target_id": target_id,
            "purpose": purpose,
            "fields": sorted(set(fields)),
            "subjects": {sid: privacy.mask_name(name) for sid, name in subjects.items()},
            "read_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        with self._lock:
            self._pending.append(read)
            full = len(self._pending) >= MAX_PENDING
        if full and self.on_full is not None:
            self.on_full()

    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Store the waiting reads as events (one per batch); returns how many were stored.

        If the store refuses, the reads go back to the front of the buffer, in order, for the
        next flush: none is lost while the process lives."""
        stored = 0
        while True:
            with self._lock:
                batch = self._pending[:MAX_PENDING]
                del self._pending[:MAX_PENDING]
            if not batch:
                return stored
            try:
                self._commit([PersonalDataReads(service=self.service, reads=batch)])
            except BaseException:
                with self._lock:
                    self._pending[:0] = batch
                raise
            stored += len(batch)
            self.flushed += len(batch)


def project(session: Session, recorded: Any, position: int) -> None:
    """Rows of the read model for one stored PersonalDataReads event, in one statement.

    No per-row existence check: the projector commits these rows with its position, so an
    event is applied once; a replica racing on the same page fails on the primary key and
    rolls back, which the projector expects (``Projector.catch_up``)."""
    rows = [row for read in recorded.reads for row in _rows(read, recorded.service, position)]
    if rows:
        session.execute(data_reads.insert(), rows)


def store_read(
    session: Session, read: Mapping[str, Any], service: str, position: int | None
) -> None:
    """The rows of one read (also used for registry's ``reveal_personal_data``)."""
    session.execute(data_reads.insert(), _rows(read, service, position))


def _rows(read: Mapping[str, Any], service: str, position: int | None) -> list[dict[str, Any]]:
    actor = read["actor"]
    return [
        {
            "read_id": read["read_id"],
            "subject_id": subject_id,
            "subject_name": name,
            "reader_id": actor.get("person_id"),
            "reader_role": actor.get("role"),
            "service": service,
            "use_case": read["use_case"],
            "target_id": read["target_id"],
            "fields": json.dumps(read["fields"]),
            "purpose": read["purpose"],
            "read_at": read["read_at"],
            "position": position,
        }
        for subject_id, name in read["subjects"].items()
    ]


def reads_of(
    c: Connection, subject_id: str | None, reader_id: str | None, limit: int
) -> list[dict[str, Any]]:
    """Recorded reads, oldest first, of one subject and/or by one reader (or all)."""
    r = data_reads
    query = select(r).order_by(r.c.read_at, r.c.read_id, r.c.subject_id).limit(limit)
    if subject_id:
        query = query.where(r.c.subject_id == check_uuid(subject_id, "subject_id"))
    if reader_id:
        query = query.where(r.c.reader_id == reader_id)
    return [
        {
            "read_id": x["read_id"],
            "subject_id": x["subject_id"],
            "subject_name": x["subject_name"],
            "reader_id": x["reader_id"],
            "reader_role": x["reader_role"],
            "service": x["service"],
            "use_case": x["use_case"],
            "target_id": x["target_id"],
            "fields": json.loads(x["fields"]),
            "purpose": x["purpose"],
            "read_at": x["read_at"],
        }
        for x in c.execute(query).mappings()
    ]
