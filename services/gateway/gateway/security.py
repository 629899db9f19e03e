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

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from shequ.actor import Actor
from shequ.actorsig import sign_actor
from shequ.errors import ShequError

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


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenAuthenticator:
    """Bearer tokens from a file of ``{sha256 hex: actor}`` (read once at start)."""

    def __init__(self, tokens: dict[str, Principal]) -> None:
        self.tokens = tokens

    @classmethod
    def from_file(cls, path: Path | None) -> TokenAuthenticator:
        if path is None:
            return cls({})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({str(k).lower(): Principal.from_dict(v) for k, v in data.items()})

    async def __call__(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthenticated()
        wanted = digest(token.strip())
        for known, principal in self.tokens.items():
            if hmac.compare_digest(known, wanted):
                return principal
        raise unauthenticated()


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
