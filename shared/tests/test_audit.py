"""Tamper evidence: seal a service's events, tamper with them directly in SQL, verify.

Every scenario runs against a SQLite file and a PostgreSQL database (``store`` fixture).
"""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
from audit_fixtures import RawEvents, audit_dir, key_path, store  # noqa: F401
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Notification, PersistenceError
from shequ.app import ServiceApplication
from shequ.audit import (
    LeafLogError,
    Sealer,
    TreeHead,
    VerifyReport,
    leaf_data,
    leaf_hash,
    load_or_create_key,
    seal_service,
    treeheads,
    verify,
    verify_service,
)
from shequ.audit.rfc9162 import RootBuilder
from shequ.errors import LogTampered
from shequ.store import Store

SERVICE = "AuditDemo"


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class AuditDemo(ServiceApplication):
    def write(self, text: str) -> UUID:
        note = Note(text)
        self.save(note)
        return note.id


@pytest.fixture
def app(store: Store) -> Iterator[AuditDemo]:
    application = AuditDemo(store)
    yield application
    application.close()


@pytest.fixture
def db(store: Store) -> RawEvents:
    return RawEvents(store, SERVICE)


def write_notes(app: AuditDemo, count: int, first: int = 1) -> None:
    for number in range(first, first + count):
        app.write(f"note-{number}")


def sealer(app: AuditDemo, audit_dir: Path, key_path: Path, **options: int) -> Sealer:
    return Sealer(SERVICE, app.recorder, audit_dir, key_path, **options)


def check(store: Store, audit_dir: Path, **options: Path) -> VerifyReport:
    return verify_service(SERVICE, store, audit_dir, **options)


def head_files(audit_dir: Path) -> list[Path]:
    return sorted((audit_dir / SERVICE / "heads").glob("*.json"))


# --- the tree and its leaves -------------------------------------------------------------


def test_root_of_three_leaves_is_rfc9162_by_hand() -> None:
    def leaf(data: bytes) -> bytes:
        return hashlib.sha256(b"\x00" + data).digest()

    def node(left: bytes, right: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + left + right).digest()

    entries = [b"alpha", b"beta", b"gamma"]
    # RFC 9162 §2.1.1: k = 2 for n = 3, MTH = HASH(0x01 || MTH(D[0:2]) || MTH(D[2:3]))
    expected = node(node(leaf(entries[0]), leaf(entries[1])), leaf(entries[2]))
    ours = RootBuilder()
    ours.append(leaf(entries[0]))
    ours.append(leaf(entries[1]))
    assert ours.root() == node(leaf(entries[0]), leaf(entries[1]))
    ours.append(leaf(entries[2]))
    assert (ours.root(), ours.size) == (expected, 3)


def _notification(position: int, state: bytes = b'{"text":"x"}') -> Notification:
    return Notification(
        id=position,
        originator_id=UUID(int=7),
        originator_version=1,
        topic="auditdemo:Note.Written",
        state=state,
    )


def test_leaf_commits_to_position_and_state_by_hash() -> None:
    data = leaf_data(_notification(5))
    assert json.loads(data)["position"] == 5
    assert json.loads(data)["state_sha256"] == hashlib.sha256(b'{"text":"x"}').hexdigest()
    assert b'{"text":"x"}' not in data
    assert leaf_data(_notification(6)) != data
    assert leaf_data(_notification(5, b'{"text":"y"}')) != data
    assert leaf_hash(_notification(5)) == hashlib.sha256(b"\x00" + data).digest()


# --- sealing -------------------------------------------------------------------------------


def test_untouched_log_verifies(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 5)
    head = sealer(app, audit_dir, key_path).seal()
    assert head is not None and head.tree_size == 5
    report = check(store, audit_dir)
    assert report.ok, report.message_en
    assert (report.checked, report.heads, report.unsealed, report.problem) == (5, 1, 0, None)
    assert "核验通过" in report.message_zh


def test_head_file_is_signed_and_complete(app: AuditDemo, audit_dir: Path, key_path: Path) -> None:
    write_notes(app, 3)
    head = sealer(app, audit_dir, key_path).seal()
    assert head is not None
    [path] = head_files(audit_dir)
    assert path.name == "000000000003.json"
    on_disk = TreeHead.from_json(path.read_text())
    assert on_disk == head
    assert on_disk.algorithm == "sha256/rfc9162" and on_disk.last_position == max(
        n.id for n in app.recorder.select_notifications(None, 100)
    )
    public = treeheads.load_public_key(audit_dir / SERVICE / "signing-key.pub.pem")
    assert treeheads.signature_ok(on_disk, public)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    lines = (audit_dir / SERVICE / "leaves.log").read_text().splitlines()
    assert len(lines) == 3 and all(len(line.split(" ")[1]) == 64 for line in lines)


