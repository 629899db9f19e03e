"""Forms that send one use case of a service: the fields a person fills in, turned into the
command's arguments, and the action a page offers only to the roles the service's use-case
table admits (``gateway.routes.table``).

A form carries a fresh idempotency key (a hidden field made when the page is rendered), so a
form sent twice (a double click, a reload after the answer) is one command: the service
answers the first result again and writes nothing. A value the form cannot even read (letters
where a number goes) is refused here with the field named, in the suite's words; everything
else is the service's to check, and its refusal comes back beside the field it names.

A form's fields are read from the command's typed model where it can (``command_fields``:
the use case's JSON schema gives each field's type, its allowed values, whether it is
required and its Chinese title); the console adds only what the schema cannot say (the
English words, the names of the allowed values, the inputs of a nested object). A field named
``record.place`` is the ``place`` of the command's ``record`` object.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shequ.errors import ValidationError

from gateway.routes import table


@dataclass(frozen=True)
class Field:
    """One input: ``kind`` text, textarea, lines (one list item per line), pairs (one
    object of the two ``keys`` per line, its two parts split by a comma, colon or space),
    select, choices (several of the ``options``), checkbox (true when ticked), int, date,
    radio (``options``: (value, (zh, en)); ``integer``: sent as a number)."""

    name: str
    label: tuple[str, str]
    kind: str = "text"
    required: bool = False
    options: tuple[tuple[str, tuple[str, str]], ...] = ()
    hint: tuple[str, str] | None = None
    integer: bool = False  # a choice whose values are whole numbers (a rating)
    keys: tuple[str, str] = ("", "")  # a pairs field's two keys

    @property
    def html_id(self) -> str:
        """The input's id within its form (``record.place`` → ``record-place``)."""
        return self.name.replace(".", "-")

    def take(self, form: Mapping[str, Any]) -> Any:
        """The command's value from the form sent (None: leave the argument out)."""
        if self.kind == "choices":
            many = getattr(form, "getlist", None)
            chosen = [str(v) for v in (many(self.name) if many else [form.get(self.name, "")])]
            return [v for v in chosen if v] or None
        if self.kind == "checkbox":
            return True if form.get(self.name) else None
        return self.read(str(form.get(self.name, "")))

    def read(self, raw: str) -> Any:
        """The command's value for the text the form sent (None: leave the argument out)."""
        text = raw.strip()
        if not text:
            return [] if self.kind == "pairs" else None
        if self.kind == "lines":
            return [line.strip() for line in text.splitlines() if line.strip()]
        if self.kind == "pairs":  # left blank: none (a meeting without absentees)
            return [self.pair(line.strip()) for line in text.splitlines() if line.strip()]
        if self.kind == "int" or self.integer:
            try:
                return int(text)
            except ValueError:
                raise ValidationError(
                    f"{self.label[0]}须为整数",
                    f"{self.label[1]} must be a whole number",
                    self.name,
                    rule="integer",
                ) from None
        return text

    def pair(self, line: str) -> dict[str, str]:
        parts = PAIR_SPLIT.split(line, maxsplit=1)
        if len(parts) < 2 or not parts[1].strip():
            raise ValidationError(
                f"{self.label[0]}每行须写两项（以逗号或空格分开）：{line}",
                f"{self.label[1]}: each line holds two parts split by a comma or space: {line}",
                self.name,
                rule="pairs",
            )
        return dict(zip(self.keys, (parts[0], parts[1].strip()), strict=True))


PAIR_SPLIT = re.compile(r"\s*[，,：:]\s*|\s+")


