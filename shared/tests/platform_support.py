"""A tiny aggregate and application for exercising the platform on real stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.app import ServiceApplication
from shequ.contracts import Catalogue
from shequ.topics import pin_topics


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str, actor: dict[str, Any]) -> None:
        self.text = text

    @event("Amended")
    def amend(self, text: str, actor: dict[str, Any]) -> None:
        self.text = text


class Secret(Aggregate):
    """Never published: exercises notifications the relay skips (gaps in ``prev``)."""

    @event("Kept")
    def __init__(self, text: str) -> None:
        self.text = text


@dataclass
class Tally(Aggregate, created_event_name="Started"):
    """One per upstream: every envelope applied adds its position (a shared aggregate)."""

    upstream: str
    positions: list[int] = field(init=False, default_factory=list)

    @staticmethod
    def create_id(upstream: str) -> Any:
        from uuid import NAMESPACE_URL, uuid5

        return uuid5(NAMESPACE_URL, f"tally:{upstream}")

    @event("Counted")
    def count(self, position: int) -> None:
        self.positions.append(position)


pin_topics("platformtest", Note, Secret, Tally)

catalogue = Catalogue("notes")
WRITTEN = catalogue.define(
    "note.written",
    1,
    {"note_id": "string", "text": "string"},
    "A note was written",
    {"note_id": "n1", "text": "hello"},
)
AMENDED = catalogue.define(
    "note.amended",
    1,
    {"note_id": "string", "text": "string"},
    "A note was amended",
    {"note_id": "n1", "text": "hello again"},
)


def translate(ev: Any) -> Any:
    if isinstance(ev, Note.Written):
        return WRITTEN, {"note_id": str(ev.originator_id), "text": ev.text}
    if isinstance(ev, Note.Amended):
        return AMENDED, {"note_id": str(ev.originator_id), "text": ev.text}
    return None


class Notes(ServiceApplication):
    name = "notes"

    def write(self, text: str, key: str, actor: Any) -> dict[str, Any]:
        def decide() -> Any:
            note = Note(text=text, actor=actor.to_dict())
            return [note], {"id": str(note.id)}

        return self.execute("write", key, actor, {"text": text}, decide)

    def amend(self, note_id: str, text: str, key: str, actor: Any) -> dict[str, Any]:
        def decide() -> Any:
            note: Note = self.repository.get(UUID(note_id))
            note.amend(text, actor.to_dict())
            return [note], {"version": note.version}

        return self.execute("amend", key, actor, {"note_id": note_id, "text": text}, decide)
