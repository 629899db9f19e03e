"""Integration envelopes built from the notification log: used by the relay and by the
``notifications`` RPC that downstream inboxes pull from to repair gaps.

Each envelope names the previous *published* position (``prev``): notification ids may have
gaps, and not every domain event is published, so consumers detect loss by ``prev``, never by
``position - 1``.

Each envelope is signed by the producing service (``shequ.provenance``), so a consumer can tell
a genuine one from a made-up or altered one without asking the producer.
"""

from __future__ import annotations

from typing import Any

from shequ.app import ServiceApplication
from shequ.contracts import Translator
from shequ.provenance import Signer


def build_envelope(
    service: str,
    app: ServiceApplication,
    translate: Translator,
    notification: Any,
    prev: int | None,
    signer: Signer | None = None,
) -> dict[str, Any] | None:
    event = app.mapper.to_domain_event(notification)
    translated = translate(event)
    if translated is None:
        return None
    contract, data = translated
    contract.validate(data)
    envelope = {
        "contract": contract.name,
        "version": contract.version,
        "service": service,
        "position": notification.id,
        "prev": prev,
        "event_id": f"{service}:{notification.id}",
        "aggregate_id": str(event.originator_id),
        "aggregate_version": event.originator_version,
        "occurred_at": event.timestamp.isoformat(),  # type: ignore[attr-defined]  # all ours have one
        "actor": dict(getattr(event, "actor", None) or {}),
        "data": data,
    }
    return signer.sign(envelope) if signer is not None else envelope


def envelopes_after(
    service: str,
    app: ServiceApplication,
    translate: Translator,
    after: int,
    limit: int,
    prev: int | None,
    signer: Signer | None = None,
) -> list[dict[str, Any]]:
    """Published envelopes for positions > after, at most ``limit`` of them.

    ``prev`` is the previous published position before ``after`` as the caller knows it
    (a consumer passes its own last position, which is always a published one).
    """
    out: list[dict[str, Any]] = []
    start = after
    while len(out) < limit:
        notes = app.recorder.select_notifications(start, 500, inclusive_of_start=False)
        if not notes:
            break
        for note in notes:
            env = build_envelope(service, app, translate, note, prev, signer)
            if env is not None:
                out.append(env)
                prev = note.id
                if len(out) >= limit:
                    break
        start = notes[-1].id
    return out
