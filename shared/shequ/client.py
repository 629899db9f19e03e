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


def rpc_call(service: str, method: str, payload: dict[str, Any], timeout: float = 60) -> Any:
    """Call SERVICE's RPC METHOD with ``payload`` as keyword arguments; its result."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import shequ.rpc  # noqa: F401 - registers structured errors for deserialisation

    with ClusterRpcProxy({"AMQP_URI": amqp_uri(), "serializer": "json"}, timeout=timeout) as rpc:
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
