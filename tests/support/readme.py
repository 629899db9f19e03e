"""Checks that a service's README stays true to its code (used by each service's doc tests):
its ``## RPC methods`` sections, their ``shequ call`` examples and ``**Who:**`` lines."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import jsonschema
from shequ.actor import ROLES
from shequ.auth import SCOPES
from shequ.commands import Command
from shequ.rpc import Notifications, ReplayDeadLetter
from shequ.suite import SERVICE_CLASSES
from shequ.usecases import UseCases

from tests.support.infra import REPO

PLATFORM_COMMANDS: dict[str, type[Command]] = {
    "notifications": Notifications,
    "replay_dead_letter": ReplayDeadLetter,
}


def entrypoints(service_cls: type) -> dict[str, Any]:
    """The nameko entrypoints declared on a service class, by name."""
    found = {}
    for name, member in inspect.getmembers(service_cls):
        if getattr(member, "nameko_entrypoints", None):
            found[name] = member
    return found


def readme_section(text: str, heading: str) -> str | None:
    """The body of the ``## heading`` section of a README (up to the next ``## ``)."""
    match = re.search(
        rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL
    )
    return match.group(1) if match else None


def readme_sections(text: str, heading: str) -> dict[str, str]:
    """The ``### name`` subsections of the ``## heading`` section of a README, by name."""
    body = readme_section(text, heading)
    if body is None:
        return {}
    parts = re.split(r"^### (\S+)[ \t]*$", body, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def signature_target(
    app_cls: type, service_cls: type, rules: Mapping[str, Any] | UseCases, name: str
) -> Any:
    """The function (or command model) whose parameters an entrypoint accepts.

    Policy entrypoints take ``actor`` and pass every other keyword argument on to the
    application's method of the same name; the platform's typed entrypoints take their command
    model's fields; other platform entrypoints are plain methods. ``rules`` may be a use-case
    table (``shequ.usecases.UseCases``): a use case takes its command model's fields.
    """
    if isinstance(rules, UseCases) and name in rules:
        return rules[name].command
    if name in rules:
        return getattr(app_cls, name)
    return PLATFORM_COMMANDS.get(name) or getattr(service_cls, name)


def accepted_parameters(target: Any) -> tuple[set[str], set[str]]:
    """(accepted, required) argument names of a function or a command model, actor aside."""
    if isinstance(target, type) and issubclass(target, Command):
        # a field that would shadow a class attribute (``title_``) is called by its alias
        fields = {f.alias or n: f for n, f in target.model_fields.items()}
        return set(fields) | {"actor"}, {n for n, f in fields.items() if f.is_required()}
    params = inspect.signature(target).parameters
    accepted = set(params) - {"self"}
    required = {
        p
        for p, v in params.items()
        if v.default is inspect.Parameter.empty and v.kind is not inspect.Parameter.VAR_KEYWORD
    } - {"self", "actor"}
    return accepted, required


def example_problems(service: str, name: str, section: str, target: Any) -> list[str]:
    """What is wrong with the ``shequ call <service> <name> '<json>'`` example of a section,
    checked against the parameters of ``target`` (see ``signature_target``)."""
    calls = re.findall(
        rf"^shequ call {service} {re.escape(name)} '([^'\n]*)'", section, re.MULTILINE
    )
    if not calls:
        return [f"{name}: no `shequ call {service} {name} '{{...}}'` example"]
    accepted, required = accepted_parameters(target)
    out = []
    for payload in calls:
        try:
            args = json.loads(payload)
        except json.JSONDecodeError as exc:
            out.append(f"{name}: example payload is not JSON ({exc})")
            continue
        if not isinstance(args, dict):
            out.append(f"{name}: example payload is not a JSON object")
            continue
        if unknown := set(args) - accepted:
            out.append(
                f"{name}: example passes arguments the method does not take: {sorted(unknown)}"
            )
        if missing := required - set(args):
            out.append(f"{name}: example lacks required arguments {sorted(missing)}")
        key = args.get("idempotency_key")
        if "idempotency_key" in args and not (isinstance(key, str) and 8 <= len(key) <= 200):
            out.append(f"{name}: example idempotency_key must be 8-200 characters")
    return out


def who(section: str) -> dict[str, str]:
    """Role -> scope as the ``**Who:**`` line of a method section states it."""
    match = re.search(r"^- \*\*Who:\*\*(.*?)(?=^- \*\*|^```|\Z)", section, re.MULTILINE | re.DOTALL)
    if match is None:
        return {}
    roles = "|".join(ROLES)
    scopes = "|".join(SCOPES)
    return dict(re.findall(rf"`({roles})` \(({scopes})\b", match.group(1)))


def parameter(
    name: str,
    param: inspect.Parameter,
    choices: Mapping[str, list[str]],
    shapes: Mapping[str, list[str]],
    text_ids: frozenset[str],
) -> str:
    """One parameter as a README states it: name, type, allowed values or shape, optional."""
    ann = str(param.annotation).replace(" | None", "")
    listed = ann.startswith("list")
    if name == "idempotency_key":
        kind = "string, 8–200 characters"
    elif name in choices:
        kind = ("list, each one of " if listed else "one of ") + ", ".join(
            f"`{c}`" for c in choices[name]
        )
    elif name in shapes:
        kind = f"{'list of objects' if listed else 'object'}, see *{name}* under Parameter shapes"
    elif ann in ("int", "bool"):
        kind = {"int": "integer", "bool": "boolean"}[ann]
    elif listed:
        kind = "list of UUIDs" if name.endswith("_ids") else "list of strings"
    elif ann.startswith("dict"):
        kind = "object"
    elif name.endswith("_id") and name not in text_ids:
        kind = "UUID"
    elif name == "on" or name.endswith("_on"):
        kind = "date `YYYY-MM-DD`"
    else:
        kind = "string"
    if param.default is not inspect.Parameter.empty:
        dated = (name == "on" or name.endswith("_on")) and param.default is None
        kind += ", optional" + ("; default: today by the service's clock" if dated else "")
    return f"`{name}` ({kind})"


def parameters_line(
    target: Any,
    choices: Mapping[str, list[str]],
    shapes: Mapping[str, list[str]],
    text_ids: frozenset[str],
) -> str:
    """The ``- **Parameters:**`` line of a method section, rendered from its signature."""
    params = [
        parameter(n, p, choices, shapes, text_ids)
        for n, p in inspect.signature(target).parameters.items()
        if n not in ("self", "actor")
    ]
    return "- **Parameters:** " + (", ".join(params) if params else "none")


def shape_fields(section: str) -> list[str]:
    """The fields a ``### shape`` section's table lists (first column, in backticks)."""
    return re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)


