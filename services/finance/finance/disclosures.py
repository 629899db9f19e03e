"""Use cases of the periodic disclosure (财务公开, D1–D5): prepared from a quarter whose months
are all closed, reviewed by the 民主理财小组 with its opinion, published; and the query of one
disclosure with its content and digest.

The content is the eight categories in order (D1): income and expense entry by entry (逐项逐笔)
from the posted lines, assets and claims as the accounts' balances at the quarter's end, an empty
category printed as 本期无此类事项, and the funds summary (资金收支汇总). No person's name is in
it: handlers are shown by their role. Its SHA-256 is recorded when it is prepared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.commands import Choice, Command, Id, Keyed, Note, keyed
from shequ.handlers import changes, decides
from sqlalchemy import Connection, select

from finance import corrections
from finance import tables as t
from finance.base import FinanceBase, attributes
from finance.categories import asset_rows, register_rows
from finance.domain import Disclosure, chart_on
from finance.domain.disclosure import (
    CATEGORIES,
    NOTHING,
    PeriodFold,
    check_quarter_closed,
    digest,
    due_on,
    quarter_months,
)
from finance.domain.ledger import next_month
from finance.examples import VILLAGE
from finance.fields import Quarter
from finance.ledgers import movements, village_scope, villages_read
from finance.registers import counterparties
from finance.subledgers import check_reconciled

DISCLOSURE = "5b2d7c1e-0000-5000-8000-000000000041"


class PrepareDisclosure(Keyed):
    """Prepare a village's periodic disclosure of a quarter from its books: every month of the
    quarter must be closed (D5); the content and its SHA-256 are fixed from then on."""

    title = "编制财务公开"
    example = keyed("disclosure-dongwangjia-2026Q1", village_id=VILLAGE, period="2026Q1")
    village_id: Id
    period: Quarter


@decides(village_scope)
def prepare_disclosure(cmd: PrepareDisclosure, actor: Actor, app: FinanceBase) -> Any:
    check_quarter_closed(app.ledger(cmd.village_id).closed, cmd.period)
    app.ensure_new(
        Disclosure.create_id(cmd.village_id, "periodic", cmd.period),
        "该季度财务公开",
        "period",
        "disclosure.exists",
    )
    with app.read() as c:
        check_reconciled(c, cmd.village_id, f"{next_month(quarter_months(cmd.period)[-1])}-01")
        content = quarter_content(
            c,
            app.collective(cmd.village_id).name,
            cmd.village_id,
            cmd.period,
            app.ledger(cmd.village_id).assets,
        )
    due = app.due(due_on(cmd.period, app.settings.periodic_due_day))
    notice, superseded, carried = corrections.notice(
        app, cmd.village_id, cmd.period, (content["from"], content["to"]), due, actor
    )
    if carried:  # D33: the quarter's disclosure names the corrections its notice carries
        content["corrections"] = carried
    disclosure = Disclosure(
        village_id=cmd.village_id,
        kind="periodic",
        period=cmd.period,
        content=content,
        content_sha256=digest(content),
        due_on=due,
        prepared_on=app.today(),
        actor=actor.to_dict(),
    )
    answer = {
        "disclosure_id": str(disclosure.id),
        "content_sha256": disclosure.content_sha256,
        "due_on": disclosure.due_on,
    }
    if notice is None:
        return [disclosure], answer
    return [disclosure, notice, *superseded], {**answer, "correction_notice_id": str(notice.id)}


def quarter_content(
    c: Connection,
    village_name: str,
    village_id: str,
    quarter: str,
    register: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    """The eight categories of a quarter in order, and the funds summary (D1, §1.4); the
    assets from the books and the fixed-asset register (``register``, the ledger's)."""
    months = quarter_months(quarter)
    start, end = f"{months[0]}-01", f"{next_month(months[-1])}-01"
    last_day = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
    chart = chart_on(start)
    assert chart is not None  # a ledger is opened only on a chart in force
    books = PeriodFold(
        chart, movements(c, village_id, start, end)[0], entry_by_entry(c, village_id, start, end)
    )

    def named(code: str) -> str:
        return chart.accounts[code].name if code in chart.accounts else code

    tables: dict[str, list[dict[str, Any]]] = {
        **books.entries,
        "assets": asset_rows(books, register, last_day, persons(c, village_id)),
        "claims": [
            {"account": a, "name": named(a), "balance_fen": fen} for a, fen in books.claims()
        ],
        **register_rows(c, village_id, quarter, start, end),
    }
    categories = []
    for key, title in CATEGORIES:
        rows = tables.get(key, [])
        for row in rows:
            row.pop("side", None)
        item: dict[str, Any] = {"key": key, "title": title, "rows": rows}
        if key in ("income", "expense"):
            item["total_fen"] = sum(r["amount_fen"] for r in rows)
        if not rows:
            item["note"] = NOTHING
        categories.append(item)
    return {
        "village": village_name,
        "period": quarter,
        "from": start,
        "to": last_day,
        "chart": chart.id,
        "categories": categories,
        "funds": books.funds(),
    }


def persons(c: Connection, village_id: str) -> dict[str, str]:
    """The names of the persons registered in a village's books, by registry person id."""
    cp = counterparties
    found = select(cp.c.person_id, cp.c.name).where(
        cp.c.village_id == village_id, cp.c.person_id.is_not(None)
    )
    return {r.person_id: r.name for r in c.execute(found)}


def entry_by_entry(c: Connection, village_id: str, start: str, end: str) -> list[dict[str, Any]]:
    """Every posted line of the period (逐项逐笔), in date and number order."""
    ln, v = t.lines, t.vouchers
    rows = c.execute(
        select(
            ln.c.voucher_date,
            v.c.number,
            v.c.summary,
            ln.c.memo,
            ln.c.account,
            ln.c.side,
            ln.c.amount_fen,
        )
        .join(v, v.c.id == ln.c.voucher_id)
        .where(
            ln.c.village_id == village_id,
            ln.c.posted,
            ln.c.voucher_date >= start,
            ln.c.voucher_date < end,
        )
        .order_by(ln.c.voucher_date, v.c.number, ln.c.line)
    ).all()
    return [
        {
            "date": r.voucher_date,
            "number": r.number,
            "summary": r.memo or r.summary,
            "account": r.account,
            "side": r.side,
            "amount_fen": r.amount_fen,
            "handler": "报账员",
        }
        for r in rows
    ]


def disclosure_scope(cmd: Any, app: FinanceBase) -> Any:
    return app.village_target(app.disclosure(cmd.disclosure_id).village_id)


def load(cmd: Any, app: FinanceBase) -> Disclosure:
    return app.disclosure(cmd.disclosure_id)


class ReviewDisclosure(Keyed):
    """The 民主理财小组's review of a prepared disclosure: its opinion on truth and completeness,
    shown in the footer of every table (D5)."""

    title = "审核财务公开"
    example = keyed(
        "disclosure-2026Q1-review", disclosure_id=DISCLOSURE, opinion="经审核，账目清楚，同意公开。"
    )
    disclosure_id: Id
    opinion: Annotated[str, Note(500, "审核意见")]


@changes(load, disclosure_scope)
def review_disclosure(
    cmd: ReviewDisclosure, actor: Actor, app: FinanceBase, d: Disclosure
) -> dict[str, Any]:
    d.review(cmd.opinion, actor.person_id, app.today(), actor.to_dict())
    return {"disclosure_id": cmd.disclosure_id, "status": d.status}


class PublishDisclosure(Keyed):
    """Publish a reviewed disclosure today (by the service's clock); posted for the district's
    posting days (D2). Published after its due date, it is published late, and says so."""

    title = "发布财务公开"
    example = keyed("disclosure-2026Q1-publish", disclosure_id=DISCLOSURE)
    disclosure_id: Id


@changes(load, disclosure_scope)
def publish_disclosure(
    cmd: PublishDisclosure, actor: Actor, app: FinanceBase, d: Disclosure
) -> dict[str, Any]:
    today = dt.date.fromisoformat(app.today())
    until = (today + dt.timedelta(days=app.settings.posting_days)).isoformat()
    community_id = app.collective(d.village_id).community_id
    d.publish(today.isoformat(), until, community_id, actor.to_dict())
    return {
        "disclosure_id": cmd.disclosure_id,
        "published_on": today.isoformat(),
        "posted_until": until,
    }


class DisclosureQuery(Command):
    """One disclosure: its content (the eight categories and the funds summary), its SHA-256,
    the 民主理财小组's opinion, when it was due and published."""

    title = "查询财务公开"
    example: ClassVar[dict[str, Any]] = {"disclosure_id": DISCLOSURE}
    disclosure_id: Id


# what the query shows of a disclosure
SHOWN = "village_id kind period status content content_sha256 opinion due_on published_on"


def disclosure(cmd: DisclosureQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    found = app.disclosure(cmd.disclosure_id)
    return app.shown("disclosure", actor, found, SHOWN, disclosure_id=cmd.disclosure_id)


class DisclosuresQuery(Command):
    """A village's disclosures (or, without ``village_id``, those of the asker's village or of
    every village for a role over all), newest period first: kind, period, status (prepared,
    reviewed, published), due and published dates; ``status`` keeps one status only."""

    title = "财务公开列表"
    example: ClassVar[dict[str, Any]] = {"village_id": VILLAGE}
    village_id: Id | None = None
    status: Annotated[str, Choice(("prepared", "reviewed", "published"), "状态")] | None = None


def disclosures(cmd: DisclosuresQuery, actor: Actor, app: FinanceBase) -> dict[str, Any]:
    villages = villages_read("disclosures", actor, app, cmd.village_id)
    d = t.disclosures
    query = select(d.c.id)
    if villages is not None:
        query = query.where(d.c.village_id.in_(villages))
    with app.read() as c:
        ids = c.execute(query.order_by(d.c.period.desc(), d.c.kind, d.c.id)).scalars().all()
    listed = []
    for disclosure_id in ids:
        found = app.disclosure(disclosure_id)
        if cmd.status and found.status != cmd.status:
            continue
        shown = attributes(
            found, ["village_id", "kind", "period", "status", "due_on", "published_on"]
        )
        listed.append({"disclosure_id": disclosure_id, **shown})
    return {"disclosures": listed}
