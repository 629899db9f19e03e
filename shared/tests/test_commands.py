"""Typed commands and the use-case table: what the boundary refuses, and how it says so."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import pytest
from pydantic import Field
from shequ.actor import Actor
from shequ.commands import Choice, Count, Day, Flag, Id, Keyed, Note, Text, parse
from shequ.errors import Forbidden, ValidationError
from shequ.usecases import UseCase, UseCases

VILLAGE = "6f1c2a8e-1b2c-4d3e-8f00-000000000001"
STAFF = Actor(person_id="p-1", role="district_staff")


class RegisterThing(Keyed):
    """Register a thing in a village."""

    title = "登记事物"
    example: ClassVar[dict[str, Any]] = {
        "idempotency_key": "thing-0001",
        "village_id": VILLAGE,
        "name": "水井",
    }
    village_id: Id
    name: Annotated[str, Text(5, "名称")]
    remark: Annotated[str, Note(10)] = ""
    size: Annotated[int, Count(1, 9, "规模")] = 1
    kind: Annotated[str, Choice(("well", "road"), "类别")] = "well"
    tone: Literal["calm", "loud"] = "calm"
    since: Day | None = None
    public: Flag = False
    tags: list[Annotated[str, Text(3)]] = Field(default_factory=list)


def register_thing(cmd: RegisterThing, actor: Actor, app: Any) -> dict[str, Any]:
    """Register a thing (the handler of the test table)."""
    app.append((cmd, actor))
    return {"name": cmd.name}


TABLE = UseCases(
    "things", UseCase(RegisterThing, register_thing, {"district_staff": "all", "system": "all"})
)
GOOD = {"idempotency_key": "thing-0001", "village_id": VILLAGE, "name": " 水井 "}


def refusal(**changes: Any) -> dict[str, Any]:
    args = {**GOOD, **changes}
    args = {k: v for k, v in args.items() if v is not ...}
    with pytest.raises(ValidationError) as caught:
        parse(RegisterThing, "register_thing", args)
    return {"field": caught.value.field, "rule": caught.value.details["rule"]}


def test_a_good_command_is_cleaned_as_the_checkers_clean_it() -> None:
    cmd = parse(RegisterThing, "register_thing", {**GOOD, "since": "2026-01-05", "remark": None})
    assert (cmd.name, cmd.remark, cmd.since, cmd.size) == ("水井", "", "2026-01-05", 1)
    assert cmd.payload() == {k: v for k, v in cmd.model_dump().items() if k != "idempotency_key"}


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"name": ...}, "name", "required"),
        ({"idempotency_key": ...}, "idempotency_key", "required"),
        ({"idempotency_key": "t-1"}, "idempotency_key", "text.too_short"),
        ({"colour": "red"}, "colour", "unknown_argument"),
        ({"name": 5}, "name", "type.text"),
        ({"name": "  "}, "name", "text.required"),
        ({"name": "长长长长长长"}, "name", "text.too_long"),
        ({"name": "a\x00b"}, "name", "control_character"),
        ({"name": "a\ud800"}, "name", "invalid_unicode"),
        ({"village_id": "v-1"}, "village_id", "id.uuid"),
        ({"village_id": 7}, "village_id", "type.text"),
        ({"size": 10}, "size", "int.range"),
        ({"size": True}, "size", "int.range"),
        ({"size": "3"}, "size", "int.range"),
        ({"kind": "river"}, "kind", "choice"),
        ({"tone": "shout"}, "tone", "choice"),
        ({"since": "2026-02-30"}, "since", "date.format"),
        ({"public": 1}, "public", "bool"),
        ({"tags": "ab"}, "tags", "type.list"),
        ({"tags": ["abcd"]}, "tags[0]", "text.too_long"),
    ],
)
def test_each_broken_rule_is_named_with_its_field(changes: Any, field: str, rule: str) -> None:
    assert refusal(**changes) == {"field": field, "rule": rule}


def test_refusals_speak_chinese_first_and_english_and_never_echo_the_character() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(RegisterThing, "register_thing", {**GOOD, "name": "a\x07"})
    said = caught.value.to_dict()
    assert said["code"] == "invalid" and "控制字符" in said["message"]
    assert "control character" in said["message_en"] and "\x07" not in str(said)


def test_the_table_runs_the_handler_after_role_and_model_checks() -> None:
    seen: list[Any] = []
    assert TABLE.call(seen, "register_thing", STAFF, **GOOD) == {"name": "水井"}
    assert seen[0][0].name == "水井"
    resident = Actor(person_id="r-1", role="resident", household_id="h-1")
    with pytest.raises(Forbidden):
        TABLE.call(seen, "register_thing", resident, **GOOD)
    with pytest.raises(ValidationError):
        TABLE.call(seen, "register_thing", STAFF, **{**GOOD, "size": 0})
    assert len(seen) == 1  # nothing ran for the refused calls
    bound = TABLE.bind(seen)
    assert bound.register_thing(STAFF, "thing-0002", village_id=VILLAGE, name="路") == {
        "name": "路"
    }
    assert bound.count(None) == 0  # other attributes are the application's own


def test_help_and_readme_table_come_from_the_model() -> None:
    help_text = TABLE.describe("register_thing")
    for part in ("登记事物", "district_staff (all)", "name: string", "max length 5", "≤ 9"):
        assert part in help_text
    assert "one of well|road" in help_text and '"水井"' in help_text
    assert "register_thing" in TABLE.summary()
    row = TABLE.markdown().splitlines()[2]
    assert row.startswith("| `register_thing` | 登记事物 | write |") and "`remark`?" in row
    schema = RegisterThing.model_json_schema()
    assert schema["additionalProperties"] is False and schema["examples"][0]["name"] == "水井"
    assert schema["properties"]["name"]["maxLength"] == 5


def test_a_table_refuses_a_use_case_listed_twice_and_auditors_that_write() -> None:
    case = UseCase(RegisterThing, register_thing, {"district_staff": "all"})
    with pytest.raises(ValueError, match="twice"):
        UseCases("things", case, case)
    with pytest.raises(ValueError, match="read-only"):
        UseCases("things", UseCase(RegisterThing, register_thing, {"auditor": "all"}))


def test_bound_positional_arguments_fill_the_fields_in_order() -> None:
    seen: list[Any] = []
    bound = TABLE.bind(seen)
    assert bound.register_thing(STAFF, "thing-0003", VILLAGE, "井") == {"name": "井"}
    assert (seen[0][0].idempotency_key, seen[0][0].village_id) == ("thing-0003", VILLAGE)
    with pytest.raises(TypeError, match="twice"):
        bound.register_thing(
            STAFF, "thing-0004", village_id=VILLAGE, idempotency_key="thing-0005", name="路"
        )
    with pytest.raises(TypeError, match="positional"):
        bound.register_thing(STAFF, *["x"] * 20)
