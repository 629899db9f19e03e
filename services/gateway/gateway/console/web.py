"""What every console page shares: who may see it, who is looking, calling the services as
that person, and rendering a template in their language.

A page is declared once with the roles that may see it (``page(...)``, kept in ``PAGES``, which
the navigation and the every-page-by-every-role test read). Its handler opens a ``View``:
the session's caller (a page without a session sends the browser to ``/login``; a role the
page does not admit gets a 403 page), the texts in the chosen language, the CSRF token for
its forms. ``View.call`` calls a service through the gateway's RPC pool with the actor built
from the session alone, exactly as the HTTP API does. A handler decorated with ``html``
answers the suite's refusals as a page (status from the error) instead of JSON.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from shequ.errors import Forbidden, ShequError

from gateway.auth import Auth, Caller
from gateway.autherrors import AuthError, Unauthenticated
from gateway.console.i18n import LANG_COOKIE, LANGS, MESSAGES, Texts, chosen
from gateway.errors import status_of
from gateway.security import Principal

HERE = Path(__file__).parent
STAFF = ("district_staff", "community_staff", "team_member")
FINANCE = ("finance_clerk", "finance_group", "village_head", "agency_accountant")
EVERYONE = (*STAFF, "resident", "auditor", *FINANCE)

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Page:
    """A console page: its path, its title, who may see it (``None``: anyone, no login), and
    whether the navigation links it (a page under a record, like one case, is not linked)."""

    name: str
    path: str
    title: tuple[str, str]
    roles: tuple[str, ...] | None
    nav: bool = True

    def admits(self, role: str) -> bool:
        return self.roles is None or role in self.roles


PAGES: dict[str, Page] = {}


def page(
    name: str,
    path: str,
    title: tuple[str, str],
    roles: Iterable[str] | None,
    nav: bool = True,
) -> Page:
    """Declare a page (once, at import); the handler opens its ``View`` with it."""
    if name in PAGES:
        raise ValueError(f"console page {name!r} declared twice")
    spec = Page(name, path, title, None if roles is None else tuple(roles), nav)
    PAGES[name] = spec
    return spec


class NeedLogin(Exception):
    """No live session on a page that needs one: go to the login page, then come back."""


@dataclass
class View:
    """One page being answered: the request, the caller (None on a public page nobody is
    logged in to), the page's texts, and the form errors by field to show."""

    request: Request
    spec: Page
    caller: Caller | None
    texts: Texts
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    async def open(cls, request: Request, spec: Page) -> View:
        texts = Texts(chosen(request))
        auth: Auth = request.app.state.auth
        caller: Caller | None = None
        try:
            caller = await auth.authenticate(request)
        except Unauthenticated:
            if spec.roles is not None:
                raise NeedLogin() from None
        if caller is not None and not spec.admits(caller.actor.role):
            raise Forbidden(*MESSAGES["forbidden"], None, code="page.forbidden", page=spec.name)
        return cls(request, spec, caller, texts)

    @property
    def role(self) -> str | None:
        return self.caller.actor.role if self.caller else None

    @property
    def actor(self) -> dict[str, Any]:
        if self.caller is None:
            raise NeedLogin()
        return self.caller.actor.to_dict()

    async def call(self, service: str, method: str, **kwargs: Any) -> Any:
        """``service.method(**kwargs)`` as the session's person (the actor is the session's,
        signed for the service; never one from the request)."""
        principal = Principal.from_dict(self.actor)
        gateway = self.request.app.state.gateway
        args = {k: v for k, v in kwargs.items() if v is not None}
        return await gateway.call(service, method, {**args, "actor": principal.actor_for(service)})

    def refused(self, exc: ShequError, field: str | None = None) -> None:
        """Keep a refusal to show beside its field (``field``: the form's input that holds
        the one it names), or above the form when it names none."""
        self.errors[field or exc.field or "_form"] = exc.to_dict()

    def nav(self) -> list[Page]:
        role = self.role
        return [p for p in PAGES.values() if p.nav and role and p.roles and p.admits(role)]

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        t = self.texts
        csrf = self.caller.session.csrf_token if self.caller and self.caller.session else ""
        body = templates.get_template(template).render(
            _=t,
            tr=t.tr,
            said=t.said,
            other_said=t.other_said,
            lang=t.lang,
            view=self,
            page=self.spec,
            title=t.tr(*self.spec.title),
            caller=self.caller,
            csrf=csrf,
            errors=self.errors,
            other_lang_url=lang_url(self.request, "en" if t.lang == "zh" else "zh"),
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        keep_lang(self.request, response)
        return response


def lang_url(request: Request, lang: str) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query.append(("lang", lang))
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query)


def keep_lang(request: Request, response: Response) -> None:
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, path="/", samesite="lax")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never ``//host``)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 0x20 or c.isspace() for c in target)  # "/\t/host" is "//host"
    ):
        return target
    return "/"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def download(content_base64: str, filename: str, media_type: str) -> Response:
    """A file a service answered base64-encoded (a card's PDF, an export), as a download."""
    return Response(
        base64.b64decode(content_base64),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


Handler = Callable[..., Awaitable[Response]]


def html(spec: Page) -> Callable[[Handler], Handler]:
    """A page handler's refusals as pages: no session → the login page; the suite's refusal
    (a role the page or the service does not admit, no such record, a service down) → the
    error page with its status, in the page language."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def endpoint(*args: Any, **kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            try:
                return await handler(*args, **kwargs)
            except NeedLogin:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = see_other(f"/login?next={quote(target)}")
                keep_lang(request, response)  # ?lang= chosen on the way in holds on the login
                return response
            except ShequError as exc:
                view = View(request, spec, None, Texts(chosen(request)))
                try:
                    view.caller = await request.app.state.auth.authenticate(request)
                except AuthError:
                    view.caller = None
                status = exc.http_status if isinstance(exc, AuthError) else status_of(exc)
                return view.render("error.html", status=status, error=exc.to_dict())

        return endpoint

    return wrap


def serves(
    router: APIRouter, spec: Page, method: str = "GET", path: str | None = None
) -> Callable[[Handler], Handler]:
    """``spec``'s handler on ``router`` at the page's own path (or ``path``, a form's action
    under it), its refusals answered as pages (``html``): the path written once."""

    def wrap(handler: Handler) -> Handler:
        endpoint = html(spec)(handler)
        router.add_api_route(path or spec.path, endpoint, methods=[method])
        return endpoint

    return wrap
