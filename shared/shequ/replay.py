"""Replaying a dead letter: apply, once, a letter the consumer itself stored.

The caller names a letter by its id; the envelope comes from the consumer's own dead-letter
store (``shequ.deadletters.DeadLetter``), never from the caller, so nothing made up can be
replayed. Before it is applied the envelope is checked again: its upstream's signature
(ADR 0013), and its content against the upstream's log over RPC (``notifications`` at that
position must give the same envelope). The handler's events are saved together with the
letter's ``Replayed`` event in one transaction: a letter already replayed answers
``already_replayed`` and writes nothing, and of two concurrent replays only one can commit
(optimistic concurrency on the letter).

Every service exposes it as the RPC ``replay_dead_letter`` (``shequ.rpc.PlatformService``);
``shequ deadletters replay ID`` calls it.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError

from shequ.actor import Actor
from shequ.deadletters import DeadLetter, error_of
from shequ.errors import Conflict, Forbidden, NotFound, ShequError, ValidationError

log = logging.getLogger(__name__)

REPLAY_ROLES = ("system", "district_staff")
UNCOMPARED = ("prev", "signature")  # the upstream serves ``prev`` relative to the question


def replay_dead_letter(
    runtime: Any, actor: Actor | dict[str, Any], letter_id: str
) -> dict[str, Any]:
    """Apply the stored letter ``letter_id`` once through the inbox of its upstream, for
    ``actor`` (the RPC entrypoint passes the Actor its signed claim vouched for).

    Answers ``{"outcome": "applied" | "already_replayed" | "ignored" | "failed", ...}``;
    refuses (NotFound) a letter this service does not hold.
    """
    who = actor if isinstance(actor, Actor) else Actor.from_dict(actor)
    if who.role not in REPLAY_ROLES:
        raise Forbidden(
            "无权重放死信", "only system and district staff may replay dead letters", "actor.role"
        )
    checked = False
    for _attempt in range(CONFLICT_RETRIES):
        letter, inbox = _find(runtime, letter_id)
        answer = {"letter_id": letter_id, "position": letter.position}
        if letter.replayed_outcome is not None:
            return {"outcome": "already_replayed", **answer}
        if not letter.replayable:
            raise ValidationError(
                "该死信不是上游发出的真实事件，不能重放",
                f"letter {letter_id} was rejected "
                f"({letter.error.get('code')}): it is not a genuine envelope "
                "of its upstream and cannot be replayed",
                "letter_id",
                code="not_replayable",
            )
        envelope = dict(letter.envelope or {})
        if not checked:
            _check_with_upstream(inbox, envelope, letter_id)
            checked = True
        outcome, changed, error = _handle(inbox, envelope)
        if error is not None:
            return {"outcome": "failed", **answer, "error": error}
        letter.replayed(outcome=outcome, actor=who.to_dict())
        saving: ProcessingEvent[Any] = ProcessingEvent()
        saving.collect_events(*changed)
        events = len(saving.events)
        saving.collect_events(letter)
        try:
            inbox.app.save_processed(saving)
        except IntegrityError:
            continue  # another replay won (answered above), or a command changed an aggregate
        log.warning("replayed dead letter %s (%s, %d events)", letter_id, outcome, events)
        return {"outcome": outcome, **answer, "events": events}
    raise Conflict(
        "记录被频繁同时修改，请稍后重试",
        "the records kept changing concurrently; replay the letter again later",
        "letter_id",
        code="concurrent_change",
    )


CONFLICT_RETRIES = 5


def _handle(inbox: Any, envelope: dict[str, Any]) -> tuple[str, list[Any], dict[str, Any] | None]:
    """(outcome, aggregates changed, error) of the inbox's contract check and handler on ``envelope``."""
    from shequ.inbox import Unit

    try:
        if not inbox.reads(envelope):  # the inbox's own contract check, not a copy of it
            return "ignored", [], None
        unit = Unit(inbox.app)  # the handler loads aggregates through the unit, as in the inbox
        unit.add(inbox.handle(envelope, unit))
        return "applied", unit.aggregates(), None
    except Exception as exc:  # noqa: BLE001 - the letter stays, with this error
        return "failed", [], error_of(exc)


def _find(runtime: Any, letter_id: Any) -> tuple[DeadLetter, Any]:
    missing = NotFound(
        f"本服务没有该死信：{letter_id}",
        f"{runtime.config.service} holds no dead letter {letter_id!r}",
        "letter_id",
    )
    if not isinstance(letter_id, str) or not letter_id:
        raise missing
    try:
        letter = runtime.app.repository.get(DeadLetter.create_id(letter_id))
    except AggregateNotFoundError:
        raise missing from None
    inbox = next((i for i in runtime.inboxes if i.upstream == letter.upstream), None)
    if not isinstance(letter, DeadLetter) or inbox is None:
        raise missing
    return letter, inbox


def _check_with_upstream(inbox: Any, envelope: dict[str, Any], letter_id: str) -> None:
    """The letter must still be what its upstream signed and what its log holds."""
    problem = inbox.untrusted(envelope)
    if problem:
        raise ValidationError(
            "死信未通过上游签名校验，不能重放",
            f"letter {letter_id} does not check: {problem['message_en']}",
            "letter_id",
            code="not_replayable",
        )
    position = envelope["position"]
    try:
        served = inbox.pull(position - 1, 1)
    except Exception as exc:  # noqa: BLE001 - the upstream is down: try again later
        raise ShequError(
            "上游服务暂时无法核对该事件，请稍后重试",
            f"{inbox.upstream} could not be asked about position {position}: {exc}",
            "letter_id",
            code="upstream_unavailable",
        ) from None
    genuine = next((e for e in served if e.get("position") == position), None)
    if genuine is None or _compared(genuine) != _compared(envelope):
        raise ValidationError(
            "上游日志中没有与该死信一致的事件，不能重放",
            f"{inbox.upstream}'s log holds no envelope like letter "
            f"{letter_id} at position {position}",
            "letter_id",
            code="not_in_upstream_log",
        )


def _compared(envelope: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in envelope.items() if k not in UNCOMPARED}


__all__ = ["replay_dead_letter"]