@dataclass(frozen=True)
class Action:
    """A use case offered as a form: on which states of the record, with which fields."""

    service: str
    name: str
    title: tuple[str, str]
    fields: tuple[Field, ...] = ()
    states: tuple[str, ...] = ()
    fixed: Mapping[str, Any] = field(default_factory=dict)
    # the record's own condition beyond its state (a procedure started, its stage)
    when: Callable[[Mapping[str, Any]], bool] | None = None
    # the legend of the fieldset holding an object's fields (``record`` → 会议记录)
    groups: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def admits(self, role: str | None) -> bool:
        """Whether the service's use-case table lets ``role`` call it at all (its scope
        is the service's to check on the record)."""
        return role is not None and role in table(self.service)[self.name].roles

    def offered_on(self, record: Mapping[str, Any]) -> bool:
        """Whether the form fits the record: its state, and its own condition."""
        return record.get("state") in self.states and (self.when is None or self.when(record))

    def arguments(self, form: Mapping[str, Any]) -> dict[str, Any]:
        """The command's arguments from the form (the first refusal raised, field named);
        ``a.b`` fields fill the object ``a``."""
        args: dict[str, Any] = {"idempotency_key": str(form.get("idempotency_key", ""))}
        for f in self.fields:
            value = f.take(form)
            if value is None:
                continue
            head, _, rest = f.name.partition(".")
            if rest:
                args.setdefault(head, {})[rest] = value
            else:
                args[head] = value
        return {**args, **self.fixed}

    def field_of(self, name: str | None) -> str | None:
        """The form's field a refusal names (``parties.1`` or ``record.present`` → the
        input that holds it; ``record`` itself when no input of the object is named)."""
        if name is None:
            return None
        for f in self.fields:
            if name == f.name or name.startswith((f"{f.name}.", f"{f.name}[")):
                return f.name
        return name


def _plain(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """A field's schema without the ``null`` an optional field also allows."""
    if "anyOf" in spec:
        kept = [s for s in spec["anyOf"] if s.get("type") != "null"]
        if len(kept) == 1:
            return {**{k: v for k, v in spec.items() if k != "anyOf"}, **kept[0]}
    return spec


def _kind(spec: Mapping[str, Any]) -> str | None:
    kind = spec.get("type")
    if "enum" in spec:
        return "select"
    if kind == "integer":
        return "int"
    if kind == "boolean":
        return "checkbox"
    if kind == "string":
        if spec.get("format") == "date":
            return "date"
        return "textarea" if spec.get("maxLength", 0) > 200 else "text"
    if kind == "array":
        items = _plain(spec.get("items", {}))
        if "enum" in items:
            return "choices"
        return "lines" if items.get("type") == "string" else None
    return None


def command_fields(
    service: str,
    use_case: str,
    labels: Mapping[str, tuple[str, str]],
    names: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    nested: Mapping[str, tuple[Field, ...]] | None = None,
    skip: tuple[str, ...] = ("idempotency_key", "case_id"),
) -> tuple[Field, ...]:
    """The inputs of ``service.use_case``'s command, in the model's order, read from its
    JSON schema: type, allowed values, required, and the Chinese title (else ``labels``'
    Chinese). ``labels`` gives each field's English words (and Chinese where the model has
    no title); ``names`` each allowed value's words; ``nested`` the inputs of a field the
    schema holds as an object or a list of objects. A field it cannot make an input of,
    an allowed value with no words, or a label missing is an error at import, not a form
    that silently lacks it."""
    schema = table(service)[use_case].schema()
    required = set(schema.get("required", ()))
    names, nested = names or {}, nested or {}
    out: list[Field] = []
    for key, raw in schema.get("properties", {}).items():
        if key in skip:
            continue
        if key in nested:
            out.extend(nested[key])
            continue
        spec = _plain(raw)
        kind = _kind(spec)
        if kind is None or key not in labels:
            raise ValueError(f"{service}.{use_case}: no form input for {key!r}")
        zh, en = labels[key]
        title = spec.get("title") or ""
        if title.isascii():  # pydantic's own title from the name: the model gave none
            title = zh
        values = spec.get("enum") or _plain(spec.get("items", {})).get("enum") or ()
        missing = [v for v in values if v not in names.get(key, {})]
        if missing:
            raise ValueError(f"{service}.{use_case}.{key}: no words for {missing}")
        out.append(
            Field(
                key,
                (title, en),
                kind,
                key in required,
                tuple((v, names[key][v]) for v in values),
            )
        )
    return tuple(out)


def new_key(prefix: str) -> str:
    """A fresh idempotency key for one rendered form."""
    return f"console-{prefix}-{uuid.uuid4()}"
