"""Use cases of archives (档案): filing dated entries in a village's or resident's archive, and
reading an archive as it stood on a date."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import Field
from shequ.actor import Actor
from shequ.commands import Choice, Command, Day, Id, Keyed, Note, Text, keyed
from shequ.handlers import create
from sqlalchemy import select

from registry import tables as t
from registry.base import RegistryBase
from registry.domain import Archive, Person, Village
from registry.domain.archive import RETENTION, SUBJECTS
from registry.domain.common import key_id
from registry.examples import VILLAGE

# The examples' archive: the entry example files into it, the query example reads it.
SUBJECT = {"subject_kind": "village", "subject_id": VILLAGE}


class RecordArchiveEntry(Keyed):
    """File a dated entry in a village's or resident's archive (opened on its first entry)."""

    title = "档案归档"
    example = keyed(
        "archive-2024-000001",
        **SUBJECT,
        entry_date="2024-01-01",
        title="村庄基本情况",
        content="村民小组三个。",
        retention="permanent",
    )
    subject_kind: Annotated[str, Choice(SUBJECTS, "档案类别")]
    subject_id: Id
    entry_date: Day
    title_: Annotated[str, Text(200, "标题"), Field(alias="title")]
    content: Annotated[str, Note(5000, "内容")]
    retention: Annotated[str, Choice(RETENTION, "保管期限")]
    corrects: Id | None = None


def record_archive_entry(
    cmd: RecordArchiveEntry, actor: Actor, app: RegistryBase
) -> dict[str, Any]:
    """File a dated entry in a village's or resident's archive (opened on first entry)."""
    community_id = _subject_community(app, cmd.subject_kind, cmd.subject_id)

    def decide() -> Any:
        archive_id = Archive.create_id(cmd.subject_kind, cmd.subject_id)
        archive = _archive(app, archive_id, cmd, community_id, actor)
        entry_id = str(key_id("archive-entry", cmd.idempotency_key))
        archive.record_entry(
            entry_id,
            cmd.entry_date,
            cmd.title_,
            cmd.content,
            cmd.retention,
            cmd.corrects,
            actor.to_dict(),
        )
        return [archive], {"archive_id": str(archive_id), "entry_id": entry_id}

    target = app.community_target(community_id)
    return app.run(
        "record_archive_entry", cmd.idempotency_key, actor, target, cmd.payload(), decide
    )


def _archive(
    app: RegistryBase,
    archive_id: UUID,
    cmd: RecordArchiveEntry,
    community_id: str | None,
    actor: Actor,
) -> Archive:
    if app.exists(archive_id):
        return app.repository.get(archive_id)  # type: ignore[no-any-return]
    return create(Archive, archive_id, cmd, actor, community_id=community_id)


def _subject_community(app: RegistryBase, subject_kind: str, subject_id: str) -> str | None:
    if subject_kind == "village":
        return app.get(subject_id, Village, "村", "subject_id").community_id
    village_id = app.get(subject_id, Person, "人员", "subject_id").village_id
    return app.get(village_id, Village, "村", "village_id").community_id if village_id else None


class ArchiveQuery(Command):
    """A village's or resident's archive as it stood on a date."""

    title = "档案查阅"
    example: ClassVar[dict[str, Any]] = {**SUBJECT, "as_of": "2024-12-31"}
    subject_kind: Annotated[str, Choice(SUBJECTS, "档案类别")]
    subject_id: Id
    as_of: Day


def archive(cmd: ArchiveQuery, actor: Actor, app: RegistryBase) -> dict[str, Any]:
    """A village's or resident's archive as it stood on ``as_of`` (entries dated up to it)."""
    archive_id = str(Archive.create_id(cmd.subject_kind, cmd.subject_id))
    with app.read() as c:
        community = c.execute(
            select(t.archives.c.community_id).where(t.archives.c.id == archive_id)
        ).scalar()
    app.policy.check("archive", actor, app.community_target(community))
    e = t.archive_entries
    with app.read() as c:
        rows = (
            c.execute(
                select(e)
                .where(e.c.archive_id == archive_id, e.c.entry_date <= cmd.as_of)
                .order_by(e.c.entry_date, e.c.seq)
            )
            .mappings()
            .all()
        )
    superseded = {r["corrects"]: r["entry_id"] for r in rows if r["corrects"]}
    return {
        "archive_id": archive_id,
        "subject_kind": cmd.subject_kind,
        "subject_id": cmd.subject_id,
        "as_of": cmd.as_of,
        "entries": [
            {
                "entry_id": r["entry_id"],
                "entry_date": r["entry_date"],
                "title": r["title"],
                "content": r["content"],
                "retention": r["retention"],
                "retention_zh": RETENTION[r["retention"]],
                "corrects": r["corrects"],
                "superseded_by": superseded.get(r["entry_id"]),
            }
            for r in rows
        ],
    }
