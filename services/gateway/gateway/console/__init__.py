"""The web console (GATEWAY.md G20): server-rendered pages in Chinese first, English on request,
served by the gateway on its own sessions.

``install(app)`` adds the pages (login and logout, the home page, the staff and resident
pages) and the vendored static files under ``/static/console/`` (htmx, the style sheet; no
CDN). Every page is declared with the roles that may see it (``gateway.console.web.PAGES``);
every service call a page makes goes through the gateway's RPC pool as the session's person.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway.console import (
    audit,
    board,
    casework_pages,
    community_pages,
    finance,
    home,
    my_objections,
    session_pages,
)
from gateway.console.web import HERE, PAGES, Page

STATIC = "/static/console"
# The modules of pages, each with its ``router`` (home first: its panels in this order).
MODULES = (
    session_pages,
    home,
    casework_pages,
    community_pages,
    finance,
    my_objections,
    audit,
    board,
)


def install(app: FastAPI) -> None:
    """Give ``app`` (which has the gateway's ``Auth``) the console's pages and static files."""
    app.mount(STATIC, StaticFiles(directory=HERE / "static"), name="console-static")
    for module in MODULES:
        app.include_router(module.router)


__all__ = ["MODULES", "PAGES", "STATIC", "Page", "install"]
