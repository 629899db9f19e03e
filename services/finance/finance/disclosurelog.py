"""The district's public disclosure log (AUDIT.md A7, ADR 0037): every line finance publishes,
and every published document, as an entry of an append-only Merkle log that anyone can check.

- **Entries.** Canonical JSON (sorted keys, no spaces, UTF-8): one per published line,
  ``{"format": "shequ.disclosure.line/1", "village", "period", "category", "seq", "date",
  "voucher_no", "summary", "amount_fen"}`` (as the disclosure shows it: no person is in it), then
  one for the document, ``{"format": "shequ.disclosure.document/1", "village", "kind", "period",
  "published_on", "content_sha256", "basis"}``, whose basis names the finance event that
  published it (the aggregate and its version in finance's sealed log).
- **Appended once.** The entries are rows of a read model fed from finance's own log in order
  (``FinanceProjection``): a publication is applied exactly once, in one transaction with the
  projection's position, and a rebuild numbers them the same. So the log is a pure function of
  finance's events, and its entries' order is finance's order of publication.
- **Served.** The job ``disclosure-log`` (``finance.board``) writes the entries as static C2SP tlog-tiles with a
  checkpoint signed by finance's key (origin ``<district prefix>/disclosures``) into
  ``SHEQU_DISCLOSURE_LOG_DIR``, which the gateway serves under ``/log/<district>/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from shequ.audit.rfc9162 import leaf_hash
from shequ.audit.treeheads import canonical_json
from shequ.config import log_origin
from shequ.topics import pin_topics
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance import tables as t
from finance.domain import AGGREGATES

pin_topics("finance", *AGGREGATES)  # the stored topics, for a fold of a bundle's events

LINE = "shequ.disclosure.line/1"
DOCUMENT = "shequ.disclosure.document/1"
LOG = "disclosures"  # the log's name in its origin: <district prefix>/disclosures


def origin() -> str:
    return log_origin(LOG)


def _balance_row(row: dict[str, Any], day: str) -> dict[str, Any]:
    return {
        "date": day,
        "voucher_no": "",
        "summary": f"{row['account']} {row['name']}",
        "amount_fen": row["balance_fen"],
    }


def _entry_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": row["date"],
        "voucher_no": str(row.get("number") or ""),
        "summary": row["summary"],
        "amount_fen": row["amount_fen"],
    }


def single(content: dict[str, Any]) -> str:
    """The one category of a disclosure without the eight: a special one's topic (its
    ``section``: land, contract, pooled), else its kind (``correction``, or ``immediate``,
    whose content does not say it)."""
    return str(content.get("section") or content.get("kind", "immediate"))


def published_lines(content: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(category, seq from 1, line) of every row a disclosure shows: entries with their
    voucher, balances at the period's end with their account. The rows of an immediate
    disclosure or a correction notice are the category of its kind (``immediate``,
    ``correction``)."""
    if "categories" in content:
        groups = [(c["key"], c["rows"]) for c in content["categories"]]
    else:
        groups = [(single(content), content.get("rows", []))]
    for category, rows in groups:
        for seq, row in enumerate(rows, start=1):
            line = _entry_row(row) if "date" in row else _balance_row(row, content.get("to", ""))
            yield category, seq, line


def line_entry(village: str, period: str, category: str, seq: int, line: dict[str, Any]) -> bytes:
    """The canonical bytes of one published line (format ``shequ.disclosure.line/1``)."""
    fields = {"format": LINE, "village": village, "period": period, "category": category}
    return canonical_json({**fields, "seq": seq, **line})


def publication_entries(
    content: dict[str, Any],
    kind: str,
    period: str,
    content_sha256: str,
    published_on: str,
    disclosure_id: str,
    version: int,
) -> list[tuple[str, int, bytes]]:
    """(category, seq, entry) of one publication: its lines, then its document (``document``,
    0), whose basis is the publishing event (the disclosure and its version)."""
    village = content["village"]
    rows = [
        (category, seq, line_entry(village, period, category, seq, line))
        for category, seq, line in published_lines(content)
    ]
    document = {
        "format": DOCUMENT,
        "village": village,
        "kind": kind,
        "period": period,
        "published_on": published_on,
        "content_sha256": content_sha256,
        "basis": {"service": "finance", "aggregate": disclosure_id, "version": version},
    }
    rows.append(("document", 0, canonical_json(document)))
    return rows


def log_entries(events: Iterable[Any]) -> list[bytes]:
    """The public disclosure log as a pure fold of finance's domain events in log order (what
    the read model appends, ``append_publication``): an export bundle carries it (A7)."""
    prepared: dict[str, Any] = {}
    out: list[bytes] = []
    for e in events:
        name = type(e).__qualname__
        if name == "Disclosure.Prepared":
            prepared[str(e.originator_id)] = e
        elif name == "Disclosure.Published" and str(e.originator_id) in prepared:
            p = prepared[str(e.originator_id)]
            out += [
                entry
                for _, _, entry in publication_entries(
                    json.loads(json.dumps(p.content)),
                    p.kind,
                    p.period,
                    p.content_sha256,
                    e.published_on,
                    str(e.originator_id),
                    e.originator_version,
                )
            ]
    return out


def wants(topic: str) -> bool:
    return topic.startswith("finance:Disclosure.")


def bundle_entries(rows: Iterable[Any]) -> list[bytes]:
    """The log folded from stored rows (an export's prefix, ``shequ.audit.bundle``)."""
    from shequ.reports.run import decode

    return log_entries(decode(rows, wants))


def append_publication(session: Session, event: Any) -> None:
    """A projection handler for ``Disclosure.Published``: the disclosure's lines and then its
    document, numbered after the log's last entry. Nothing when they are there already."""
    disclosure_id = str(event.originator_id)
    log = t.disclosure_log
    found = session.execute(
        select(log.c.idx).where(log.c.disclosure_id == disclosure_id).limit(1)
    ).first()
    row = session.execute(select(t.disclosures).where(t.disclosures.c.id == disclosure_id)).one()
    if found is not None or not row.content:
        return
    rows = publication_entries(
        json.loads(row.content),
        row.kind,
        row.period,
        row.content_sha256,
        event.published_on,
        disclosure_id,
        event.originator_version,
    )
    start = session.execute(select(func.coalesce(func.max(log.c.idx), -1))).scalar_one() + 1
    session.execute(
        log.insert(),
        [
            {
                "idx": start + i,
                "village_id": row.village_id,
                "disclosure_id": disclosure_id,
                "category": category,
                "seq": seq,
                "entry": entry.decode("utf-8"),
                "leaf_hash": leaf_hash(entry).hex(),
            }
            for i, (category, seq, entry) in enumerate(rows)
        ],
    )
