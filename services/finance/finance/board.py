"""The public board's side of finance (AUDIT.md A7, ADR 0037): the job that writes the
district's public disclosure log (``finance.disclosurelog``) as static C2SP tlog-tiles with a
signed checkpoint and the vkey beside them, and the query a village's public board reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shequ.actor import Actor
from shequ.audit.notes import vkey
from shequ.audit.tiles import b64url, write_log
from shequ.audit.treeheads import atomic_write, load_or_create_key
from shequ.commands import Command, Count, Id
from shequ.config import disclosure_log_dir, signing_key_path
from sqlalchemy import func, select

from finance import tables as t
from finance.base import FinanceBase
from finance.disclosurelog import origin, published_lines, single
from finance.domain import chart_on
from finance.domain.common import yuan
from finance.domain.disclosure import CATEGORIES, NOTHING
from finance.examples import VILLAGE
from finance.report import BALANCE_COLUMNS, ENTRY_COLUMNS
from finance.specials import TOPICS

VKEY_FILE = "vkey"


def entries(app: FinanceBase) -> list[bytes]:
    with app.read() as c:
        rows = c.execute(select(t.disclosure_log.c.entry).order_by(t.disclosure_log.c.idx))
        return [r.encode("utf-8") for r in rows.scalars()]


def write_tiles(app: FinanceBase, directory: Path, key: Ed25519PrivateKey) -> int:
    """Write the log's new tiles and its signed checkpoint, and the vkey beside them; the
    log's size."""
    logged = entries(app)
    write_log(directory, logged, origin(), key)
    text = (vkey(origin(), key.public_key()) + "\n").encode("ascii")
    target = directory / VKEY_FILE
    if not target.exists() or target.read_bytes() != text:
        atomic_write(target, text)
    return len(logged)


def tile_writer(app: FinanceBase) -> Callable[[], None]:
    """The job's pass: the tiles follow the log (a publication shows within the job's period)."""
    key = load_or_create_key(signing_key_path("finance"))
    directory = disclosure_log_dir()
    written = -1

    def run() -> None:
        nonlocal written
        with app.read() as c:
            size = c.execute(select(func.count()).select_from(t.disclosure_log)).scalar_one()
        if size != written:
            written = write_tiles(app, directory, key)

    return run


class PublicDisclosuresQuery(Command):
    """A village's published disclosures for its public board (公开栏), newest first: each
    one's content as published, the 民主理财小组's opinion, and for every line its entry in the
    district's public disclosure log (index and base64url leaf hash), for the board's verify
    links."""

    title = "公开栏的财务公开"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id
    limit: Annotated[int, Count(1, 40, "至多几期")] = 8


def public_disclosures(cmd: PublicDisclosuresQuery, actor: Actor, app: FinanceBase) -> Any:
    app.policy.check("public_disclosures", actor, app.village_target(cmd.village_id))
    d, log = t.disclosures, t.disclosure_log
    with app.read() as c:
        published = c.execute(
            select(d)
            .where(d.c.village_id == cmd.village_id, d.c.published_on.is_not(None))
            .order_by(d.c.published_on.desc(), d.c.period.desc())
            .limit(cmd.limit)
        ).all()
        ids = [r.id for r in published]
        logged = c.execute(
            select(log.c.disclosure_id, log.c.category, log.c.seq, log.c.idx, log.c.leaf_hash)
            .where(log.c.disclosure_id.in_(ids))
            .order_by(log.c.idx)
        ).all()
    lines: dict[str, dict[str, dict[str, Any]]] = {i: {} for i in ids}
    for r in logged:
        lines[r.disclosure_id][f"{r.category}:{r.seq}"] = {
            "index": r.idx,
            "leaf_hash": b64url(bytes.fromhex(r.leaf_hash)),
        }
    return {
        "village_id": cmd.village_id,
        "origin": origin(),
        "disclosures": [
            {
                "disclosure_id": r.id,
                "kind": r.kind,
                "period": r.period,
                "published_on": r.published_on,
                "content_sha256": r.content_sha256,
                "opinion": r.opinion,
                "content": json.loads(r.content),
                "sections": sections(json.loads(r.content), lines[r.id]),
                "log": lines[r.id],
            }
            for r in published
        ],
    }


def sections(content: dict[str, Any], log: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A published disclosure laid out as the finance report lays out a period (its columns,
    yuan with two decimals, handlers by role): each category in order with its rows, or
    本期无此类事项, then the funds summary. Each row names its line (``category:seq``) and
    that line's entry in the public log."""
    chart = chart_on(content.get("from", "")) if content.get("from") else None

    def named(code: str) -> str:
        account = chart.account(code) if chart else None
        return f"{code} {account.name}" if account else code

    titles = dict(CATEGORIES) | {"immediate": "即时公开", "correction": "更正公告"} | TOPICS
    out: dict[str, dict[str, Any]] = {}
    for category, seq, line in published_lines(content):
        row = _rows(content, category)[seq - 1]
        if "date" in row:
            cells = [
                line["date"],
                line["voucher_no"],
                line["summary"],
                named(row["account"]),
                yuan(line["amount_fen"], grouped=False),
                row.get("handler", "报账员"),
            ]
            columns = ENTRY_COLUMNS
        else:
            cells, columns = (
                [named(row["account"]), yuan(line["amount_fen"], grouped=False)],
                BALANCE_COLUMNS,
            )
        section = out.setdefault(
            category, {"key": category, "title": titles[category], "columns": columns, "rows": []}
        )
        key = f"{category}:{seq}"
        section["rows"].append({"line": key, "cells": cells, "log": log.get(key)})
    ordered = [c for c, _ in CATEGORIES] if "categories" in content else [single(content)]
    result = [
        out.get(c, {"key": c, "title": titles[c], "columns": BALANCE_COLUMNS, "rows": []})
        for c in ordered
    ]
    for section in result:
        if not section["rows"]:
            section["note"] = NOTHING
    funds = content.get("funds")
    if funds:
        result.append(
            {
                "key": "funds",
                "title": "资金收支汇总",
                "columns": BALANCE_COLUMNS,
                "rows": [
                    {"line": None, "cells": [name, yuan(funds[k], grouped=False)], "log": None}
                    for k, name in (
                        ("opening_fen", "期初资金"),
                        ("receipts_fen", "本期收入"),
                        ("payments_fen", "本期支出"),
                        ("closing_fen", "期末资金"),
                    )
                ],
            }
        )
    return result


def _rows(content: dict[str, Any], category: str) -> list[dict[str, Any]]:
    if "categories" not in content:
        return list(content.get("rows", []))
    return next(c["rows"] for c in content["categories"] if c["key"] == category)
