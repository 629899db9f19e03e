"""RPC conventions shared by every service.

* ``command`` / ``query`` mark nameko RPC entrypoints whose ShequErrors are expected: they
  reach the caller as the same structured error (code, zh/en message, field), not a traceback.
* ``PlatformService`` gives every service the ``notifications`` RPC that other services'
  inboxes (the ``system`` role only) pull from to repair gaps, and ``health``.
* Every entrypoint that takes an ``actor`` trusts it only as a signed claim for this service
  (``shequ.actorsig``, ADR 0031): ``PlatformService.trusted_actor``.
"""

from __future__ import annotations

import os
import socket
from typing import Annotated, Any

import eventlet
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from shequ import errors
from shequ.actor import Actor
from shequ.auth import Policy
from shequ.batchorder import BatchOrder, batch_item
from shequ.commands import Command, Count, Text, parse
from shequ.errors import Forbidden, ShequError, ValidationError
from shequ.outage import guarded, translate
from shequ.outbox import envelopes_after
from shequ.usecases import UseCase, UseCases
from shequ.validation import check_characters

for _cls in (
    errors.ShequError,
    errors.ValidationError,
    errors.RuleViolation,
    errors.NotFound,
    errors.Forbidden,
    errors.Conflict,
    errors.LogTampered,
    errors.Unavailable,
    errors.ActorRefused,
):
    deserialize_to_instance(_cls)


class Notifications(Command):
    """Arguments of ``notifications``: the position to read after, and how many at most."""

    after: Annotated[int, Count(0, 2**62, "位置")] = 0
    limit: Annotated[int, Count(1, 1_000_000, "条数")] = 500


class ReplayDeadLetter(Command):
    """Arguments of ``replay_dead_letter``: the stored letter's id."""

    letter_id: Annotated[str, Text(200, "死信编号")]


class _ReplyPublisher(Publisher):
    # Replies go without publisher confirms (they cost a sixth of a busy service's CPU): the
    # command is committed before its reply is sent, and a caller whose reply is lost times out
    # and retries with the same idempotency key, which returns the stored result (ADR 0005).
    use_confirms = False


class _Responder(Responder):
    publisher_cls = _ReplyPublisher


class _RpcConsumer(RpcConsumer):
    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        config = self.container.config
        responder = _Responder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        # a database outage reaches the caller as `unavailable`, from any entrypoint
        result, exc_info = responder.send_response(result, translate(exc_info))
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ShequRpc(Rpc):
    rpc_consumer = _RpcConsumer()


rpc = ShequRpc.decorator
command = rpc(expected_exceptions=ShequError)
query = rpc(expected_exceptions=ShequError)


