"""The finance pages of the console (GATEWAY.md G20; FINANCE.md F2, F20–F26, F40, D1–D5, D30):
a village's voucher entry with its live balance check, the review queue of my stage, one
voucher with the steps my role may take on it, the books (vouchers of a month, 科目余额表, the
cash and bank journals), closing months, the disclosures from prepared through the 民主理财小组's
review to published, and the objections still to answer; and the staff home's two panels.

Every figure and every check comes from the finance service, called as the session's person:
the console decides only which actions to offer, from finance's own use-case table (the role
the service would admit), and the service refuses anything else. A form carries its own
idempotency key, so a form sent twice makes one voucher. Amounts are typed in yuan and sent
in fen (``gateway.console.money``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError

from gateway.console.board import board_answer, verify_links
from gateway.console.home import home_panel
from gateway.console.money import LINE_OPTIONAL, Lines, balance, form_lines, yuan
from gateway.console.web import FINANCE, Page, View, html, page, see_other, templates
from gateway.routes import table

# who reads a village's books (finance's READS), who enters vouchers (its CLERK)
READERS = (*FINANCE, "district_staff", "community_staff", "auditor")
ENTRY = ("finance_clerk", "agency_accountant")
STAGES: dict[str, tuple[str, str]] = {
    "clerk_check": ("报账员初审", "clerk's check"),
    "finance_group": ("民主理财小组集体审核", "finance group's review"),
    "village_head": ("村书记或主任审批", "village head's approval"),
    "agency": ("三资代理服务中心会计审核", "agency accountant's review"),
    "post": ("待记账", "to post"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "draft"),
    "submitted": ("审核中", "in review"),
    "returned": ("已退回", "returned"),
    "posted": ("已记账", "posted"),
    "voided": ("已作废", "voided"),
    "prepared": ("已编制", "prepared"),
    "reviewed": ("已审核", "reviewed"),
    "published": ("已发布", "published"),
    "open": ("待答复", "open"),
    "answered": ("已答复", "answered"),
    "escalated": ("已提请乡镇", "escalated"),
}
ROWS = 4  # empty line rows the entry form starts with

FINANCE_HOME = page("finance", "/finance", ("村级财务", "Village finance"), READERS)
QUEUE = page("finance_queue", "/finance/queue", ("待我审核", "My review queue"), READERS)
ENTRY_PAGE = page(
    "finance_entry", "/finance/vouchers/new", ("填制凭证", "New voucher"), ENTRY, nav=False
)
VOUCHER = page("finance_voucher", "/finance/vouchers", ("凭证", "Voucher"), READERS, nav=False)
BOOKS = page("finance_books", "/finance/books", ("账簿", "Books"), READERS, nav=False)
PERIODS = page("finance_periods", "/finance/periods", ("结账", "Closing"), READERS, nav=False)
DISCLOSURES = page(
    "finance_disclosures", "/finance/disclosures", ("财务公开", "Disclosures"), READERS, nav=False
)
OBJECTIONS = page(
    "finance_objections",
    "/finance/objections",
    ("待答复质询", "Objections due"),
    READERS,
    nav=False,
)

router = APIRouter(include_in_schema=False)
templates.globals.update(yuan=yuan, STAGES=STAGES, STATUSES=STATUSES)


def may(view: View, use_case: str) -> bool:
    """Whether finance's use-case table admits the caller's role to ``use_case`` (its scope is
    the service's to check)."""
    return view.role in table("finance")[use_case].roles


def form_key() -> str:
    """An idempotency key for one form as rendered: sent twice, it makes one command."""
    return f"console-{secrets.token_urlsafe(18)}"


async def villages(view: View) -> tuple[str | None, list[dict[str, Any]]]:
    """The village the page is about (the caller's own, the one asked for, or the only one
    the caller may read) and the villages the caller may read, for the picker."""
    known = (await view.call("finance", "ledgers"))["villages"]
    actor = view.caller.actor if view.caller else None
    asked = view.request.query_params.get("village") or None
    chosen = (actor.village_id if actor else None) or asked
    if chosen is None and len(known) == 1:
        chosen = known[0]["village_id"]
    return chosen, known


def whole(text: str) -> int | str:
    """A whole number typed in a form as a number; anything else as typed, for the service to
    refuse naming its field."""
    return int(text) if text.strip().isdigit() and len(text.strip()) < 10 else text


def options(known: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(v["village_id"], v["name"]) for v in known]


def name_of(known: list[dict[str, Any]], village_id: str | None) -> str:
    return next((v["name"] for v in known if v["village_id"] == village_id), village_id or "")


def of_village(
    view: View,
    template: str,
    status: int,
    chosen: tuple[str | None, list[dict[str, Any]]],
    **more: Any,
) -> Response:
    """A page about one village (with the picker of the villages the caller reads) and a
    fresh idempotency key for its form."""
    village, known = chosen
    name = name_of(known, village)
    return view.render(
        template, status, village=village, villages=known, village_name=name, key=form_key(), **more
    )


def shown_at(spec: Page, show: Callable[[View], Awaitable[Response]]) -> None:
    """``GET spec.path``: the page as ``show`` renders it for the caller."""

    @router.get(spec.path, name=spec.name)
    @html(spec)
    async def get(request: Request) -> Response:
        return await show(await View.open(request, spec))


def this_month() -> str:
    return dt.date.today().strftime("%Y-%m")


# -- home, queue, objections ------------------------------------------------------------------


@router.get("/finance")
@html(FINANCE_HOME)
async def finance_home(request: Request) -> Response:
    view = await View.open(request, FINANCE_HOME)
    village, known = await villages(view)
    return view.render(
        "finance_home.html",
        village=village,
        villages=known,
        village_name=name_of(known, village),
        may_enter=may(view, "draft_voucher"),
        month=this_month(),
    )


async def worklist(view: View, method: str, key: str, village: str | None = None) -> list[Any]:
    """A finance worklist (``review_queue``, ``objections_due``) of one village, or of every
    village the caller reads, each row with its village's name: the service answers for the
    caller's own village or for all; community staff have it asked village by village over
    their community's."""
    known = (await view.call("finance", "ledgers"))["villages"]
    if village is None and view.role == "community_staff":
        rows: list[Any] = []
        for v in known:
            rows += (await view.call("finance", method, village_id=v["village_id"]))[key]
    else:
        rows = list((await view.call("finance", method, village_id=village))[key])
    names = {v["village_id"]: v["name"] for v in known}
    return [{**row, "village_name": names.get(row["village_id"], "")} for row in rows]


@router.get("/finance/queue")
@html(QUEUE)
async def queue(request: Request) -> Response:
    view = await View.open(request, QUEUE)
    village = request.query_params.get("village") or None
    rows = await worklist(view, "review_queue", "vouchers", village)
    return view.render("finance_queue.html", rows=rows)


@router.get("/finance/objections")
@html(OBJECTIONS)
async def objections(request: Request) -> Response:
    view = await View.open(request, OBJECTIONS)
    village = request.query_params.get("village") or None
    return await objections_view(view, village)


async def objections_view(view: View, village: str | None, status: int = 200) -> Response:
    """The objections still to answer, each with the answer form for a role that answers."""
    rows = await worklist(view, "objections_due", "objections", village)
    return view.render(
        "finance_objections.html",
        status=status,
        rows=rows,
        today=dt.date.today().isoformat(),
        may_answer=may(view, "answer_objection"),
        key=form_key(),
    )


@router.post("/finance/objections/{objection_id}/answer")
@html(OBJECTIONS)
async def answer(request: Request, objection_id: str) -> Response:
    """Answer an objection (D31): back to the list, or the list with the refusal above it."""
    view = await View.open(request, OBJECTIONS)
    try:
        await send(
            view, "answer_objection", await request.form(), "answer", objection_id=objection_id
        )
    except ShequError as exc:
        view.refused(exc)
        return await objections_view(view, None, status=400)
    return see_other(OBJECTIONS.path)


@home_panel(
    "finance_queue",
    ("待我审核的凭证", "Vouchers awaiting my stage"),
    ("finance_clerk", "finance_group", "village_head", "agency_accountant"),
    "finance_queue_rows.html",
)
async def queue_panel(view: View) -> list[Any]:
    return await worklist(view, "review_queue", "vouchers")


@home_panel(
    "finance_objections",
    ("待答复的质询", "Objections due"),
    ("finance_group", "village_head", "agency_accountant", "district_staff", "community_staff"),
    "finance_objection_rows.html",
)
async def objections_panel(view: View) -> list[Any]:
    return await worklist(view, "objections_due", "objections")


# -- voucher entry ----------------------------------------------------------------------------


def entry_form(request: Request) -> dict[str, Any]:
    return {
        "voucher_date": dt.date.today().isoformat(),
        "summary": "",
        "attachments": "0",
        "idempotency_key": form_key(),
        "village_id": request.query_params.get("village", ""),
    }


async def pickers(view: View, village_id: str | None, on: str | None) -> dict[str, Any]:
    """What the entry form offers to pick (finance's ``voucher_options``, ``contracts``): the
    accounts of the chart in force on the voucher's date, the village's counterparties and
    its contracts; nothing until a village and a date are given."""
    empty: dict[str, Any] = {"chart": None, "title": "", "accounts": [], "counterparties": []}
    try:
        dt.date.fromisoformat(on or "")
    except ValueError:
        return {**empty, "contracts": []}
    if not village_id:
        return {**empty, "contracts": []}
    try:
        found = await view.call("finance", "voucher_options", village_id=village_id, on=on)
        contracts = (await view.call("finance", "contracts", village_id=village_id))["contracts"]
    except ShequError:  # a village the caller may not enter for: the form says so on saving
        return {**empty, "contracts": []}
    return {**found, "contracts": contracts}


@router.get("/finance/vouchers/new")
@html(ENTRY_PAGE)
async def new_voucher(request: Request) -> Response:
    view = await View.open(request, ENTRY_PAGE)
    village, _ = await villages(view)
    form = {**entry_form(request), "village_id": village or ""}
    return await entry(view, form, Lines([], {}), "/finance/vouchers/new")


LINE_FIELDS = ("account", "side", "amount", "memo", *LINE_OPTIONAL)


async def read_lines(request: Request) -> tuple[dict[str, Any], Lines]:
    form = await request.form()
    column = {name: [str(x) for x in form.getlist(name)] for name in LINE_FIELDS}
    lines = form_lines(
        column["account"],
        column["side"],
        column["amount"],
        column["memo"],
        {name: column[name] for name in LINE_OPTIONAL},
    )
    fields = {k: str(v) for k, v in form.items() if k not in LINE_FIELDS}
    return fields, lines


@router.get("/finance/vouchers/line")
@html(ENTRY_PAGE)
async def line_row(request: Request) -> Response:
    """One more empty line row for the entry form (htmx appends it); numbered after the rows
    the form already has (sent along, with the village and the date for its pickers)."""
    view = await View.open(request, ENTRY_PAGE)
    count = len(request.query_params.getlist("account"))
    asked = request.query_params
    offered = await pickers(view, asked.get("village_id"), asked.get("voucher_date"))
    return view.render("finance_line_row.html", i=count, line=None, offered=offered)


@router.get("/finance/vouchers/options")
@html(ENTRY_PAGE)
async def voucher_pickers(request: Request) -> Response:
    """The account picker of the chart in force on the date the form now has (htmx swaps it
    in when the date changes)."""
    view = await View.open(request, ENTRY_PAGE)
    asked = request.query_params
    offered = await pickers(view, asked.get("village_id"), asked.get("voucher_date"))
    return view.render("finance_pickers.html", offered=offered)


@router.post("/finance/vouchers/balance")
@html(ENTRY_PAGE)
async def live_balance(request: Request) -> Response:
    """The entry form's balance as the lines stand (htmx swaps it in as the clerk types)."""
    view = await View.open(request, ENTRY_PAGE)
    _, lines = await read_lines(request)
    return view.render("finance_balance.html", balance=lines.balance, line_errors=lines.errors)


@router.post("/finance/vouchers/new")
@html(ENTRY_PAGE)
async def draft(request: Request) -> Response:
    view = await View.open(request, ENTRY_PAGE)
    fields, lines = await read_lines(request)
    handler = view.caller.actor.person_id if view.caller else ""
    content = {"village_id": fields.get("village_id") or None, "handler_id": handler}
    return await save(view, fields, lines, "draft_voucher", content)


# what an amendment keeps of the voucher as it was (the form changes the rest)
KEPT = ("handler_id", "kind", "corrects")
# the voucher's own fields the entry form sends as typed (empty: left out)
OPTIONAL = ("witness_id", "decision_id")


@router.get("/finance/vouchers/{voucher_id}/edit")
@html(ENTRY_PAGE)
async def edit_voucher(request: Request, voucher_id: str) -> Response:
    """The entry form filled with a draft or returned voucher, to amend and submit again."""
    view = await View.open(request, ENTRY_PAGE)
    voucher = await view.call("finance", "voucher", voucher_id=voucher_id)
    form = {
        "voucher_date": voucher["voucher_date"],
        "summary": voucher["summary"],
        "attachments": str(voucher["attachments"]),
        "idempotency_key": form_key(),
        "village_id": voucher["village_id"],
        **{name: voucher.get(name) or "" for name in OPTIONAL},
    }
    return await entry(
        view, form, Lines(voucher["lines"], {}), f"/finance/vouchers/{voucher_id}/edit"
    )


@router.post("/finance/vouchers/{voucher_id}/edit")
@html(ENTRY_PAGE)
async def amend(request: Request, voucher_id: str) -> Response:
    view = await View.open(request, ENTRY_PAGE)
    fields, lines = await read_lines(request)
    voucher = await view.call("finance", "voucher", voucher_id=voucher_id)
    content = {k: voucher[k] for k in KEPT if voucher.get(k) is not None}
    action = f"/finance/vouchers/{voucher_id}/edit"
    return await save(
        view, fields, lines, "amend_draft", {**content, "voucher_id": voucher_id}, action
    )


async def save(
    view: View,
    fields: dict[str, str],
    lines: Lines,
    method: str,
    content: dict[str, Any],
    action: str = "/finance/vouchers/new",
) -> Response:
    """Draft or amend a voucher from the entry form (and submit it, when the clerk chose
    "save and submit"): its page, or the form again with each refusal beside its field."""
    for exc in lines.errors.values():
        view.refused(exc)
    key = fields.get("idempotency_key", "")
    if not view.errors:
        try:
            answer = await view.call(
                "finance",
                method,
                idempotency_key=key,
                voucher_date=fields.get("voucher_date", ""),
                summary=fields.get("summary", ""),
                attachments=whole(fields.get("attachments") or "0"),
                lines=lines.lines,
                **{name: fields.get(name, "").strip() or None for name in OPTIONAL},
                **content,
            )
            voucher_id = answer["voucher_id"]
            if fields.get("then") == "submit":
                await view.call(
                    "finance",
                    "submit_voucher",
                    idempotency_key=f"{key}-submit",
                    voucher_id=voucher_id,
                )
            return see_other(f"/finance/vouchers/{voucher_id}")
        except ShequError as exc:
            view.refused(exc)
    return await entry(view, fields, lines, action, status=400)


async def entry(
    view: View, form: dict[str, Any], lines: Lines, action: str, status: int = 200
) -> Response:
    """The entry form: ``form``'s fields, the lines so far and a few empty rows, the balance;
    a new voucher's village chosen among those the caller reads, an amended one's kept."""
    known = (await villages(view))[1] if action.endswith("/new") else []
    return view.render(
        "finance_entry.html",
        status=status,
        form=form,
        action=action,
        lines=lines.lines,
        rows=max(ROWS - len(lines.lines), 1),
        village_options=options(known),
        balance=lines.balance,
        offered=await pickers(view, form.get("village_id"), form.get("voucher_date")),
    )


# -- one voucher ------------------------------------------------------------------------------


async def voucher_view(view: View, voucher_id: str, status: int = 200) -> Response:
    """One voucher: its lines and balance, its review trail, and the step the caller may
    take on it now (submit; review the stage it awaits; post)."""
    voucher = await view.call("finance", "voucher", voucher_id=voucher_id)
    waiting = await view.call("finance", "review_queue", village_id=voucher["village_id"])
    mine = next((v for v in waiting["vouchers"] if v["voucher_id"] == voucher_id), None)
    editable = voucher["status"] in ("draft", "returned")
    return view.render(
        "finance_voucher.html",
        status=status,
        voucher_id=voucher_id,
        voucher=voucher,
        balance=balance(voucher["lines"]),
        waiting=mine,
        may_submit=editable and may(view, "submit_voucher"),
        may_review=bool(mine and mine["may_take"] and mine["stage"] != "post"),
        may_post=bool(mine and mine["may_take"] and mine["stage"] == "post"),
        key=form_key(),
    )


@router.get("/finance/vouchers")
@html(VOUCHER)
async def vouchers(request: Request) -> Response:
    """The vouchers are listed by month with the books."""
    await View.open(request, VOUCHER)
    return see_other(f"/finance/books?{request.url.query}")


@router.get("/finance/vouchers/{voucher_id}")
@html(VOUCHER)
async def voucher(request: Request, voucher_id: str) -> Response:
    view = await View.open(request, VOUCHER)
    return await voucher_view(view, voucher_id)


Again = Callable[[View, str, int], Awaitable[Response]]


async def send(view: View, method: str, form: Any, *names: str, **given: str) -> Any:
    """``method`` of finance with the form's idempotency key and its fields ``names``."""
    fields = {name: str(form.get(name, "")) for name in names}
    key = str(form.get("idempotency_key", ""))
    return await view.call("finance", method, idempotency_key=key, **given, **fields)


async def step(
    request: Request, spec: Page, record: tuple[str, str], method: str, again: Again, *fields: str
) -> Response:
    """One step on a record (a voucher's submit, review or post; a disclosure's review or
    publish) from its page's form: back to the record's page, or, refused, that page again
    with the refusal beside the form. ``record`` is (the id's field, the id)."""
    view = await View.open(request, spec)
    key, ident = record
    try:
        await send(view, method, await request.form(), *fields, **{key: ident})
    except ShequError as exc:
        view.refused(exc)
        return await again(view, ident, 400)
    return see_other(f"{spec.path}/{ident}")


def steps_at(spec: Page, key: str, again: Again, **steps: tuple[str, ...]) -> None:
    """``POST spec.path/{id}/NAME`` for each step: (finance's method, the form's fields)."""
    for name, (method, *fields) in steps.items():

        def bind(method: str, fields: list[str]) -> Callable[..., Awaitable[Response]]:
            @html(spec)
            async def endpoint(request: Request, ident: str) -> Response:
                return await step(request, spec, (key, ident), method, again, *fields)

            return endpoint

        router.add_api_route(
            f"{spec.path}/{{ident}}/{name}", bind(method, fields), methods=["POST"], name=name
        )


steps_at(
    VOUCHER,
    "voucher_id",
    voucher_view,
    submit=("submit_voucher",),
    review=("review_voucher", "stage", "outcome", "opinion"),
    post=("post_voucher",),
)


# -- books ------------------------------------------------------------------------------------


@router.get("/finance/books")
@html(BOOKS)
async def books(request: Request) -> Response:
    view = await View.open(request, BOOKS)
    village, known = await villages(view)
    period = request.query_params.get("period") or this_month()
    account = request.query_params.get("account") or ""
    context: dict[str, Any] = {"village": village, "villages": known, "period": period}
    context["village_name"] = name_of(known, village)
    context["account"] = account
    if village:
        month = {"village_id": village, "period": period}
        try:
            context["vouchers"] = (await view.call("finance", "vouchers", **month))["vouchers"]
            context["trial"] = await view.call("finance", "trial_balance", **month)
            if account:
                context["journal"] = await view.call("finance", "journal", **month, account=account)
        except ShequError as exc:
            view.refused(exc)
    return view.render("finance_books.html", **context)


# -- closing months ---------------------------------------------------------------------------


def next_open(ledger: dict[str, Any]) -> str | None:
    """The month to close next: the one after the last closed, else the opening month."""
    if not ledger.get("opened"):
        return None
    closed = ledger.get("closed") or []
    if not closed:
        return str(ledger["opened_on"])[:7]
    year, month = (int(x) for x in closed[-1].split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


async def village_page(
    view: View,
    template: str,
    status: int,
    method: str,
    shown: Callable[[dict[str, Any] | None], dict[str, Any]],
) -> Response:
    """A page about one village with finance's ``method`` of it (None until a village is
    chosen), shown by ``shown``'s context."""
    village, known = await villages(view)
    answer = await view.call("finance", method, village_id=village) if village else None
    return of_village(view, template, status, (village, known), **shown(answer))


async def periods_view(view: View, status: int = 200) -> Response:
    def shown(ledger: dict[str, Any] | None) -> dict[str, Any]:
        next_month = next_open(ledger) if ledger else None
        return {"ledger": ledger, "next_month": next_month, "may_close": may(view, "close_period")}

    return await village_page(view, "finance_periods.html", status, "ledger", shown)


shown_at(PERIODS, periods_view)


@router.post("/finance/periods")
@html(PERIODS)
async def close_period(request: Request) -> Response:
    view = await View.open(request, PERIODS)
    form = await request.form()
    try:
        await send(view, "close_period", form, "village_id", "period")
    except ShequError as exc:
        view.refused(exc)
        return await periods_view(view, status=400)
    village = str(form.get("village_id", ""))
    return see_other(f"/finance/periods?{urlencode({'village': village})}")


# -- disclosures ------------------------------------------------------------------------------


def last_quarter() -> str:
    today = dt.date.today()
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


async def disclosures_view(view: View, status: int = 200) -> Response:
    def shown(listed: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "disclosures": listed["disclosures"] if listed else [],
            "may_prepare": may(view, "prepare_disclosure"),
            "quarter": last_quarter(),
        }

    return await village_page(view, "finance_disclosures.html", status, "disclosures", shown)


shown_at(DISCLOSURES, disclosures_view)


@router.post("/finance/disclosures")
@html(DISCLOSURES)
async def prepare(request: Request) -> Response:
    view = await View.open(request, DISCLOSURES)
    try:
        answer = await send(
            view, "prepare_disclosure", await request.form(), "village_id", "period"
        )
    except ShequError as exc:
        view.refused(exc)
        return await disclosures_view(view, status=400)
    return see_other(f"/finance/disclosures/{answer['disclosure_id']}")


async def published_links(view: View, found: dict[str, Any]) -> dict[str, str]:
    """A published disclosure's lines' verify addresses (by ``category:seq``), from the
    village's board; none before it is published."""
    if found["status"] != "published":
        return {}
    board = await board_answer(view, found["village_id"])
    shown = [d for d in board["disclosures"] if d["disclosure_id"] == found["disclosure_id"]]
    return verify_links(view, shown[0]) if shown else {}


async def disclosure_view(view: View, disclosure_id: str, status: int = 200) -> Response:
    found = await view.call("finance", "disclosure", disclosure_id=disclosure_id)
    return view.render(
        "finance_disclosure.html",
        status=status,
        disclosure_id=disclosure_id,
        d=found,
        verify=await published_links(view, {"disclosure_id": disclosure_id, **found}),
        may_review=found["status"] == "prepared" and may(view, "review_disclosure"),
        may_publish=found["status"] == "reviewed" and may(view, "publish_disclosure"),
        key=form_key(),
    )


@router.get("/finance/disclosures/{disclosure_id}")
@html(DISCLOSURES)
async def disclosure(request: Request, disclosure_id: str) -> Response:
    view = await View.open(request, DISCLOSURES)
    return await disclosure_view(view, disclosure_id)


steps_at(
    DISCLOSURES,
    "disclosure_id",
    disclosure_view,
    review=("review_disclosure", "opinion"),
    publish=("publish_disclosure",),
)
