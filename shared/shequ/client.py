"""Calling the running services and opening their stores from outside them: what the CLI, the
ops commands, ``shequ up`` and the demo share (kept out of ``shequ.cli`` so that the commands
it gathers need not import it back)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from shequ.config import amqp_uri
from shequ.store import Store

SEED_ACTOR = {"person_id": "system:seed", "role": "system"}


def rpc_call(
    service: str,
    method: str,
    payload: dict[str, Any],
    timeout: float = 60,
    amqp: str | None = None,
) -> Any:
    """Call SERVICE's RPC METHOD with ``payload`` as keyword arguments, on the broker ``amqp``
    (default: SHEQU_AMQP_URI); its result. An ``actor`` in the payload is signed for SERVICE
    with the key SHEQU_ACTOR_KEY names, when one is configured (``shequ.actorsig``)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import shequ.rpc  # noqa: F401 - registers structured errors for deserialisation
    from shequ.actorsig import sign_actor

    if isinstance(payload.get("actor"), dict):
        payload = {**payload, "actor": sign_actor(payload["actor"], service)}

    config = {"AMQP_URI": amqp or amqp_uri(), "serializer": "json"}
    with ClusterRpcProxy(config, timeout=timeout) as rpc:
        return getattr(getattr(rpc, service), method)(**payload)


def store_for(service: str, store: str | None) -> Store:
    """The --store given, else SHEQU_<SERVICE>_STORE, else the local store `shequ up` uses."""
    from shequ.store import StoreConfigError

    text = (
        store
        or os.environ.get(f"SHEQU_{service.upper()}_STORE")
        or f"sqlite:///{Path('var').resolve()}/{service}.db"
    )
    try:
        return Store.parse(text)
    except StoreConfigError as exc:
        raise click.ClickException(str(exc)) from None


def load_demo() -> tuple[dict[str, Any], dict[str, Any]]:
    """Load the demo district (sample data, idempotent) into every running service: the
    registry's answer (communities, villages, households) and what the others made of it."""
    from shequ.demo import seed_services

    result = rpc_call("registry", "seed_demo", {"actor": SEED_ACTOR}, timeout=600)
    made = seed_services(lambda s, m, p: rpc_call(s, m, p, timeout=120), result)
    return result, made
