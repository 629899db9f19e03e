"""Store locations: one string names a service's database, SQLite file or PostgreSQL URL.

Accepted forms:
  sqlite:relative/path.db (relative to the working directory),
  sqlite:///abs/path/registry.db or sqlite:////abs/path/registry.db (both absolute)
  postgresql://user:password@host:5432/dbname
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

# The recorders that refuse an aggregate with an event at a position ≤ 0 (shequ.recorders),
# named by topic so that importing this module does not import psycopg.
GUARDED = "shequ.recorders"


class StoreConfigError(ValueError):
    """The store string is missing or malformed."""


@dataclass(frozen=True)
class Store:
    kind: str  # "sqlite" or "postgres"
    path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    # Where session-level advisory locks go (relay leadership, schema creation): the same
    # database reached directly, when the store's URL goes through PgBouncer in transaction
    # mode (SHEQU_<SERVICE>_SESSION_STORE; ADR 0018). None: the store itself.
    session: Store | None = None

    @property
    def for_sessions(self) -> Store:
        """The store to hold session-level locks on."""
        return self.session or self

    @classmethod
    def parse(cls, text: str | None) -> Store:
        if not text:
            raise StoreConfigError(
                "no store configured: set a SQLite path (sqlite:var/x.db) or a PostgreSQL URL;"
                " the in-memory store is refused so that nothing is silently lost"
            )
        if text.startswith("sqlite:"):
            rest = text[len("sqlite:") :]
            if rest.startswith("///"):
                rest = "/" + rest[3:].lstrip("/")
            if not rest or rest == ":memory:":
                raise StoreConfigError(f"SQLite store needs a file path, got {text!r}")
            return cls(kind="sqlite", path=Path(rest))
        if text.startswith(("postgresql://", "postgres://")):
            url = urlparse(text)
            dbname = url.path.lstrip("/")
            if not (url.hostname and dbname):
                raise StoreConfigError(f"PostgreSQL URL needs a host and a database: {text!r}")
            return cls(
                kind="postgres",
                host=url.hostname,
                port=url.port or 5432,
                user=unquote(url.username or "postgres"),
                password=unquote(url.password or ""),
                dbname=dbname,
            )
        raise StoreConfigError(f"unknown store {text!r}: use sqlite:///PATH or postgresql://...")

    def eventsourcing_env(self) -> dict[str, str]:
        """Environment for an eventsourcing Application; every value a string (ints are ignored)."""
        if self.kind == "sqlite":
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": "10",
                "PROCESS_RECORDER_TOPIC": f"{GUARDED}:GuardedSQLiteProcessRecorder",
            }
        return {
            # eventsourcing's PostgreSQL persistence, its pool sized by SHEQU_PG_* settings,
            # named, and failing fast while the server is unreachable (shequ.pgpool, ADR 0018)
            "PERSISTENCE_MODULE": "shequ.pgpool:ShequPostgresFactory",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_LOCK_TIMEOUT": "5",
            # No pre-ping: it cost a query per connection checkout; the pool drops broken
            # connections on error and the command is retried by its caller.
            "POSTGRES_PRE_PING": "n",
            "PROCESS_RECORDER_TOPIC": f"{GUARDED}:GuardedPostgresProcessRecorder",
        }

    def sqlalchemy_url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def events_table(self, app_name: str) -> str:
        """Name of the table eventsourcing keeps this application's events in."""
        return "stored_events" if self.kind == "sqlite" else f"{app_name.lower()}_events"

    def notification_column(self) -> str:
        return "rowid" if self.kind == "sqlite" else "notification_id"
