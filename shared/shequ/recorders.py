"""The platform's event recorders, and raw reads of the events table for the audit.

eventsourcing issues notification ids from 1 up (SQLite ``rowid``, PostgreSQL ``bigserial``),
so an event stored at a position ≤ 0 was written by hand, past the platform. The readers of
the log (relay, projections, sealer) start after position 0 and never see such a row, but an
aggregate is loaded by id, with every row it has. So the recorders every service uses
(``Store.eventsourcing_env`` names them with ``PROCESS_RECORDER_TOPIC``) refuse to load an
aggregate that has an event at a position ≤ 0: ``LogTampered`` reaches the caller instead of
the forged state (ADR 0012). The position comes with the query that loads the events
(PostgreSQL's ``SELECT *`` already returned it; SQLite's ``rowid`` is free), so loading costs
no extra round trip.

``EventRows`` reads the events table as it is, every row whatever its position, and a NULL
where a column was emptied: what the verifier and the sealer need (the library's
``select_notifications`` fails on a NULL state).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    Notification,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresProcessRecorder,
)
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteProcessRecorder,
)
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from shequ import progress
from shequ.errors import LogTampered
from shequ.readahead import read_ahead

_LOWER_HEX = re.compile("[0-9a-f]{32}")
_HEX_IDS = re.compile("[0-9a-f]*")


def refuse_forged(originator_id: UUID | str, positions: Iterable[int]) -> None:
    """Raise LogTampered if any of an aggregate's events sits at a position ≤ 0."""
    lowest = min(positions, default=1)
    if lowest <= 0:
        raise LogTampered(
            f"记录 {originator_id} 的事件日志被篡改：第 {lowest} 号位置上有平台从未写入的事件，"
            "拒绝提供该记录；请运行 shequ audit verify",
            f"the event log of {originator_id} was tampered with: position {lowest} holds an "
            "event the platform never wrote, so the record is not served; run "
            "shequ audit verify",
            details={"originator_id": str(originator_id), "position": lowest},
        )


def _version_filters(
    gt: int | None, lte: int | None, desc: bool, limit: int | None, mark: str
) -> tuple[str, list[Any]]:
    """The tail of an aggregate's events query after ``WHERE originator_id = …``."""
    sql, params = "", []
    if gt is not None:
        sql += f" AND originator_version > {mark}"
        params.append(gt)
    if lte is not None:
        sql += f" AND originator_version <= {mark}"
        params.append(lte)
    sql += " ORDER BY originator_version " + ("DESC" if desc else "ASC")
    if limit is not None:
        sql += f" LIMIT {mark}"
        params.append(limit)
    return sql, params


class InsertCheck:
    """A recorder that lets its application check a transaction's events before they are
    sent (``check_insert``, set by :class:`shequ.app.ServiceApplication`: the size bounds)."""

    check_insert: Callable[[Sequence[StoredEvent]], None] | None = None

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        if self.check_insert is not None:
            self.check_insert(stored_events)
        return super().insert_events(stored_events, **kwargs)  # type: ignore[misc]


class GuardedRecorder:
    """What the platform's recorders add to the library's: ``select_events`` returns an
    aggregate's events with their positions and refuses the whole aggregate if one sits at a
    position ≤ 0; ``changed_since`` answers a command's freshness question in one query."""

    mark = "?"  # the driver's parameter marker

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        tail, params = _version_filters(gt, lte, desc, limit, self.mark)
        rows = self.rows(originator_id, tail, params)
        refuse_forged(originator_id, (row["position"] for row in rows))
        return [self.stored(row) for row in rows]

    def rows(self, originator_id: UUID | str, tail: str, params: list[Any]) -> Sequence[Any]:
        """The aggregate's rows, each with its ``position``; ``tail`` filters the versions."""
        raise NotImplementedError

    def changed_since(self, after: int, topics: Sequence[str]) -> tuple[int | None, bool]:
        """In one query: the highest position past ``after`` (None if the log has not grown)
        and whether any event stored past it has one of ``topics``. What a command asks
        before trusting rows it read from a read model (``max_notification_id`` and a
        ``select_notifications`` filtered by topic cost two round trips)."""
        raise NotImplementedError

    def stored(self, row: Any) -> StoredEvent:
        raise NotImplementedError


