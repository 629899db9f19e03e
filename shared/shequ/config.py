"""All configuration, read from the environment in one place (localhost defaults).

  SHEQU_AMQP_URI               amqp://guest:guest@127.0.0.1:5672/
  SHEQU_<SERVICE>_STORE        sqlite:var/registry.db (relative) | sqlite:////abs/x.db | postgresql://...
  SHEQU_<SERVICE>_METRICS_PORT 9101.. by service (0 turns the metrics server off)
  SHEQU_TREEHEAD_DIR           var/treeheads    signed tree heads, outside the database
  SHEQU_KEY_DIR                var/keys         Ed25519 signing keys (<service>.ed25519.pem)
                                                and their public halves (<service>.ed25519.pub.pem)
  SHEQU_TRUSTED_KEYS_DIR       SHEQU_KEY_DIR    upstreams' public keys (<service>.ed25519.pub.pem)
  SHEQU_SEAL_INTERVAL          10               seconds between tree heads
  SHEQU_RELAY_BATCH            200              notifications per relay round
  SHEQU_INBOX_MAX_FAILURES     5                attempts before a message is dead-lettered
  SHEQU_INBOX_MAX_ENVELOPE_BYTES 1048576        larger messages are dead-lettered unread; one
                                                event may hold at most half of it (ADR 0013)
  SHEQU_MAX_WORKERS            10               concurrent nameko workers per service
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shequ.store import Store, StoreConfigError

SERVICES = ("registry", "casework", "outreach", "assessment", "finance")
METRICS_PORTS = {"registry": 9101, "casework": 9102, "outreach": 9103, "assessment": 9104,
                 "finance": 9105, "gateway": 9106}
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class ServiceConfig:
    service: str
    store: Store
    amqp_uri: str
    metrics_port: int
    treehead_dir: Path
    key_path: Path
    trusted_keys_dir: Path
    seal_interval: float
    relay_batch: int
    inbox_max_failures: int
    inbox_max_envelope_bytes: int
    max_workers: int

    @classmethod
    def from_env(cls, service: str) -> ServiceConfig:
        key = service.upper()
        store_text = os.environ.get(f"SHEQU_{key}_STORE")
        if not store_text:
            raise StoreConfigError(
                f"SHEQU_{key}_STORE is not set: give the {service} service a store "
                f"(sqlite:var/{service}.db, relative to the working directory, or a "
                f"postgresql:// URL)")
        key_dir = Path(env("SHEQU_KEY_DIR", "var/keys"))
        return cls(
            service=service,
            store=Store.parse(store_text),
            amqp_uri=amqp_uri(),
            metrics_port=metrics_port(service),
            treehead_dir=Path(env("SHEQU_TREEHEAD_DIR", "var/treeheads")),
            key_path=key_dir / f"{service}.ed25519.pem",
            trusted_keys_dir=Path(env("SHEQU_TRUSTED_KEYS_DIR", str(key_dir))),
            seal_interval=float(env("SHEQU_SEAL_INTERVAL", "10")),
            relay_batch=int(env("SHEQU_RELAY_BATCH", "200")),
            inbox_max_failures=int(env("SHEQU_INBOX_MAX_FAILURES", "5")),
            inbox_max_envelope_bytes=max_envelope_bytes(),
            max_workers=int(env("SHEQU_MAX_WORKERS", "10")),
        )


def max_envelope_bytes() -> int:
    """The largest integration envelope (its JSON body) an inbox accepts; producers keep every
    event at or below half of it, so a genuine envelope never reaches it (ADR 0013)."""
    return int(env("SHEQU_INBOX_MAX_ENVELOPE_BYTES", str(1024 * 1024)))


def metrics_port(service: str) -> int:
    """SHEQU_<SERVICE>_METRICS_PORT, else the service's default port (0: no metrics server)."""
    return int(env(f"SHEQU_{service.upper()}_METRICS_PORT",
                   str(METRICS_PORTS.get(service, 9100))))


def amqp_uri() -> str:
    return env("SHEQU_AMQP_URI", DEFAULT_AMQP)


def nameko_config() -> dict[str, object]:
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": int(env("SHEQU_MAX_WORKERS", "10")),
        "parent_calls_tracked": 10,
        "serializer": "json",
    }
