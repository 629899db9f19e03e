"""Server-side sessions and API tokens.

A session id is 32 random bytes (``secrets.token_urlsafe``) handed to the browser in an
HttpOnly cookie; the database keeps only its SHA-256, so a copy of the database opens no
session. A session ends after ``idle_timeout`` unused or ``absolute_timeout`` after login,
whichever comes first, on logout, and when its account is disabled or its password reset.
Each session has its own CSRF token (``csrf_token``), which every state-changing request on
the session's cookie must send back (``gateway.auth``).

An API token is 32 random bytes too, prefixed ``shq_``; it is shown once when made and stored
as its SHA-256 (a random 256-bit secret needs no slow hash). It carries its own role and
scope, and works until revoked.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from shequ.actor import Actor
from shequ.clock import Clock
from shequ.errors import Conflict, NotFound, ValidationError
from shequ.validation import check_characters
from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Engine, RowMapping

from gateway import authstore as db
from gateway.accounts import Account, Accounts, check_scope, operator
from gateway.autherrors import Unauthenticated
from gateway.authsettings import AuthSettings
from gateway.digests import digest

TOKEN_PREFIX = "shq_"
# How often a session's last use is written back: within a minute is close enough for a
# 30-minute idle limit, and spares the database a write on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime  # the earlier of the idle and the absolute end, as of now


class Sessions:
    def __init__(self, accounts: Accounts, settings: AuthSettings | None = None) -> None:
        self.accounts = accounts
        self.engine: Engine = accounts.engine
        self.settings = settings or accounts.settings

    @property
    def clock(self) -> Clock:
        return self.accounts.clock

    def open(self, account: Account, client: str = "") -> tuple[str, Session]:
        """A new session for ``account`` (never a reused id): the cookie's value and the session."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            self._prune(conn, now)
            conn.execute(
                db.sessions.insert().values(
                    session_hash=digest(session_id),
                    account_id=account.account_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    client=(client or None) and client[:64],
                )
            )
        return session_id, Session(account, csrf, now, self._expiry(now, now))

    def resolve(self, session_id: str) -> Session:
        """The live session with this cookie value, its last use moved to now; else 401."""
        if not session_id or len(session_id) > 100:
            raise _expired("required")
        now = self.clock()
        key = digest(session_id)
        with self.engine.begin() as conn:
            row = db.first_row(conn, db.sessions, db.sessions.c.session_hash == key)
            if row is None:
                raise _expired("required")
            ended = self._ended(row, now)
            account = None if ended else self.accounts.by_id(conn, row["account_id"])
            if account is None or account.disabled:
                ended = ended or "disabled"
                conn.execute(delete(db.sessions).where(db.sessions.c.session_hash == key))
            elif now - row["last_seen_at"] >= TOUCH_EVERY:
                conn.execute(
                    update(db.sessions)
                    .where(db.sessions.c.session_hash == key)
                    .values(last_seen_at=now)
                )
        if ended or account is None:  # the session's row is gone (committed) by now
            raise _expired(ended or "disabled")
        return Session(
            account, row["csrf_token"], row["created_at"], self._expiry(row["created_at"], now)
        )

    def close(self, session_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(db.sessions).where(db.sessions.c.session_hash == digest(session_id))
            )
        return bool(result.rowcount)

    def _ended(self, row: RowMapping, now: dt.datetime) -> str:
        if now - row["created_at"] >= self.settings.absolute_timeout:
            return "absolute"
        if now - row["last_seen_at"] >= self.settings.idle_timeout:
            return "idle"
        return ""

    def _expiry(self, created: dt.datetime, seen: dt.datetime) -> dt.datetime:
        return min(created + self.settings.absolute_timeout, seen + self.settings.idle_timeout)

    def _prune(self, conn: Any, now: dt.datetime) -> None:
        """Drop sessions already past either limit (they would be refused anyway)."""
        s = db.sessions.c
        conn.execute(
            delete(db.sessions).where(
                or_(
                    s.created_at <= now - self.settings.absolute_timeout,
                    s.last_seen_at <= now - self.settings.idle_timeout,
                )
            )
        )


