"""The suite of real processes used by cross-service tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support import infra
from tests.support.infra import ServiceProcess, free_port, pg_database, rpc, wait_healthy

SYSTEM = {"person_id": "system:test", "role": "system"}


def rubbish(title: str, channel: str = "contact_card", **where: Any) -> dict[str, Any]:
    """``open_case``'s arguments for a rubbish demand reported on ``channel``, at ``where`` (a
    household, or a community and place)."""
    return {
        "case_type": "demand",
        "category": "rubbish",
        "channel": channel,
        "title": title,
        **where,
    }


def sample_person(n: int, name: str, **more: Any) -> dict[str, Any]:
    """``register_person``'s arguments for sample person ``n``: male, with the invented ID
    number and phone of ``n`` (``registry.seed``), and ``more``."""
    from registry.seed import sample_id_number, sample_phone

    return {
        "name": name,
        "gender": "male",
        "id_number": sample_id_number(n, True),
        "phone": sample_phone(n),
        **more,
    }


def service_process(target: str, name: str, amqp: str, store: str, tmp: Path) -> ServiceProcess:
    """Service ``name`` running ``target`` on the broker ``amqp`` and ``store``, as the suites
    run it: sealing every second, dead-lettering after three failures, its keys under ``tmp``
    (and the public disclosure log, which the gateway of ``tests.support.gateway`` serves)."""
    up = name.upper()
    env = {
        "SHEQU_AMQP_URI": amqp,
        "SHEQU_TREEHEAD_DIR": str(tmp / "treeheads"),
        "SHEQU_DISCLOSURE_LOG_DIR": str(tmp / "disclosure-log"),  # finance writes, gateway reads
        "SHEQU_KEY_DIR": str(tmp / "keys"),
        "SHEQU_SEAL_INTERVAL": "1",
        "SHEQU_INBOX_MAX_FAILURES": "3",
        f"SHEQU_{up}_STORE": store,
        f"SHEQU_{up}_METRICS_PORT": str(free_port()),
    }
    return ServiceProcess(target, name, env, tmp)


@contextmanager
def fresh_stores(kind: str, names: Sequence[str], tmp: Path) -> Iterator[dict[str, str]]:
    """One empty store per name: SQLite files under ``tmp``, or PostgreSQL databases dropped
    afterwards (``kind`` "postgres")."""
    if kind == "sqlite":
        yield {n: f"sqlite:///{tmp / n}.db" for n in names}
        return
    with ExitStack() as stack:
        yield {n: stack.enter_context(pg_database()) for n in names}


class Processes:
    """Real service processes on one RabbitMQ vhost; ``targets`` maps each service's name to
    what it runs (its package, or ``module:Class`` for a stand-in)."""

    def __init__(
        self, amqp: str, stores: dict[str, str], tmp: Path, targets: dict[str, str]
    ) -> None:
        self.amqp = amqp
        self.tmp = tmp
        self.procs = {
            name: service_process(target, name, amqp, stores[name], tmp)
            for name, target in targets.items()
        }

    timeout = 60.0  # seconds an RPC call may take

    def call(self, service: str, method: str, timeout: float = 0, **kwargs: Any) -> Any:
        return rpc(self.amqp, service, method, timeout=timeout or self.timeout, **kwargs)

    def command(
        self, service: str, method: str, actor: dict[str, str], key: str, **args: Any
    ) -> Any:
        """``method`` of ``service`` called by ``actor`` under the idempotency key ``key``."""
        return self.call(service, method, actor=actor, idempotency_key=key, **args)

    def refused(
        self,
        error: type[Exception],
        service: str,
        method: str,
        actor: dict[str, str],
        key: str,
        **args: Any,
    ) -> Any:
        """The ``error`` that ``command`` raises (the test fails if it raises none)."""
        with pytest.raises(error) as info:
            self.command(service, method, actor, key, **args)
        return info.value

    def establish_district(self, actor: dict[str, str], key: str) -> Any:
        """The district every cross-service story starts from (胶河经济区)."""
        return self.call(
            "registry", "establish_district", actor=actor, idempotency_key=key, name="胶河经济区"
        )

    def establish_village(self, actor: dict[str, str], key: str) -> dict[str, str]:
        """The district, its community 立柱 (Lizhu) and that community's sample village 示例村
        (registered 1 January 2024), under ``{key}-district``, ``{key}-c`` and ``{key}-v``:
        ``{"community": its id, "village": its id}``."""
        self.establish_district(actor, f"{key}-district")
        community = self.command(
            "registry", "establish_community", actor, f"{key}-c", name="立柱", name_en="Lizhu"
        )["community_id"]
        return {
            "community": community,
            "village": self.sample_village(actor, f"{key}-v", community),
        }

    def establish_communities(
        self,
        actor: dict[str, str],
        key: str,
        count: int,
        name: str = "社区{}",
        name_en: str = "Community {}",
        first: int = 0,
    ) -> list[dict[str, Any]]:
        """``count`` communities numbered from ``first``, named ``name`` and ``name_en`` with
        their number filled in, under the keys ``{key}-0000``, …: what each call returned."""
        return [
            self.command(
                "registry",
                "establish_community",
                actor,
                f"{key}-{i:04d}",
                name=name.format(i),
                name_en=name_en.format(i),
            )
            for i in range(first, first + count)
        ]

    def register_person(
        self, actor: dict[str, str], key: str, n: int, name: str, **more: Any
    ) -> str:
        """Sample person ``n`` (``sample_person``) registered under ``key``: their id."""
        person = sample_person(n, name, **more)
        return str(self.command("registry", "register_person", actor, key, **person)["person_id"])

    def hand_over(
        self,
        actor: dict[str, str],
        key: str,
        team: str,
        leaving: str,
        joining: str,
        on: str = "2026-03-01",
        **membership: str,
    ) -> None:
        """In the registry, ``leaving`` leaves ``team`` and ``joining`` joins it (``membership``:
        its group and duties, as ``join_team``), both ``on`` that day (under the keys
        ``{key}-left`` and ``{key}-join``)."""
        self.command(
            "registry",
            "remove_team_member",
            actor,
            f"{key}-left",
            team_id=team,
            person_id=leaving,
            until=on,
            reason="调动",
        )
        self.join_team(actor, f"{key}-join", team, joining, since=on, **membership)

    def join_team(
        self,
        actor: dict[str, str],
        key: str,
        team: str,
        person: str,
        group: str = "sanitation",
        duties: str = "保洁",
        since: str = "2026-03-01",
    ) -> None:
        """In the registry, ``person`` joins ``team``'s ``group`` from ``since``, under ``key``."""
        self.command(
            "registry",
            "add_team_member",
            actor,
            key,
            team_id=team,
            person_id=person,
            group=group,
            duties=duties,
            since=since,
        )

    def sample_village(self, actor: dict[str, str], key: str, community_id: str) -> str:
        """示例村, a sample village of ``community_id`` since 2024, registered under ``key``."""
        return str(
            self.command(
                "registry",
                "register_village",
                actor,
                key,
                community_id=community_id,
                name="示例村",
                sample=True,
                registered_on="2024-01-01",
            )["village_id"]
        )

    def team_with_cleaner(
        self, actor: dict[str, str], key: str, community_id: str, person_id: str
    ) -> str:
        """A service team formed in ``community_id`` (under ``key``) with ``person_id`` in its
        sanitation group since 2024 (under ``{key}-join``): the team's id."""
        team = self.command("registry", "form_team", actor, key, community_id=community_id)
        self.join_team(actor, f"{key}-join", team["team_id"], person_id, since="2024-01-01")
        return str(team["team_id"])

    def open_accepted(
        self,
        actor: dict[str, str],
        key: str,
        title: str,
        channel: str = "contact_card",
        **where: Any,
    ) -> dict[str, Any]:
        """A rubbish demand case opened in casework under ``key`` (at ``where``: a household, or
        a community and place) and accepted under ``{key}-accept``: what accepting returned
        (``case_id``, ``owner_id``, …)."""
        opened = self.command(
            "casework", "open_case", actor, key, **rubbish(title, channel, **where)
        )
        return self.command(  # type: ignore[no-any-return]
            "casework", "accept_case", actor, f"{key}-accept", case_id=opened["case_id"]
        )

    def visit_with_opinion(
        self, visitor: str, key: str, round_id: str, household_id: str, on: str
    ) -> dict[str, Any]:
        """In outreach, ``visitor`` (a service-team member) visits ``household_id`` in the round
        ``round_id`` ``on`` that day, under ``key``, and takes down one demand (the street lamp
        at the village gate is broken): what ``log_visit`` returned (``visit_id``,
        ``opinion_ids``)."""
        actor = {"person_id": visitor, "role": "team_member"}
        opinion = {"category": "demand", "text": "村口路灯坏了"}
        return self.command(  # type: ignore[no-any-return]
            "outreach",
            "log_visit",
            actor,
            key,
            round_id=round_id,
            household_id=household_id,
            visited_on=on,
            notes="走访",
            opinions=[opinion],
        )

    def start(self, *procs: ServiceProcess) -> None:
        """Start ``procs`` (all by default) and wait until each is healthy."""
        procs = procs or tuple(self.procs.values())
        for proc in procs:
            proc.start()
        for proc in procs:
            wait_healthy(self.amqp, proc)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.log_tail(40)}" for n, p in self.procs.items())


