"""Generated from the use-case tables: every use case of every service, sent malformed input
through its real RPC entrypoint, answers with a structured error naming the field, before the
application is touched. No unstructured exception anywhere."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from shequ.actorsig import ActorVerifier
from shequ.errors import ActorRefused, ShequError, ValidationError
from shequ.suite import SUITE
from shequ.usecases import UseCase, UseCases

ACTORS = {
    "system": {"person_id": "system:test", "role": "system"},
    "district_staff": {"person_id": "staff-1", "role": "district_staff"},
}
SOMEWHERE = "3f1c6a7e-0000-5000-8000-000000000005"


def tables() -> Iterator[tuple[str, UseCases, type]]:
    """Every service of the suite, its table and its nameko service class."""
    for service in SUITE:
        table = importlib.import_module(f"{service.name}.usecases").USE_CASES
        module_name, class_name = service.entry.split(":")
        yield service.name, table, getattr(importlib.import_module(module_name), class_name)


CASES = [(s, case, cls) for s, table, cls in tables() for case in table]


class Untouchable:
    """The service instance: the boundary must refuse before the application is reached. Its
    actor check is the platform's (ADR 0031), taking unsigned actors as the test run's services
    do (SHEQU_ALLOW_UNSIGNED_ACTORS=1) unless ``verifying``."""

    def __init__(self, verifying: bool = False) -> None:
        self.actors = ActorVerifier("boundary", None, None, allow_unsigned=not verifying)

    @property
    def app(self) -> Any:
        raise AssertionError("the application was reached with malformed input")

    def trusted_actor(self, actor: Any) -> Any:
        return self.actors.actor(actor)


def actor_for(case: UseCase) -> dict[str, Any]:
    """The caller: system or district staff where the table admits them, else the first role
    it admits (a use case only a village's 民主理财小组 may call), naming the community, household
    and village a scoped role acts for."""
    role = next((r for r in ACTORS if r in case.roles), next(iter(case.roles)))
    scope = {"community_id": SOMEWHERE, "household_id": SOMEWHERE, "village_id": SOMEWHERE}
    return ACTORS.get(role, {"person_id": f"{role}-1", "role": role, **scope})


def send(service_cls: type, case: UseCase, args: dict[str, Any]) -> ShequError:
    entrypoint = getattr(service_cls, case.name)
    with pytest.raises(ShequError) as caught:
        entrypoint(Untouchable(), actor_for(case), **args)
    return caught.value


def malformed(case: UseCase) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(what, arguments, the field the answer must name) for each way to get it wrong."""
    schema = case.schema()
    good = case.example()
    yield "unknown field", {**good, "no_such_field": 1}, "no_such_field"
    for field in schema.get("required", []):
        yield f"missing {field}", {k: v for k, v in good.items() if k != field}, field
    for field, spec in schema.get("properties", {}).items():
        kinds = {s.get("type") for s in spec.get("anyOf", [spec])}
        wrong = {"x": [1]} if kinds & {"string", "array"} else ["not", "this"]
        yield f"wrong type {field}", {**good, field: wrong}, field
        if "string" in kinds and "enum" not in spec and "format" not in spec:
            yield f"control character {field}", {**good, field: "a\x00b"}, field
            yield f"lone surrogate {field}", {**good, field: "a\udc80b"}, field
        if "maxLength" in spec:
            yield f"too long {field}", {**good, field: "长" * (spec["maxLength"] + 1)}, field
        if "maximum" in spec:
            yield f"too large {field}", {**good, field: spec["maximum"] + 1}, field
        if "enum" in spec:
            yield f"not allowed {field}", {**good, field: "no-such-value"}, field


@pytest.mark.parametrize(
    ("service", "case", "service_cls"), CASES, ids=[f"{s}.{c.name}" for s, c, _ in CASES]
)
def test_every_malformed_call_gets_a_structured_error_naming_the_field(
    service: str, case: UseCase, service_cls: type
) -> None:
    fields = case.command.model_fields
    assert case.example() or not fields, f"{service}.{case.name} has no example"
    case.parse(case.example())  # the documented example is itself valid
    for what, args, field in malformed(case):
        error = send(service_cls, case, args)
        assert isinstance(error, ValidationError), (what, error)
        assert error.field is not None and error.field.split("[")[0].split(".")[0] == field, (
            what,
            error.to_dict(),
        )
        assert error.message_zh and error.message_en and error.details.get("rule"), what


@pytest.mark.parametrize(("service", "table", "service_cls"), list(tables()))
def test_every_service_exposes_exactly_its_table_and_refuses_a_call_without_an_actor(
    service: str, table: UseCases, service_cls: type
) -> None:
    assert table.service == service and len(table.cases) > 0
    for case in table:
        entrypoint = getattr(service_cls, case.name)
        assert entrypoint.__doc__ == case.doc, case.name
        with pytest.raises(ValidationError) as caught:
            entrypoint(Untouchable(), **case.example())
        assert caught.value.field == "actor", case.name


@pytest.mark.parametrize(("service", "table", "service_cls"), list(tables()))
def test_every_entrypoint_refuses_an_unsigned_actor_when_verifying(
    service: str, table: UseCases, service_cls: type
) -> None:
    for name in [case.name for case in table] + ["batch"]:
        entrypoint = getattr(service_cls, name)
        args = table[name].example() if name != "batch" else {"commands": [{"command": "x"}]}
        with pytest.raises(ActorRefused) as caught:
            entrypoint(Untouchable(verifying=True), {"person_id": "p", "role": "system"}, **args)
        assert (caught.value.code, caught.value.field) == ("actor.unsigned", "actor"), name
