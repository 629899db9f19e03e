"""The verifier's fast leaves are the sealed leaves, byte for byte, for any row.

``row_leaf_data`` writes the canonical JSON out by hand and ``EventRows.batches`` converts ids
without building UUIDs (ADR 0021); both must give exactly what ``leaf_data`` of the
``Notification`` that ``EventRows.page`` reads gives, including rows written by hand.
"""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import hashlib
import json
from uuid import uuid4

from audit_fixtures import RawEvents, store  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st
from shequ.app import ServiceApplication
from shequ.audit.leaves import LEAF_FORMAT, leaf_hash, row_leaf_data, row_leaves
from shequ.recorders import EventRows
from shequ.store import Store

SERVICE = "LeafDemo"


class LeafDemo(ServiceApplication):
    """Only the events table is needed."""


def _reference(
    position: int,
    originator_id: str | None,
    version: object,
    topic: object,
    state: bytes | str | None,
) -> bytes:
    """ADR 0003's definition: json.dumps of the fields, sorted keys, no spaces, UTF-8."""
    if isinstance(state, str):
        state = state.encode("utf-8")
    fields = {
        "format": LEAF_FORMAT,
        "position": position,
        "originator_id": originator_id,
        "originator_version": version
        if version is None or isinstance(version, int)
        else str(version),
        "topic": topic,
        "state_sha256": None if state is None else hashlib.sha256(state).hexdigest(),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(-10, 10**12),
    originator_id=st.none() | text,
    version=st.none() | st.integers(-5, 10**9) | text,
    topic=st.none() | text,
    state=st.none() | st.binary(max_size=64) | text,
)
def test_hand_written_json_is_json_dumps(
    position: int,
    originator_id: str | None,
    version: object,
    topic: str | None,
    state: bytes | str | None,
) -> None:
    row = (position, originator_id, version, topic, state)
    assert row_leaf_data(*row) == _reference(*row)
    twice = row_leaves([row, row])  # the second meets the topic in the cache
    expected = hashlib.sha256(b"\x00" + _reference(*row)).digest()
    assert twice == [(position, expected), (position, expected)]


def test_streamed_leaves_equal_paged_leaves_for_odd_rows(store: Store) -> None:
    app = LeafDemo(store)
    try:
        raw = RawEvents(store, SERVICE)
        table = store.events_table(SERVICE)
        sql = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
        ids = [uuid4() for _ in range(4)]
        key = (lambda u: u.hex) if store.kind == "sqlite" else str
        for n, u in enumerate(ids):
            raw.run(sql, (key(u), n + 1, 'demo:Thing.Done\u00a0"x"', b'{"a":1}'))
        if store.kind == "sqlite":  # what SQLite lets a hand put in: any text, any type
            for odd in (ids[0].hex.upper(), "z" * 32, "not-a-uuid", str(ids[1]), "é\n"):
                raw.run(sql, (odd, 7, "demo:Thing.Done", "text state"))
            raw.run(sql, (b"0" * 32, "seven", None, None))
            raw.run(sql, ("0" * 32, 1.5, 3, b""))
        raw.run(sql.replace("(?, ?, ?, ?)", "(?, ?, ?, NULL)"), (key(ids[2]), 9, "t:x"))
        rows = EventRows(app.recorder)
        paged = [(n.id, leaf_hash(n)) for n in rows.page(None, 1000)]
        streamed = [leaf for batch in rows.batches(batch=2) for leaf in row_leaves(batch)]
        raw_ids = [  # the verifier's path: SQLite's hex ids written out as it hashes
            leaf
            for batch, hex_ids in rows.raw_batches(batch=2)
            for leaf in row_leaves(batch, hex_ids=hex_ids)
        ]
        assert len(paged) == len(raw.positions()) >= 5
        assert streamed == paged
        assert raw_ids == paged
    finally:
        app.close()
