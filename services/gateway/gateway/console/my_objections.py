"""A resident's own objections (质询, FINANCE.md D30–D32; issue 15): ``/my/objections`` lists
what the household asked about its village's published disclosures, with each one's status,
the answer, the due date and whether it was answered on time; and files a new one, as the
village's board does (``board.file_objection``).

Finance answers the household's objections to the household's own resident only
(``household_objections``: its policy holds a resident to their household); the disclosures
to choose from are the village's board, asked as the board's read-only actor.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError

from gateway.console.board import asked_of, board_answer, board_context, file_objection
from gateway.console.home import home_panel
from gateway.console.web import View, html, page, see_other

MINE = page("my_objections", "/my/objections", ("我的质询", "My objections"), ("resident",))
LATEST = 5  # the home page's panel shows the household's latest objections

router = APIRouter(include_in_schema=False)


async def household_objections(view: View) -> dict[str, Any]:
    household = view.actor.get("household_id")
    return await view.call(  # type: ignore[no-any-return]
        "finance", "household_objections", household_id=household
    )


@home_panel(
    "my_objections", ("我的质询", "My objections"), ("resident",), "my_objection_panel.html"
)
async def latest(view: View) -> list[Any]:
    """The household's latest objections, answered or not, on the resident's home page."""
    return list((await household_objections(view))["objections"][:LATEST])


async def mine_view(view: View, status: int = 200, asked: dict[str, str] | None = None) -> Response:
    mine = await household_objections(view)
    village_id = mine["village_id"]
    board = board_context(view, village_id, await board_answer(view, village_id))
    filed = view.request.query_params.get("filed")
    return view.render(
        "my_objections.html",
        status=status,
        rows=mine["objections"],
        today=mine["today"],
        village_id=village_id,
        village=board["village"],
        disclosures=board["disclosures"],
        asked=asked,
        filed=next((r for r in mine["objections"] if r["objection_id"] == filed), None),
    )


@router.get("/my/objections")
@html(MINE)
async def my_objections(request: Request) -> Response:
    return await mine_view(await View.open(request, MINE))


@router.post("/my/objections")
@html(MINE)
async def file(request: Request) -> Response:
    """File an objection for the resident's household: back to the list with it on top, or
    the form again with the refusal beside its field."""
    view = await View.open(request, MINE)
    asked = await asked_of(request)
    try:
        filed: dict[str, Any] = await file_objection(view, asked)
    except ShequError as exc:
        view.refused(exc)
        return await mine_view(view, status=400, asked=asked)
    return see_other(f"{MINE.path}?filed={filed['objection_id']}")
