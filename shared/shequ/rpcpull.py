"""Pulling an upstream's notification log over RPC, to repair gaps in an inbox.

Each pull is a call of its own by the ``system`` actor, signed with the pulling service's own
key for the upstream (key id ``service:<service>``, ADR 0031): the upstream checks it with the
public key it already holds for this service's envelopes."""

from __future__ import annotations

from typing import Any

from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from shequ.actor import SYSTEM
from shequ.actorsig import SERVICE_KID, sign_with
from shequ.inbox import GapNotRepaired, UpstreamNotUp
from shequ.provenance import Signer


def rpc_puller(upstream: str, amqp_uri: str, signer: Signer, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    config = {"AMQP_URI": amqp_uri, "serializer": "json"}
    kid = f"{SERVICE_KID}{signer.service}"

    def pull(after: int, limit: int) -> list[dict[str, Any]]:
        actor = sign_with(signer.key, kid, SYSTEM.to_dict(), upstream)
        try:
            with ClusterRpcProxy(config, timeout=timeout) as rpc:
                service = getattr(rpc, upstream)
                return service.notifications(actor=actor, after=after, limit=limit)
        except UnknownService as exc:
            raise UpstreamNotUp(f"{upstream} is not up yet") from exc
        except Exception as exc:
            raise GapNotRepaired(f"pull from {upstream} failed: {exc!r}") from exc

    return pull
