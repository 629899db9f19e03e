"""Accounts: who may log in to the gateway, as which registry person, role and scope.

Each account links a login name to a registry person (``person_id``) and holds the role and
scope (community, household) that the suite's ``Actor`` carries. Every change an operator makes
(added, password reset, disabled, enabled, role changed) is appended to the change log with who
and when, in the same transaction as the change.

``login`` counts failed logins per account name and per client address over a sliding window
and refuses (429) past the limit, before it looks at the password, so a locked account cannot
be probed further; a success clears the account's failures.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from shequ.actor import Actor
from shequ.clock import Clock
from shequ.errors import Conflict, NotFound, ValidationError
from shequ.validation import check_characters
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from gateway import authstore as db
from gateway.autherrors import AccountDisabled, BadCredentials, LoginLocked
from gateway.authsettings import AuthSettings
from gateway.passwords import check_password, production_hasher

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{2,63}")


@dataclass(frozen=True)
class Account:
    account_id: str
    username: str
    person_id: str
    role: str
    community_id: str | None
    household_id: str | None
    village_id: str | None
    display_name: str | None
    disabled: bool
    created_at: dt.datetime
    password_changed_at: dt.datetime
    last_login_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: RowMapping) -> Account:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})

    @property
    def actor(self) -> Actor:
        return db.actor_of(vars(self))


def check_username(username: object) -> str:
    """The login name, lower case: 3-64 of a-z 0-9 . _ @ + - (a phone number will do)."""
    if not isinstance(username, str) or not USERNAME.fullmatch(username.strip().lower()):
        raise ValidationError(
            "用户名须为 3 至 64 个字符，仅含字母、数字及 . _ @ + -，且以字母或数字开头",
            "a username is 3-64 characters of letters, digits and . _ @ + -, "
            "starting with a letter or digit",
            "username",
            code="username.invalid",
        )
    return username.strip().lower()


def check_scope(
    person_id: object,
    role: object,
    community_id: object,
    household_id: object,
    village_id: object = None,
) -> Actor:
    """The actor an account or a token stands for, checked as the services check an actor;
    the ``system`` role is the suite's own and is given to no login."""
    actor = Actor.from_dict(
        {
            "person_id": person_id,
            "role": role,
            "community_id": community_id,
            "household_id": household_id,
            "village_id": village_id,
        }
    )
    if actor.role == "system":
        raise ValidationError(
            "“系统”角色仅供套件内部使用，不能授予登录账号或令牌",
            "the system role belongs to the suite itself; no login or token may hold it",
            "role",
            code="role.reserved",
        )
    return actor


def operator(by: object) -> str:
    if not isinstance(by, str) or not by.strip():
        raise ValidationError("须注明操作人", "the operator making the change is required", "by")
    check_characters(by, "by")
    return by.strip()[:100]


