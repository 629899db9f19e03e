"""Refusals are logged as one structured line; only the unexpected keeps its traceback.

A ShequError raised by an RPC entrypoint is an expected answer (bad input, a role or scope that
does not allow it, a domain rule, a reused key): nameko logs each one as a warning with its
full traceback (``nameko.containers``), which buried the real failures under thousands of
tracebacks. ``quiet_expected_refusals`` drops exactly those records; ``log_refusal`` writes
one line instead, with what an operator searches by. Unexpected exceptions are untouched:
nameko still logs them at ERROR with the traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from shequ.actor import ROLES
from shequ.errors import ShequError

log = logging.getLogger("shequ.refusals")

# Codes that say something about the service rather than the caller: worth a warning.
_SERVICE_CODES = frozenset({"concurrent_change", "unavailable"})


class _ExpectedRefusals(logging.Filter):
    """Drops nameko's "(expected) error handling worker" record when the error is ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (
            isinstance(exc, ShequError)
            and record.levelno == logging.WARNING
            and str(record.msg).startswith("(expected)")
        )


_FILTER = _ExpectedRefusals()


def quiet_expected_refusals() -> None:
    """Install the filter on nameko's container logger (once; safe to call again)."""
    logger = logging.getLogger("nameko.containers")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def log_refusal(
    service: str, method: str, exc: ShequError, actor: Any, seconds: float | None
) -> None:
    """One line: ``refused SERVICE.METHOD code=… field=… role=… duration_ms=…``."""
    role = actor.get("role") if isinstance(actor, dict) else None
    role = role if role in ROLES else None  # the caller's text never reaches the log raw
    field = _token(exc.field)
    duration = round(seconds * 1000, 1) if seconds is not None else None
    fields = {
        "service": service,
        "method": method,
        "code": exc.code,
        "field": field,
        "role": role,
        "duration_ms": duration,
    }
    level = logging.WARNING if exc.code in _SERVICE_CODES else logging.INFO
    log.log(
        level,
        "refused %s.%s code=%s field=%s role=%s duration_ms=%s",
        service,
        method,
        exc.code,
        field or "-",
        role or "-",
        duration,
        extra={"refusal": fields},
    )


def _token(text: str | None) -> str | None:
    """A field name as a log token: a field may name an argument the caller made up."""
    if not text:
        return None
    return re.sub(r"[^\w.\[\]-]", "?", text)[:100]
