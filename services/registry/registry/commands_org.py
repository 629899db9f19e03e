"""Use cases: district, leadership, organs and cadres, communities, villages."""

from __future__ import annotations

from typing import Any, TypedDict

from shequ.actor import Actor
from shequ.auth import Target
from shequ.validation import check_bool, check_choice, check_date, check_uuid, require_text

from registry.base import RegistryBase, today
from registry.domain import Community, District, Village
from registry.domain.common import natural_id
from registry.domain.district import ORGAN_KINDS


class _LeaderParams(TypedDict):
    person_id: str
    title: str
    since: str | None


class _CadreParams(TypedDict):
    person_id: str
    organ_id: str
    community_id: str | None
    since: str | None


class _VillageParams(TypedDict):
    community_id: str
    name: str
    sample: bool
    registered_on: str | None


class OrganisationCommands(RegistryBase):
    """The district and its communities and villages."""

    def establish_district(
        self, actor: Actor, idempotency_key: str, *, name: str
    ) -> dict[str, Any]:
        """Set up the one district. Example: ``name="胶河经济区"``."""
        p = {"name": require_text(name, "name", "区名称", 50)}

        def decide() -> Any:
            district_id = natural_id("district")
            self.ensure_new(district_id, "区", "name")
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            district = District(
                id=district_id,
                name=p["name"],  # type: ignore[call-arg]
                actor=actor.to_dict(),
            )
            return [district], {"district_id": str(district_id)}

        return self.run("establish_district", idempotency_key, actor, Target(), p, decide)

    def appoint_district_leader(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        person_id: str,
        title: str,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Add a person to the district leadership team (区工管委领导班子)."""
        p: _LeaderParams = {
            "person_id": check_uuid(person_id, "person_id"),
            "title": require_text(title, "title", "职务", 50),
            "since": check_date(since, "since") if since else None,
        }

        def decide() -> Any:
            self.person(p["person_id"])
            district = self.district()
            district.appoint_leader(
                p["person_id"], p["title"], p["since"] or today(), actor.to_dict()
            )
            return [district], {"person_id": p["person_id"]}

        return self.run("appoint_district_leader", idempotency_key, actor, Target(), p, decide)

    def end_district_leadership(
        self, actor: Actor, idempotency_key: str, *, person_id: str, until: str
    ) -> dict[str, Any]:
        """End a person's membership of the district leadership team."""
        p = {"person_id": check_uuid(person_id, "person_id"), "until": check_date(until, "until")}

        def decide() -> Any:
            district = self.district()
            district.end_leadership(p["person_id"], p["until"], actor.to_dict())
            return [district], {"person_id": p["person_id"]}

        return self.run("end_district_leadership", idempotency_key, actor, Target(), p, decide)

    def establish_organ(
        self, actor: Actor, idempotency_key: str, *, name: str, kind: str
    ) -> dict[str, Any]:
        """Add a district organ: ``kind`` is department (区直部门) or station (站所)."""
        p = {
            "name": require_text(name, "name", "机构名称", 100),
            "kind": check_choice(kind, "kind", ORGAN_KINDS, "机构类型"),
        }

        def decide() -> Any:
            organ_id = str(natural_id("organ", p["name"]))
            district = self.district()
            district.establish_organ(organ_id, p["name"], p["kind"], actor.to_dict())
            return [district], {"organ_id": organ_id}

        return self.run("establish_organ", idempotency_key, actor, Target(), p, decide)

    def assign_cadre(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        person_id: str,
        organ_id: str,
        community_id: str | None = None,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Record a person as a cadre of an organ, assigned down to a community if given."""
        p: _CadreParams = {
            "person_id": check_uuid(person_id, "person_id"),
            "organ_id": check_uuid(organ_id, "organ_id"),
            "community_id": check_uuid(community_id, "community_id") if community_id else None,
            "since": check_date(since, "since") if since else None,
        }

        def decide() -> Any:
            self.person(p["person_id"])
            if p["community_id"]:
                self.community(p["community_id"], "community_id")
            district = self.district()
            district.assign_cadre(
                p["person_id"],
                p["organ_id"],
                p["community_id"],
                p["since"] or today(),
                actor.to_dict(),
            )
            return [district], {"person_id": p["person_id"]}

        return self.run("assign_cadre", idempotency_key, actor, Target(), p, decide)

    def release_cadre(
        self, actor: Actor, idempotency_key: str, *, person_id: str, until: str
    ) -> dict[str, Any]:
        """End a person's cadre status."""
        p = {"person_id": check_uuid(person_id, "person_id"), "until": check_date(until, "until")}

        def decide() -> Any:
            district = self.district()
            district.release_cadre(p["person_id"], p["until"], actor.to_dict())
            return [district], {"person_id": p["person_id"]}

        return self.run("release_cadre", idempotency_key, actor, Target(), p, decide)

    def establish_community(
        self, actor: Actor, idempotency_key: str, *, name: str, name_en: str
    ) -> dict[str, Any]:
        """Set up a community. Example: ``name="立柱", name_en="Lizhu"``."""
        p = {
            "name": require_text(name, "name", "社区名称", 50),
            "name_en": require_text(name_en, "name_en", "社区英文名", 50),
        }

        def decide() -> Any:
            community_id = Community.create_id(p["name"])
            self.ensure_new(community_id, "社区", "name")
            district = self.district()
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            community = Community(
                id=community_id,
                name=p["name"],  # type: ignore[call-arg]
                name_en=p["name_en"],
                district_id=str(district.id),
                actor=actor.to_dict(),
            )
            return [community], {"community_id": str(community_id)}

        return self.run("establish_community", idempotency_key, actor, Target(), p, decide)

    def register_village(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        community_id: str,
        name: str,
        sample: bool = False,
        registered_on: str | None = None,
    ) -> dict[str, Any]:
        """Register a village in a community. Example: ``name="东王家村（示例）"``."""
        p: _VillageParams = {
            "community_id": check_uuid(community_id, "community_id"),
            "name": require_text(name, "name", "村名", 50),
            "sample": check_bool(sample, "sample"),
            "registered_on": check_date(registered_on, "registered_on") if registered_on else None,
        }

        def decide() -> Any:
            self.community(p["community_id"], "community_id")
            village_id = Village.create_id(p["name"])
            self.ensure_new(village_id, "村", "name")
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            village = Village(
                id=village_id,
                name=p["name"],  # type: ignore[call-arg]
                community_id=p["community_id"],
                registered_on=p["registered_on"] or today(),
                sample=p["sample"],
                actor=actor.to_dict(),
            )
            return [village], {"village_id": str(village_id)}

        return self.run(
            "register_village",
            idempotency_key,
            actor,
            Target(community_id=p["community_id"]),
            p,
            decide,
        )

    def move_village(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        village_id: str,
        to_community_id: str,
        effective_date: str,
    ) -> dict[str, Any]:
        """Move a village to another community from ``effective_date`` (a dated event)."""
        p = {
            "village_id": check_uuid(village_id, "village_id"),
            "to_community_id": check_uuid(to_community_id, "to_community_id"),
            "effective_date": check_date(effective_date, "effective_date"),
        }

        def decide() -> Any:
            self.community(p["to_community_id"], "to_community_id")
            village = self.village(p["village_id"])
            village.move(p["to_community_id"], p["effective_date"], actor.to_dict())
            return [village], {"village_id": p["village_id"]}

        return self.run("move_village", idempotency_key, actor, Target(), p, decide)
