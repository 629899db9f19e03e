"""Dead letters for operators: list without consuming, show one, replay one.

A letter's id is the one its consumer gave it (``shequ.deadletters``):
``<consumer>.<upstream>.<position>`` for a genuine envelope its handler failed,
``<consumer>.<upstream>.rejected-<hash>`` for a message that was not one. Replay asks the
consumer (the id's first part; RPC ``replay_dead_letter``) to apply the letter it stored, once;
only when it answers ``applied``, ``already_replayed`` or ``ignored`` is the letter removed from
the queue, so a crash between the two leaves a letter whose next replay is a no-op."""

from __future__ import annotations

from typing import Any

from kombu import Connection

from shequ.deadletters import QUEUE


def letter_id(letter: dict[str, Any]) -> str:
    headers = letter.get("headers") or {}
    if headers.get("letter_id"):
        return str(headers["letter_id"])
    raw = letter.get("envelope")
    envelope: dict[str, Any] = raw if isinstance(raw, dict) else {}
    position = envelope.get("position", "?")
    return f"{headers.get('consumer', '?')}.{headers.get('upstream', '?')}.{position}"


def _fetch(amqp_uri: str, limit: int, take: str | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Fetch up to ``limit`` letters unacknowledged; requeue all but ``take`` (acked)."""
    out: list[dict[str, Any]] = []
    taken = False
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue = QUEUE(channel)
        queue.declare()
        held = []
        for _ in range(limit):
            message = queue.get(no_ack=False)
            if message is None:
                break
            payload = (
                message.payload
                if isinstance(message.payload, dict)
                else {"envelope": message.payload}
            )
            letter = {"headers": dict(message.headers or {}), **payload}
            letter["id"] = letter_id(letter)
            held.append((letter["id"], message))
            out.append(letter)
        for ident, message in held:
            if take is not None and ident == take and not taken:
                message.ack()
                taken = True
            else:
                message.requeue()
    return out, taken


def list_letters(amqp_uri: str, limit: int = 1000) -> list[dict[str, Any]]:
    return _fetch(amqp_uri, limit)[0]


def show_letter(amqp_uri: str, ident: str, limit: int = 1000) -> dict[str, Any] | None:
    return next((x for x in list_letters(amqp_uri, limit) if x["id"] == ident), None)


def remove_letter(amqp_uri: str, ident: str, limit: int = 1000) -> bool:
    return _fetch(amqp_uri, limit, take=ident)[1]


def queue_depth(amqp_uri: str) -> int:
    """Messages in the dead-letter queue (a passive declare: nothing is created or read)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        try:
            _name, count, _consumers = channel.queue_declare(QUEUE.name, passive=True)
        except Exception as exc:
            if "NOT_FOUND" in str(exc) or "404" in str(exc):
                return 0
            raise
        return int(count)


def replay_letter(
    amqp_uri: str, ident: str, actor: dict[str, Any], call: Any, limit: int = 1000
) -> dict[str, Any]:
    """Replay letter ``ident`` through its consumer (``call(service, method, payload)``)."""
    from shequ.errors import NotFound, ShequError

    consumer = ident.split(".", 1)[0]
    try:
        answer = call(consumer, "replay_dead_letter", {"actor": actor, "letter_id": ident})
    except NotFound:
        return {"outcome": "not_found", "id": ident}
    except ShequError as exc:
        return {"outcome": "refused", "id": ident, "error": exc.to_dict()}
    result = {"id": ident, "consumer": consumer, **answer}
    if answer.get("outcome") in ("applied", "already_replayed", "ignored"):
        result["removed"] = remove_letter(amqp_uri, ident, limit)
    return result
