"""Use cases: persons, households, archives, and recorded reads of personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict
from uuid import UUID

from shequ.actor import Actor
from shequ.errors import Conflict, ValidationError
from shequ.validation import (
    check_bool,
    check_choice,
    check_date,
    check_id_number,
    check_phone,
    check_uuid,
    optional_text,
    require_text,
)
from sqlalchemy import select

from registry import tables as t
from registry.base import RegistryBase, key_id, today
from registry.domain import Archive, Household, Person, PersonalDataAccess
from registry.domain.archive import RETENTION, SUBJECTS
from registry.domain.common import natural_id
from registry.domain.household import RELATIONS
from registry.domain.person import GENDERS, KINDS

REVEALABLE = ("name", "gender", "id_number", "phone")


class _PersonParams(TypedDict):
    name: str
    gender: str
    id_number: str
    phone: str
    village_id: str | None
    kinds: list[str]
    sample: bool


class _HouseholdParams(TypedDict):
    village_id: str
    head_id: str
    address: str
    since: str | None
    sample: bool


class _MemberParams(TypedDict):
    household_id: str
    person_id: str
    relation: str
    since: str | None


class _ArchiveEntryParams(TypedDict):
    subject_kind: str
    subject_id: str
    entry_date: str
    title: str
    content: str
    retention: str
    corrects: str | None


class _RevealParams(TypedDict):
    person_id: str
    fields: list[str]
    reason: str


class PeopleCommands(RegistryBase):
    """Persons, households, archives."""

    def register_person(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        name: str,
        gender: str,
        id_number: str,
        phone: str,
        village_id: str | None = None,
        kinds: list[str] | None = None,
        sample: bool = False,
    ) -> dict[str, Any]:
        """Register a person. The id does not derive from the ID number (it would leak it)."""
        p: _PersonParams = {
            "name": require_text(name, "name", "姓名", 30),
            "gender": check_choice(gender, "gender", GENDERS, "性别"),
            "id_number": check_id_number(id_number, "id_number"),
            "phone": check_phone(phone, "phone"),
            "village_id": check_uuid(village_id, "village_id") if village_id else None,
            "kinds": sorted(
                {check_choice(k, "kinds", KINDS, "人员类别") for k in (kinds or ["resident"])}
            ),
            "sample": check_bool(sample, "sample"),
        }
        if int(p["id_number"][16]) % 2 != (1 if p["gender"] == "male" else 0):
            raise ValidationError(
                "性别与身份证号不符（第17位奇数为男、偶数为女）",
                "gender does not match the identity number",
                "gender",
                rule="id.gender",
            )

        def decide() -> Any:
            self._refuse_duplicate_id_number(p["id_number"])
            person_id = key_id("person", idempotency_key)
            # The id comes from the idempotency key, not from constructor arguments; the
            # @event __init__ accepts ``id`` at runtime but mypy cannot see it.
            person = Person(
                id=person_id,
                **p,  # type: ignore[call-arg]
                actor=actor.to_dict(),
            )
            return [person], {"person_id": str(person_id)}

        return self.run(
            "register_person",
            idempotency_key,
            actor,
            self.village_target(p["village_id"]),
            p,
            decide,
        )

    def _refuse_duplicate_id_number(self, id_number: str) -> None:
        with self.read() as c:
            found = c.execute(
                select(t.persons.c.id).where(t.persons.c.id_number == id_number)
            ).first()
        if found is not None:
            raise Conflict(
                "该身份证号已登记",
                "a person with this identity number exists",
                "id_number",
                code="already_exists",
            )

    def change_person_phone(
        self, actor: Actor, idempotency_key: str, *, person_id: str, phone: str
    ) -> dict[str, Any]:
        """Record a person's new phone number."""
        p = {"person_id": check_uuid(person_id, "person_id"), "phone": check_phone(phone, "phone")}

        def decide() -> Any:
            person = self.person(p["person_id"])
            person.change_phone(p["phone"], actor.to_dict())
            return [person], {"person_id": p["person_id"]}

        return self.run(
            "change_person_phone",
            idempotency_key,
            actor,
            self.village_target(self.person(p["person_id"]).village_id),
            p,
            decide,
        )

    def record_party_membership(
        self, actor: Actor, idempotency_key: str, *, person_id: str, joined_on: str
    ) -> dict[str, Any]:
        """Record that a person is a party member from ``joined_on``."""
        p = {
            "person_id": check_uuid(person_id, "person_id"),
            "joined_on": check_date(joined_on, "joined_on"),
        }

        def decide() -> Any:
            person = self.person(p["person_id"])
            person.record_party_membership(p["joined_on"], actor.to_dict())
            return [person], {"person_id": p["person_id"]}

        return self.run(
            "record_party_membership",
            idempotency_key,
            actor,
            self.village_target(self.person(p["person_id"]).village_id),
            p,
            decide,
        )

    def register_household(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        village_id: str,
        head_id: str,
        address: str,
        since: str | None = None,
        sample: bool = False,
    ) -> dict[str, Any]:
        """Register a household with its head; ``address`` down to the villager group only."""
        p: _HouseholdParams = {
            "village_id": check_uuid(village_id, "village_id"),
            "head_id": check_uuid(head_id, "head_id"),
            "address": require_text(address, "address", "地址", 100),
            "since": check_date(since, "since") if since else None,
            "sample": check_bool(sample, "sample"),
        }

        def decide() -> Any:
            self.person(p["head_id"], "head_id")
            household_id = natural_id("household", p["head_id"])
            self.ensure_new(household_id, "以此人为户主的户", "head_id")
            # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
            # runtime, but mypy only sees the @event __init__'s parameters.
            household = Household(
                id=household_id,  # type: ignore[call-arg]
                village_id=p["village_id"],
                head_id=p["head_id"],
                address=p["address"],
                since=p["since"] or today(),
                sample=p["sample"],
                actor=actor.to_dict(),
            )
            return [household], {"household_id": str(household_id)}

        return self.run(
            "register_household",
            idempotency_key,
            actor,
            self.village_target(p["village_id"]),
            p,
            decide,
        )

    def add_household_member(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        household_id: str,
        person_id: str,
        relation: str,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Add a person to a household with their relation to the head."""
        p: _MemberParams = {
            "household_id": check_uuid(household_id, "household_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "relation": check_choice(relation, "relation", RELATIONS, "与户主关系"),
            "since": check_date(since, "since") if since else None,
        }

        def decide() -> Any:
            self.person(p["person_id"])
            household = self.household_agg(p["household_id"])
            household.add_member(
                p["person_id"], p["relation"], p["since"] or today(), actor.to_dict()
            )
            return [household], {"household_id": p["household_id"]}

        return self.run(
            "add_household_member",
            idempotency_key,
            actor,
            self.household_target(p["household_id"]),
            p,
            decide,
        )

    def remove_household_member(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        household_id: str,
        person_id: str,
        until: str,
        reason: str,
    ) -> dict[str, Any]:
        """Remove a member from a household (death, marriage out, moving away)."""
        p = {
            "household_id": check_uuid(household_id, "household_id"),
            "person_id": check_uuid(person_id, "person_id"),
            "until": check_date(until, "until"),
            "reason": require_text(reason, "reason", "原因", 200),
        }

        def decide() -> Any:
            household = self.household_agg(p["household_id"])
            household.remove_member(p["person_id"], p["until"], p["reason"], actor.to_dict())
            return [household], {"household_id": p["household_id"]}

        return self.run(
            "remove_household_member",
            idempotency_key,
            actor,
            self.household_target(p["household_id"]),
            p,
            decide,
        )

    def record_archive_entry(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        subject_kind: str,
        subject_id: str,
        entry_date: str,
        title: str,
        content: str,
        retention: str,
        corrects: str | None = None,
    ) -> dict[str, Any]:
        """File a dated entry in a village's or resident's archive (opened on first entry)."""
        p: _ArchiveEntryParams = {
            "subject_kind": check_choice(subject_kind, "subject_kind", SUBJECTS, "档案类别"),
            "subject_id": check_uuid(subject_id, "subject_id"),
            "entry_date": check_date(entry_date, "entry_date"),
            "title": require_text(title, "title", "标题", 200),
            "content": optional_text(content, "content", "内容", 5000),
            "retention": check_choice(retention, "retention", RETENTION, "保管期限"),
            "corrects": check_uuid(corrects, "corrects") if corrects else None,
        }
        community_id = self._subject_community(p["subject_kind"], p["subject_id"])

        def decide() -> Any:
            archive_id = Archive.create_id(p["subject_kind"], p["subject_id"])
            archive = self._archive(archive_id, p, community_id, actor)
            entry_id = str(key_id("archive-entry", idempotency_key))
            archive.record_entry(
                entry_id,
                p["entry_date"],
                p["title"],
                p["content"],
                p["retention"],
                p["corrects"],
                actor.to_dict(),
            )
            return [archive], {"archive_id": str(archive_id), "entry_id": entry_id}

        return self.run(
            "record_archive_entry",
            idempotency_key,
            actor,
            self.community_target(community_id),
            p,
            decide,
        )

    def _archive(
        self, archive_id: UUID, p: _ArchiveEntryParams, community_id: str | None, actor: Actor
    ) -> Archive:
        if self.exists(archive_id):
            return self.repository.get(archive_id)  # type: ignore[no-any-return]
        # Explicit id: the class's ``id`` annotation makes eventsourcing take it at
        # runtime, but mypy only sees the @event __init__'s parameters.
        return Archive(
            id=archive_id,
            subject_kind=p["subject_kind"],  # type: ignore[call-arg]
            subject_id=p["subject_id"],
            community_id=community_id,
            actor=actor.to_dict(),
        )

    def _subject_community(self, subject_kind: str, subject_id: str) -> str | None:
        if subject_kind == "village":
            return self.village(subject_id, "subject_id").community_id
        village_id = self.person(subject_id, "subject_id").village_id
        return self.village(village_id).community_id if village_id else None

    def reveal_personal_data(
        self, actor: Actor, idempotency_key: str, *, person_id: str, fields: list[str], reason: str
    ) -> dict[str, Any]:
        """Return unmasked personal data to staff, recording the read (PersonalDataRead).

        The unmasked values are not kept in the idempotency record: they are read afresh.
        """
        p: _RevealParams = {
            "person_id": check_uuid(person_id, "person_id"),
            "fields": sorted(
                {check_choice(f, "fields", REVEALABLE, "字段") for f in (fields or [])}
            ),
            "reason": require_text(reason, "reason", "查看理由", 200),
        }
        if not p["fields"]:
            raise ValidationError("须列出要查看的字段", "name at least one field", "fields")
        person = self.person(p["person_id"])

        def decide() -> Any:
            read_id = key_id("personal-data-read", idempotency_key)
            read = PersonalDataAccess.record(
                read_id,
                p["person_id"],
                p["fields"],
                p["reason"],
                dt.datetime.now(dt.UTC).isoformat(),
                actor.to_dict(),
            )
            return [read], {"read_id": str(read_id), "person_id": p["person_id"]}

        result = self.run(
            "reveal_personal_data",
            idempotency_key,
            actor,
            self.village_target(person.village_id),
            p,
            decide,
        )
        return {**result, "values": {f: getattr(person, f) for f in p["fields"]}}