@contextmanager
def running(processes: Any, start: bool = True) -> Iterator[Any]:
    """``processes`` started (unless ``start`` is false), and stopped however the block ends."""
    try:
        if start:
            processes.start()
        yield processes
    finally:
        processes.stop()


P = TypeVar("P", bound=Processes)


@contextmanager
def on_fresh_vhost(
    make: Callable[[str, dict[str, str], Path], P],
    kind: str,
    names: Sequence[str],
    tmp: Path,
    start: bool = True,
) -> Iterator[P]:
    """``make(amqp, stores, tmp)`` on a fresh RabbitMQ vhost with a fresh ``kind`` store for
    each of ``names`` (``fresh_stores``), started unless ``start`` is false, and stopped however
    the block ends."""
    with (
        infra.rabbit_vhost() as amqp,
        fresh_stores(kind, names, tmp) as stores,
        running(make(amqp, stores, tmp), start) as processes,
    ):
        yield processes


class Suite(Processes):
    """Registry and the test mirror (``tests.support.mirror``), and ``more`` services."""

    timeout = 30.0

    def __init__(
        self, amqp: str, stores: dict[str, str], tmp: Path, more: dict[str, str] | None = None
    ) -> None:
        targets = {"registry": "registry", "mirror": "tests.support.mirror:MirrorService"}
        super().__init__(amqp, stores, tmp, {**targets, **(more or {})})
        self.registry, self.mirror = self.procs["registry"], self.procs["mirror"]

    def published_positions(self) -> list[int]:
        out: list[int] = []
        after = 0
        while True:
            batch = self.call("registry", "notifications", actor=SYSTEM, after=after, limit=1000)
            if not batch:
                return out
            out.extend(e["position"] for e in batch)
            after = batch[-1]["position"]

    def registry_log(self) -> list[dict[str, Any]]:
        return self.call("registry", "notifications", actor=SYSTEM, after=0, limit=1000)
