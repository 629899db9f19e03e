"""Finance's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``fin_``). Amounts are
whole fen; a red line's amount is stored negative, so sums need no case."""

from __future__ import annotations

from shequ.readmodel import day, fen, flag, key, number, ref, table, text
from sqlalchemy import Index, MetaData

metadata = MetaData()

collectives = table("fin_collectives", metadata, (key("id"), text("name", 50), ref("community_id")))
ledgers = table(
    "fin_ledgers",
    metadata,
    (key("id"), ref("village_id"), day("opened_on"), text("opening"), text("closed")),
    Index("fin_ledgers_village", "village_id", unique=True),
)
carryovers = table(  # a ledger's move to the 2023 chart: its opening balances on that day
    "fin_carryovers",
    metadata,
    (key("ledger_id"), ref("village_id"), day("carried_on"), text("opening")),
    Index("fin_carryovers_village", "village_id", unique=True),
)
vouchers = table(
    "fin_vouchers",
    metadata,
    (key("id"), ref("ledger_id"), ref("village_id"), day("voucher_date"), text("period", 7)),
    (text("summary", 200), text("kind", 20), text("status", 20), text("number", 20)),
    (day("posted_on"), ref("corrects"), ref("handler_id"), fen("total_fen")),
    Index("fin_vouchers_village", "village_id", "period"),
)
lines = table(
    "fin_lines",
    metadata,
    (key("voucher_id"), number("line", primary_key=True), text("account", 20), text("side", 6)),
    (fen("amount_fen"), flag("red"), ref("counterparty_id"), text("contract_no", 50)),
    (text("memo", 200), ref("village_id"), day("voucher_date"), flag("posted", default=False)),
    Index("fin_lines_village", "village_id", "posted", "voucher_date"),
)
disclosures = table(
    "fin_disclosures",
    metadata,
    (key("id"), ref("village_id"), text("kind", 20), text("period", 40), day("due_on")),
    (day("published_on"), text("content_sha256", 64), text("content"), text("opinion")),
    Index("fin_disclosures_village", "village_id", "kind", "period", unique=True),
)
# the district's public disclosure log (A7): one entry per published line and per document,
# numbered in the order finance published them (finance.disclosurelog)
disclosure_log = table(
    "fin_disclosure_log",
    metadata,
    (number("idx", primary_key=True, autoincrement=False), ref("village_id"), ref("disclosure_id")),
    (text("category", 20), number("seq"), text("entry"), text("leaf_hash", 64)),
    Index("fin_disclosure_log_disclosure", "disclosure_id", "category", "seq", unique=True),
)
objections = table(
    "fin_objections",
    metadata,
    (key("id"), ref("village_id"), ref("disclosure_id"), day("due_on"), day("answered_on")),
    Index("fin_objections_open", "answered_on", "due_on"),
)
contracts = table(
    "fin_contracts",
    metadata,
    (key("id"), ref("village_id"), text("number", 30), text("terms")),
    Index("fin_contracts_village", "village_id"),
)
