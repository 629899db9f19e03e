"""``shequ accounts …`` and ``shequ token …``: operators manage the gateway's logins.

Registered with the ``shequ`` command through the ``shequ.commands`` entry points (the platform
imports no service). Every change is recorded with the operator (``--by``, default
``operator:$USER``) in the append-only change log that ``shequ accounts log`` prints. Personal
data is masked where shown (RULES §6): display names as ``张*``, a username that is a phone
number as ``138****5678``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from shequ.auth import ROLE_ZH
from shequ.clock import LOCAL
from shequ.config import ConfigError
from shequ.errors import ShequError
from shequ.privacy import mask_name, mask_phone

from gateway.accounts import Account, Accounts
from gateway.authsettings import AuthSettings, gateway_store
from gateway.authstore import open_engine
from gateway.sessions import Token, Tokens

PHONE = re.compile(r"1\d{10}")
ROLES = [r for r in ROLE_ZH if r != "system"]

store_option = click.option(
    "--store", default=None, help="the gateway's database (default: SHEQU_GATEWAY_STORE)"
)
by_option = click.option(
    "--by", default=None, help="who makes the change, for the log (default: operator:$USER)"
)


def _by(by: str | None) -> str:
    return by or f"operator:{os.environ.get('USER', 'ops')}"


@contextmanager
def _accounts(store: str | None) -> Iterator[Accounts]:
    """The accounts on the gateway's database; a refusal printed as the suite's JSON error."""
    try:
        engine = open_engine(gateway_store(store))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield Accounts(engine, settings=AuthSettings.from_env())
    except ShequError as exc:
        click.echo(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2), err=True)
        sys.exit(1)
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        click.prompt("密码 / password", hide_input=True, confirmation_prompt="再输一次 / again")
    )


def _local(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def masked_username(name: str) -> str:
    return mask_phone(name) if PHONE.fullmatch(name) else name


def shown(account: Account) -> dict[str, Any]:
    """An account as operators see it: no hash, personal data masked."""
    return {
        "username": masked_username(account.username),
        "display_name": mask_name(account.display_name) if account.display_name else None,
        **account.actor.to_dict(),
        "status": "停用 disabled" if account.disabled else "启用 active",
        "created_at": _local(account.created_at),
        "last_login_at": _local(account.last_login_at),
    }


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def grant_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--role``, ``--community``, ``--household``, ``--village``: what an account or token may
    do, handed to the command as one ``grant`` (the keyword arguments Accounts and Tokens take)."""

    @functools.wraps(func)
    def command(
        *args: Any,
        role: str,
        community: str | None,
        household: str | None,
        village: str | None,
        **kw: Any,
    ) -> Any:
        grant = {
            "role": role,
            "community_id": community,
            "household_id": household,
            "village_id": village,
        }
        return func(*args, grant=grant, **kw)

    for option in reversed(
        (
            click.option("--role", required=True, type=click.Choice(ROLES)),
            click.option("--community", default=None, help="community id (community staff)"),
            click.option("--household", default=None, help="household id (a resident's own)"),
            click.option(
                "--village", default=None, help="village id (报账员, 民主理财小组, 村书记或主任)"
            ),
        )
    ):
        command = option(command)
    return command


@click.group()
def accounts() -> None:
    """Gateway logins: add, list, reset, disable, enable, change role, read the change log."""


