"""Pulling an upstream's notification log over RPC, to repair gaps in an inbox."""

from __future__ import annotations

from typing import Any

from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from shequ.actor import SYSTEM
from shequ.inbox import GapNotRepaired, UpstreamNotUp


def rpc_puller(upstream: str, amqp_uri: str, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    config = {"AMQP_URI": amqp_uri, "serializer": "json"}

    def pull(after: int, limit: int) -> list[dict[str, Any]]:
        try:
            with ClusterRpcProxy(config, timeout=timeout) as rpc:
                service = getattr(rpc, upstream)
                return service.notifications(actor=SYSTEM.to_dict(), after=after, limit=limit)
        except UnknownService as exc:
            raise UpstreamNotUp(f"{upstream} is not up yet") from exc
        except Exception as exc:
            raise GapNotRepaired(f"pull from {upstream} failed: {exc!r}") from exc

    return pull
