"""The public board (公开栏) of each village (GATEWAY.md G20, AUDIT.md A7–A8): no sign-in.

``/board`` lists the villages; ``/board/<village_id>`` shows the village's current and past published disclosures as finance
lays them out (``public_disclosures``: the finance report's columns, masked), the 民主理财小组's
opinion, the document's SHA-256, and beside each line a link and a QR code to the verify page
(``/v/<district>#i=<index>&h=<leaf hash>``) with the log's vkey printed on the board, and how
many of the witness policy's witnesses cosigned finance's newest checkpoint ("见证：2/2" or
"未经见证", ADR 0041). Finance is
asked as the read-only actor ``{"person_id": "board", "role": "auditor"}``.

An objection (质询, FINANCE.md D30) is filed here by a resident signed in, for their own
household (``POST /board/<village_id>/objection``, finance's ``file_objection``); anyone else is
told to sign in, or to have it taken down by the village's staff (D30: any villager through a
staff intake). The idempotency key is derived from the person, the disclosure, the line and the
text, so a form sent twice files one objection.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError, ValidationError

from gateway.console.web import View, html, page, see_other
from gateway.errors import status_of
from gateway.publiclog import PublicLog
from gateway.security import Principal

BOARDS = page("boards", "/board", ("各村公开栏", "Public boards"), None, nav=False)
BOARD = page("board", "/board/{village_id}", ("村务财务公开栏", "Public board"), None, nav=False)
BOARD_ACTOR = {"person_id": "board", "role": "auditor"}
QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}

router = APIRouter(include_in_schema=False)


def period_title(kind: str, period: str) -> tuple[str, str]:
    """2026Q1 → 2026年第一季度 / 2026 Q1; an immediate disclosure by its voucher number."""
    if kind == "periodic" and len(period) == 6 and period[4] == "Q":
        return f"{period[:4]}年第{QUARTERS[period[5]]}季度", f"{period[:4]} Q{period[5]}"
    return f"即时公开 {period}", f"Immediate disclosure {period}"


def qr_svg(url: str) -> str:
    """The verify link as an inline SVG QR code (segno, error correction M)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=2, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")


def verify_url(base: str, district: str, log: dict[str, Any]) -> str:
    return f"{base}/v/{district}#i={log['index']}&h={log['leaf_hash']}"


async def _ask(view: View, method: str, **args: Any) -> Any:
    """Finance's ``method`` as the board's read-only actor (never the session's)."""
    actor = Principal.from_dict(BOARD_ACTOR).actor_for("finance")
    return await view.request.app.state.gateway.call("finance", method, {**args, "actor": actor})


async def board_answer(view: View, village_id: str) -> dict[str, Any]:
    return await _ask(view, "public_disclosures", village_id=village_id)  # type: ignore[no-any-return]


@router.get("/board")
@html(BOARDS)
async def boards(request: Request) -> Response:
    """Every village finance keeps books for, by name, each linking to its board."""
    view = await View.open(request, BOARDS)
    villages = (await _ask(view, "ledgers"))["villages"]
    return view.render("board_index.html", villages=villages)


def public_base(view: View) -> str:
    """The address the board's links and QR codes start with (the configured public one)."""
    settings = view.request.app.state.settings
    return settings.public_url or str(view.request.base_url).rstrip("/")


def verify_links(view: View, disclosure: dict[str, Any]) -> dict[str, str]:
    """The verify page's address of each line of a published disclosure (``public_disclosures``'
    row) in the public log, by its line (``category:seq``)."""
    log: PublicLog = view.request.app.state.public_log
    base = public_base(view)
    return {line: verify_url(base, log.district, at) for line, at in disclosure["log"].items()}


def board_context(view: View, village_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    log: PublicLog = view.request.app.state.public_log
    base = public_base(view)
    try:
        vkey = log.vkey()
    except ShequError:
        vkey = ""
    disclosures = []
    for d in answer["disclosures"]:
        for section in d["sections"]:
            for row in section["rows"]:
                if row["log"]:
                    row["url"] = verify_url(base, log.district, row["log"])
                    row["qr"] = qr_svg(row["url"])
        disclosures.append({**d, "title": period_title(d["kind"], d["period"])})
    village = disclosures[0]["content"]["village"] if disclosures else ""
    return {
        "village_id": village_id,
        "village": village,
        "disclosures": disclosures,
        "vkey": vkey,
        "district": log.district,
        "witness": finance_witnesses(),
    }


def finance_witnesses() -> dict[str, Any] | None:
    """Who of the witness policy cosigned finance's newest checkpoint (AUDIT.md A6, ADR
    0041): "见证：2/2", or "未经见证"; None when the policy cannot be read (logged at start)."""
    from shequ.audit.witnessing import newest_status, policy_for
    from shequ.config import ConfigError, treehead_dir

    try:
        head, status = newest_status(treehead_dir(), "finance", policy_for("finance"))
    except (ConfigError, OSError, ShequError, ValueError):
        return None
    return {"head": head, **status.to_dict()}


@router.get("/board/{village_id}")
@html(BOARD)
async def board(request: Request, village_id: str) -> Response:
    view = await View.open(request, BOARD)
    answer = await board_answer(view, village_id)
    context = board_context(view, village_id, answer)
    return view.render("board.html", heading=_heading(view, context), **context)


def _heading(view: View, context: dict[str, Any]) -> str:
    village = context["village"]
    return view.texts.tr(f"{village}财务公开栏", f"Public board of {village}").strip()


def _key(view: View, disclosure_id: str, line: str, text: str) -> str:
    seed = "\n".join([str(view.actor.get("person_id")), disclosure_id, line, text.strip()])
    return "board-objection-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


async def file_objection(view: View, asked: dict[str, str]) -> dict[str, Any]:
    """File the signed-in resident's objection (``asked``: the form's ``disclosure_id``,
    ``line``, ``text``) for their own household; the service's answer (its id, its due date)
    or its refusal, the field named. The board and the resident's own page both file here."""
    text = asked["text"]
    if not text.strip():
        raise ValidationError(
            "请写明质询内容", "say what the objection is about", "text", rule="text.required"
        )
    return await view.call(  # type: ignore[no-any-return]
        "finance",
        "file_objection",
        idempotency_key=_key(view, asked["disclosure_id"], asked["line"], text),
        disclosure_id=asked["disclosure_id"],
        household_id=view.actor.get("household_id"),
        line=asked["line"] or None,
        text=text,
        channel="board",
    )


async def asked_of(request: Request) -> dict[str, str]:
    """The objection form's fields as sent."""
    form = await request.form()
    return {k: str(form.get(k, "")) for k in ("disclosure_id", "line", "text")}


@router.post("/board/{village_id}/objection")
@html(BOARD)
async def object_to(request: Request, village_id: str) -> Response:
    view = await View.open(request, BOARD)  # checks the form's CSRF token first
    asked = await asked_of(request)
    if view.caller is None or view.role != "resident":
        return see_other(f"/login?next={quote(f'/board/{village_id}')}")
    try:
        filed = await file_objection(view, asked)
    except ShequError as exc:
        view.refused(exc)
        context = board_context(view, village_id, await board_answer(view, village_id))
        return view.render(
            "board.html",
            status=status_of(exc),
            heading=_heading(view, context),
            asked=asked,
            **context,
        )
    context = board_context(view, village_id, await board_answer(view, village_id))
    return view.render("board.html", heading=_heading(view, context), filed=filed, **context)
