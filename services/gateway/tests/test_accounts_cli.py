"""``shequ accounts`` and ``shequ token`` as an operator runs them (a process of their own,
production password hashing), on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from gateway.accounts import Accounts
from gateway.authstore import open_engine
from gateway.sessions import Tokens
from shequ.store import Store
from shequ.testing import captured

PASSWORD = "tea-garden-7-lanterns"


@pytest.fixture
def store_name() -> str:
    return "gateway"


def url(store: Store) -> str:
    if store.kind == "sqlite":
        return f"sqlite:///{store.path}"
    return f"postgresql://{store.user}@{store.host}:{store.port}/{store.dbname}"


def shequ(store: Store, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return captured(
        [sys.executable, "-m", "shequ.cli", *args],
        input=stdin,
        env={**os.environ, "SHEQU_GATEWAY_STORE": url(store), "USER": "zhao"},
    )


def test_an_operator_adds_lists_resets_and_disables_accounts(store: Store):
    added = shequ(
        store, "accounts", "add", "13812345678", "--person", "p-wangli", "--role",
        "community_staff", "--community", "c-lizhu", "--name", "王丽华", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    shown = json.loads(added.stdout)["added"]
    assert shown["username"] == "138****5678" and shown["display_name"] == "王**"
    assert shown["role"] == "community_staff" and "password_hash" not in added.stdout

    weak = shequ(
        store, "accounts", "add", "chen.jie", "--person", "p-chen", "--role", "district_staff",
        "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert weak.returncode == 1
    error = json.loads(weak.stderr)["error"]
    assert error["code"] == "password.too_short" and "至少 12 个字符" in error["message"]

    listed = shequ(store, "accounts", "list")
    assert listed.returncode == 0, listed.stderr
    assert "138****5678 | 王** | community_staff | c-lizhu | - | - | 启用 active" in listed.stdout
    assert "13812345678" not in listed.stdout and "王丽华" not in listed.stdout
    assert "共 1 个账号 / 1 account(s)" in listed.stdout

    reset = shequ(
        store, "accounts", "reset", "13812345678", "--password-stdin", "--by", "operator:qian",
        stdin="river-stone-42-kites\n",
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    disabled = shequ(store, "accounts", "disable", "13812345678", "--reason", "moved away")
    assert disabled.returncode == 0 and json.loads(disabled.stdout)["disabled"]["status"] == (
        "停用 disabled"
    )
    unknown = shequ(store, "accounts", "disable", "nobody")
    assert unknown.returncode == 1 and json.loads(unknown.stderr)["error"]["code"] == "not_found"

    log = shequ(store, "accounts", "log").stdout.splitlines()
    assert [line.split()[2:4] for line in log] == [
        ["operator:zhao", "added"],
        ["operator:qian", "password_reset"],
        ["operator:zhao", "disabled"],
    ]
    assert all("138****5678" in line and "13812345678" not in line for line in log)

    engine = open_engine(store)
    try:
        book = Accounts(engine)
        account = book.get("13812345678")
        assert account.disabled and account.display_name == "王丽华"
        assert book.hasher.verify(stored(book), "river-stone-42-kites")  # production profile
    finally:
        engine.dispose()


def stored(book: Accounts) -> str:
    import sqlalchemy as sa
    from gateway import authstore as db

    with book.engine.connect() as conn:
        return str(conn.execute(sa.select(db.accounts.c.password_hash)).scalar_one())


def test_a_village_clerk_is_added_for_their_village(store: Store):
    added = shequ(
        store, "accounts", "add", "li.clerk", "--person", "p-li", "--role", "finance_clerk",
        "--village", "v-dongwangjia", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["added"]["village_id"] == "v-dongwangjia"
    assert "finance_clerk | - | - | v-dongwangjia | " in shequ(store, "accounts", "list").stdout
    unscoped = shequ(
        store, "accounts", "add", "wu.clerk", "--person", "p-wu", "--role", "finance_clerk",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert unscoped.returncode == 1
    assert json.loads(unscoped.stderr)["error"]["field"] == "actor.village_id"


def test_a_token_is_shown_once_and_revoked_by_name(store: Store):
    made = shequ(
        store, "token", "add", "open311-app", "--person", "client:open311", "--role",
        "district_staff",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    secret = json.loads(made.stdout)["token"]
    assert "不会再次显示" in made.stderr or "not shown again" in made.stderr
    listed = shequ(store, "token", "list")
    assert secret not in listed.stdout and json.loads(listed.stdout)[0]["status"] == "有效 live"
    engine = open_engine(store)
    try:
        tokens = Tokens(engine)
        assert tokens.resolve(secret).actor.person_id == "client:open311"
        revoked = shequ(store, "token", "revoke", "open311-app")
        assert revoked.returncode == 0, revoked.stderr
        assert json.loads(revoked.stdout)["revoked"]["status"] == "已吊销 revoked"
        assert tokens.all()[0].revoked_at is not None
    finally:
        engine.dispose()