class GuardedSQLiteProcessRecorder(InsertCheck, GuardedRecorder, SQLiteProcessRecorder):
    """The SQLite process recorder, refusing aggregates with an event at a position ≤ 0."""

    def rows(self, originator_id: UUID | str, tail: str, params: list[Any]) -> Sequence[Any]:
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid AS position, originator_id, originator_version, topic, "
                f"state FROM {self.events_table_name} WHERE originator_id = ?{tail}",
                [key, *params],
            )
            return c.fetchall()

    def changed_since(self, after: int, topics: Sequence[str]) -> tuple[int | None, bool]:
        marks = ", ".join("?" * len(topics)) or "NULL"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT MAX(rowid), MAX(topic IN ({marks})) FROM {self.events_table_name} "
                "WHERE rowid > ?",
                [*topics, after],
            )
            top, seen = c.fetchone()
        return top, bool(seen)

    def stored(self, row: Any) -> StoredEvent:
        return StoredEvent(
            originator_id=self.convert_originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
        )


class GuardedPostgresProcessRecorder(InsertCheck, GuardedRecorder, PostgresProcessRecorder):
    """The PostgreSQL process recorder, refusing aggregates with an event at a position ≤ 0.

    It sends no ``NOTIFY`` with each insert (eventsourcing's, for its ``subscribe``): nothing
    here LISTENs (the relay is woken in process and polls for other replicas' commits), and
    PostgreSQL serialises the commits of all notifying transactions of the whole server on one
    lock, so every service's commits queued behind every other's (issue 17).
    """

    def _notify_channel(self, curs: Any) -> None:
        pass

    mark = "%s"

    def rows(self, originator_id: UUID | str, tail: str, params: list[Any]) -> Sequence[Any]:
        statement = SQL(
            "SELECT notification_id AS position, originator_id, originator_version, topic, "
            "state FROM {}.{} WHERE originator_id = %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)) + SQL(tail)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [originator_id, *params], prepare=True)
            return curs.fetchall()

    def changed_since(self, after: int, topics: Sequence[str]) -> tuple[int | None, bool]:
        statement = SQL(
            "SELECT MAX(notification_id), COALESCE(BOOL_OR(topic = ANY(%s)), false) "
            "FROM {}.{} WHERE notification_id > %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, [list(topics), after], prepare=True)
            top, seen = curs.fetchone()  # type: ignore[misc]
        return top, bool(seen)

    def stored(self, row: Any) -> StoredEvent:
        return StoredEvent(
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )


class EventRows:
    """Every row of an application recorder's events table, as stored, in position order.

    >>> rows = EventRows(app.recorder)
    >>> rows.page(None, 1000)   # from the lowest position, ≤ 0 included
    >>> rows.count(upto=42)     # rows at positions ≤ 42
    """

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            self._position, self._mark = "rowid", "?"
        elif isinstance(recorder, PostgresApplicationRecorder):
            self._position, self._mark = "notification_id", "%s"
        else:
            raise TypeError(f"no raw reads for {type(recorder).__name__}")

    def page(self, after: int | None, limit: int) -> list[Notification]:
        """Up to ``limit`` rows past position ``after`` (None: from the lowest position)."""
        where, params = (
            ("", []) if after is None else (f" WHERE {self._position} > {self._mark}", [after])
        )
        rows = self._query(
            f"SELECT {self._position} AS position, originator_id, "
            "originator_version, topic, state FROM {table}"
            + where
            + f" ORDER BY {self._position} LIMIT {self._mark}",
            [*params, limit],
        )
        return [
            Notification(
                id=row["position"],
                originator_id=self._originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )  # as stored: bytes, or text/NULL by hand
            for row in rows
        ]

    def count(self, *, upto: int | None = None, above: int | None = None) -> int:
        """How many rows sit at positions ≤ ``upto`` and > ``above`` (each if given)."""
        conditions = [
            f"{self._position} {op} {self._mark}"
            for op, bound in (("<=", upto), (">", above))
            if bound is not None
        ]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._query(
            "SELECT COUNT(*) AS n FROM {table}" + where, [b for b in (upto, above) if b is not None]
        )
        return int(rows[0]["n"])

    def stream(self, *, batch: int = 10_000) -> Iterator[tuple[Any, ...]]:
        """Every row, one at a time (``batches``, flattened)."""
        for rows in self.batches(batch=batch):
            yield from rows

    def batches(self, *, batch: int = 10_000) -> Generator[list[tuple[Any, ...]], None, None]:
        """Every row from the lowest position, ``batch`` rows at a time: ``(position,
        originator id as text, originator_version, topic, state)``, the id as ``str()`` of
        what ``page`` gives.

        PostgreSQL reads through a server-side cursor, one round trip a batch; SQLite steps
        its cursor. Memory stays flat; no object is built per row but the tuple.
        """
        for rows, hex_ids in self.raw_batches(batch=batch):
            if hex_ids:  # eventsourcing's form: 32 lower-case hex digits; str(UUID(id)) by slicing
                yield [
                    (
                        position,
                        f"{i[:8]}-{i[8:12]}-{i[12:16]}-{i[16:20]}-{i[20:]}",
                        version,
                        topic,
                        state,
                    )
                    for position, i, version, topic, state in rows
                ]
            else:
                yield rows

    def raw_batches(self, *, batch: int = 10_000) -> Iterator[tuple[list[tuple[Any, ...]], bool]]:
        """``batches`` before the ids are written as text: each batch with whether its ids
        are all SQLite's 32 lower-case hex digits, still to be written in the UUID's form
        (the verifier does that as it writes each leaf, saving a pass over the rows).

        The next batches are read on a thread of their own while the caller works on this
        one (``shequ.readahead``)."""
        progress.begin(self.count)
        if isinstance(self.recorder, SQLiteApplicationRecorder):
            for rows, hex_ids in read_ahead(self._stream_sqlite(self.recorder, batch)):
                progress.advance(len(rows))
                yield rows, hex_ids
        else:
            assert isinstance(self.recorder, PostgresApplicationRecorder)
            for rows in read_ahead(self._stream_postgres(self.recorder, batch)):
                progress.advance(len(rows))
                yield rows, False

    def _stream_sqlite(
        self, recorder: SQLiteApplicationRecorder, batch: int
    ) -> Iterator[tuple[list[tuple[Any, ...]], bool]]:
        as_uuid = recorder.datastore.originator_id_type == "uuid"
        with recorder.datastore.transaction(commit=False) as wrapped:
            c = wrapped.sqlite_cursor
            c.row_factory = None  # plain tuples
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM "
                f"{recorder.events_table_name} ORDER BY rowid"
            )
            while rows := c.fetchmany(batch):
                if as_uuid and _all_hex_ids([row[1] for row in rows]):
                    yield rows, True
                else:
                    converted = [
                        (
                            position,
                            _uuid_text(i) if as_uuid else (None if i is None else str(i)),
                            version,
                            topic,
                            state,
                        )
                        for position, i, version, topic, state in rows
                    ]
                    yield converted, False

    def _stream_postgres(
        self, recorder: PostgresApplicationRecorder, batch: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        statement = SQL(
            "SELECT notification_id, originator_id::text, originator_version, "
            "topic, state FROM {}.{} ORDER BY notification_id"
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            # binary: bytea arrives as it is, not as hex text to decode
            conn.cursor(name="shequ_event_rows", row_factory=tuple_row, binary=True) as curs,
        ):
            curs.execute(statement)
            while rows := curs.fetchmany(batch):
                yield rows

    def _originator_id(self, value: Any) -> Any:
        if isinstance(self.recorder, SQLiteApplicationRecorder) and isinstance(value, str):
            try:
                return self.recorder.convert_originator_id(value)
            except ValueError:
                return value  # not a UUID: a row written by hand; its leaf will say so
        return value

    def _query(self, template: str, params: list[Any]) -> list[Any]:
        return raw_query(self.recorder, template, params)


def _all_hex_ids(ids: list[Any]) -> bool:
    """Whether every id is text of 32 lower-case hex digits (one regex for the whole batch)."""
    try:
        return set(map(len, ids)) == {32} and _HEX_IDS.fullmatch("".join(ids)) is not None
    except TypeError:  # a NULL or a blob among them
        return False


def _uuid_text(value: Any) -> str | None:
    """``str(UUID(value))`` for SQLite's 32-hex-digit ids, without building the UUID; any
    other value as ``EventRows.page`` converts it (a UUID if it parses, else as stored)."""
    if type(value) is str and len(value) == 32 and _LOWER_HEX.fullmatch(value):
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return str(UUID(value))
        except ValueError:
            pass
    return str(value)


def raw_query(
    recorder: AggregateRecorder, template: str, params: list[Any], *, table: bool = True
) -> list[Any]:
    """Rows of one read-only statement on a SQLite or PostgreSQL recorder's connection, as
    dicts; ``{table}`` in ``template`` names the recorder's table (``table=False``: none)."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                template.format(table=recorder.events_table_name) if table else template, params
            )
            return list(c.fetchall())
    assert isinstance(recorder, PostgresAggregateRecorder)
    if table:
        head, rest = template.split("{table}")
        statement: Composed | SQL = (
            SQL(head)
            + SQL("{}.{}").format(
                Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
            )
            + SQL(rest)
        )
    else:
        statement = SQL(template)  # type: ignore[arg-type]
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, params)
        return list(curs.fetchall())
