"""Correction notices (D33, F10): an objection's answer that cited a correction voucher is
carried by the village's next periodic disclosure as a notice of its own (``kind
correction``), prepared with it, reviewed and published like it. The notice shows the
correction voucher's lines, each naming the disclosure and the line it corrects as that line
was published; the corrected disclosure records ``Superseded`` and keeps its content, digest
and publication: the original line stays.

The next disclosure is the first periodic one prepared after the answer whose quarter ends on
or after the correction voucher's date, once that voucher is posted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from finance import tables as t
from finance.base import FinanceBase
from finance.disclosurelog import published_lines
from finance.domain import Disclosure, Objection, Voucher, chart_on
from finance.domain.disclosure import digest

KIND = "correction"


def pending(app: FinanceBase, village_id: str, last_day: str) -> list[tuple[Objection, Voucher]]:
    """The answered objections of the village citing a correction voucher posted and dated by
    ``last_day`` that no notice carries yet, in the order they were filed."""
    o = t.objections
    with app.read() as c:
        ids = c.execute(
            select(o.c.id)
            .where(o.c.village_id == village_id, o.c.answered_on.is_not(None))
            .order_by(o.c.answered_on, o.c.id)
        ).scalars()
        answered = [app.objection(i) for i in ids]
    out = []
    for objection in answered:
        if objection.correction_voucher_id is None:
            continue
        voucher = app.voucher(objection.correction_voucher_id)
        if voucher.status != "posted" or voucher.voucher_date > last_day:
            continue
        if not app.disclosure(objection.disclosure_id).corrected_by(str(objection.id)):
            out.append((objection, voucher))
    return out


def original_line(content: dict[str, Any], line: str | None) -> dict[str, Any] | None:
    """The line ``category:seq`` of a disclosure as it was published (None: the whole
    disclosure, or no such line)."""
    for category, seq, published in published_lines(content):
        if f"{category}:{seq}" == line:
            return {"line": line, **published}
    return None


def notice(
    app: FinanceBase, village_id: str, quarter: str, span: tuple[str, str], due: str, actor: Any
) -> tuple[Disclosure | None, list[Disclosure], list[dict[str, Any]]]:
    """The correction notice the quarter's disclosure carries (None if there is nothing to
    correct), the corrected disclosures marked ``Superseded``, and what the quarter's
    disclosure says of each correction."""
    found = pending(app, village_id, span[1])
    if not found:
        return None, [], []
    notice_id = str(Disclosure.create_id(village_id, KIND, quarter))
    chart = chart_on(span[0])
    originals: dict[str, Disclosure] = {}
    rows: list[dict[str, Any]] = []
    carried: list[dict[str, Any]] = []
    for objection, voucher in found:
        original = originals.setdefault(
            objection.disclosure_id, app.disclosure(objection.disclosure_id)
        )
        corrects = {
            "disclosure_id": objection.disclosure_id,
            "kind": original.kind,
            "period": original.period,
            "content_sha256": original.content_sha256,
            "original": original_line(original.content, objection.line),
        }
        carried.append({**corrects, "number": voucher.number, "objection_id": str(objection.id)})
        for x in voucher.lines:
            account = chart.account(x["account"]) if chart else None
            rows.append(
                {
                    "date": voucher.voucher_date,
                    "number": voucher.number,
                    "summary": x.get("memo") or voucher.summary,
                    "account": x["account"],
                    "name": account.name if account else x["account"],
                    "side": x["side"],
                    "amount_fen": -x["amount_fen"] if x.get("red") else x["amount_fen"],
                    "handler": "报账员",
                    "corrects": corrects,
                }
            )
        record = {
            "notice_id": notice_id,
            "line": objection.line,
            "voucher_id": str(voucher.id),
            "objection_id": str(objection.id),
            "on": app.today(),
        }
        original.supersede(record, actor.to_dict())
    content = {
        "village": app.collective(village_id).name,
        "kind": KIND,
        "period": quarter,
        "from": span[0],
        "to": span[1],
        "rows": rows,
    }
    disclosure = Disclosure(
        village_id=village_id,
        kind=KIND,
        period=quarter,
        content=content,
        content_sha256=digest(content),
        due_on=due,
        prepared_on=app.today(),
        actor=actor.to_dict(),
    )
    return disclosure, list(originals.values()), carried
