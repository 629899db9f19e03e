"""The HTTP routes, derived from the services' use-case tables (``shequ.suite`` names the
services; each table is ``<service>.usecases.USE_CASES``): nothing here is kept by hand.

Every use case is ``/api/v1/{service}/{use_case}``. A command is a POST whose JSON body is the
command model. A read is a GET whose query parameters are the model's fields, when every field
is a scalar (text, number, boolean, date); a read with a list or an object among its fields
would be a POST with a JSON body instead (none has one today). Either way the arguments are
checked by the same model, with the same error words, as the RPC entrypoint checks them.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from pydantic.json_schema import models_json_schema
from shequ.commands import Command
from shequ.errors import ValidationError
from shequ.suite import SERVICES
from shequ.usecases import UseCase, UseCases

PREFIX = "/api/v1"
SCALARS = {"string", "integer", "number", "boolean", "null"}
REF_TEMPLATE = "#/components/schemas/{model}"


def table(service: str) -> UseCases:
    """``service``'s use-case table, found by name (the gateway imports no service by path)."""
    return importlib.import_module(f"{service}.usecases").USE_CASES  # type: ignore[no-any-return]


def _scalar(spec: Mapping[str, Any]) -> bool:
    if "anyOf" in spec:
        return all(_scalar(s) for s in spec["anyOf"])
    if "$ref" in spec:
        return False
    kind = spec.get("type", "string")
    kinds = kind if isinstance(kind, list) else [kind]
    return all(k in SCALARS for k in kinds)


def _kinds(spec: Mapping[str, Any]) -> set[str]:
    if "anyOf" in spec:
        return set().union(*(_kinds(s) for s in spec["anyOf"]))
    kind = spec.get("type", "string")
    return set(kind if isinstance(kind, list) else [kind])


def _allows_null(spec: Mapping[str, Any]) -> bool:
    if "anyOf" in spec:
        return any(_allows_null(s) for s in spec["anyOf"])
    return "null" in _kinds(spec) or not ({"type", "$ref", "enum", "const"} & spec.keys())


def documented(schema: Any) -> Any:
    """A model's JSON schema as the OpenAPI document shows it: an optional field whose
    default is ``None`` but whose type refuses null (the model fills the default only when
    the field is left out) loses that ``default`` (it would contradict the field's type)."""
    if isinstance(schema, list):
        return [documented(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: documented(v) for k, v in schema.items()}
    if "default" in out and out["default"] is None and not _allows_null(out):
        del out["default"]
    return out


@dataclass(frozen=True)
class Route:
    """One use case as an HTTP operation."""

    service: str
    case: UseCase

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def path(self) -> str:
        return f"{PREFIX}/{self.service}/{self.name}"

    @property
    def model(self) -> type[Command]:
        return self.case.command

    @cached_property
    def schema(self) -> dict[str, Any]:
        return documented(self.case.schema())  # type: ignore[no-any-return]

    @cached_property
    def method(self) -> str:
        """GET for a read of scalar fields only, else POST."""
        if not self.case.reads:
            return "POST"
        schema = self.schema
        flat = "$defs" not in schema and all(
            _scalar(p) for p in schema.get("properties", {}).values()
        )
        return "GET" if flat else "POST"

    @property
    def operation_id(self) -> str:
        return f"{self.service}.{self.name}"

    def query_arguments(self, query: Mapping[str, str], repeated: set[str]) -> dict[str, Any]:
        """A GET's query parameters as the model's arguments: integers and booleans written
        as such in the query become numbers and booleans (anything else stays text, for the
        model to refuse naming the field)."""
        if repeated:
            field = min(repeated)
            raise ValidationError(
                f"参数 {field} 只能出现一次",
                f"query parameter {field!r} may be given once",
                field,
                rule="repeated",
            )
        props = self.schema.get("properties", {})
        args: dict[str, Any] = {}
        for key, text in query.items():
            kinds = _kinds(props.get(key, {}))
            if "integer" in kinds and re.fullmatch(r"[+-]?\d{1,19}", text):
                args[key] = int(text)
            elif "boolean" in kinds and text in ("true", "false"):
                args[key] = text == "true"
            else:
                args[key] = text
        return args

    def parse(self, args: dict[str, Any]) -> dict[str, Any]:
        """The arguments checked by the command model (the suite's ValidationError names the
        field and the rule); what was given, cleaned, to send on."""
        command = self.case.parse(args)
        return command.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def describe(self) -> str:
        roles = ", ".join(f"{role} ({scope})" for role, scope in self.case.roles.items())
        kind = "查询 read" if self.case.reads else "命令 write"
        doc = inspect.cleandoc(self.case.doc)
        return f"{doc}\n\n可调用角色 / roles: {roles}\n\n类型 / kind: {kind}".strip()


def routes() -> Iterator[Route]:
    """Every use case of every service, in the suite's order and each table's order."""
    return iter(_routes())


@cache
def _routes() -> tuple[Route, ...]:
    return tuple(Route(service, case) for service in SERVICES for case in table(service))


@cache
def components() -> tuple[dict[tuple[str, str], str], dict[str, Any]]:
    """The JSON schemas of every route's model under ``#/components/schemas``: a map from
    (service, use case) to the model's ``$ref``, and the schemas themselves."""
    everything = list(routes())
    models = list(dict.fromkeys(r.model for r in everything))
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template=REF_TEMPLATE)
    by_model = {model: ref["$ref"] for (model, _), ref in refs.items()}
    schemas = documented(top.get("$defs", {}))
    return {(r.service, r.name): by_model[r.model] for r in everything}, schemas


def route_table() -> list[tuple[str, str]]:
    """(method, path) of every route the tables call for: what the app must serve."""
    return [(r.method, r.path) for r in routes()]