def returned_fields(section: str) -> set[str]:
    """The field names (``"name"`` in backticked JSON) a method section's ``- **Returns:**``
    item states, nested ones included."""
    match = re.search(
        r"^- \*\*Returns:\*\*(.*?)(?=^- \*\*|^```|^\s*$)", section, re.MULTILINE | re.DOTALL
    )
    shapes = re.findall(r"`([\[{].*?[}\]])`", match.group(1), re.DOTALL) if match else []
    return {name for shape in shapes for name in re.findall(r'"(\w+)"', shape)}


def command_target(model: type) -> Any:
    """Something whose signature is a use case's as a caller sees it: ``actor``, then the
    command model's fields (by the name callers use) with their defaults, annotated the way
    ``parameter`` reads them (``str``, ``int``, ``bool``, ``list[...]``, ``dict``, ``| None``)."""
    params = [inspect.Parameter("actor", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        default = inspect.Parameter.empty if field.is_required() else field.default
        params.append(
            inspect.Parameter(
                field.alias or name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=_annotation(typing.Annotated[(field.annotation, *field.metadata)])
                if field.metadata
                else _annotation(field.annotation),
            )
        )

    def target(**kwargs: Any) -> None:
        """Stands for the use case's handler."""

    target.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return target


def _annotation(ann: Any) -> str:
    """``str | None``, ``list[str]``, ``dict``, ``int``, ``bool`` for a field's type; an id or a
    date is ``str (uuid)`` or ``str (date)``, not free text."""
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    if typing.get_origin(ann) is typing.Annotated:
        formats = [
            m.schema["format"] for m in ann.__metadata__ if "format" in getattr(m, "schema", {})
        ]
        return f"str ({formats[0]})" if formats else _annotation(args[0])
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        inner = _annotation(args[0]) if len(args) == 1 else "str"
        return f"{inner} | None" if len(args) < len(typing.get_args(ann)) else inner
    if typing.get_origin(ann) is list:
        return f"list[{_annotation(args[0])}]"
    if typing.get_origin(ann) is dict or (isinstance(ann, type) and hasattr(ann, "model_fields")):
        return "dict"
    if ann in (int, bool):
        return ann.__name__
    return "str"


def assert_use_case_table(text: str, use_cases: UseCases) -> None:
    """A README's table of methods is ``use_cases.markdown()``, pasted between its
    ``<!-- usecases:begin -->`` and ``<!-- usecases:end -->`` markers; when a use case changes,
    the failure prints the fresh table to paste."""
    found = re.search(r"<!-- usecases:begin -->\n(.*?)\n<!-- usecases:end -->", text, re.DOTALL)
    fresh = use_cases.markdown()
    assert found is not None, "README has no <!-- usecases:begin --> ... end markers"
    assert found.group(1) == fresh, "paste this between the usecases markers:\n" + fresh


def policy_problems(sections: Mapping[str, str], use_cases: UseCases) -> list[str]:
    """Each use case whose method section's ``**Who:**`` line (``who``) does not state the
    roles and scopes of its row in the table."""
    out = []
    for name, rule in sorted(use_cases.policy.rules.items()):
        stated = who(sections.get(name, ""))
        if stated != dict(rule.roles):
            out.append(f"{name}: README says {stated or 'nothing'}, the table {dict(rule.roles)}")
    return out


class ServiceReadme:
    """The README checks of a service built on a use-case table, as test methods: a service's
    docs test subclasses it as ``Test<Service>Readme`` naming the service and the upstream
    contracts it reads (``interests``); its README, service class (``shequ.suite``), use cases
    and catalogue are found by the name. The method table is the use-case table's, every
    entrypoint has a ``### name`` section with a ``shequ call <service> <name> '<json>'``
    example its command model accepts, every policy row's roles and scopes are stated, every
    contract is listed and its example validates, and our copies of the upstream contracts
    match what the upstreams publish."""

    service: ClassVar[str]
    interests: ClassVar[Mapping[str, Any]]

    @property
    def service_class(self) -> type:
        module, name = SERVICE_CLASSES[self.service].split(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]

    @property
    def use_cases(self) -> UseCases:
        return importlib.import_module(f"{self.service}.usecases").USE_CASES  # type: ignore[no-any-return]

    @property
    def catalogue(self) -> Iterable[Any]:
        return importlib.import_module(f"{self.service}.contracts").catalogue  # type: ignore[no-any-return]

    def text(self) -> str:
        return (REPO / "services" / self.service / "README.md").read_text(encoding="utf-8")

    def test_the_method_table_is_the_use_case_tables(self) -> None:
        """The README's table of methods is ``USE_CASES.markdown()``, pasted between its
        markers; when a use case changes, this prints the fresh table to paste."""
        assert_use_case_table(self.text(), self.use_cases)

    def test_every_entrypoint_is_documented_with_a_valid_example(self) -> None:
        sections = readme_sections(self.text(), "RPC methods")
        found = entrypoints(self.service_class)
        platform = {"batch", "notifications", "health", "replay_dead_letter"}
        assert set(self.use_cases.policy.rules) | platform <= set(found)
        out = [f"{n}: not documented" for n in sorted(set(found) - set(sections))]
        out += [
            f"{n}: documented but not an entrypoint" for n in sorted(set(sections) - set(found))
        ]
        for name in sorted(set(found) & set(sections)):
            target = signature_target(object, self.service_class, self.use_cases, name)
            out += example_problems(self.service, name, sections[name], target)
        assert not out, "\n".join(out)

    def test_examples_pass_the_real_argument_check(self) -> None:
        """Each example's JSON goes through the check the RPC entrypoint runs: the use case's
        command model (a malformed example raises the ValidationError it would answer)."""
        for name, body in readme_sections(self.text(), "RPC methods").items():
            if name in self.use_cases:
                pattern = rf"^shequ call {self.service} {name} '([^'\n]*)'"
                for payload in re.findall(pattern, body, re.MULTILINE):
                    args = json.loads(payload)
                    args.pop("actor", None)  # the caller, not a field of the command
                    self.use_cases[name].parse(args)

    def test_readme_states_the_policy_of_each_use_case(self) -> None:
        problems = policy_problems(readme_sections(self.text(), "RPC methods"), self.use_cases)
        assert not problems, "\n".join(problems)

    def test_every_contract_is_listed_and_its_example_validates(self) -> None:
        events = readme_section(self.text(), "Integration events") or ""
        listed = set(re.findall(r"^\| `([\w.]+)` \| (\d+) \|", events, re.MULTILINE))
        assert listed == {(c.name, str(c.version)) for c in self.catalogue}
        for contract in self.catalogue:
            contract.validate(contract.example)
            jsonschema.validate(
                contract.example, contract.schema, format_checker=jsonschema.FormatChecker()
            )

    def test_every_entrypoint_has_a_docstring(self) -> None:
        found = entrypoints(self.service_class).items()
        assert not [n for n, m in found if not (inspect.getdoc(m) or "").strip()]

    def test_our_upstream_interests_match_the_published_contracts(self) -> None:
        """docs/integration-events.md: every contract we read exists upstream in the same
        version, with every field we rely on, of the same kind; the upstream example passes
        our check."""
        from shequ.catalogues import all_catalogues

        published = {c.name: c for cat in all_catalogues() for c in cat}
        out = []
        for name, ours in self.interests.items():
            theirs = published.get(name)
            if theirs is None or theirs.version != ours.version:
                out.append(f"{name} v{ours.version}: not published")
                continue
            for field, kind in ours.fields.items():
                if theirs.fields.get(field, kind).rstrip("?") != kind.rstrip("?"):
                    out.append(f"{name}.{field}: ours {kind}, theirs {theirs.fields.get(field)}")
                elif field not in theirs.fields and not kind.endswith("?"):
                    out.append(f"{name}.{field}: not published")
            ours.validate(theirs.example)
        assert not out, "\n".join(out)