@accounts.command("add")
@click.argument("username")
@click.option("--person", required=True, help="the registry person id the account acts as")
@grant_options
@click.option("--name", "display_name", default=None, help="display name (shown masked)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@by_option
@store_option
def add(
    username: str,
    person: str,
    grant: dict[str, Any],
    display_name: str | None,
    password_stdin: bool,
    by: str | None,
    store: str | None,
) -> None:
    """Add an account USERNAME for a registry person with a role and scope (asks the password).

    Example (the first operator): shequ accounts add wang.li --person p-001 --role
    district_staff --name 王丽"""
    password = _password(password_stdin)
    with _accounts(store) as book:
        account = book.add(
            username, password, person, **grant, by=_by(by), display_name=display_name
        )
        _echo({"added": shown(account)})


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@store_option
def list_accounts(as_json: bool, store: str | None) -> None:
    """List the accounts (personal data masked)."""
    with _accounts(store) as book:
        rows = [shown(a) for a in book.all()]
    if as_json:
        _echo(rows)
        return
    click.echo(
        "用户名 username | 姓名 name | 角色 role | 社区 community | 户 household | 村 village"
        " | 状态 status"
    )
    for r in rows:
        click.echo(
            f"{r['username']} | {r['display_name'] or '-'} | {r['role']} | "
            f"{r.get('community_id') or '-'} | {r.get('household_id') or '-'} | "
            f"{r.get('village_id') or '-'} | {r['status']}"
        )
    click.echo(f"共 {len(rows)} 个账号 / {len(rows)} account(s)")


@accounts.command("reset")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@by_option
@store_option
def reset(username: str, password_stdin: bool, by: str | None, store: str | None) -> None:
    """Give USERNAME a new password (asks it); the account's sessions end."""
    password = _password(password_stdin)
    with _accounts(store) as book:
        _echo({"reset": shown(book.reset(username, password, by=_by(by)))})


def _status_command(name: str, done: str, doc: str) -> click.Command:
    """``accounts disable`` and ``accounts enable``: the same arguments, one Accounts method."""

    @accounts.command(name, help=doc)
    @click.argument("username")
    @click.option("--reason", default="", help="why, for the log")
    @by_option
    @store_option
    def change(username: str, reason: str, by: str | None, store: str | None) -> None:
        with _accounts(store) as book:
            account = getattr(book, name)(username, by=_by(by), reason=reason)
            _echo({done: shown(account)})

    return change


disable = _status_command(
    "disable", "disabled", "Disable USERNAME: no more logins, its sessions end at once."
)
enable = _status_command("enable", "enabled", "Enable USERNAME again.")


@accounts.command("role")
@click.argument("username")
@grant_options
@by_option
@store_option
def role(username: str, grant: dict[str, Any], by: str | None, store: str | None) -> None:
    """Change USERNAME's role and scope (live sessions act with it from their next request)."""
    with _accounts(store) as book:
        _echo({"role_changed": shown(book.change_role(username, **grant, by=_by(by)))})


@accounts.command("log")
@click.argument("username", required=False)
@store_option
def log(username: str | None, store: str | None) -> None:
    """The change log (who changed which account or token, when), oldest first."""
    with _accounts(store) as book:
        entries = book.changes(username)
    for e in entries:
        details = json.loads(e["details"])
        subject = (
            masked_username(e["username"]) if e["username"] else f"token {details.get('name')}"
        )
        click.echo(
            f"{_local(e['at'])} {e['by']} {e['change']} {subject} "
            f"{json.dumps(details, ensure_ascii=False, sort_keys=True)}"
        )


@click.group()
def token() -> None:
    """API tokens for machine clients: add (shown once), list, revoke."""


def _shown_token(t: Token) -> dict[str, Any]:
    return {
        "id": t.token_id,
        "name": t.name,
        **t.actor.to_dict(),
        "created_at": _local(t.created_at),
        "created_by": t.created_by,
        "status": "已吊销 revoked" if t.revoked_at else "有效 live",
        "last_used_at": _local(t.last_used_at),
    }


@token.command("add")
@click.argument("name")
@click.option("--person", required=True, help="the person id the client acts as")
@grant_options
@by_option
@store_option
def token_add(
    name: str, person: str, grant: dict[str, Any], by: str | None, store: str | None
) -> None:
    """Make a token NAME with its own role and scope; its secret is printed this once."""
    with _accounts(store) as book:
        secret, made = Tokens(book.engine, book.clock).add(name, person, **grant, by=_by(by))
    _echo({"token": secret, **_shown_token(made)})
    click.echo(
        "请立即妥善保存该令牌，之后无法再次查看 / keep the token now: it is not shown again",
        err=True,
    )


@token.command("list")
@store_option
def token_list(store: str | None) -> None:
    """List the tokens (never their secrets)."""
    with _accounts(store) as book:
        _echo([_shown_token(t) for t in Tokens(book.engine, book.clock).all()])


@token.command("revoke")
@click.argument("token_ref", metavar="ID_OR_NAME")
@by_option
@store_option
def token_revoke(token_ref: str, by: str | None, store: str | None) -> None:
    """Revoke a token by its id or its name; requests with it get 401 from now on."""
    with _accounts(store) as book:
        _echo(
            {"revoked": _shown_token(Tokens(book.engine, book.clock).revoke(token_ref, by=_by(by)))}
        )
