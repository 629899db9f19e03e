"""Use cases of the collective's resources (资源登记簿, F5): land, forest, water… registered with
their type, area in hundredths of a mu, location; their status changed (kept by the collective,
requisitioned, free again), or let by a contract that names them as its subject (F6,
``agreements.sign_contract``); and the village's register, each resource with the contract it is
let under, a person on the other side shown by family name only (D8) — the 各类资源 table of a
disclosure (§1.4)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from shequ.actor import Actor
from shequ.commands import Choice, Day, Id, Keyed, Note, Text, keyed
from shequ.handlers import changes, decides
from shequ.privacy import mask_name
from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase
from finance.domain.common import key_id
from finance.domain.resource import STATUSES, TYPES, Resource
from finance.examples import VILLAGE
from finance.fields import Area
from finance.ledgers import VillageQuery, village_scope
from finance.registers import resources as r_table

RESOURCE = "5b2d7c1e-0000-5000-8000-000000000081"


def mu(centimu: int) -> str:
    """Hundredths of a mu as mu with two decimals: 1250 -> '12.50'."""
    return f"{centimu // 100:,}.{centimu % 100:02d}"


class RegisterResource(Keyed):
    """Enter a resource of the collective on its register (F5): its type, name, area in
    hundredths of a mu (亩) and where it lies; it starts available (未发包)."""

    title = "登记集体资源"
    example = keyed(
        "resource-dongwangjia-jidongdi",
        village_id=VILLAGE,
        type="cultivated",
        name="村东机动地",
        area_centimu=1_250,
        location="第三村民小组村东",
        registered_on="2026-01-05",
    )
    village_id: Id
    type: Annotated[str, Choice(TYPES, "资源类型")]
    name: Annotated[str, Text(100, "资源名称")]
    area_centimu: Area
    location: Annotated[str, Text(100, "坐落")]
    registered_on: Day


@decides(village_scope)
def register_resource(cmd: RegisterResource, actor: Actor, app: FinanceBase) -> Any:
    app.collective(cmd.village_id)
    day = app.not_future(cmd.registered_on, "registered_on")
    resource = Resource(
        id=key_id("resource", cmd.idempotency_key),
        village_id=cmd.village_id,
        record=cmd.model_dump(include={"type", "name", "area_centimu", "location"}),
        registered_on=day,
        actor=actor.to_dict(),
    )
    return [resource], {"resource_id": str(resource.id), "status": resource.status}


class ChangeResourceStatus(Keyed):
    """Record what a resource does now, from a date: kept by the collective (集体自营),
    requisitioned (已被征收, final) or available again (a contract ended); a resource is let
    only by signing a contract that names it."""

    title = "变更资源状态"
    example = keyed(
        "resource-jidongdi-requisitioned",
        resource_id=RESOURCE,
        status="requisitioned",
        on="2026-06-30",
        reason="县政府批准征收用于道路建设",
    )
    resource_id: Id
    status: Annotated[str, Choice(STATUSES, "资源状态")]
    on: Day
    reason: Annotated[str, Note(200, "原因")] = ""


def load(cmd: Any, app: FinanceBase) -> Resource:
    return app.get(cmd.resource_id, Resource, "资源", "resource_id")


def resource_scope(cmd: Any, app: FinanceBase) -> Any:
    return app.village_target(load(cmd, app).village_id)


@changes(load, resource_scope)
def change_resource_status(
    cmd: ChangeResourceStatus, actor: Actor, app: FinanceBase, resource: Resource
) -> dict[str, Any]:
    day = app.not_future(cmd.on, "on")
    resource.change_status(cmd.status, day, cmd.reason, actor.to_dict())
    return {"resource_id": cmd.resource_id, "status": resource.status}


class ResourcesQuery(VillageQuery):
    """A village's resource register (各类资源): each resource's type, name, area (0.01 mu and
    mu), location and status, and for one let under a contract the contract's number, the
    other side (a person by family name only, D8), term and annual rent; the area per type and
    in all."""

    title = "集体资源登记簿"


def resources(cmd: ResourcesQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    app.policy.check("resources", actor, app.village_target(cmd.village_id))
    c_ = t.contracts
    with app.read() as c:
        found = c.execute(
            select(r_table)
            .where(r_table.c.village_id == cmd.village_id)
            .order_by(r_table.c.type, r_table.c.name, r_table.c.id)
        ).all()
        terms = {
            row.number: json.loads(row.terms)
            for row in c.execute(select(c_).where(c_.c.village_id == cmd.village_id))
        }
    rows: list[dict[str, Any]] = []
    by_type: dict[str, int] = {}
    for r in found:
        let = terms.get(r.contract_no) if r.contract_no else None
        rows.append(
            {
                "resource_id": r.id,
                "type": r.type,
                "type_name": TYPES[r.type],
                "name": r.name,
                "area_centimu": r.area_centimu,
                "area_mu": mu(r.area_centimu),
                "location": r.location,
                "status": r.status,
                "status_name": STATUSES[r.status],
                "since": r.since,
                "contract": None if let is None else contract_shown(r.contract_no, let),
            }
        )
        by_type[r.type] = by_type.get(r.type, 0) + r.area_centimu
    return {
        "village_id": cmd.village_id,
        "resources": rows,
        "area_by_type_centimu": by_type,
        "area_centimu": sum(by_type.values()),
    }


def contract_shown(number: str, terms: dict[str, Any]) -> dict[str, Any]:
    """What a register or a disclosure shows of a contract: a person by family name only."""
    party = terms["counterparty"]
    return {
        "number": number,
        "counterparty": mask_name(party) if terms["counterparty_kind"] == "person" else party,
        "term_start": terms["term_start"],
        "term_end": terms["term_end"],
        "annual_rent_fen": terms.get("annual_rent_fen", 0),
    }
