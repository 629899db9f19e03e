"""One table per service: every use case with its command model, handler and permission.

A use case is a typed command (``shequ.commands``), a plain handler
``(command, actor, app) -> result`` that loads, asks the aggregate to decide and saves, and a
permission rule: the roles allowed and the scope each is held to (``shequ.auth``), and whether
it only reads. From the table come the RPC entrypoints (``shequ.rpc.expose``), the authorisation
policy the application checks, the README's method table, ``shequ call SERVICE --help`` and,
in the gateway, the HTTP routes and the OpenAPI document.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shequ.actor import Actor
from shequ.auth import ROLE_ZH, Policy, Rule
from shequ.commands import Command, parse
from shequ.validation import check_characters

Handler = Callable[[Any, Actor, Any], Any]


@dataclass(frozen=True)
class UseCase:
    """One row of a service's table."""

    command: type[Command]
    handler: Handler
    roles: Mapping[str, str]
    reads: bool = False

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def title(self) -> str:
        return self.command.title

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.handler.__doc__ or self.command.__doc__ or "")

    def parse(self, args: dict[str, Any]) -> Command:
        return parse(self.command, self.name, args)

    def example(self) -> dict[str, Any]:
        return dict(self.command.example)

    def schema(self) -> dict[str, Any]:
        return self.command.model_json_schema()


class UseCases:
    """A service's table of use cases, in the order they are documented."""

    def __init__(self, service: str, *cases: UseCase) -> None:
        self.service = service
        self.cases: dict[str, UseCase] = {}
        for case in cases:
            if case.name in self.cases:
                raise ValueError(f"{service}.{case.name} is listed twice")
            self.cases[case.name] = case
        self.policy = Policy(
            service, {c.name: Rule(roles=dict(c.roles), reads=c.reads) for c in cases}
        )

    def __iter__(self) -> Iterator[UseCase]:
        return iter(self.cases.values())

    def __getitem__(self, name: str) -> UseCase:
        return self.cases[name]

    def __contains__(self, name: object) -> bool:
        return name in self.cases

    def call(self, app: Any, use_case: str, actor: Actor, /, **args: Any) -> Any:
        """Run a use case in process, through the same checks as its RPC entrypoint."""
        case = self.cases[use_case]
        check_characters(args)
        self.policy.check_role(use_case, actor)
        return case.handler(case.parse(args), actor, app)

    def bind(self, app: Any) -> Bound:
        """The application with its use cases as methods: ``bound.register_village(actor,
        "key-1", community_id=..., name=...)``: for the seed, the demo and tests."""
        return Bound(self, app)

    def describe(self, name: str) -> str:
        """``shequ call SERVICE METHOD --help``: what it does, who may call, its fields."""
        case = self.cases[name]
        schema = case.schema()
        required = set(schema.get("required", []))
        lines = [f"{self.service}.{name} — {case.title}", "", case.doc, ""]
        lines.append("可调用角色 / roles: " + ", ".join(_roles(case.roles)))
        lines.append("类型 / kind: " + ("查询 read" if case.reads else "命令 write"))
        lines += ["", "字段 / fields:"]
        for field, spec in schema.get("properties", {}).items():
            need = "必填 required" if field in required else "可选 optional"
            lines.append(f"  {field}: {_type_of(spec)}  ({need}){_bounds(spec)}")
        example = case.example()
        if example:
            lines += ["", "示例 / example:", "  " + json.dumps(example, ensure_ascii=False)]
        return "\n".join(lines)

    def summary(self) -> str:
        """``shequ call SERVICE --help``: one line per use case."""
        width = max(len(n) for n in self.cases)
        rows = [f"{self.service}: {len(self.cases)} use cases", ""]
        for case in self:
            kind = "read " if case.reads else "write"
            rows.append(f"  {case.name:<{width}}  {kind}  {case.title}")
        return "\n".join(rows)

    def markdown(self) -> str:
        """The README's method table, generated so that it cannot drift from the code."""
        rows = [
            "| method | 用途 | kind | roles (scope) | fields |",
            "|---|---|---|---|---|",
        ]
        for case in self:
            schema = case.schema()
            required = set(schema.get("required", []))
            fields = ", ".join(
                f"`{f}`" if f in required else f"`{f}`?" for f in schema.get("properties", {})
            )
            kind = "read" if case.reads else "write"
            roles = ", ".join(_roles(case.roles))
            rows.append(f"| `{case.name}` | {case.title} | {kind} | {roles} | {fields} |")
        return "\n".join(rows)


class Bound:
    """An application seen through its use-case table (``UseCases.bind``).

    ``bound.NAME(actor, key, **fields)`` runs use case NAME: arguments after the actor given
    by position fill the command's fields in order, so the idempotency key of a command, the
    first field of a query (``bound.household(actor, household_id)``); any other attribute is
    the application's own."""

    def __init__(self, table: UseCases, app: Any) -> None:
        self.table = table
        self.app = app

    def __getattr__(self, name: str) -> Any:
        if name not in self.table:
            return getattr(self.app, name)
        table, app = self.table, self.app

        model_fields = table[name].command.model_fields
        fields = [info.alias or field for field, info in model_fields.items()]

        def run(actor: Actor, /, *positional: Any, **args: Any) -> Any:
            if len(positional) > len(fields):
                raise TypeError(f"{name} takes at most {len(fields)} positional arguments")
            for field, value in zip(fields, positional, strict=False):
                if field in args:
                    raise TypeError(f"{name} got {field!r} twice")
                args[field] = value
            return table.call(app, name, actor, **args)

        run.__name__ = name
        return run


def _roles(roles: Mapping[str, str]) -> list[str]:
    return [f"{role} ({scope})" for role, scope in roles.items() if role in ROLE_ZH]


def _type_of(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "one of " + "|".join(str(x) for x in spec["enum"])
    if "anyOf" in spec:
        return " or ".join(_type_of(s) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_type_of(spec.get('items', {}))}"
    kind = spec.get("type", "object")
    return f"{kind} ({spec['format']})" if "format" in spec else str(kind)


def _bounds(spec: dict[str, Any]) -> str:
    marks = [
        f"{label} {spec[key]}"
        for key, label in (
            ("minLength", "min length"),
            ("maxLength", "max length"),
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("minItems", "min items"),
            ("maxItems", "max items"),
        )
        if key in spec
    ]
    return "  " + ", ".join(marks) if marks else ""
