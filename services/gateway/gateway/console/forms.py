"""Forms that send one use case of a service: the fields a person fills in, turned into the
command's arguments, and the action a page offers only to the roles the service's use-case
table admits (``gateway.routes.table``).

A form carries a fresh idempotency key (a hidden field made when the page is rendered), so a
form sent twice (a double click, a reload after the answer) is one command: the service
answers the first result again and writes nothing. A value the form cannot even read (letters
where a number goes) is refused here with the field named, in the suite's words; everything
else is the service's to check, and its refusal comes back beside the field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shequ.errors import ValidationError

from gateway.routes import table


@dataclass(frozen=True)
class Field:
    """One input: ``kind`` text, textarea, lines (one list item per line), select, int,
    date, radio (``options``: (value, (zh, en)); ``integer``: sent as a number)."""

    name: str
    label: tuple[str, str]
    kind: str = "text"
    required: bool = False
    options: tuple[tuple[str, tuple[str, str]], ...] = ()
    hint: tuple[str, str] | None = None
    integer: bool = False  # a choice whose values are whole numbers (a rating)

    def read(self, raw: str) -> Any:
        """The command's value for the text the form sent (None: leave the argument out)."""
        text = raw.strip()
        if not text:
            return None
        if self.kind == "lines":
            return [line.strip() for line in text.splitlines() if line.strip()]
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


@dataclass(frozen=True)
class Action:
    """A use case offered as a form: on which states of the record, with which fields."""

    service: str
    name: str
    title: tuple[str, str]
    fields: tuple[Field, ...] = ()
    states: tuple[str, ...] = ()
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def admits(self, role: str | None) -> bool:
        """Whether the service's use-case table lets ``role`` call it at all (its scope
        is the service's to check on the record)."""
        return role is not None and role in table(self.service)[self.name].roles

    def arguments(self, form: Mapping[str, Any]) -> dict[str, Any]:
        """The command's arguments from the form (the first refusal raised, field named)."""
        args: dict[str, Any] = {"idempotency_key": str(form.get("idempotency_key", ""))}
        for f in self.fields:
            value = f.read(str(form.get(f.name, "")))
            if value is not None:
                args[f.name] = value
        return {**args, **self.fixed}


def new_key(prefix: str) -> str:
    """A fresh idempotency key for one rendered form."""
    return f"console-{prefix}-{uuid.uuid4()}"
