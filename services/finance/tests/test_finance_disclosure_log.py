"""The district's public disclosure log (A7) on SQLite and PostgreSQL: a published quarter's
lines and its document appended once, in order, as canonical JSON; the read model rebuilt from
finance's log numbers them the same; the tiles and the signed checkpoint it writes check out
with an RFC 6962 tree computed here from the definitions, independently of shequ.audit."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from finance import tables as t
from finance.board import write_tiles
from finance.disclosurelog import DOCUMENT, LINE, origin
from finance.domain.disclosure import CATEGORIES
from finance_testing import AUDITOR, World
from shequ.audit import Sealer, load_or_create_key
from shequ.audit.bundle import export, read_bundle
from shequ.audit.notes import open_checkpoint, parse_vkey, vkey
from shequ.audit.tiles import tile_path, unbundle
from shequ.config import log_origin
from shequ.testing import naive_path, naive_root
from sqlalchemy import select
from test_finance_objections import published_quarter


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def logged(world: World) -> list[tuple[int, str, str]]:
    with world.finance.read() as c:
        log = t.disclosure_log
        rows = c.execute(select(log.c.idx, log.c.entry, log.c.leaf_hash).order_by(log.c.idx))
        return [(r.idx, r.entry, r.leaf_hash) for r in rows]


def test_A7_a_published_quarter_is_appended_once_line_by_line_then_its_document(
    world: World,
) -> None:
    village = world.village()
    disclosure_id = published_quarter(world, village)
    rows = logged(world)
    entries = [json.loads(e) for _, e, _ in rows]
    assert [i for i, _, _ in rows] == list(range(len(rows)))
    assert [e["format"] for e in entries[:-1]] == [LINE] * (len(rows) - 1)
    road = [e for e in entries if e.get("summary") == "村道修补"]
    assert road == [
        {
            "format": LINE,
            "village": "东王家村（示例）",
            "period": "2026Q1",
            "category": "expense",
            "seq": 1,
            "date": "2026-01-03",
            "voucher_no": road[0]["voucher_no"],
            "summary": "村道修补",
            "amount_fen": 450_000,
        }
    ]
    document = entries[-1]
    shown = world.app.disclosure(AUDITOR, disclosure_id=disclosure_id)
    assert document["format"] == DOCUMENT
    assert document["content_sha256"] == shown["content_sha256"]
    assert document["published_on"] == "2026-04-10"
    assert document["basis"]["aggregate"] == disclosure_id
    # canonical: sorted keys, no spaces, UTF-8
    for _, text, digest in rows:
        assert text == json.dumps(
            json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert digest == _h(b"\x00" + text.encode("utf-8")).hex()
    # the board's query names each line's entry
    board = world.app.public_disclosures(AUDITOR, village_id=village.id)
    (published,) = board["disclosures"]
    assert published["opinion"] == "同意公开"
    entry = published["log"]["expense:1"]
    # laid out as the report lays out a period: the eight categories, then the funds
    layout = published["sections"]
    assert [s["key"] for s in layout] == [key for key, _ in CATEGORIES] + ["funds"]
    expense = layout[2]
    assert [c["zh"] for c in expense["columns"]] == [
        "日期",
        "凭证号",
        "摘要",
        "科目",
        "金额（元）",
        "经办人",
    ]
    (row,) = expense["rows"]
    assert row["line"] == "expense:1" and row["log"] == entry
    assert row["cells"][2:] == ["村道修补", "514 公益支出", "4500.00", "报账员"]
    assert layout[0]["note"] == "本期无此类事项" and layout[0]["rows"] == []
    assert rows[entry["index"]][1] == json.dumps(
        road[0], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_A7_the_log_is_appended_once_and_rebuilt_the_same(world: World) -> None:
    first, second = world.village(), world.village(name="西王家村（示例）")
    published_quarter(world, first)
    before = logged(world)
    world.finance.projector.catch_up()  # a second pass over the same events adds nothing
    assert logged(world) == before
    published_quarter(world, second)  # a later publication comes after, never between
    after = logged(world)
    assert after[: len(before)] == before and len(after) == 2 * len(before)
    assert json.loads(after[-1][1])["village"] == "西王家村（示例）"
    # the read model dropped and rebuilt from finance's events numbers the entries the same
    projector = world.finance.projector
    projector._build("another fingerprint")
    projector._build(projector.fingerprint)
    projector._seen = 0
    assert logged(world) == after


def test_A7_tiles_and_checkpoint_verify_independently(world: World, tmp_path: Path) -> None:
    village = world.village()
    published_quarter(world, village)
    key = Ed25519PrivateKey.generate()
    size = write_tiles(world.finance, tmp_path, key)
    rows = logged(world)
    assert size == len(rows) > 3
    verifier = parse_vkey((tmp_path / "vkey").read_text())
    checkpoint = open_checkpoint((tmp_path / "checkpoint").read_text(), verifier, origin())
    leaves = [_h(b"\x00" + e.encode("utf-8")) for _, e, _ in rows]
    assert checkpoint.tree_size == size
    assert checkpoint.root == naive_root(leaves)
    tile = (tmp_path / tile_path(0, 0, size)).read_bytes()
    assert [tile[i : i + 32] for i in range(0, len(tile), 32)] == leaves
    bundle = (tmp_path / tile_path("entries", 0, size)).read_bytes()
    assert unbundle(bundle) == [e.encode("utf-8") for _, e, _ in rows]
    # an inclusion proof of each line from shequ's RFC 9162 code checks with the naive one
    from shequ.audit.rfc9162 import inclusion_path, verify_inclusion

    for i, leaf in enumerate(leaves):
        path = inclusion_path(i, leaves)
        assert path == naive_path(i, leaves)
        verify_inclusion(i, size, leaf, path, checkpoint.root)
    # written again: nothing changes, same checkpoint bytes (Ed25519 is deterministic)
    note = (tmp_path / "checkpoint").read_bytes()
    write_tiles(world.finance, tmp_path, key)
    assert (tmp_path / "checkpoint").read_bytes() == note
    assert base64.b64decode(note.split(b"\n")[2]) == naive_root(leaves)


def test_A7_an_export_bundle_carries_the_log_as_of_its_prefix(world: World, tmp_path: Path) -> None:
    village = world.village()
    published_quarter(world, village)
    treeheads, key_path = tmp_path / "treeheads", tmp_path / "finance.ed25519.pem"
    Sealer("finance", world.finance.recorder, treeheads, key_path).seal()
    files = {}
    for name in ("one.tar", "two.tar"):
        export(
            "finance",
            world.finance.recorder,
            treeheads,
            key_path,
            log_origin("finance"),
            datetime(2100, 1, 1, tzinfo=UTC),
            tmp_path / name,
        )
        files[name] = (tmp_path / name).read_bytes()
    assert files["one.tar"] == files["two.tar"]  # deterministic, log included
    bundle = read_bundle(tmp_path / "one.tar")
    live = [e.encode("utf-8") for _, e, _ in logged(world)]
    listed = {f["name"] for f in json.loads(bundle["MANIFEST.json"])["files"]}
    assert f"disclosures-log/{tile_path('entries', 0, len(live))}" in listed
    assert unbundle(bundle[f"disclosures-log/{tile_path('entries', 0, len(live))}"]) == live
    verifier = parse_vkey(vkey(origin(), load_or_create_key(key_path).public_key()))
    checkpoint = open_checkpoint(bundle["disclosures-log/checkpoint"].decode(), verifier)
    assert checkpoint.tree_size == len(live)
    assert checkpoint.root == naive_root([_h(b"\x00" + e) for e in live])