def _expired(why: str) -> Unauthenticated:
    zh, en = {
        "required": ("请先登录", "log in first"),
        "idle": (
            "长时间未操作，会话已过期，请重新登录",
            "the session expired unused; log in again",
        ),
        "absolute": (
            "会话已到最长时限，请重新登录",
            "the session reached its time limit; log in again",
        ),
        "disabled": ("该账号已停用，会话已结束", "the account is disabled; the session has ended"),
    }[why]
    return Unauthenticated(zh, en, "session", reason=why)


@dataclass(frozen=True)
class Token:
    token_id: str
    name: str
    actor: Actor
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: RowMapping) -> Token:
        return cls(
            token_id=row["token_id"],
            name=row["name"],
            actor=db.actor_of(row),
            created_at=row["created_at"],
            created_by=row["created_by"],
            revoked_at=row["revoked_at"],
            last_used_at=row["last_used_at"],
        )


class Tokens:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or Clock()

    def add(
        self,
        name: str,
        person_id: str,
        role: str,
        *,
        by: str,
        community_id: str | None = None,
        household_id: str | None = None,
        village_id: str | None = None,
    ) -> tuple[str, Token]:
        """A new token for a machine client: its secret (shown this once) and its record."""
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
            raise ValidationError(
                "令牌须有 1 至 64 个字符的名称", "a token needs a name of 1-64 characters", "name"
            )
        check_characters(name, "name")
        actor = check_scope(person_id, role, community_id, household_id, village_id)
        who = operator(by)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = str(uuid.uuid4())
        now = self.clock()
        with self.engine.begin() as conn:
            live = select(db.tokens.c.token_id).where(
                db.tokens.c.name == name.strip(), db.tokens.c.revoked_at.is_(None)
            )
            if conn.execute(live).first():
                raise Conflict(
                    f"已有名为 {name} 的有效令牌", f"a live token named {name!r} exists", "name"
                )
            conn.execute(
                db.tokens.insert().values(
                    token_id=token_id,
                    token_hash=digest(secret),
                    name=name.strip(),
                    **db.actor_values(actor),
                    created_at=now,
                    created_by=who,
                )
            )
            db.record_change(
                conn,
                now,
                who,
                "token_added",
                token_id=token_id,
                name=name.strip(),
                **actor.to_dict(),
            )
        return secret, self.get(token_id)

    def revoke(self, token: str, *, by: str) -> Token:
        """Revoke a live token named by its id or its name."""
        who = operator(by)
        found = self._find(token)
        if found.revoked_at is not None:
            return found
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(db.tokens)
                .where(db.tokens.c.token_id == found.token_id)
                .values(revoked_at=now)
            )
            db.record_change(
                conn, now, who, "token_revoked", token_id=found.token_id, name=found.name
            )
        return self.get(found.token_id)

    def resolve(self, secret: str) -> Token:
        """The live token with this secret; else 401."""
        row = None
        if secret.startswith(TOKEN_PREFIX) and len(secret) <= 100:
            with self.engine.begin() as conn:
                row = db.first_row(conn, db.tokens, db.tokens.c.token_hash == digest(secret))
                if row is not None and row["revoked_at"] is None:
                    now = self.clock()
                    last = row["last_used_at"]
                    if last is None or now - last >= TOUCH_EVERY:
                        conn.execute(
                            update(db.tokens)
                            .where(db.tokens.c.token_id == row["token_id"])
                            .values(last_used_at=now)
                        )
        if row is None or row["revoked_at"] is not None:
            raise Unauthenticated(
                "API 令牌无效或已吊销",
                "the API token is unknown or revoked",
                "authorization",
                reason="token",
            )
        return Token.from_row(row)

    def get(self, token_id: str) -> Token:
        with self.engine.connect() as conn:
            row = db.first_row(conn, db.tokens, db.tokens.c.token_id == token_id)
        if row is None:
            raise NotFound(f"没有令牌 {token_id}", f"no token {token_id!r}", "token")
        return Token.from_row(row)

    def all(self) -> list[Token]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(db.tokens).order_by(db.tokens.c.created_at)).mappings()
            return [Token.from_row(r) for r in rows]

    def _find(self, token: str) -> Token:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(db.tokens)
                    .where(or_(db.tokens.c.token_id == token, db.tokens.c.name == token))
                    .order_by(db.tokens.c.revoked_at.is_(None).desc())
                )
                .mappings()
                .all()
            )
        if not rows:
            raise NotFound(f"没有令牌 {token}", f"no token {token!r}", "token")
        return Token.from_row(rows[0])
