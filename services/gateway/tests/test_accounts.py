"""Accounts, the change log, login failures and lockout, sessions and tokens, on each store
(a SQLite file and a PostgreSQL database): the story of an operator and the people who log in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from gateway import authstore as db
from gateway.accounts import Accounts
from gateway.autherrors import AccountDisabled, BadCredentials, LoginLocked, Unauthenticated
from gateway.authsettings import AuthSettings
from gateway.passwords import cheap_hasher, production_hasher
from gateway.sessions import Sessions, Tokens
from shequ.clock import FixedClock
from shequ.errors import Conflict, ValidationError
from shequ.store import Store

PASSWORD = "tea-garden-7-lanterns"
OPS = "operator:zhao"


@pytest.fixture
def store_name() -> str:
    return "gateway"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-03-02T09:00:00+08:00")


@pytest.fixture
def book(store: Store, clock: FixedClock) -> Iterator[Accounts]:
    engine = db.open_engine(store)
    yield Accounts(engine, clock, cheap_hasher(), AuthSettings(secure_cookies=False))
    engine.dispose()


def later(clock: FixedClock, **delta: float) -> None:
    clock.moment += dt.timedelta(**delta)


def staff(book: Accounts, name: str = "wang.li") -> None:
    book.add(
        name, PASSWORD, "p-wangli", "community_staff", by=OPS, community_id="c-lizhu",
        display_name="王丽",
    )  # fmt: skip


def test_an_added_account_logs_in_as_its_registry_person(book: Accounts, clock: FixedClock):
    staff(book)
    later(clock, minutes=5)
    account = book.login("Wang.Li ", PASSWORD, "10.0.0.5")
    assert account.actor.to_dict() == {
        "person_id": "p-wangli",
        "role": "community_staff",
        "community_id": "c-lizhu",
    }
    assert account.last_login_at == clock()
    [added] = book.changes("wang.li")
    assert (added["change"], added["by"], added["at"]) == (
        "added",
        OPS,
        clock() - dt.timedelta(minutes=5),
    )
    assert "p-wangli" in added["details"] and PASSWORD not in added["details"]


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(book: Accounts):
    staff(book)
    with pytest.raises(BadCredentials) as wrong:
        book.login("wang.li", PASSWORD + "x", "10.0.0.5")
    with pytest.raises(BadCredentials) as unknown:
        book.login("nobody", PASSWORD, "10.0.0.5")
    assert wrong.value.to_dict() == unknown.value.to_dict()
    assert wrong.value.to_dict()["message"] == "用户名或密码错误"
    assert wrong.value.http_status == 401


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-1", "password.too_short"),
        ("x" * 129, "password.too_long"),
        ("tea-garden-wang.li-7", "password.contains_username"),
        ("aaaabbbbcccc", "password.too_simple"),
        ("password1234567", "password.too_simple"),
        ("tea-garden\x00-7-lanterns", "password.bad_character"),
    ],
)
def test_a_password_that_breaks_a_rule_is_refused_and_nothing_is_stored(
    book: Accounts, password: str, code: str
):
    with pytest.raises(ValidationError) as refused:
        book.add("wang.li", password, "p-wangli", "district_staff", by=OPS)
    error = refused.value.to_dict()
    assert (error["code"], error["field"]) == (code, "password")
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert book.all() == [] and book.changes() == []


def test_names_roles_and_scopes_are_checked_like_an_actor(book: Accounts):
    with pytest.raises(ValidationError) as system:
        book.add("robot", PASSWORD, "p-1", "system", by=OPS)
    assert system.value.code == "role.reserved"
    with pytest.raises(ValidationError) as scope:
        book.add("zhang.wei", PASSWORD, "p-2", "community_staff", by=OPS)
    assert scope.value.field == "actor.community_id"
    with pytest.raises(ValidationError) as name:
        book.add("张伟", PASSWORD, "p-3", "district_staff", by=OPS)
    assert name.value.code == "username.invalid"
    staff(book)
    with pytest.raises(Conflict):
        book.add("WANG.LI", PASSWORD, "p-4", "district_staff", by=OPS)
    assert [a.username for a in book.all()] == ["wang.li"]


def test_a_village_finance_role_names_its_village_and_acts_for_it(book: Accounts):
    with pytest.raises(ValidationError) as scope:
        book.add("li.clerk", PASSWORD, "p-clerk", "finance_clerk", by=OPS)
    assert scope.value.field == "actor.village_id"
    book.add("li.clerk", PASSWORD, "p-clerk", "finance_clerk", by=OPS, village_id="v-dwj")
    account = book.login("li.clerk", PASSWORD, "10.0.0.7")
    assert account.actor.to_dict() == {
        "person_id": "p-clerk",
        "role": "finance_clerk",
        "village_id": "v-dwj",
    }


def test_an_older_database_gains_the_village_column(store: Store):
    """A gateway database made before village scopes: its accounts and tokens tables gain the
    column on start, and the accounts in them still log in."""
    engine = db.open_engine(store)
    with engine.begin() as conn:
        for table in ("gateway_accounts", "gateway_tokens"):
            conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN village_id"))
    engine.dispose()
    engine = db.open_engine(store)
    columns = {
        t: {c["name"] for c in sa.inspect(engine).get_columns(t)}
        for t in ("gateway_accounts", "gateway_tokens")
    }
    assert all("village_id" in c for c in columns.values())
    book = Accounts(
        engine, FixedClock("2026-03-02"), cheap_hasher(), AuthSettings(secure_cookies=False)
    )
    staff(book)
    assert book.login("wang.li", PASSWORD, "10.0.0.5").actor.community_id == "c-lizhu"
    engine.dispose()


def test_five_failures_in_fifteen_minutes_lock_the_account(book: Accounts, clock: FixedClock):
    staff(book)
    staff(book, "chen.jie")
    for _ in range(5):
        later(clock, minutes=2)
        with pytest.raises(BadCredentials):
            book.login("wang.li", "not-the-password-1", "10.0.0.5")
    later(clock, minutes=1)  # 9 minutes after the first failure
    with pytest.raises(LoginLocked) as locked:
        book.login("wang.li", PASSWORD, "10.0.0.6")  # the right password, another address
    error = locked.value
    assert (error.http_status, error.code, error.field) == (429, "rate_limited", "username")
    assert error.details["retry_after"] == 6 * 60  # the first failure leaves the window then
    assert error.headers == {"Retry-After": "360"}
    assert "6 分钟" in error.message_zh and "6 minute" in error.message_en
    assert book.login("chen.jie", PASSWORD, "10.0.0.6").username == "chen.jie"  # others log in
    later(clock, minutes=5)
    with pytest.raises(LoginLocked):  # a minute early
        book.login("wang.li", PASSWORD, "10.0.0.6")
    later(clock, minutes=1)
    assert book.login("wang.li", PASSWORD, "10.0.0.6").username == "wang.li"


def test_a_success_forgives_the_failures_before_it(book: Accounts, clock: FixedClock):
    staff(book)
    for attempt in range(9):
        later(clock, seconds=10)
        if attempt == 4:
            book.login("wang.li", PASSWORD, "10.0.0.5")
        else:
            with pytest.raises(BadCredentials):
                book.login("wang.li", "not-the-password-1", "10.0.0.5")
    assert book.login("wang.li", PASSWORD, "10.0.0.5").username == "wang.li"


def test_one_address_trying_many_names_is_locked(store: Store, clock: FixedClock):
    engine = db.open_engine(store)
    book = Accounts(engine, clock, cheap_hasher(), AuthSettings(address_failures=3))
    staff(book)
    try:
        for name in ("li.a", "li.b", "li.c"):
            with pytest.raises(BadCredentials):
                book.login(name, PASSWORD, "10.9.9.9")
        with pytest.raises(LoginLocked) as locked:
            book.login("wang.li", PASSWORD, "10.9.9.9")
        assert locked.value.field == "client"
        assert book.login("wang.li", PASSWORD, "10.0.0.1").username == "wang.li"
    finally:
        engine.dispose()


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(book: Accounts, clock: FixedClock):
    staff(book)
    sessions = Sessions(book)
    session_id, _ = sessions.open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    later(clock, minutes=1)
    book.disable("wang.li", by=OPS, reason="left the post")
    with pytest.raises(Unauthenticated):
        sessions.resolve(session_id)
    with pytest.raises(AccountDisabled) as refused:
        book.login("wang.li", PASSWORD, "10.0.0.5")
    assert refused.value.http_status == 403
    with pytest.raises(BadCredentials):  # a wrong password learns nothing about the state
        book.login("wang.li", "not-the-password-1", "10.0.0.5")
    book.disable("wang.li", by=OPS)  # already disabled: nothing recorded
    book.enable("wang.li", by="operator:qian")
    assert book.login("wang.li", PASSWORD, "10.0.0.5").disabled is False
    log = [(c["change"], c["by"]) for c in book.changes("wang.li")]
    assert log == [("added", OPS), ("disabled", OPS), ("enabled", "operator:qian")]
    assert '"reason": "left the post"' in book.changes("wang.li")[1]["details"]


def test_a_reset_changes_the_password_and_ends_the_sessions(book: Accounts):
    staff(book)
    sessions = Sessions(book)
    session_id, _ = sessions.open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    book.reset("wang.li", "river-stone-42-kites", by=OPS)
    with pytest.raises(Unauthenticated):
        sessions.resolve(session_id)
    with pytest.raises(BadCredentials):
        book.login("wang.li", PASSWORD, "10.0.0.5")
    assert book.login("wang.li", "river-stone-42-kites", "10.0.0.5").username == "wang.li"
    with pytest.raises(ValidationError):
        book.reset("wang.li", "short", by=OPS)
    assert [c["change"] for c in book.changes("wang.li")] == ["added", "password_reset"]


def test_a_role_change_is_logged_with_before_and_after(book: Accounts):
    staff(book)
    sessions = Sessions(book)
    session_id, _ = sessions.open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    book.change_role("wang.li", "district_staff", by=OPS)
    assert sessions.resolve(session_id).account.actor.to_dict() == {
        "person_id": "p-wangli",
        "role": "district_staff",
    }
    change = book.changes("wang.li")[-1]
    assert change["change"] == "role_changed"
    assert '"before": {"community_id": "c-lizhu"' in change["details"]


def test_a_login_moves_an_old_hash_to_the_production_profile(store: Store, clock: FixedClock):
    engine = db.open_engine(store)
    try:
        Accounts(engine, clock, cheap_hasher()).add(
            "wang.li", PASSWORD, "p-wangli", "district_staff", by=OPS
        )
        production = Accounts(engine, clock, production_hasher())
        assert production.hasher.check_needs_rehash(stored_hash(engine))
        production.login("wang.li", PASSWORD, "10.0.0.5")
        rehashed = stored_hash(engine)
        assert rehashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert RFC_9106_LOW_MEMORY.memory_cost == 65536 and production.hasher.memory_cost == 65536
        production.login("wang.li", PASSWORD, "10.0.0.5")
        assert stored_hash(engine) == rehashed  # no second rehash
        changes = [c["change"] for c in production.changes("wang.li")]
        assert changes == ["added", "password_rehashed"]
        assert PasswordHasher().verify(rehashed, PASSWORD)
    finally:
        engine.dispose()


def stored_hash(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.select(db.accounts.c.password_hash)).scalar_one())


def test_the_change_log_is_append_only_in_the_database(book: Accounts):
    staff(book)
    for statement in (
        sa.update(db.changes).values(by="someone:else"),
        sa.delete(db.changes),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # noqa: SIM117
            with book.engine.begin() as conn:
                conn.execute(statement)
    if book.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # noqa: SIM117
            with book.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE gateway_account_changes"))
    assert [(c["change"], c["by"]) for c in book.changes()] == [("added", OPS)]


def test_a_session_ends_after_thirty_idle_minutes(book: Accounts, clock: FixedClock):
    staff(book)
    sessions = Sessions(book)
    session_id, opened = sessions.open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    assert opened.expires_at == clock() + dt.timedelta(minutes=30)
    for _ in range(3):  # used every 29 minutes: alive well past the first half hour
        later(clock, minutes=29)
        assert sessions.resolve(session_id).account.username == "wang.li"
    later(clock, minutes=30)
    with pytest.raises(Unauthenticated) as expired:
        sessions.resolve(session_id)
    assert expired.value.details == {"reason": "idle"}
    with pytest.raises(Unauthenticated) as gone:  # the row is gone, not only refused
        sessions.resolve(session_id)
    assert gone.value.details == {"reason": "required"}


def test_a_session_ends_twelve_hours_after_login_however_busy(book: Accounts, clock: FixedClock):
    staff(book)
    sessions = Sessions(book)
    session_id, _ = sessions.open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        later(clock, minutes=20)
        sessions.resolve(session_id)
    later(clock, minutes=19)
    assert sessions.resolve(session_id).expires_at == clock() + dt.timedelta(minutes=1)
    later(clock, minutes=1)
    with pytest.raises(Unauthenticated) as expired:
        sessions.resolve(session_id)
    assert expired.value.details == {"reason": "absolute"}


def test_the_database_keeps_only_a_digest_of_a_session_id(book: Accounts):
    staff(book)
    session_id, _ = Sessions(book).open(book.login("wang.li", PASSWORD, "10.0.0.5"))
    assert len(session_id) >= 43  # 32 random bytes, base64url
    with book.engine.connect() as conn:
        [row] = conn.execute(sa.select(db.sessions)).mappings().all()
    assert session_id not in row.values() and len(row["session_hash"]) == 64


def test_a_token_acts_with_its_own_role_until_revoked(book: Accounts, clock: FixedClock):
    tokens = Tokens(book.engine, clock)
    secret, made = tokens.add(
        "open311-app", "client:open311", "community_staff", by=OPS, community_id="c-lizhu"
    )
    assert secret.startswith("shq_") and len(secret) >= 47
    assert tokens.resolve(secret).actor.to_dict() == {
        "person_id": "client:open311",
        "role": "community_staff",
        "community_id": "c-lizhu",
    }
    with book.engine.connect() as conn:
        stored = conn.execute(sa.select(db.tokens.c.token_hash)).scalar_one()
    assert secret not in stored and len(stored) == 64
    with pytest.raises(Conflict):
        tokens.add("open311-app", "client:x", "district_staff", by=OPS)
    tokens.revoke("open311-app", by="operator:qian")
    with pytest.raises(Unauthenticated):
        tokens.resolve(secret)
    with pytest.raises(Unauthenticated):
        tokens.resolve("shq_" + "A" * 43)
    assert [c["change"] for c in book.changes()] == ["token_added", "token_revoked"]
    assert (
        book.changes()[1]["by"] == "operator:qian"
        and book.changes()[1]["token_id"] == made.token_id
    )
