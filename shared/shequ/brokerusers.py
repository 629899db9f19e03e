"""RabbitMQ users and what each may do on the suite's vhost (ADR 0031).

One user per service, one for the gateway, one per operator. The broker enforces, by the names
of exchanges and queues (``configure`` / ``write`` / ``read`` regular expressions) and by the
routing keys published to the RPC exchange (a *topic permission* on ``nameko-rpc``):

* a service publishes events only to its own exchange ``shequ.<service>.events`` (``write``);
  it may declare its upstreams' exchanges (kombu declares a queue's exchange with the queue, so
  an inbox can start before its upstream) and read from them, never write to them;
* a service sends on ``nameko-rpc`` only replies (routing key: a reply queue's UUID) and
  ``<service>.notifications`` requests (gap repair); it binds only its own request queue
  ``rpc-<service>`` (routing key ``<service>.*``) and its reply queues;
* the gateway and operators send any ``<service>.<method>`` request and read only their own
  reply queues (``rpc.reply-standalone_rpc_proxy-<uuid>``); they cannot send a reply, publish
  an event or read a service's queues; operators also read the dead-letter queue.

What the broker cannot see is *who the actor is*: that is the signed claim's job
(``shequ.actorsig``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

RPC_EXCHANGE = "nameko-rpc"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PROXY_REPLIES = rf"rpc\.reply-standalone_rpc_proxy-{UUID}"
NAME = "[a-z][a-z0-9_]*"
DEAD_LETTERS = r"shequ\.deadletter|shequ\.deadletters"


@dataclass(frozen=True)
class Grant:
    """A user's permissions on one vhost, and its topic permission on ``nameko-rpc``."""

    user: str
    configure: str
    write: str
    read: str
    rpc_write: str  # routing keys it may publish to nameko-rpc
    rpc_read: str  # routing keys it may bind a queue to nameko-rpc with

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _any(*patterns: str) -> str:
    return "^(" + "|".join(patterns) + ")$"


def service_grant(service: str, user: str | None = None) -> Grant:
    """What the service ``service`` (logging in as ``user``, default its name) may do."""
    s = re.escape(service)
    own_replies = rf"rpc\.reply-{s}-{UUID}"
    return Grant(
        user=user or service,
        configure=_any(
            rf"shequ\.{NAME}\.events",  # its own; upstreams' are declared with its inbox queues
            rf"shequ\.{s}\.inbox\..+",
            DEAD_LETTERS,
            RPC_EXCHANGE,
            f"rpc-{s}",
            own_replies,
            PROXY_REPLIES,  # gap repair pulls through a standalone proxy
        ),
        write=_any(
            rf"shequ\.{s}\.events",  # publish: its own event exchange only
            rf"shequ\.{s}\.inbox\..+",  # bind its inbox queues
            DEAD_LETTERS,
            RPC_EXCHANGE,  # replies and notifications pulls; routing keys: rpc_write
            f"rpc-{s}",
            own_replies,
            PROXY_REPLIES,
        ),
        read=_any(
            rf"shequ\.{NAME}\.events",  # bind its inbox queues to its upstreams
            rf"shequ\.{s}\.inbox\..+",
            r"shequ\.deadletter",
            RPC_EXCHANGE,
            f"rpc-{s}",
            own_replies,
            PROXY_REPLIES,
        ),
        rpc_write=_any(UUID, rf"{NAME}\.notifications"),
        rpc_read=_any(rf"{s}\.\*", UUID),
    )


def caller_grant(user: str, operator: bool = False) -> Grant:
    """What the gateway (or, with ``operator``, an operator's CLI) may do: send requests."""
    extra = (DEAD_LETTERS,) if operator else ()
    return Grant(
        user=user,
        configure=_any(RPC_EXCHANGE, PROXY_REPLIES, *extra),
        write=_any(RPC_EXCHANGE, PROXY_REPLIES, *extra),
        read=_any(RPC_EXCHANGE, PROXY_REPLIES, *extra),
        rpc_write=_any(rf"{NAME}\.{NAME}"),  # requests only: a UUID (a reply) is refused
        rpc_read=_any(UUID),
    )


def suite_grants(services: tuple[str, ...], operators: tuple[str, ...] = ("ops",)) -> list[Grant]:
    """Every user of the suite: one per service, ``gateway``, and each operator."""
    return [
        *(service_grant(s) for s in services),
        caller_grant("gateway"),
        *(caller_grant(o, operator=True) for o in operators),
    ]


def provision(
    api: str, admin: tuple[str, str], vhost: str, grants: list[Grant], passwords: dict[str, str]
) -> None:
    """Create (or update) each grant's user with its password and permissions on ``vhost``
    through the management HTTP API ``api`` (``http://host:15672/api``), idempotently."""
    from urllib.parse import quote

    import requests

    v = quote(vhost, safe="")
    for grant in grants:
        u = quote(grant.user, safe="")
        calls: list[tuple[str, dict[str, Any]]] = [
            (f"users/{u}", {"password": passwords[grant.user], "tags": ""}),
            (
                f"permissions/{v}/{u}",
                {"configure": grant.configure, "write": grant.write, "read": grant.read},
            ),
            (
                f"topic-permissions/{v}/{u}",
                {"exchange": RPC_EXCHANGE, "write": grant.rpc_write, "read": grant.rpc_read},
            ),
        ]
        for path, body in calls:
            requests.put(f"{api}/{path}", auth=admin, json=body, timeout=10).raise_for_status()


def topology_manifests(
    grants: list[Grant], cluster: str = "shequ-rabbitmq", vhost: str = "/"
) -> list[dict[str, Any]]:
    """The grants as RabbitMQ Messaging Topology Operator objects (``User``, ``Permission``,
    ``TopicPermission``): each user's name and password come from the Secret
    ``<user>-broker-user`` (keys ``username``, ``password``)."""
    api, ref = "rabbitmq.com/v1beta1", {"name": cluster}
    docs: list[dict[str, Any]] = []
    for g in grants:
        name = f"{g.user}-broker"
        user = {"name": name}
        docs += [
            {
                "apiVersion": api,
                "kind": "User",
                "metadata": {"name": name},
                "spec": {
                    "rabbitmqClusterReference": ref,
                    "importCredentialsSecret": {"name": f"{g.user}-broker-user"},
                    "tags": [],
                },
            },
            {
                "apiVersion": api,
                "kind": "Permission",
                "metadata": {"name": name},
                "spec": {
                    "rabbitmqClusterReference": ref,
                    "vhost": vhost,
                    "userReference": user,
                    "permissions": {"configure": g.configure, "write": g.write, "read": g.read},
                },
            },
            {
                "apiVersion": api,
                "kind": "TopicPermission",
                "metadata": {"name": name},
                "spec": {
                    "rabbitmqClusterReference": ref,
                    "vhost": vhost,
                    "userReference": user,
                    "permissions": {
                        "exchange": RPC_EXCHANGE,
                        "write": g.rpc_write,
                        "read": g.rpc_read,
                    },
                },
            },
        ]
    return docs
