"""Integration events: versioned contracts with primitive fields, validated at both ends.

A service declares its contracts in its own ``contracts.py``; the relay validates each message
before publishing and the inbox validates it again on receipt. ``asyncapi()`` renders the
whole catalogue into an AsyncAPI 2.6 document for other systems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators

from shequ.errors import ValidationError

PRIMITIVES = {
    "string": {"type": "string"},
    "string?": {"type": ["string", "null"]},
    "integer": {"type": "integer"},
    "integer?": {"type": ["integer", "null"]},
    "boolean": {"type": "boolean"},
    "number": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "date?": {"type": ["string", "null"], "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "strings": {"type": "array", "items": {"type": "string"}},
}


@dataclass(frozen=True, eq=False)
class Contract:
    name: str  # e.g. "registry.person.registered"
    version: int
    fields: dict[str, str]  # field -> a key of PRIMITIVES
    description: str
    example: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": sorted(k for k, v in self.fields.items() if not v.endswith("?")),
            "properties": {k: PRIMITIVES[v] for k, v in self.fields.items()},
        }

    @cached_property
    def _validator(self) -> Any:
        # Checking the schema itself on every call cost a fifth of a busy service's CPU.
        cls = jsonschema.validators.validator_for(self.schema)
        cls.check_schema(self.schema)
        return cls(self.schema)

    def validate(self, data: Any) -> None:
        exc = jsonschema.exceptions.best_match(self._validator.iter_errors(data))
        if exc is not None:
            where = ".".join(str(p) for p in exc.absolute_path) or None
            raise ValidationError(
                f"集成事件 {self.name} v{self.version} 不符合契约：{exc.message}",
                f"integration event {self.name} v{self.version} breaks its contract: {exc.message}",
                where,
                code="contract_violation",
            )


class Interest(Contract):
    """A consumer's own copy of an upstream contract (a tolerant reader): the fields it relies on
    are required and typed, and fields it does not know are accepted, so an upstream may add a
    field to a version without sending every consumer's messages to the dead letters. Renaming
    or removing a field still fails here, naming it."""

    @property
    def schema(self) -> dict[str, Any]:
        return {**super().schema, "additionalProperties": True}


def interests(
    service: str, reader: str, specs: dict[str, dict[str, str]], version: int = 1
) -> dict[str, Contract]:
    """``{"casework.case.opened": Interest(...)}`` for ``InboxSpec.interests``, from
    ``{"case.opened": {field: kind}}``."""
    out: dict[str, Contract] = {}
    for name, fields in specs.items():
        for kind in fields.values():
            if kind not in PRIMITIVES:
                raise ValueError(f"{name}: field kind {kind!r} is not primitive")
        full = f"{service}.{name}"
        out[full] = Interest(full, version, fields, f"read by {reader} from {service}")
    return out


# A translator turns one stored domain event into (contract, data) or None (not published).
Translator = Callable[[Any], "tuple[Contract, dict[str, Any]] | None"]


class Catalogue:
    """All contracts one service publishes, by (name, version)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._contracts: dict[tuple[str, int], Contract] = {}

    def define(
        self,
        name: str,
        version: int,
        fields: dict[str, str],
        description: str,
        example: dict[str, Any] | None = None,
    ) -> Contract:
        for kind in fields.values():
            if kind not in PRIMITIVES:
                raise ValueError(f"{name}: field kind {kind!r} is not primitive")
        contract = Contract(f"{self.service}.{name}", version, fields, description, example or {})
        if example:
            contract.validate(example)
        self._contracts[(contract.name, version)] = contract
        return contract

    def get(self, name: str, version: int) -> Contract:
        try:
            return self._contracts[(name, version)]
        except KeyError:
            raise ValidationError(
                f"未知的集成事件 {name} v{version}",
                f"unknown integration event {name} v{version}",
                "contract",
                code="unknown_contract",
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._contracts.values(), key=lambda c: (c.name, c.version)))


ENVELOPE_FIELDS = (
    "contract",
    "version",
    "service",
    "position",
    "prev",
    "event_id",
    "aggregate_id",
    "aggregate_version",
    "occurred_at",
    "actor",
    "data",
)


def asyncapi(catalogues: list[Catalogue]) -> dict[str, Any]:
    """An AsyncAPI 2.6 document for every contract of the given services."""
    channels: dict[str, Any] = {}
    for cat in catalogues:
        for c in cat:
            channels[f"shequ.{cat.service}.events/{c.name}.v{c.version}"] = {
                "description": f"Exchange `shequ.{cat.service}.events` (topic), routing key "
                f"`{c.name}.v{c.version}`.",
                "subscribe": {
                    "operationId": f"{c.name}.v{c.version}".replace(".", "_"),
                    "message": {
                        "name": c.name,
                        "title": f"{c.name} v{c.version}",
                        "summary": c.description,
                        "contentType": "application/json",
                        "headers": {
                            "type": "object",
                            "properties": {
                                "contract": {"type": "string", "const": c.name},
                                "version": {"type": "integer", "const": c.version},
                            },
                        },
                        "payload": _envelope_schema(c),
                        "examples": [{"payload": {"data": c.example}}] if c.example else [],
                    },
                },
            }
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "Shequ integration events",
            "version": "1",
            "description": "Generated from the contracts in each service's contracts.py "
            "by `shequ asyncapi`. Do not edit by hand.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
    }


def _envelope_schema(c: Contract) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(ENVELOPE_FIELDS),
        "properties": {
            "contract": {"type": "string"},
            "version": {"type": "integer"},
            "service": {"type": "string"},
            "position": {"type": "integer", "description": "notification id in the source log"},
            "prev": {
                "type": ["integer", "null"],
                "description": "position of the previous message published by the source",
            },
            "event_id": {"type": "string"},
            "aggregate_id": {"type": "string"},
            "aggregate_version": {"type": "integer"},
            "occurred_at": {"type": "string"},
            "actor": {"type": "object"},
            "data": c.schema,
        },
    }
