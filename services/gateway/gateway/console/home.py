"""The home page: what waits for the person signed in, as panels.

Each panel says which roles see it and how it loads its rows (``home_panel``); the home page
shows the panels of the caller's role in the order they were declared. A panel that cannot be
loaded (a service down, a refusal) shows the refusal in its place; the others still show.
Other pages' modules add their own panels (finance: the vouchers awaiting my stage, the
objections due) without touching this one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError

from gateway.console.web import EVERYONE, View, html, page

HOME = page("home", "/", ("首页", "Home"), EVERYONE)

router = APIRouter(include_in_schema=False)

Load = Callable[[View], Awaitable[Any]]


@dataclass(frozen=True)
class Panel:
    name: str
    title: tuple[str, str]
    roles: tuple[str, ...]
    template: str  # renders ``rows`` (what ``load`` answered)
    load: Load


PANELS: list[Panel] = []


def home_panel(
    name: str, title: tuple[str, str], roles: Iterable[str], template: str
) -> Callable[[Load], Load]:
    """Declare a home-page panel: ``load(view)`` answers its rows, ``template`` shows them."""

    def register(load: Load) -> Load:
        if any(p.name == name for p in PANELS):
            raise ValueError(f"home panel {name!r} declared twice")
        PANELS.append(Panel(name, title, tuple(roles), template, load))
        return load

    return register


@router.get("/")
@html(HOME)
async def home(request: Request) -> Response:
    view = await View.open(request, HOME)
    shown: list[dict[str, Any]] = []
    for panel in PANELS:
        if view.role not in panel.roles:
            continue
        try:
            shown.append({"panel": panel, "rows": await panel.load(view), "error": None})
        except ShequError as exc:
            shown.append({"panel": panel, "rows": None, "error": exc.to_dict()})
    return view.render("home.html", panels=shown)
