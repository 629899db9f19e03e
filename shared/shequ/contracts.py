"""Integration events: versioned contracts with primitive fields, validated at both ends.

A service declares the contracts it publishes in its ``contracts.toml`` (package data, read by
``Catalogue.declared``), each with the domain event it is translated from; its ``contracts.py``
builds the data of those whose fields are not plain attributes. ``Catalogue.translate`` turns a stored
domain event into ``(contract, data)`` for the relay, which validates each message before
publishing. A consumer declares its copies of the upstream contracts it reads in its own
``interests.py`` (``interests``); the inbox validates each message again on receipt.
``asyncapi()`` renders the whole catalogue into an AsyncAPI 2.6 document for other systems.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any
from uuid import UUID

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
# Builds a contract's data from one domain event (when its fields are not plain attributes).
Build = Callable[[Any], dict[str, Any]]


def primitive(value: Any) -> Any:
    """A domain value as it travels: ids as text, a mapping of keys to labels as its keys,
    sequences as lists of such values; anything else as it is."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, (list, tuple)):
        return [primitive(v) for v in value]
    return value


def attributes(event: Any, contract: Contract, id_field: str | None = None) -> dict[str, Any]:
    """The contract's fields read from the event's attributes of the same names (missing ones
    as None); ``id_field``, if given, holds the event's aggregate id."""
    return {
        name: str(event.originator_id)
        if name == id_field
        else primitive(getattr(event, name, None))
        for name in contract.fields
    }


def qualname(event: Any) -> str:
    """``Aggregate.Event``: the name a domain event is routed by."""
    return type(event).__qualname__


@dataclass(frozen=True)
class Route:
    """How one domain event becomes one integration event."""

    contract: Contract
    id_field: str | None = None
    build: Build | None = None

    def data(self, event: Any) -> dict[str, Any]:
        if self.build is not None:
            return self.build(event)
        return attributes(event, self.contract, self.id_field)


# The data file in each service's package that declares the contracts it publishes.
DECLARATIONS = "contracts.toml"
_DECLARATION_KEYS = {"event", "name", "version", "id_field", "description", "fields", "example"}


class Catalogue:
    """All contracts one service publishes, by (name, version), and the domain events they are
    translated from (by ``Aggregate.Event``, the event class's qualified name).
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self.contracts: dict[tuple[str, int], Contract] = {}
        self.routes: dict[str, Route] = {}

    def define(
        self,
        name: str,
        version: int,
        fields: dict[str, str],
        description: str,
        example: dict[str, Any] | None = None,
    ) -> Contract:
        """A contract published by hand (not translated from a domain event)."""
        for kind in fields.values():
            if kind not in PRIMITIVES:
                raise ValueError(f"{name}: field kind {kind!r} is not primitive")
        contract = Contract(f"{self.service}.{name}", version, fields, description, example or {})
        if example:
            contract.validate(example)
        self.contracts[(contract.name, version)] = contract
        return contract

    def publish(
        self,
        event: str,
        name: str,
        fields: dict[str, str],
        description: str,
        example: dict[str, Any],
        *,
        id_field: str | None = None,
        build: Build | None = None,
        version: int = 1,
    ) -> Contract:
        """Declare a contract and the domain event (``Aggregate.Event``) it is published for.

        Its data is ``build(event)`` if given, else the event's attributes named as the fields
        (``id_field`` holding the aggregate id), made primitive."""
        if event in self.routes:
            raise ValueError(f"{self.service}: {event} is already published")
        contract = self.define(name, version, fields, description, example)
        self.routes[event] = Route(contract, id_field, build)
        return contract

    @classmethod
    def declared(cls, service: str, builds: Mapping[str, Build] | None = None) -> Catalogue:
        """The catalogue declared in the ``contracts.toml`` of the package named ``service``;
        ``builds`` gives the data of the domain events (``Aggregate.Event``) whose contract's
        fields are not plain attributes."""
        text = resources.files(service).joinpath(DECLARATIONS).read_text(encoding="utf-8")
        return cls.from_toml(service, text, builds)

    @classmethod
    def from_toml(
        cls, service: str, text: str, builds: Mapping[str, Build] | None = None
    ) -> Catalogue:
        """A catalogue from the text of a ``contracts.toml``: one ``[[contract]]`` table each
        (``event``, ``name``, optional ``version`` and ``id_field``, ``description``, ``fields``,
        ``example``), declared in order. An optional field left out of the example is null (TOML
        has no null). A build for an event the text does not declare is an error."""
        catalogue = cls(service)
        builds = dict(builds or {})
        for entry in tomllib.loads(text).get("contract", []):
            unknown = set(entry) - _DECLARATION_KEYS
            if unknown:
                raise ValueError(f"{service}: {entry.get('event')}: unknown keys {sorted(unknown)}")
            fields: dict[str, str] = entry["fields"]
            written: dict[str, Any] = entry.get("example", {})
            example = {
                name: written.get(name)
                for name, kind in fields.items()
                if name in written or kind.endswith("?")
            }
            catalogue.publish(
                entry["event"],
                entry["name"],
                fields,
                entry["description"],
                {**example, **written} if written else {},
                id_field=entry.get("id_field"),
                build=builds.pop(entry["event"], None),
                version=entry.get("version", 1),
            )
        if builds:
            raise ValueError(f"{service}: builds for undeclared events {sorted(builds)}")
        return catalogue

    def translate(self, domain_event: Any) -> tuple[Contract, dict[str, Any]] | None:
        """The integration event for a stored domain event, or None if it is not published."""
        route = self.routes.get(qualname(domain_event))
        if route is None:
            return None
        return route.contract, route.data(domain_event)

    def get(self, name: str, version: int) -> Contract:
        try:
            return self.contracts[(name, version)]
        except KeyError:
            raise ValidationError(
                f"未知的集成事件 {name} v{version}",
                f"unknown integration event {name} v{version}",
                "contract",
                code="unknown_contract",
            ) from None

    def __iter__(self) -> Iterator[Contract]:
        return iter(sorted(self.contracts.values(), key=lambda c: (c.name, c.version)))


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
            "description": "Generated from the contracts in each service's contracts.toml "
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
