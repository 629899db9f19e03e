"""End to end through a session: a person logs in to a real gateway process (``python -m
gateway``, its accounts on PostgreSQL), runs a command on the real registry with the session's
CSRF token, and logs out; the registry records the account's person as the actor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from gateway.accounts import Accounts
from gateway.authstore import open_engine
from shequ.store import Store

from tests.support.gateway import WithGateway
from tests.support.infra import rabbit_vhost
from tests.support.suite import SYSTEM, fresh_stores, running

pytestmark = [pytest.mark.slow, pytest.mark.rabbit, pytest.mark.postgres]
PASSWORD = "tea-garden-7-lanterns"
WANG = {"person_id": "p-gw-wangli", "role": "district_staff"}


class SessionSuite(WithGateway):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path, accounts: str) -> None:
        super().__init__(
            amqp,
            stores,
            tmp,
            {"registry": "registry"},
            SHEQU_GATEWAY_STORE=accounts,
            SHEQU_GATEWAY_INSECURE_COOKIES="1",
        )


def url(store: Store) -> str:
    return f"postgresql://{store.user}@{store.host}:{store.port}/{store.dbname}"


def test_log_in_run_a_command_and_log_out_through_the_gateway(
    tmp_path: Path, postgres_store: Store
):
    engine = open_engine(postgres_store)
    try:
        Accounts(engine).add("wang.li", PASSWORD, **WANG, by="operator:test", display_name="王丽")
    finally:
        engine.dispose()
    with (
        rabbit_vhost() as amqp,
        fresh_stores("sqlite", ("registry",), tmp_path) as stores,
        running(SessionSuite(amqp, stores, tmp_path, url(postgres_store))) as suite,
    ):
        api = f"{suite.gateway.url}/api/v1"
        browser = requests.Session()
        district = {"idempotency_key": "gw-session-1", "name": "胶河经济区"}
        assert browser.post(f"{api}/registry/establish_district", json=district).status_code == 401

        login = browser.post(f"{api}/session", json={"username": "wang.li", "password": PASSWORD})
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]
        assert login.json()["actor"] == WANG and browser.cookies.get("shequ_session")

        refused = browser.post(f"{api}/registry/establish_district", json=district)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf"
        made = browser.post(
            f"{api}/registry/establish_district", json=district, headers={"X-CSRF-Token": csrf}
        )
        assert made.status_code == 200, made.text
        log = suite.call("registry", "notifications", actor=SYSTEM, after=0, limit=100)
        assert len(log) == 1 and WANG["person_id"] in json.dumps(log, ensure_ascii=False)
        assert browser.get(f"{api}/registry/communities").status_code == 200
        assert browser.get(f"{api}/session").json()["username"] == "wang.li"

        out = browser.delete(f"{api}/session", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        after = browser.get(f"{api}/registry/communities")
        assert after.status_code == 401 and after.json()["code"] == "unauthenticated"

        for _ in range(5):
            wrong = browser.post(f"{api}/session", json={"username": "wang.li", "password": "x"})
            assert wrong.status_code == 401 and wrong.json()["code"] == "bad_credentials"
        locked = browser.post(f"{api}/session", json={"username": "wang.li", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert "登录失败次数过多" in locked.json()["message"]
