"""Local read models fed from the service's own notification log.

A projection is applied in notification order; its rows and its position are committed in one
transaction, so a crash never leaves a row applied without its position or the reverse.
Queries call ``catch_up()`` first, which gives read-your-writes without scanning the event store.

A read model is versioned by its fingerprint: its tables' schema and the projection's
``version`` (raise it when handlers change what existing rows hold). A projector that starts
with another fingerprint than the stored one drops the read model's tables and rebuilds them
from the log (position 0), so an upgraded service never serves rows of the old shape (ADR 0014).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import MetaData, Table, and_, delete, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from shequ import readlog
from shequ.db import positions, read_models, schema_lock


class Projection(Protocol):
    name: str
    metadata: MetaData
    # optional ``version: int`` (default 1): raise it when what the rows hold changes

    def apply(self, session: Session, event: Any) -> None:
        """Upsert rows for one domain event. Runs inside the projector's transaction."""


Handler = Any  # (session, domain event) -> None


def upsert(session: Session, table: Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert the row with ``keys``, or update it with ``values`` if it is there (any dialect)."""
    where = and_(*(table.c[k] == v for k, v in keys.items()))
    if session.execute(select(*(table.c[k] for k in keys)).where(where)).first() is None:
        session.execute(table.insert().values(**keys, **values))
    elif values:
        session.execute(update(table).where(where).values(**values))


ID = "originator_id"  # in a Row's columns: the aggregate's id, as text
Source = str | Callable[[Any], Any] | None


class Row:
    """A handler declared as data: the row of ``table`` found by ``key`` and what it holds,
    each column read from the event: the attribute named by a string (:data:`ID`, the
    aggregate's id as text), a function of the event, or ``None`` for none. Columns named like
    the event's attributes are listed by name: ``Upsert(t.organs, {"id": "organ_id"}, "name",
    kind="organ_kind")``. A class attribute ``on_<Aggregate>__<Event>`` of :class:`Handlers`."""

    def __init__(
        self, table: Table, key: Mapping[str, Source], *same: str, **columns: Source
    ) -> None:
        self.table = table
        self.key = dict(key)
        self.columns: dict[str, Source] = {**{c: c for c in same}, **columns}

    def __call__(self, session: Session, event: Any) -> None:
        raise NotImplementedError

    def where(self, event: Any) -> Any:
        return and_(*(self.table.c[k] == v for k, v in _read(event, self.key).items()))


class Upsert(Row):
    """Insert the row, or update it with the columns if it is there (:func:`upsert`)."""

    def __call__(self, session: Session, event: Any) -> None:
        upsert(session, self.table, _read(event, self.key), _read(event, self.columns))


class Update(Row):
    """Set the columns of the rows found by the key."""

    def __call__(self, session: Session, event: Any) -> None:
        values = _read(event, self.columns)
        session.execute(update(self.table).where(self.where(event)).values(**values))


class Delete(Row):
    """Delete the rows found by the key."""

    def __call__(self, session: Session, event: Any) -> None:
        session.execute(delete(self.table).where(self.where(event)))


def _read(event: Any, sources: Mapping[str, Source]) -> dict[str, Any]:
    return {column: _value(event, source) for column, source in sources.items()}


def _value(event: Any, source: Source) -> Any:
    if source is None:
        return None
    if callable(source):
        return source(event)
    if source == ID:
        return str(event.originator_id)
    return getattr(event, source)


class Handlers:
    """A projection whose methods ``on_<Aggregate>__<Event>`` handle those domain events (by
    the event class's qualified name, ``Aggregate.Event``); other events are ignored."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        for attr in dir(self):
            if attr.startswith("on_"):
                cls, _, evt = attr[3:].partition("__")
                self.handlers[f"{cls}.{evt}"] = getattr(self, attr)

    def apply(self, session: Session, event: Any) -> None:
        """Upsert rows for one domain event; events with no handler are ignored."""
        handler = self.handlers.get(type(event).__qualname__)
        if handler is not None:
            handler(session, event)


class ReadModelChanged(RuntimeError):
    """Another release rebuilt this read model in another shape: this replica must restart
    with that release (during a rolling upgrade, the old replicas stop projecting)."""

    def __init__(self, reader: str) -> None:
        super().__init__(f"{reader}: the read model was rebuilt by another release")


def fingerprint(projection: Projection, engine: Engine) -> str:
    """The read model's schema (its tables and indexes as the database would create them,
    the platform's read-log table among them) and the projection's ``version``, hashed."""
    ddl = [str(getattr(projection, "version", 1))]
    for table in [*projection.metadata.sorted_tables, *readlog.metadata.sorted_tables]:
        ddl.append(str(CreateTable(table).compile(dialect=engine.dialect)))
        ddl += sorted(str(CreateIndex(ix).compile(dialect=engine.dialect)) for ix in table.indexes)
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()


class LogSource(Protocol):
    """What a projector reads: the application's store, recorder and mapper (``shequ.app``)."""

    store: Any
    recorder: Any
    mapper: Any


class Projector:
    def __init__(
        self, app: LogSource, projection: Projection, engine: Engine, page: int = 500
    ) -> None:
        self.app = app
        self.projection = projection
        self.engine = engine
        self.page = page
        self.reader = f"projection:{projection.name}"
        self._lock = threading.Lock()
        self._seen = 0  # the log is known to be projected at least up to here
        self._for_update = engine.dialect.name == "postgresql"
        self.fingerprint = fingerprint(projection, engine)
        with schema_lock(app.store):
            self._build(self.fingerprint)

    def _build(self, want: str) -> None:
        """Create the read model, or rebuild it from the log if its fingerprint changed.
        Runs under the schema lock, so one replica of a new release rebuilds it once."""
        with self.engine.connect() as c:
            stored = c.execute(
                select(read_models.c.fingerprint).where(read_models.c.reader == self.reader)
            ).scalar()
        # The platform's reads of personal data are rows of every read model (ADR 0020).
        metadatas = (self.projection.metadata, readlog.metadata)
        if stored != want:  # a new or changed read model (or one built before versions)
            for metadata in metadatas:
                metadata.drop_all(self.engine)
        for metadata in metadatas:
            metadata.create_all(self.engine)
        with Session(self.engine) as s, s.begin():
            if stored != want:
                s.execute(delete(positions).where(positions.c.reader == self.reader))
                s.execute(delete(read_models).where(read_models.c.reader == self.reader))
                s.execute(read_models.insert().values(reader=self.reader, fingerprint=want))
            found = s.execute(
                select(positions.c.position).where(positions.c.reader == self.reader)
            ).first()
            if found is None:
                s.execute(positions.insert().values(reader=self.reader, position=0))

    def position(self) -> int:
        with self.engine.connect() as c:
            return int(
                c.execute(
                    select(positions.c.position).where(positions.c.reader == self.reader)
                ).scalar_one()
            )

    def catch_up(self) -> int:
        """Apply every notification past the stored position; returns how many were applied.

        One cheap query when nothing new was stored. Replicas of a service share the read
        model: on PostgreSQL the position row is locked for the page (the second replica waits,
        then finds the page applied); on SQLite a replica that loses the race on a unique row
        rolls back and carries on from the winner's position."""
        top = self.app.recorder.max_notification_id() or 0
        if top <= self._seen:
            return 0
        applied = 0
        with self._lock:
            if top <= self._seen:  # another thread caught up past top while this one waited
                return 0
            attempts = 0
            while True:
                try:
                    n = self._apply_page()
                except IntegrityError:
                    n = -1
                if n < 0:  # lost the race to another replica: go on from its position
                    attempts += 1
                    if attempts > 5:
                        raise RuntimeError(f"{self.reader}: lost the race five times in a row")
                    continue
                attempts = 0
                applied += n
                if n < self.page:
                    self._seen = max(self._seen, top)
                    return applied

    def apply_note(self, session: Session, note: Any) -> None:
        """Apply one stored notification (a subclass may tell the projection more of it)."""
        self.projection.apply(session, self.app.mapper.to_domain_event(note))

    def _apply_page(self) -> int:
        with Session(self.engine) as s, s.begin():
            query = select(positions.c.position).where(positions.c.reader == self.reader)
            if self._for_update:
                query = query.with_for_update()
            start = int(s.execute(query).scalar_one())
            built = s.execute(
                select(read_models.c.fingerprint).where(read_models.c.reader == self.reader)
            ).scalar()
            if built != self.fingerprint:  # a newer release rebuilt it: never write old rows
                raise ReadModelChanged(self.reader)
            notes = self.app.recorder.select_notifications(
                start, self.page, inclusive_of_start=False
            )
            if not notes:
                return 0
            for note in notes:
                if note.topic == readlog.TOPIC:  # the platform's own read model
                    readlog.project(s, self.app.mapper.to_domain_event(note), note.id)
                else:
                    self.apply_note(s, note)
            result: CursorResult[Any] = s.execute(  # type: ignore[assignment]
                update(positions)
                .where(positions.c.reader == self.reader, positions.c.position == start)
                .values(position=notes[-1].id)
            )
            moved = result.rowcount
            if moved != 1:  # another replica moved first: drop this page, theirs stands
                s.rollback()
                return -1
            return len(notes)
