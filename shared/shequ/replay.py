"""Replaying a dead letter: hand the original envelope back to the consumer that failed it.

The inbox recorded the dead-lettered position (so the consumer could go on), so a replay must
bypass the inbox's position check, yet be idempotent itself: replaying twice applies once.
Each replay commits the handler's events together with a tracking record of its own,
``replay:<upstream>:<position>``, in one transaction (eventsourcing's tracking table takes one
row per name and refuses a second insert of the same position). A replay that finds that record
answers ``already_replayed`` and writes nothing; two concurrent replays cannot both commit.

Every service exposes it as the RPC ``replay_dead_letter`` (``shequ.rpc.PlatformService``);
``shequ deadletters replay ID`` calls it.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from shequ.actor import Actor
from shequ.errors import Forbidden, NotFound, ShequError, ValidationError

log = logging.getLogger(__name__)

REPLAY_ROLES = ("system", "district_staff")


def replay_tracking_name(upstream: str, position: int) -> str:
    return f"replay:{upstream}:{position}"


def replay_dead_letter(runtime: Any, actor: dict[str, Any],
                       envelope: dict[str, Any]) -> dict[str, Any]:
    """Apply ``envelope`` once through the inbox of its upstream; see the module docstring.

    Answers ``{"outcome": "applied" | "already_replayed" | "ignored" | "failed", ...}``.
    """
    from shequ.inbox import Unit, _malformed

    who = Actor.from_dict(actor)
    if who.role not in REPLAY_ROLES:
        raise Forbidden("无权重放死信", "only system and district staff may replay dead letters",
                        "actor.role")
    upstream = envelope.get("service") if isinstance(envelope, dict) else None
    inbox = next((i for i in runtime.inboxes if i.upstream == upstream), None)
    if inbox is None:
        raise NotFound("本服务不消费该上游的事件", f"{runtime.config.service} has no inbox for "
                       f"{upstream!r}", "envelope.service")
    problem = _malformed(envelope, inbox.upstream)
    if problem:
        raise ValidationError(problem["message"], problem["message_en"], "envelope")
    position = envelope["position"]
    if position > inbox.last():
        raise ValidationError("该位置尚未被收件箱处理，将按正常顺序投递",
                              f"position {position} is past the inbox ({inbox.last()}); it will "
                              "be delivered in order, not replayed", "envelope.position")
    name = replay_tracking_name(inbox.upstream, position)
    app = inbox.app
    if app.recorder.max_tracking_id(name):
        return {"outcome": "already_replayed", "position": position}
    tracking = Tracking(application_name=name, notification_id=position)
    if inbox.interests is not None:
        contract = inbox.interests.get(envelope["contract"])
        if contract is None:
            return _record(app, [], tracking, "ignored", position)
        try:
            if envelope["version"] != contract.version:
                raise ValidationError("不支持的集成事件版本", f"unsupported version "
                                      f"{envelope['version']} of {contract.name}", "version")
            contract.validate(envelope["data"])
        except ShequError as exc:
            return {"outcome": "failed", "position": position, "error": exc.to_dict()}
    try:
        unit = Unit(app)  # the handler loads aggregates through the unit, as in Inbox.apply
        unit.add(inbox.handle(envelope, unit))
        events = unit.events()
    except Exception as exc:  # noqa: BLE001 - the letter stays in the queue with this error
        return {"outcome": "failed", "position": position,
                "error": {"code": type(exc).__name__, "message": str(exc),
                          "traceback": traceback.format_exc(limit=5)}}
    return _record(app, events, tracking, "applied", position)


def _record(app: Any, events: list[Any], tracking: Tracking, outcome: str,
            position: int) -> dict[str, Any]:
    try:
        app.events.put(events, tracking=tracking)
    except IntegrityError:
        return {"outcome": "already_replayed", "position": position}
    log.warning("replayed dead letter %s (%s, %d events)", tracking.application_name, outcome,
                len(events))
    return {"outcome": outcome, "position": position, "events": len(events)}


__all__ = ["replay_dead_letter", "replay_tracking_name"]
