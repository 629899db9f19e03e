"""Use cases of persons (人员): registering, phone and party membership, recorded reveals of
their personal data, and a person's dated history."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Command, Day, Flag, Id, IdNumber, Keyed, Phone, Text, keyed
from shequ.errors import Conflict, ValidationError
from shequ.handlers import changes, create
from shequ.readlog import Purpose, sight
from sqlalchemy import select

from registry import masking
from registry import tables as t
from registry.base import RegistryBase
from registry.domain import Person, PersonalDataAccess
from registry.domain.common import key_id
from registry.domain.person import GENDERS, KINDS
from registry.examples import PERSON, VILLAGE
from registry.history import AS_PERSON, changes_shown, person_changes

REVEALABLE = ("name", "gender", "id_number", "phone")


class RegisterPerson(Keyed):
    """Register a person; the id does not derive from the ID number (it would leak it)."""

    title = "人员登记"
    example = keyed(
        "person-2024-000123",
        name="王示例",
        gender="male",
        id_number="370785198003151237",
        phone="13800000001",
        village_id=VILLAGE,
        kinds=["resident", "party_member"],
    )
    name: Annotated[str, Text(30, "姓名")]
    gender: Annotated[str, Choice(GENDERS, "性别")]
    id_number: IdNumber
    phone: Phone
    village_id: Id | None = None
    kinds: list[Annotated[str, Choice(KINDS, "人员类别")]] = Field(
        default_factory=lambda: ["resident"]
    )
    sample: Flag = False

    @field_validator("kinds")
    @classmethod
    def _once_each(cls, kinds: list[str]) -> list[str]:
        return sorted(set(kinds or ["resident"]))


def register_person(cmd: RegisterPerson, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """Register a person. The id does not derive from the ID number (it would leak it)."""
    if int(cmd.id_number[16]) % 2 != (1 if cmd.gender == "male" else 0):
        raise ValidationError(
            "性别与身份证号不符（第17位奇数为男、偶数为女）",
            "gender does not match the identity number",
            "gender",
            rule="id.gender",
        )

    def decide() -> Any:
        _refuse_duplicate_id_number(app, cmd.id_number)
        person_id = key_id("person", cmd.idempotency_key)
        person = create(Person, person_id, cmd, actor)
        return [person], {"person_id": str(person_id)}

    target = app.village_target(cmd.village_id)
    return app.run("register_person", cmd.idempotency_key, actor, target, cmd.payload(), decide)


def _refuse_duplicate_id_number(app: RegistryBase, id_number: str) -> None:
    with app.read() as c:
        found = c.execute(select(t.persons.c.id).where(t.persons.c.id_number == id_number)).first()
    if found is not None:
        raise Conflict(
            "该身份证号已登记",
            "a person with this identity number exists",
            "id_number",
            code="already_exists",
        )


class PersonCommand(Keyed):
    """A command about one registered person."""

    person_id: Id


def _person(cmd: PersonCommand, app: RegistryBase) -> Person:
    return app.get(cmd.person_id, Person, "人员", "person_id")


def _persons_village(cmd: PersonCommand, app: RegistryBase) -> Target:
    """The scope of the command's person: their village's."""
    return app.village_target(_person(cmd, app).village_id)


class ChangePersonPhone(PersonCommand):
    """Record a person's new phone number."""

    title = "变更联系电话"
    example = keyed("phone-2025-000123", person_id=PERSON, phone="13800000002")
    phone: Phone


@changes(_person, _persons_village)
def change_person_phone(
    cmd: ChangePersonPhone, actor: Actor, app: RegistryBase, person: Person
) -> dict[str, Any]:
    person.change_phone(cmd.phone, actor.to_dict())
    return {"person_id": cmd.person_id}


class RecordPartyMembership(PersonCommand):
    """Record that a person is a party member from a date."""

    title = "登记党员身份（入党）"
    example = keyed("party-2024-000123", person_id=PERSON, joined_on="2010-07-01")
    joined_on: Day


@changes(_person, _persons_village)
def record_party_membership(
    cmd: RecordPartyMembership, actor: Actor, app: RegistryBase, person: Person
) -> dict[str, Any]:
    """Record that a person is a party member from ``joined_on``."""
    person.record_party_membership(cmd.joined_on, actor.to_dict())
    return {"person_id": cmd.person_id}


class RevealPersonalData(PersonCommand):
    """Show staff a person's personal data unmasked, recording the read and its reason."""

    title = "查看个人信息（明文）"
    example = keyed(
        "reveal-2025-000001", person_id=PERSON, fields=["id_number", "phone"], reason="核实低保申请"
    )
    fields: list[Annotated[str, Choice(REVEALABLE, "字段")]]
    reason: Annotated[str, Text(200, "查看理由")]

    @field_validator("fields")
    @classmethod
    def _once_each(cls, fields: list[str]) -> list[str]:
        return sorted(set(fields))


def reveal_personal_data(
    cmd: RevealPersonalData, actor: Actor, app: RegistryBase
) -> dict[str, Any]:
    """Return unmasked personal data to staff, recording the read (PersonalDataRead).

    The unmasked values are not kept in the idempotency record: they are read afresh.
    """
    if not cmd.fields:
        raise ValidationError("须列出要查看的字段", "name at least one field", "fields")
    person = _person(cmd, app)

    def decide() -> Any:
        read_id = key_id("personal-data-read", cmd.idempotency_key)
        read = PersonalDataAccess.record(
            read_id,
            cmd.person_id,
            cmd.fields,
            cmd.reason,
            app.clock.now().isoformat(),
            actor.to_dict(),
        )
        return [read], {"read_id": str(read_id), "person_id": cmd.person_id}

    target = app.village_target(person.village_id)
    result = app.run(
        "reveal_personal_data", cmd.idempotency_key, actor, target, cmd.payload(), decide
    )
    return {**result, "values": {f: getattr(person, f) for f in cmd.fields}}


class PersonHistory(Command):
    """Every dated change of a person, oldest first."""

    title = "人员变动记录"
    example: ClassVar[dict[str, Any]] = {"person_id": PERSON}
    person_id: Id
    purpose: Purpose = None


def person_history(cmd: PersonHistory, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """Every dated change of a person, oldest first: registered, households joined and
    left, phone changes, party membership. Name, phones and addresses are masked unless
    the reader is on the person's community team or staff giving a ``purpose`` (recorded).

    Example: ``{"person_id": "3f1c6a7e-0000-5000-8000-000000000002"}``"""
    person_id = cmd.person_id
    person = app.get(person_id, Person, "人员", "person_id")
    app.policy.check("person_history", actor, app.village_target(person.village_id))
    seen = sight(
        actor, cmd.purpose, duty=masking.TEAM_DUTY if actor.role == "team_member" else None
    )
    changes = changes_shown(
        app,
        actor,
        "person_history",
        person_id,
        seen,
        lambda c: person_changes(c, person_id),
        _as_person,
    )
    return {
        "person_id": person_id,
        "name": masking.name(seen, person.name),
        "changes": changes,
    }


def _as_person(row: Any) -> str:
    if row["household_id"] is None:
        return str(row["change"])
    return "joined_household" if row["change"] == "registered" else AS_PERSON[row["change"]]
