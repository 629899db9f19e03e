"""The console's browser tests share one suite: every service of the suite and a gateway with
accounts for each role, on one vhost, started once per test session (CI budget), and one
chromium (``tests.support.browser``).

``ConsoleSuite.start`` registers, over RPC as the system: the district, community 立柱 with
its sample village 示例村, a service team with a cleaner (``cleaner``) in its sanitation
group, a household headed by ``resident_person``; then one gateway account per role
(``ACCOUNTS``; the password hashes made with argon2's cheapest profile in this process, so a
login costs the gateway one cheap verify and one rehash). ``login(page, role)`` signs a
browser page in through the login form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from gateway.accounts import Accounts
from gateway.authstore import open_engine
from shequ.actor import ROLES as ALL_ROLES
from shequ.store import Store
from shequ.suite import SERVICES

from tests.support.browser import Page
from tests.support.gateway import WithGateway
from tests.support.suite import SYSTEM

PASSWORD = "lantern-river-42-orchard"
CASE_KINDS: dict[str, dict[str, str]] = {
    "dispute": {"case_type": "dispute", "category": "neighbour_dispute", "channel": "walk_in"},
    "decision": {"case_type": "decision", "category": "village_decision", "channel": "committee"},
    "petition": {"case_type": "petition", "category": "petition", "channel": "walk_in"},
}
ROLES = tuple(role for role in ALL_ROLES if role != "system")  # every role a login may have


class ConsoleSuite(WithGateway):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        self.accounts_db = tmp / "gateway-accounts.db"
        super().__init__(
            amqp,
            stores,
            tmp,
            {s: s for s in SERVICES},
            SHEQU_GATEWAY_STORE=f"sqlite:///{self.accounts_db}",
            SHEQU_GATEWAY_INSECURE_COOKIES="1",
            # the auditor's pages read the services' stores and tree heads, as the CLI does
            SHEQU_TREEHEAD_DIR=str(tmp / "treeheads"),
            **{f"SHEQU_{s.upper()}_STORE": stores[s] for s in SERVICES},
        )
        self.ids: dict[str, str] = {}
        self.usernames: dict[str, str] = {}

    @property
    def url(self) -> str:
        return self.gateway.url

    def start(self, *procs: Any) -> None:
        if procs:
            super().start(*procs)
            return
        for proc in self.procs.values():
            proc.start()
        from tests.support.infra import wait_healthy

        for proc in self.procs.values():
            wait_healthy(self.amqp, proc)
        self.seed()
        self.gateway.start()

    def seed(self) -> None:
        where = self.establish_village(SYSTEM, "console")
        community, village = where["community"], where["village"]
        cleaner = self.register_person(SYSTEM, "console-cleaner", 11, "张保洁")
        team = self.team_with_cleaner(SYSTEM, "console-team", community, cleaner)
        head = self.register_person(SYSTEM, "console-head", 12, "李居民")
        household = self.household("console-household", village, head, "示例村第一组")
        self.ids = {
            "community": community,
            "village": village,
            "team": team,
            "cleaner": cleaner,
            "resident_person": head,
            "household": household,
        }
        self.add_accounts()

    def household(self, key: str, village: str, head: str, address: str) -> str:
        """A household of ``village`` headed by ``head`` since 2024, registered under ``key``."""
        return str(
            self.command(
                "registry",
                "register_household",
                SYSTEM,
                key,
                village_id=village,
                head_id=head,
                address=address,
                since="2024-01-01",
            )["household_id"]
        )

    def add_accounts(self) -> None:
        scopes: dict[str, dict[str, Any]] = {
            "district_staff": {"person_id": "console-district"},
            "community_staff": {
                "person_id": "console-community",
                "community_id": self.ids["community"],
            },
            "team_member": {"person_id": self.ids["cleaner"], "display_name": "张保洁"},
            "resident": {
                "person_id": self.ids["resident_person"],
                "household_id": self.ids["household"],
                "display_name": "李居民",
            },
            "auditor": {"person_id": "console-auditor"},
            "finance_clerk": {"person_id": "console-clerk", "village_id": self.ids["village"]},
            "finance_group": {"person_id": "console-group", "village_id": self.ids["village"]},
            "village_head": {"person_id": "console-head", "village_id": self.ids["village"]},
            "agency_accountant": {"person_id": "console-accountant"},
        }
        engine = open_engine(Store.parse(f"sqlite:///{self.accounts_db}"))
        try:
            accounts = Accounts(engine, hasher=PasswordHasher.from_parameters(CHEAPEST))
            for role in ROLES:
                username = f"console.{role.replace('_', '.')}"
                scope = dict(scopes[role])
                accounts.add(
                    username, PASSWORD, scope.pop("person_id"), role, by="operator:test", **scope
                )
                self.usernames[role] = username
        finally:
            engine.dispose()

    def case(self, key: str, kind: str, title: str, accept: bool = True, **more: Any) -> str:
        """A case of ``kind`` (``CASE_KINDS``: dispute, decision, petition) opened by the system
        under ``key`` (``more``: its other arguments), accepted under ``{key}-accept`` unless
        ``accept`` is false: its id. A dispute or petition is the sample household's, a
        decision the sample village's."""
        where = (
            {"village_id": self.ids["village"]}
            if kind == "decision"
            else {"household_id": self.ids["household"]}
        )
        args = {**CASE_KINDS[kind], "title": title, **where, **more}
        case_id = str(self.command("casework", "open_case", SYSTEM, key, **args)["case_id"])
        if accept:
            self.command("casework", "accept_case", SYSTEM, f"{key}-accept", case_id=case_id)
        return case_id

    def login(self, page: Page, role: str, then: str = "/") -> None:
        """Sign ``page`` in as ``role``'s account through the login form, landing on ``then``."""
        page.goto(f"{self.url}/login?next={quote(then)}")
        page.fill("#f-username", self.usernames[role])
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for(f"{self.url}{then}")
