"""Every route × every role through a real gateway, generated from the use-case tables: a role
the table does not admit is refused (403, ``actor.role``) by the service behind the gateway; an
admitted role is never refused for its role; community staff of another community are refused
as out of scope (403, ``out_of_scope``) where the command names the community it acts on, and
the community's own staff are not. Every service of the suite runs behind the gateway, and the
API is fuzzed from its OpenAPI document for the tables ``test_e2e_gateway`` does not fuzz."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gateway.routes import Route, routes
from shequ.suite import SERVICES

from tests.support.gateway import GatewayProcess, fuzz
from tests.support.infra import rabbit_vhost
from tests.support.suite import Processes, fresh_stores, running

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
STAFF = {"person_id": "roles-district", "role": "district_staff"}
OTHER_COMMUNITY = str(uuid.UUID(int=7))


def actors(community_id: str) -> dict[str, dict[str, str]]:
    """One token per role (community staff of the real community), and the outsider."""
    return {
        "district_staff": STAFF,
        "community_staff": {
            "person_id": "roles-community",
            "role": "community_staff",
            "community_id": community_id,
        },
        "team_member": {"person_id": "roles-team", "role": "team_member"},
        "resident": {
            "person_id": "roles-resident",
            "role": "resident",
            "household_id": str(uuid.UUID(int=9)),
        },
        "auditor": {"person_id": "roles-auditor", "role": "auditor"},
        "agency_accountant": {"person_id": "roles-accountant", "role": "agency_accountant"},
        "outsider": {
            "person_id": "roles-outsider",
            "role": "community_staff",
            "community_id": OTHER_COMMUNITY,
        },
    }


class RolesSuite(Processes):
    """The services first, the community made over RPC, then the gateway with its tokens."""

    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        super().__init__(amqp, stores, tmp, {s: s for s in SERVICES})
        self.amqp, self.tmp = amqp, tmp
        self.gateway: GatewayProcess | None = None
        self.community_id = ""

    def start(self, *procs: Any) -> None:
        super().start(*procs)
        self.call(
            "registry",
            "establish_district",
            actor=STAFF,
            idempotency_key="roles-district",
            name="胶河经济区",
        )
        made = self.call(
            "registry",
            "establish_community",
            actor=STAFF,
            idempotency_key="roles-community",
            name="立柱",
            name_en="Lizhu",
        )
        self.community_id = made["community_id"]
        tokens = {role: actor for role, actor in actors(self.community_id).items()}
        self.gateway = GatewayProcess(self.amqp, self.tmp, tokens=tokens).start()

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
        super().stop()


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RolesSuite]:
    tmp = tmp_path_factory.mktemp("gateway-roles")
    with (
        rabbit_vhost() as amqp,
        fresh_stores("sqlite", SERVICES, tmp) as db,
        running(RolesSuite(amqp, db, tmp)) as s,
    ):
        yield s


def send(suite: RolesSuite, route: Route, token: str, args: dict[str, Any]) -> requests.Response:
    assert suite.gateway is not None
    if "idempotency_key" in args:
        args = {**args, "idempotency_key": f"roles-{token}-{route.name}"[:200]}
    if route.method == "GET":  # query parameters as a browser writes them: true, not True
        query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in args.items()}
        return suite.gateway.request("GET", route.path, token=token, params=query)
    return suite.gateway.request("POST", route.path, token=token, json=args)


def refusal(answer: requests.Response) -> tuple[str, str] | None:
    """(code, field) of a 403, else None."""
    if answer.status_code != 403:
        return None
    body = answer.json()
    return body["code"], body["field"]


ROUTES = [r for r in routes() if r.service in SERVICES]
ROLES = (
    "district_staff",
    "community_staff",
    "team_member",
    "resident",
    "auditor",
    "agency_accountant",
)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_admits_exactly_the_roles_its_table_names(suite: RolesSuite, role: str):
    wrong: list[str] = []
    for route in ROUTES:
        answer = send(suite, route, role, route.case.example())
        assert answer.status_code != 401, answer.text
        refused_for_role = refusal(answer) == ("forbidden", "actor.role")
        if refused_for_role == (role in route.case.roles):
            wrong.append(f"{route.path}: {answer.status_code} {answer.text[:160]}")
    assert not wrong, "\n".join(wrong)


def _acts_on_its_community(route: Route) -> bool:
    """The command names the community it acts on, and no other record its scope could come
    from (a village or household in another command decides the scope, after it is found)."""
    others = {
        f for f in route.model.model_fields if f.endswith(("_id", "_ids")) and f != "community_id"
    }
    return (
        route.case.roles.get("community_staff") == "community"
        and "community_id" in route.model.model_fields
        and not others
    )


SCOPED = [r for r in ROUTES if _acts_on_its_community(r)]


@pytest.mark.parametrize("route", SCOPED, ids=lambda r: r.name)
def test_community_staff_act_only_in_their_own_community(suite: RolesSuite, route: Route):
    args = {**route.case.example(), "community_id": suite.community_id}
    outsider = send(suite, route, "outsider", args)
    assert refusal(outsider) == ("out_of_scope", "actor"), outsider.text
    own = send(suite, route, "community_staff", args)
    assert refusal(own) is None or refusal(own)[0] != "out_of_scope", own.text


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_in_the_other_tables(suite: RolesSuite):
    """The fuzzing of ``test_e2e_gateway`` (registry and casework) for the other tables."""
    assert suite.gateway is not None
    run = fuzz(suite.gateway.url, ("outreach", "assessment", "finance"), "district_staff")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:] + suite.logs()
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert tested and int(tested.group(1)) >= 50, run.stdout[-1500:]  # the three tables' routes
