"""The gateway's settings, read from the environment in one place.

SHEQU_AMQP_URI                  amqp://guest:guest@127.0.0.1:5672/  the services' broker
SHEQU_GATEWAY_HOST              127.0.0.1   address the HTTP API listens on
SHEQU_GATEWAY_PORT              8080        its port
SHEQU_GATEWAY_METRICS_PORT      9110        Prometheus metrics (0 turns them off)
SHEQU_GATEWAY_POOL_SIZE         8           standalone RPC proxies (and threads) at most
SHEQU_GATEWAY_RPC_TIMEOUT       10          seconds an RPC may take before the answer is 504
SHEQU_GATEWAY_PRESENCE_TTL      1           seconds a "service is running" answer is kept
SHEQU_GATEWAY_TOKENS            (none)      JSON file of API tokens: {sha256(token) hex: actor}
SHEQU_OPEN311_CLIENTS           (none)      JSON file of Open311 api_keys:
                                            {sha256(api_key) hex: {"client", "community_id"}}
SHEQU_OPEN311_JURISDICTION      jiaohe      the Open311 jurisdiction_id answered for
SHEQU_DISCLOSURE_LOG_DIR        var/disclosure-log  the public disclosure log's tiles (read only)
SHEQU_DISCLOSURE_LOG_VKEY       (the file)  the log's vkey as published (else its vkey file)
SHEQU_LOG_ORIGIN_PREFIX         shequ.example/jiaohe  its last part names the district (/v/jiaohe)
SHEQU_GATEWAY_PUBLIC_URL        (the request's)  https://host the boards' verify links and QR
                                            codes point to (behind a proxy or ingress)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shequ.config import (
    DEFAULT_AMQP,
    ConfigError,
    disclosure_log_dir,
    district,
    env,
    env_number,
)

__all__ = ["ConfigError", "Settings"]

DEFAULT_PORT = 8080
DEFAULT_METRICS_PORT = 9110


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = DEFAULT_AMQP
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    metrics_port: int = DEFAULT_METRICS_PORT
    pool_size: int = 8
    rpc_timeout: float = 10.0
    presence_ttl: float = 1.0
    tokens_file: Path | None = None
    open311_clients: Path | None = None
    open311_jurisdiction: str = "jiaohe"
    district: str = "jiaohe"
    disclosure_log_dir: Path = Path("var/disclosure-log")
    disclosure_log_vkey: str = ""
    public_url: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        tokens = os.environ.get("SHEQU_GATEWAY_TOKENS", "").strip()
        clients = os.environ.get("SHEQU_OPEN311_CLIENTS", "").strip()
        return cls(
            amqp_uri=env("SHEQU_AMQP_URI", DEFAULT_AMQP),
            host=env("SHEQU_GATEWAY_HOST", "127.0.0.1"),
            port=env_number("SHEQU_GATEWAY_PORT", DEFAULT_PORT, int, 1),
            metrics_port=env_number("SHEQU_GATEWAY_METRICS_PORT", DEFAULT_METRICS_PORT, int, 0),
            pool_size=env_number("SHEQU_GATEWAY_POOL_SIZE", 8, int, 1),
            rpc_timeout=env_number("SHEQU_GATEWAY_RPC_TIMEOUT", 10.0, float, 0.1),
            presence_ttl=env_number("SHEQU_GATEWAY_PRESENCE_TTL", 1.0, float, 0),
            tokens_file=Path(tokens) if tokens else None,
            open311_clients=Path(clients) if clients else None,
            open311_jurisdiction=env("SHEQU_OPEN311_JURISDICTION", "jiaohe"),
            district=district(),
            disclosure_log_dir=disclosure_log_dir(),
            disclosure_log_vkey=env("SHEQU_DISCLOSURE_LOG_VKEY", ""),
            public_url=env("SHEQU_GATEWAY_PUBLIC_URL", "").rstrip("/"),
        )
