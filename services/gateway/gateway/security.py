"""Who is calling: the authenticated principal, and the actor built from it alone.

The gateway never takes an actor from a client: the command models refuse an ``actor`` field
in a body or a query (``takes no argument 'actor'``), and the actor sent to a service is built
here from the principal and passed through ``shequ.actorsig.sign_actor`` for that service.

How a request is authenticated is pluggable: ``create_app(settings, authenticate=...)`` takes an
async callable ``(request) -> Principal`` that raises the ``unauthenticated`` error (401). The
default, ``TokenAuthenticator``, reads ``Authorization: Bearer <token>`` and looks the token's
SHA-256 up in ``SHEQU_GATEWAY_TOKENS`` (a JSON file ``{hex digest: actor}``: API tokens are
kept hashed, GATEWAY.md G4); sessions and accounts plug in the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from shequ.actor import Actor
from shequ.actorsig import sign_actor
from shequ.errors import ShequError

from gateway.digests import ByDigest
from gateway.errors import unauthenticated


@dataclass(frozen=True)
class Principal(Actor):
    """The authenticated caller: the suite's ``Actor`` (its own checks of role and scope, in
    ``from_dict``), and the claim the gateway sends for it."""

    def actor(self) -> dict[str, Any]:
        return self.to_dict()

    def actor_for(self, service: str) -> dict[str, Any]:
        """The actor claim for one call to ``service``, signed for it."""
        return sign_actor(self.to_dict(), service)


Authenticate = Callable[[Request], Awaitable[Principal]]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="API 令牌 / API token: `Authorization: Bearer <token>`",
)


class TokenAuthenticator(ByDigest[Principal]):
    """Bearer tokens from a file of ``{sha256 hex: actor}`` (read once at start)."""

    @classmethod
    def record(cls, data: Any) -> Principal:
        return Principal.from_dict(data)

    async def __call__(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthenticated()
        principal = self.find(token.strip())
        if principal is None:
            raise unauthenticated()
        return principal


async def current_principal(
    request: Request,
    _: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008 - FastAPI's way
) -> Principal:
    """The route dependency: the app's authenticator decides (401 when it refuses)."""
    authenticate: Authenticate = request.app.state.authenticate
    principal = await authenticate(request)
    if not isinstance(principal, Principal):
        raise ShequError(
            "身份无法确认", "the caller could not be identified", None, code="unauthenticated"
        )
    return principal