class Accounts:
    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        hasher: PasswordHasher | None = None,
        settings: AuthSettings | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock or Clock()
        self.hasher = hasher or production_hasher()
        self.settings = settings or AuthSettings()
        self._hashing = threading.BoundedSemaphore(self.settings.hash_concurrency)
        self._dummy: str | None = None

    # -- operators' changes ---------------------------------------------------------------

    def add(
        self,
        username: str,
        password: str,
        person_id: str,
        role: str,
        *,
        by: str,
        community_id: str | None = None,
        household_id: str | None = None,
        village_id: str | None = None,
        display_name: str | None = None,
    ) -> Account:
        name = check_username(username)
        actor = check_scope(person_id, role, community_id, household_id, village_id)
        if display_name is not None:
            check_characters(display_name, "display_name")
        who = operator(by)
        hashed = self._hash(check_password(password, name, actor.person_id))
        now = self.clock()
        account_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            if conn.execute(select(db.accounts.c.account_id).where(_named(name))).first():
                raise Conflict(f"用户名 {name} 已被使用", f"username {name} is taken", "username")
            conn.execute(
                db.accounts.insert().values(
                    account_id=account_id,
                    username=name,
                    display_name=display_name or None,
                    **db.actor_values(actor),
                    password_hash=hashed,
                    disabled=False,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            db.record_change(
                conn, now, who, "added", username=name, account_id=account_id, **actor.to_dict()
            )
        return self.get(name)

    def reset(self, username: str, password: str, *, by: str) -> Account:
        """A new password; the account's sessions end and its failed logins are forgiven."""
        account = self.get(username)
        who = operator(by)
        hashed = self._hash(check_password(password, account.username, account.person_id))
        now = self.clock()
        with self.engine.begin() as conn:
            self._set(conn, account, password_hash=hashed, password_changed_at=now)
            conn.execute(delete(db.sessions).where(db.sessions.c.account_id == account.account_id))
            conn.execute(
                delete(db.login_failures).where(db.login_failures.c.username == account.username)
            )
            db.record_change(
                conn,
                now,
                who,
                "password_reset",
                username=account.username,
                account_id=account.account_id,
            )
        return self.get(account.username)

    def disable(self, username: str, *, by: str, reason: str = "") -> Account:
        """No more logins; the account's sessions end at once."""
        return self._switch(username, True, operator(by), reason)

    def enable(self, username: str, *, by: str, reason: str = "") -> Account:
        return self._switch(username, False, operator(by), reason)

    def change_role(
        self,
        username: str,
        role: str,
        *,
        by: str,
        community_id: str | None = None,
        household_id: str | None = None,
        village_id: str | None = None,
    ) -> Account:
        """A new role and scope; sessions carry on and act with it from their next request."""
        account = self.get(username)
        actor = check_scope(account.person_id, role, community_id, household_id, village_id)
        who = operator(by)
        now = self.clock()
        with self.engine.begin() as conn:
            self._set(conn, account, **db.actor_values(actor))
            db.record_change(
                conn,
                now,
                who,
                "role_changed",
                username=account.username,
                account_id=account.account_id,
                before=account.actor.to_dict(),
                after=actor.to_dict(),
            )
        return self.get(account.username)

    # -- reading --------------------------------------------------------------------------

    def get(self, username: str) -> Account:
        name = username.strip().lower() if isinstance(username, str) else ""
        with self.engine.connect() as conn:
            row = db.first_row(conn, db.accounts, _named(name))
        if row is None:
            raise NotFound(f"没有账号 {name}", f"no account {name!r}", "username")
        return Account.from_row(row)

    def by_id(self, conn: Connection, account_id: str) -> Account | None:
        row = db.first_row(conn, db.accounts, db.accounts.c.account_id == account_id)
        return None if row is None else Account.from_row(row)

    def all(self) -> list[Account]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.accounts).order_by(db.accounts.c.username)).mappings()
            return [Account.from_row(r) for r in rows]

    def changes(self, username: str | None = None) -> list[dict[str, Any]]:
        """The change log, oldest first (for one account name when given)."""
        query = select(db.changes).order_by(db.changes.c.seq)
        if username:
            query = query.where(db.changes.c.username == username.strip().lower())
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # -- logging in -----------------------------------------------------------------------

    def login(self, username: object, password: object, client: str = "") -> Account:
        """The account whose password this is; refused with 401 (wrong), 403 (disabled) or
        429 (too many failures lately for this name or from this address)."""
        name = (username.strip().lower() if isinstance(username, str) else "")[:200]
        client = (client or "unknown")[:64]
        now = self.clock()
        self._check_lock(name, client, now)
        row = None
        if USERNAME.fullmatch(name):
            with self.engine.connect() as conn:
                row = db.first_row(conn, db.accounts, _named(name))
        given = password if isinstance(password, str) and len(password) <= 4096 else ""
        stored = None if row is None else str(row["password_hash"])
        if not self._verify(stored, given) or row is None:
            with self.engine.begin() as conn:
                conn.execute(
                    db.login_failures.insert().values(username=name, client=client, at=now)
                )
            raise BadCredentials()
        account = Account.from_row(row)
        if account.disabled:
            raise AccountDisabled()
        with self.engine.begin() as conn:
            values: dict[str, Any] = {"last_login_at": now}
            if stored and self.hasher.check_needs_rehash(stored):
                values["password_hash"] = self._hash(given)
                db.record_change(
                    conn,
                    now,
                    "system:login",
                    "password_rehashed",
                    username=name,
                    account_id=account.account_id,
                    profile=_profile(self.hasher),
                )
            self._set(conn, account, **values)
            conn.execute(delete(db.login_failures).where(db.login_failures.c.username == name))
        return self.get(name)

    def _check_lock(self, name: str, client: str, now: dt.datetime) -> None:
        s = self.settings
        since = now - s.failure_window
        f = db.login_failures
        with self.engine.begin() as conn:
            conn.execute(delete(f).where(f.c.at <= since))  # keep the table to the window
            for column, value, limit, field in (
                (f.c.username, name, s.account_failures, "username"),
                (f.c.client, client, s.address_failures, "client"),
            ):
                count, oldest = conn.execute(
                    select(func.count(), func.min(f.c.at)).where(column == value, f.c.at > since)
                ).one()
                if count >= limit:
                    raise LoginLocked(
                        (oldest + s.failure_window - now).total_seconds(), field, failures=count
                    )

    # -- helpers --------------------------------------------------------------------------

    def _hash(self, password: str) -> str:
        with self._hashing:
            return self.hasher.hash(password)

    def _verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no account, as slow as a real check."""
        if stored is None:
            if self._dummy is None:
                self._dummy = self._hash(uuid.uuid4().hex)
            stored = self._dummy
        with self._hashing:
            try:
                return bool(self.hasher.verify(stored, password))
            except (VerificationError, InvalidHashError):
                return False

    def _set(self, conn: Connection, account: Account, **values: Any) -> None:
        conn.execute(
            update(db.accounts)
            .where(db.accounts.c.account_id == account.account_id)
            .values(**values)
        )

    def _switch(self, username: str, disabled: bool, who: str, reason: str) -> Account:
        account = self.get(username)
        if account.disabled == disabled:
            return account  # already so: nothing changes, nothing is recorded
        now = self.clock()
        with self.engine.begin() as conn:
            self._set(conn, account, disabled=disabled)
            if disabled:
                conn.execute(
                    delete(db.sessions).where(db.sessions.c.account_id == account.account_id)
                )
            db.record_change(
                conn,
                now,
                who,
                "disabled" if disabled else "enabled",
                username=account.username,
                account_id=account.account_id,
                reason=reason,
            )
        return self.get(account.username)


def _named(name: str) -> Any:
    return db.accounts.c.username == name


def _profile(hasher: PasswordHasher) -> str:
    return f"argon2id t={hasher.time_cost} m={hasher.memory_cost} p={hasher.parallelism}"
