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

from collections.abc import Iterable, Sequence
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
from psycopg.sql import SQL, Composed, Identifier

from shequ.errors import LogTampered


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
            details={"originator_id": str(originator_id), "position": lowest})


def _version_filters(gt: int | None, lte: int | None, desc: bool, limit: int | None,
                     mark: str) -> tuple[str, list[Any]]:
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


class GuardedSQLiteProcessRecorder(SQLiteProcessRecorder):
    """The SQLite process recorder, refusing aggregates with an event at a position ≤ 0."""

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        tail, params = _version_filters(gt, lte, desc, limit, "?")
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid AS position, originator_id, originator_version, topic, "
                      f"state FROM {self.events_table_name} WHERE originator_id = ?{tail}",
                      [key, *params])
            rows = c.fetchall()
        refuse_forged(originator_id, (row["position"] for row in rows))
        return [StoredEvent(originator_id=self.convert_originator_id(row["originator_id"]),
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=row["state"]) for row in rows]


class GuardedPostgresProcessRecorder(PostgresProcessRecorder):
    """The PostgreSQL process recorder, refusing aggregates with an event at a position ≤ 0."""

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        tail, params = _version_filters(gt, lte, desc, limit, "%s")
        statement = SQL("SELECT notification_id, originator_id, originator_version, topic, "
                        "state FROM {}.{} WHERE originator_id = %s").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)) + SQL(tail)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [originator_id, *params], prepare=True)
            rows = curs.fetchall()
        refuse_forged(originator_id, (row["notification_id"] for row in rows))
        return [StoredEvent(originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"], state=bytes(row["state"])) for row in rows]


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
        where, params = ("", []) if after is None else (
            f" WHERE {self._position} > {self._mark}", [after])
        rows = self._query(f"SELECT {self._position} AS position, originator_id, "
                           "originator_version, topic, state FROM {table}" + where
                           + f" ORDER BY {self._position} LIMIT {self._mark}",
                           [*params, limit])
        return [Notification(id=row["position"],
                             originator_id=self._originator_id(row["originator_id"]),
                             originator_version=row["originator_version"], topic=row["topic"],
                             state=row["state"])  # as stored: bytes, or text/NULL by hand
                for row in rows]

    def count(self, *, upto: int | None = None, above: int | None = None) -> int:
        """How many rows sit at positions ≤ ``upto`` and > ``above`` (each if given)."""
        conditions = [f"{self._position} {op} {self._mark}"
                      for op, bound in (("<=", upto), (">", above)) if bound is not None]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._query("SELECT COUNT(*) AS n FROM {table}" + where,
                           [b for b in (upto, above) if b is not None])
        return int(rows[0]["n"])

    def _originator_id(self, value: Any) -> Any:
        if isinstance(self.recorder, SQLiteApplicationRecorder) and isinstance(value, str):
            try:
                return self.recorder.convert_originator_id(value)
            except ValueError:
                return value  # not a UUID: a row written by hand; its leaf will say so
        return value

    def _query(self, template: str, params: list[Any]) -> list[Any]:
        return raw_query(self.recorder, template, params)


def raw_query(recorder: AggregateRecorder, template: str, params: list[Any], *,
              table: bool = True) -> list[Any]:
    """Rows of one read-only statement on a SQLite or PostgreSQL recorder's connection, as
    dicts; ``{table}`` in ``template`` names the recorder's table (``table=False``: none)."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(template.format(table=recorder.events_table_name) if table else template,
                      params)
            return list(c.fetchall())
    assert isinstance(recorder, PostgresAggregateRecorder)
    if table:
        head, rest = template.split("{table}")
        statement: Composed | SQL = SQL(head) + SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        ) + SQL(rest)
    else:
        statement = SQL(template)  # type: ignore[arg-type]
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, params)
        return list(curs.fetchall())
