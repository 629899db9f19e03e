"""Contracts declared as data (``contracts.toml``, ADR 0030): what ``Catalogue.from_toml``
reads, fills in and refuses; and each service's packaged file is the catalogue it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any
from uuid import UUID

import pytest
from shequ.catalogues import all_catalogues
from shequ.contracts import DECLARATIONS, Catalogue
from shequ.errors import ValidationError

TEXT = """
[[contract]]
event = "Note.Written"
name = "note.written"
id_field = "note_id"
description = "A note was written."

[contract.fields]
note_id = "string"
text = "string"
tag = "string?"

[contract.example]
note_id = "n1"
text = "hello"

[[contract]]
event = "Note.Amended"
name = "note.amended"
version = 2
description = "A note was amended."

[contract.fields]
note_id = "string"
words = "integer"

[contract.example]
note_id = "n1"
words = 2
"""
NOTE = UUID("00000000-0000-4000-8000-000000000001")


class Note:
    @dataclass
    class Written:
        originator_id: UUID
        text: str
        tag: str | None = None

    @dataclass
    class Amended:
        originator_id: UUID
        text: str


def amended(e: Any) -> dict[str, Any]:
    return {"note_id": str(e.originator_id), "words": len(e.text.split())}


def test_contracts_are_read_in_order_with_their_version_fields_and_example() -> None:
    catalogue = Catalogue.from_toml("notes", TEXT, {"Note.Amended": amended})
    assert list(catalogue.contracts) == [("notes.note.written", 1), ("notes.note.amended", 2)]
    written = catalogue.get("notes.note.written", 1)
    assert written.fields == {"note_id": "string", "text": "string", "tag": "string?"}
    assert written.description == "A note was written."
    # An optional field left out of the example is null (TOML has no null), in field order.
    assert list(written.example.items()) == [("note_id", "n1"), ("text", "hello"), ("tag", None)]


def test_data_is_the_events_attributes_or_what_its_build_makes() -> None:
    catalogue = Catalogue.from_toml("notes", TEXT, {"Note.Amended": amended})
    contract, data = catalogue.translate(Note.Written(NOTE, "hi"))  # type: ignore[misc]
    assert contract.name == "notes.note.written"
    assert data == {"note_id": str(NOTE), "text": "hi", "tag": None}
    contract, data = catalogue.translate(Note.Amended(NOTE, "two words"))  # type: ignore[misc]
    assert (contract.name, contract.version) == ("notes.note.amended", 2)
    assert data == {"note_id": str(NOTE), "words": 2}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("words = 2\n", 'words = "two"\n'), "contract"),
        (('words = "integer"', 'words = "decimal"'), "not primitive"),
        (("version = 2\n", 'version = 2\nid_feld = "note_id"\n'), "unknown keys ['id_feld']"),
        (('event = "Note.Amended"', 'event = "Note.Written"'), "already published"),
    ],
    ids=["example-breaks-its-fields", "kind-not-primitive", "unknown-key", "event-twice"],
)
def test_a_declaration_that_is_wrong_is_refused_when_loaded(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in TEXT
    with pytest.raises((ValueError, ValidationError), match=message.replace("[", r"\[")):
        Catalogue.from_toml("notes", TEXT.replace(old, new, 1))


def test_a_build_for_an_event_not_declared_is_refused() -> None:
    with pytest.raises(ValueError, match="Note.Deleted"):
        Catalogue.from_toml("notes", TEXT, {"Note.Amended": amended, "Note.Deleted": amended})


@pytest.mark.parametrize("catalogue", all_catalogues(), ids=lambda c: c.service)
def test_each_service_publishes_what_its_packaged_file_declares(catalogue: Catalogue) -> None:
    text = resources.files(catalogue.service).joinpath(DECLARATIONS).read_text(encoding="utf-8")
    declared = Catalogue.from_toml(catalogue.service, text)
    assert declared.contracts.keys() == catalogue.contracts.keys()
    for key, contract in declared.contracts.items():
        live = catalogue.contracts[key]
        assert (live.fields, live.description, live.example) == (
            contract.fields,
            contract.description,
            contract.example,
        )
    assert {e: r.contract.name for e, r in declared.routes.items()} == {
        e: r.contract.name for e, r in catalogue.routes.items()
    }
    # Every contract is published for exactly one domain event.
    assert len(catalogue.routes) == len(catalogue.contracts)
