"""Structured errors: a code, a message in Chinese and English, and the offending field.

Pure standard library, so domain packages may raise these. Raised inside a nameko entrypoint,
they cross RPC intact (registered with nameko's exception registry in ``shequ.rpc``).
"""

from __future__ import annotations

from typing import Any


class ShequError(Exception):
    """Base of every error a caller is meant to read."""

    code = "error"

    def __init__(
        self,
        message_zh: str,
        message_en: str,
        field: str | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        **more: Any,
    ) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field or None
        if code:
            self.code = code
        self.details = {**(details if isinstance(details, dict) else {}), **more}
        # args are exactly the constructor's positional parameters, so the error can be
        # rebuilt on the far side of an RPC call (nameko re-raises it from exc_args).
        # (nameko turns None into the string "None", so absent values travel as "" and {}).
        super().__init__(message_zh, message_en, field or "", self.code, self.details)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message_zh,
            "message_en": self.message_en,
            "field": self.field,
        }
        if self.details:
            out["details"] = self.details
        return out

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_zh} / {self.message_en}"


class ValidationError(ShequError):
    """Input breaks a format or range rule."""

    code = "invalid"


class RuleViolation(ShequError):
    """A command breaks a domain rule (policy, law or local practice)."""

    code = "rule_violation"


class NotFound(ShequError):
    code = "not_found"


class Forbidden(ShequError):
    """The actor's role or scope does not allow this entrypoint or this record."""

    code = "forbidden"


class Conflict(ShequError):
    """A concurrent change or a reused idempotency key with a different command."""

    code = "conflict"


class LogTampered(ShequError):
    """The stored event log holds something the platform never wrote (e.g. an event at a
    position ≤ 0): the aggregate is not served; run ``shequ audit verify``."""

    code = "log_tampered"


class AuditBasisError(ShequError):
    """An as-of export cannot name a sealed basis: the prefix at the cut reaches past the last
    signed tree head (``basis.unsealed``), or a stored event cannot be dated
    (``basis.undated``)."""

    code = "basis.unsealed"


class Unavailable(ShequError):
    """A dependency (the service's database) cannot be reached right now; nothing was changed
    that a retry with the same idempotency key would not find."""

    code = "unavailable"


class ActorRefused(ShequError):
    """The actor claim cannot be trusted: unsigned, malformed, signed by an unknown key,
    forged or altered, for another service, outside its validity or seen before (ADR 0031).
    The codes start with ``actor.``; the field is ``actor``."""

    code = "actor.unsigned"
