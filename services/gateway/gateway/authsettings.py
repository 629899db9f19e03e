"""The gateway's authentication settings, read from the environment in one place.

  SHEQU_GATEWAY_STORE            sqlite:var/gateway.db   accounts, sessions, tokens, login
                                                         failures (SQLite file or postgresql://)
  SHEQU_GATEWAY_SESSION_IDLE     1800   seconds a session lives unused              [local]
  SHEQU_GATEWAY_SESSION_MAX      43200  seconds a session lives at most (12 h)      [local]
  SHEQU_GATEWAY_LOGIN_FAILURES   5      failed logins per account in the window     [local]
  SHEQU_GATEWAY_ADDRESS_FAILURES 20     failed logins per client address in the window [local]
  SHEQU_GATEWAY_LOGIN_WINDOW     900    seconds the failures are counted over (15 min) [local]
  SHEQU_GATEWAY_INSECURE_COOKIES (unset) "1" drops the cookies' Secure flag: only for tests and
                                         a gateway reached over plain http on localhost

The password hash profile is not a setting: production always hashes with RFC 9106's
low-memory profile; only tests pass a cheaper one to ``Accounts`` in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shequ.config import ConfigError, env, env_number
from shequ.store import Store, StoreConfigError

DEFAULT_STORE = "sqlite:var/gateway.db"

SESSION_COOKIE = "shequ_session"
CSRF_COOKIE = "shequ_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class AuthSettings:
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)  # [local]
    absolute_timeout: dt.timedelta = dt.timedelta(hours=12)  # [local]
    account_failures: int = 5  # [local] failed logins per account in the window
    address_failures: int = 20  # [local] failed logins per client address in the window
    failure_window: dt.timedelta = dt.timedelta(minutes=15)  # [local]
    secure_cookies: bool = True
    hash_concurrency: int = 2  # password hashes at once (64 MiB each): one per core here

    @classmethod
    def from_env(cls) -> AuthSettings:
        def seconds(name: str, default: int) -> dt.timedelta:
            return dt.timedelta(seconds=env_number(name, default, int, 1))

        return cls(
            idle_timeout=seconds("SHEQU_GATEWAY_SESSION_IDLE", 1800),
            absolute_timeout=seconds("SHEQU_GATEWAY_SESSION_MAX", 43200),
            account_failures=env_number("SHEQU_GATEWAY_LOGIN_FAILURES", 5, int, 1),
            address_failures=env_number("SHEQU_GATEWAY_ADDRESS_FAILURES", 20, int, 1),
            failure_window=seconds("SHEQU_GATEWAY_LOGIN_WINDOW", 900),
            secure_cookies=env("SHEQU_GATEWAY_INSECURE_COOKIES", "0") != "1",
        )


def gateway_store(text: str | None = None) -> Store:
    """The gateway's own database: ``text``, else SHEQU_GATEWAY_STORE, else the SQLite file."""
    value = text or env("SHEQU_GATEWAY_STORE", DEFAULT_STORE)
    try:
        return Store.parse(value)
    except StoreConfigError as exc:
        raise ConfigError(f"SHEQU_GATEWAY_STORE: {exc}") from None
