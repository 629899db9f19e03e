"""Local read models fed from the service's own notification log.

A projection is applied in notification order; its rows and its position are committed in one
transaction, so a crash never leaves a row applied without its position or the reverse.
Queries call ``catch_up()`` first, which gives read-your-writes without scanning the event store.
"""
from __future__ import annotations

import threading
from typing import Any, Protocol

from sqlalchemy import MetaData, Table, and_, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shequ.app import ServiceApplication
from shequ.db import positions, schema_lock


class Projection(Protocol):
    name: str
    metadata: MetaData

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


class Projector:
    def __init__(self, app: ServiceApplication, projection: Projection, engine: Engine,
                 page: int = 500) -> None:
        self.app = app
        self.projection = projection
        self.engine = engine
        self.page = page
        self.reader = f"projection:{projection.name}"
        self._lock = threading.Lock()
        self._seen = 0  # the log is known to be projected at least up to here
        self._for_update = engine.dialect.name == "postgresql"
        with schema_lock(app.store):
            projection.metadata.create_all(engine)
        with Session(engine) as s, s.begin():
            found = s.execute(select(positions.c.position)
                              .where(positions.c.reader == self.reader)).first()
            if found is None:
                s.execute(positions.insert().values(reader=self.reader, position=0))

    def position(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(positions.c.position)
                                 .where(positions.c.reader == self.reader)).scalar_one())

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
            notes = self.app.recorder.select_notifications(
                start, self.page, inclusive_of_start=False)
            if not notes:
                return 0
            for note in notes:
                self.apply_note(s, note)
            result: CursorResult[Any] = s.execute(  # type: ignore[assignment]
                update(positions).where(positions.c.reader == self.reader,
                                        positions.c.position == start)
                .values(position=notes[-1].id))
            moved = result.rowcount
            if moved != 1:  # another replica moved first: drop this page, theirs stands
                s.rollback()
                return -1
            return len(notes)