class PlatformService:
    """Mixin for a nameko service class that declares ``runtime = Platform(...)``."""

    runtime: Any

    @property
    def app(self) -> Any:
        return self.runtime.app

    def trusted_actor(self, actor: Any) -> Actor:
        """The Actor the claim ``actor`` vouches for (signed for this service, in date, seen
        once), or ActorRefused (``actor.*``) / ValidationError saying why not."""
        return self.runtime.actors.actor(actor)  # type: ignore[no-any-return]

    @query
    def notifications(self, actor: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        """Published integration envelopes after ``after``, for other services' gap repair.

        The envelopes carry personal data unmasked (names, phones), as the services that pull
        them need it: only the ``system`` role (a service) may read them. Auditors replay the
        stored, sealed events instead. Example: ``{"actor": {"person_id": "system",
        "role": "system"}, "after": 0, "limit": 100}``
        """
        check_characters(kwargs)
        args = parse(Notifications, "notifications", kwargs)
        who = self.trusted_actor(actor)
        if who.role != "system":
            raise Forbidden(
                "事件日志只供各服务修补缺口读取，含未脱敏的个人信息",
                "only services (the system role) may read the notification log: "
                "it carries unmasked personal data",
                "actor.role",
            )
        after, limit = args.after, min(args.limit, 1000)
        return envelopes_after(
            self.runtime.config.service,
            self.app,
            self.runtime.translate,
            after,
            limit,
            after or None,
            self.runtime.signer,
        )

    @rpc
    def health(self) -> dict[str, Any]:
        """Liveness and readiness: store reachable, relay leadership and lag, and the audit:
        seal interval, events not yet sealed and the age of the oldest, any audit alarm."""
        rt = self.runtime
        try:
            top = rt.app.recorder.max_notification_id() or 0
            store_ok = True
        except Exception:  # noqa: BLE001
            top, store_ok = 0, False
        if not rt.leadership.held:
            rt.relay.forget()  # another replica's relay moves the position: read it afresh
        relayed, published = rt.relay.state() if store_ok else (0, None)
        try:
            audit = rt.audit_status()
        except Exception as exc:  # noqa: BLE001 - the store is down: say so, still answer
            audit = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        return {
            "service": rt.config.service,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "ready": store_ok,
            "log_position": top,
            "relay_leader": rt.leadership.held,
            "relay_position": relayed,
            "relay_lag": max(0, top - relayed),
            "published_position": published or 0,
            "sealed_size": rt.sealed_size,
            "audit": audit,
            "inboxes": {
                i.upstream: {"position": i.last(), "counts": dict(i.counts)} for i in rt.inboxes
            },
        }

    @command
    def replay_dead_letter(self, actor: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Apply a dead letter this service stored, once; a second replay applies nothing.

        Example: ``{"actor": {"person_id": "ops-1", "role": "district_staff"},
        "letter_id": "casework.registry.42"}``
        """
        from shequ.replay import replay_dead_letter

        check_characters(kwargs)
        args = parse(ReplayDeadLetter, "replay_dead_letter", kwargs)
        return replay_dead_letter(self.runtime, self.trusted_actor(actor), args.letter_id)


def expose(service_cls: type, table: UseCases) -> type:
    """Add one RPC entrypoint per row of the service's use-case table, and ``batch``.

    Each entrypoint only translates: it refuses control characters anywhere in the call, turns
    the ``actor`` claim into an Actor (checking its signature, ``trusted_actor``), refuses a role the use case does not admit, validates the
    arguments into the use case's command model, and hands the command to its handler. Deriving
    the entrypoints from the table keeps "every entrypoint is authorised and typed" true by
    construction.
    """
    handlers = {}
    for case in table:
        handlers[case.name] = _typed_handler(case, table.policy)
        wrap = query if case.reads else command
        setattr(service_cls, case.name, wrap(_typed_entrypoint(case, handlers[case.name])))
    writes = {name: h for name, h in handlers.items() if not table[name].reads}
    setattr(service_cls, "batch", command(_batch_entrypoint(writes, table.policy)))  # noqa: B010
    return service_cls


def _typed_handler(case: UseCase, policy: Policy) -> Any:
    """The use case for an actor already vouched for: role, arguments, handler."""
    name, handler = case.name, case.handler

    def run(service: Any, who: Actor, kwargs: dict[str, Any]) -> Any:
        check_characters(kwargs)  # first: later errors may quote what the caller sent
        policy.check_role(name, who)
        cmd = case.parse(kwargs)
        with guarded():  # each command (and each item of a batch) answers `unavailable`
            return handler(cmd, who, service.app)

    return run


def _typed_entrypoint(case: UseCase, run: Any) -> Any:
    def entrypoint(self: Any, actor: Any = None, **kwargs: Any) -> Any:
        check_characters(kwargs)  # before the claim: its refusal may quote what was sent
        return run(self, self.trusted_actor(actor), kwargs)

    entrypoint.__name__ = entrypoint.__qualname__ = case.name
    entrypoint.__doc__ = case.doc
    return entrypoint


BATCH_LIMIT = 500


def _batch_entrypoint(handlers: dict[str, Any], policy: Policy) -> Any:
    def batch(self: Any, actor: Any = None, commands: Any = None) -> list[Any]:
        """Run many commands in one call, concurrently, each with its own idempotency key.

        Each item is ``{"command": NAME, "args": {...}}`` with ``idempotency_key`` among the
        args; items are independent (one failing does not undo another) and the answer holds,
        in order, ``{"ok": result}`` or ``{"error": {code, message, message_en, field}}``.
        Concurrent items share database transactions (group commit), which is what makes bulk
        intake fast; items that change the same record are applied one after another, in
        batch order (``shequ.batchorder``). Example: ``{"actor": {...}, "commands": [{"command":
        "establish_community", "args": {"idempotency_key": "c-0001", "name": "立柱",
        "name_en": "Lizhu"}}]}``
        """
        if not isinstance(commands, list) or not 1 <= len(commands) <= BATCH_LIMIT:
            raise ValidationError(
                f"commands 须为1至{BATCH_LIMIT}条指令的列表",
                f"commands must be a list of 1 to {BATCH_LIMIT} commands",
                "commands",
            )
        who = self.trusted_actor(actor)  # one claim for the whole batch, checked once
        pile = eventlet.GreenPile(64)
        order = BatchOrder(len(commands))
        for index, item in enumerate(commands):
            pile.spawn(_run_in_turn, order, index, self, handlers, policy, who, item)
        return list(pile)

    return batch


def _run_in_turn(order: BatchOrder, index: int, *args: Any) -> dict[str, Any]:
    # Items that touch the same aggregate are stored in batch order (shequ.batchorder).
    with batch_item(order, index):
        return _run_item(*args)


def _run_item(
    service: Any, handlers: dict[str, Any], policy: Policy, who: Actor, item: Any
) -> dict[str, Any]:
    try:
        name = item.get("command") if isinstance(item, dict) else None
        check_characters(name, "command")  # its args are checked by the command's entrypoint
        rule = policy.rules.get(name) if isinstance(name, str) else None
        if name is None or rule is None or rule.reads:
            raise ValidationError(f"未知的指令：{name}", f"unknown command {name!r}", "command")
        args = item.get("args") or {}
        if not isinstance(args, dict):
            raise ValidationError("args 须为对象", "args must be an object", "args")
        return {"ok": handlers[name](service, who, args)}
    except ShequError as exc:
        return {"error": exc.to_dict()}