def test_sealing_twice_without_new_events_writes_no_head(
    app: AuditDemo, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 2)
    seal = sealer(app, audit_dir, key_path)
    assert seal.seal() is not None
    assert seal.seal() is None
    assert sealer(app, audit_dir, key_path).seal() is None
    assert len(head_files(audit_dir)) == 1
    assert len((audit_dir / SERVICE / "leaves.log").read_text().splitlines()) == 2


def test_sealing_reads_in_pages(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 5)
    head = sealer(app, audit_dir, key_path, page_size=2).seal()
    assert head is not None and head.tree_size == 5
    assert check(store, audit_dir).ok


def test_restart_continues_tree_sizes(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 3)
    sealer(app, audit_dir, key_path).seal()
    write_notes(app, 2, first=4)
    head = sealer(app, audit_dir, key_path).seal()  # a new process, same directory
    assert head is not None and head.tree_size == 5
    assert [p.name for p in head_files(audit_dir)] == ["000000000003.json", "000000000005.json"]
    report = check(store, audit_dir)
    assert report.ok and report.heads == 2 and report.checked == 5


def test_crash_between_leaf_log_and_head_is_sealed_on_restart(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_notes(app, 3)
    sealer(app, audit_dir, key_path).seal()
    write_notes(app, 2, first=4)

    def crash(*_: object) -> None:
        raise OSError("power lost")

    monkeypatch.setattr("shequ.audit.sealer.write_head", crash)
    with pytest.raises(OSError):
        sealer(app, audit_dir, key_path).seal()
    monkeypatch.undo()
    log = audit_dir / SERVICE / "leaves.log"
    with log.open("a") as handle:
        handle.write("99 abc")  # a torn line from a second crash mid-append
    head = sealer(app, audit_dir, key_path).seal()  # no new events, but unsigned leaves
    assert head is not None and head.tree_size == 5
    assert len(log.read_text().splitlines()) == 5
    assert check(store, audit_dir).ok


def test_events_after_last_head_are_unsealed_not_failures(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 3)
    sealer(app, audit_dir, key_path).seal()
    write_notes(app, 2, first=4)
    report = check(store, audit_dir)
    assert report.ok and report.unsealed == 2 and report.checked == 5
    db.set_state(db.positions()[-1], b"{}")  # not sealed yet, so not protected yet
    assert check(store, audit_dir).ok


def test_verify_never_creates_tables(store: Store, audit_dir: Path) -> None:
    if store.kind == "sqlite":
        with pytest.raises(FileNotFoundError):
            check(store, audit_dir)
        assert store.path is not None and not store.path.exists()
        return
    with pytest.raises(PersistenceError):  # no events table: reported, not created
        check(store, audit_dir)
    dsn = store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    assert tables == []


# --- tampering with the database -----------------------------------------------------------


def forge(db: RawEvents, position: int, originator_id: UUID, version: int) -> None:
    """Store a copy of the first event at ``position``, as the given aggregate's version."""
    _, _, topic, state = db.row(db.positions()[0])
    db.insert(position, originator_id, version, topic, state)


def edit_third(db: RawEvents) -> int:
    target = db.positions()[2]
    db.set_state(target, db.row(target)[3].replace(b"note-3", b"note-9"))
    return target


def null_second(db: RawEvents) -> int:
    target = db.positions()[1]
    db.set_state(target, None)
    return target


def delete_second(db: RawEvents) -> int:
    target = db.positions()[1]
    db.delete(target)
    return target


def delete_last(db: RawEvents) -> int:
    target = db.positions()[-1]
    db.delete(target)
    return target


def forge_in_place_of_second(db: RawEvents) -> int:
    """The sealed event still exists, moved past the head; another stands at its position."""
    positions = db.positions()
    target = positions[1]
    db.move(target, positions[-1] + 10)
    forge(db, target, uuid4(), 1)
    return target


@pytest.mark.parametrize(
    ("notes", "tamper", "problem"),
    [
        (5, edit_third, "edited"),
        (3, null_second, "edited"),  # named, not a crash
        (5, delete_second, "deleted"),
        (4, delete_last, "deleted"),
        (4, forge_in_place_of_second, "inserted"),  # not edited
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_row_tampered_with_after_sealing_is_found_at_its_position(
    app: AuditDemo,
    db: RawEvents,
    store: Store,
    audit_dir: Path,
    key_path: Path,
    notes: int,
    tamper: Callable[[RawEvents], int],
    problem: str,
) -> None:
    write_notes(app, notes)
    seal_service(SERVICE, store, audit_dir, key_path)
    target = tamper(db)
    report = check(store, audit_dir)
    assert (report.ok, report.problem, report.first_bad_position) == (False, problem, target)
    assert str(target) in report.message_zh and str(target) in report.message_en


def sealed_around_a_gap(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path
) -> list[int]:
    """Notes 1 and 2, two positions left unused, notes 3 and 4, all sealed: their positions."""
    write_notes(app, 2)
    with db.gap(2):
        write_notes(app, 2, first=3)
    seal_service(SERVICE, store, audit_dir, key_path)
    return db.positions()


def test_row_inserted_into_a_gap_is_found(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path
) -> None:
    positions = sealed_around_a_gap(app, db, store, audit_dir, key_path)
    assert positions[2] - positions[1] == 3
    assert check(store, audit_dir).ok
    _, _, topic, state = db.row(positions[0])
    db.insert(positions[1] + 1, uuid4(), 1, topic, state)
    report = check(store, audit_dir)
    assert (report.ok, report.problem, report.first_bad_position) == (
        False,
        "inserted",
        positions[1] + 1,
    )


def test_swapped_rows_are_found_as_reordered(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 5)
    seal_service(SERVICE, store, audit_dir, key_path)
    positions = db.positions()
    db.swap(positions[1], positions[3])
    report = check(store, audit_dir)
    assert (report.ok, report.problem, report.first_bad_position) == (
        False,
        "reordered",
        positions[1],
    )
    assert str(positions[3]) in report.message_en


def test_event_moved_into_a_gap_with_its_leaf_log_line_is_found(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path
) -> None:
    """The log's position column is not hashed by the tree; the leaf itself commits to it."""
    positions = sealed_around_a_gap(app, db, store, audit_dir, key_path)
    moved, into = positions[1], positions[1] + 1
    db.run(f"UPDATE {db.table} SET {db.id} = ? WHERE {db.id} = ?", (into, moved))
    log = audit_dir / SERVICE / "leaves.log"
    log.write_text(log.read_text().replace(f"\n{moved} ", f"\n{into} "))
    report = check(store, audit_dir)
    assert (report.ok, report.problem, report.first_bad_position) == (False, "edited", into)


# --- tampering with the audit files, or the wrong key --------------------------------------


def test_changed_root_in_head_file_fails_signature(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 3)
    seal_service(SERVICE, store, audit_dir, key_path)
    [path] = head_files(audit_dir)
    fields = json.loads(path.read_text())
    fields["root"] = hashlib.sha256(b"forged").hexdigest()
    path.write_text(json.dumps(fields))
    report = check(store, audit_dir)
    assert (report.ok, report.problem) == (False, "bad_signature")


def test_unreadable_head_file_fails_signature(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 2)
    seal_service(SERVICE, store, audit_dir, key_path)
    head_files(audit_dir)[0].write_text("{not json")
    assert check(store, audit_dir).problem == "bad_signature"


def test_edited_leaf_log_line_fails(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 4)
    seal_service(SERVICE, store, audit_dir, key_path)
    log = audit_dir / SERVICE / "leaves.log"
    lines = log.read_text().splitlines()
    position, digest = lines[1].split(" ")
    lines[1] = f"{position} {'0' if digest[0] != '0' else '1'}{digest[1:]}"
    log.write_text("\n".join(lines) + "\n")
    report = check(store, audit_dir)
    assert (report.ok, report.problem) == (False, "leaf_log_mismatch")
    with pytest.raises(LeafLogError):
        sealer_for(store, audit_dir, key_path)


def sealer_for(store: Store, audit_dir: Path, key_path: Path) -> Sealer:
    application = AuditDemo(store)
    try:
        return sealer(application, audit_dir, key_path)
    finally:
        application.close()


def test_wrong_public_key_fails(
    app: AuditDemo, store: Store, audit_dir: Path, key_path: Path, tmp_path: Path
) -> None:
    write_notes(app, 3)
    seal_service(SERVICE, store, audit_dir, key_path)
    other = load_or_create_key(tmp_path / "other" / "key.pem").public_key()
    other_pem = tmp_path / "other" / "key.pub.pem"
    other_pem.write_bytes(treeheads.public_key_pem(other))
    right_pem = tmp_path / "right.pub.pem"
    right_pem.write_bytes(treeheads.public_key_pem(load_or_create_key(key_path).public_key()))
    assert check(store, audit_dir, public_key_path=right_pem).ok
    report = check(store, audit_dir, public_key_path=other_pem)
    assert (report.ok, report.problem) == (False, "bad_signature")


def test_verify_with_recorder_directly(app: AuditDemo, audit_dir: Path, key_path: Path) -> None:
    write_notes(app, 2)
    sealer(app, audit_dir, key_path).seal()
    assert verify(SERVICE, app.recorder, audit_dir).ok


# --- every stored row is covered, whatever its position (issue 10) ------------------------


@pytest.mark.parametrize("position", [0, -7])
def test_event_forged_at_position_zero_or_below_is_found_as_inserted(
    app: AuditDemo, db: RawEvents, store: Store, audit_dir: Path, key_path: Path, position: int
) -> None:
    note_id = app.write("note-1")
    write_notes(app, 2, first=2)
    seal_service(SERVICE, store, audit_dir, key_path)
    forge(db, position, note_id, 2)
    write_notes(app, 1, first=4)  # a new command and a new seal change nothing
    assert seal_service(SERVICE, store, audit_dir, key_path) is not None
    report = check(store, audit_dir)
    assert (report.ok, report.problem, report.first_bad_position) == (False, "inserted", position)
    assert report.checked == 5
    assert f"position {position} was inserted" in report.message_en
    assert f"第 {position} 号事件是封存后插入的" in report.message_zh


def test_aggregate_with_an_event_at_position_zero_or_below_is_refused(
    app: AuditDemo, db: RawEvents
) -> None:
    note_id = app.write("note-1")
    other_id = app.write("note-2")
    forge(db, -3, note_id, 2)
    with pytest.raises(LogTampered) as refused:
        app.repository.get(note_id)
    error = refused.value
    assert error.code == "log_tampered" and error.details["position"] == -3
    assert "-3" in error.message_zh and "-3" in error.message_en
    assert app.repository.get(other_id).text == "note-2"  # the others are served as before


def test_running_sealer_notices_rows_it_did_not_seal(
    app: AuditDemo, db: RawEvents, audit_dir: Path, key_path: Path
) -> None:
    write_notes(app, 2)
    with db.gap(2):
        write_notes(app, 1, first=3)
    seal = sealer(app, audit_dir, key_path)
    assert seal.seal() is not None and seal.check() is None
    positions = db.positions()

    forge(db, 0, uuid4(), 1)
    alarm = seal.check()
    assert alarm is not None
    assert (alarm.sealed, alarm.stored, alarm.lowest_position) == (3, 4, 0)
    assert "0" in alarm.message_en and "shequ audit verify" in alarm.message_zh
    db.delete(0)
    assert seal.check() is None

    forge(db, positions[1] + 1, uuid4(), 1)  # into a gap below the sealed position
    alarm = seal.check()
    assert alarm is not None and (alarm.sealed, alarm.stored) == (3, 4)
    db.delete(positions[1] + 1)
    db.delete(positions[0])  # a sealed row gone
    alarm = seal.check()
    assert alarm is not None and (alarm.sealed, alarm.stored) == (3, 2)


def test_shequ_audit_seal_exits_1_on_the_alarm(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from shequ.cli import main

    store = Store.parse(f"sqlite:///{tmp_path / 'registry.db'}")  # SQLite: one table name
    application = AuditDemo(store)
    write_notes(application, 2)
    application.close()
    env = {"SHEQU_TREEHEAD_DIR": str(tmp_path / "heads"), "SHEQU_KEY_DIR": str(tmp_path / "k")}
    seal = ["audit", "seal", "--service", "registry", "--store", f"sqlite:///{store.path}"]
    first = CliRunner().invoke(main, seal, env=env)
    assert (first.exit_code, first.output) == (0, "tree head: size 2\n")
    forge(RawEvents(store, SERVICE), 0, uuid4(), 1)
    second = CliRunner().invoke(main, seal, env=env)
    assert second.exit_code == 1
    assert "nothing new to seal" in second.stdout
    assert "the lowest position is 0" in second.stderr and "shequ audit verify" in second.stderr


def test_running_check_pauses_its_count_but_not_for_a_row_at_zero_or_below(
    app: AuditDemo, db: RawEvents, audit_dir: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shequ.audit.sealer.COUNT_PAUSE", 10**9)  # never due again
    write_notes(app, 2)
    seal = sealer(app, audit_dir, key_path)
    seal.seal()
    assert seal.check(full=False) is None  # the first check counts
    db.delete(db.positions()[0])
    assert seal.check(full=False) is None  # not due: the last count stands
    alarm = seal.check()  # a full check counts every time (shequ audit seal)
    assert alarm is not None and (alarm.sealed, alarm.stored) == (2, 1)
    forge(db, 0, uuid4(), 1)
    alarm = seal.check(full=False)  # counted at once
    assert alarm is not None and (alarm.sealed, alarm.stored, alarm.lowest_position) == (2, 2, 0)
