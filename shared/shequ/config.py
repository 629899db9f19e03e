"""All configuration, read from the environment in one place (localhost defaults).

  SHEQU_AMQP_URI               amqp://guest:guest@127.0.0.1:5672/
  SHEQU_<SERVICE>_STORE        sqlite:var/registry.db (relative) | sqlite:////abs/x.db | postgresql://...
  SHEQU_<SERVICE>_SESSION_STORE  (the store)  direct postgresql:// URL for advisory locks when
                                                the store goes through PgBouncer (transaction mode)
  SHEQU_<SERVICE>_METRICS_PORT 9101.. by service (shequ.suite) (0 turns the metrics server off)
  SHEQU_TREEHEAD_DIR           var/treeheads    signed tree heads, outside the database
  SHEQU_KEY_DIR                var/keys         Ed25519 signing keys (<service>.ed25519.pem)
                                                and their public halves (<service>.ed25519.pub.pem)
  SHEQU_TRUSTED_KEYS_DIR       SHEQU_KEY_DIR    upstreams' public keys (<service>.ed25519.pub.pem)
  SHEQU_ACTOR_KEY              (none)           this caller's actor-signing key (Ed25519 PEM,
                                                `shequ keys new`): the CLI, the gateway (ADR 0031)
  SHEQU_ACTOR_KEY_ID           file name        its key id (gateway.actor.pem -> gateway)
  SHEQU_ACTOR_CLAIM_SECONDS    60               how long a signed actor claim is valid
  SHEQU_ACTOR_TRUSTED_KEYS_DIR (none)           issuers' public keys (<kid>.actor.pub.pem)
  SHEQU_ACTOR_CLOCK_SKEW       5                seconds of clock difference tolerated
  SHEQU_ALLOW_UNSIGNED_ACTORS  0                1: take unsigned actors as written (development
                                                and tests only; `shequ up` sets it and says so)
  SHEQU_LOG_ORIGIN_PREFIX      shequ.example/jiaohe  the district's domain and name: each log's
                                                C2SP checkpoint origin is <prefix>/<service>
  SHEQU_DISCLOSURE_LOG_DIR     var/disclosure-log  the district's public disclosure log (A7):
                                                tlog-tiles written by finance, served by the gateway
  SHEQU_SEAL_INTERVAL          10               seconds between tree heads
  SHEQU_WITNESS_POLICY         (empty)          who cosigns each checkpoint, k of n: "2 of
                                                township=<vkey>,https://…; discipline=…"
                                                (SHEQU_<SERVICE>_WITNESS_POLICY for one log;
                                                F43 witness_policy, ADR 0041)
  SHEQU_RELAY_BATCH            200              notifications per relay round
  SHEQU_INBOX_MAX_FAILURES     5                attempts before a message is dead-lettered
  SHEQU_INBOX_MAX_ENVELOPE_BYTES 1048576        larger messages are dead-lettered unread; one
                                                event may hold at most half of it (ADR 0013)
  SHEQU_MAX_WORKERS            10               concurrent nameko workers per service
  SHEQU_PG_POOL_SIZE           1                PostgreSQL connections each pool keeps at rest
  SHEQU_PG_MAX_OVERFLOW        10               more connections a pool may open in a burst
  SHEQU_PG_IDLE_TIMEOUT        30               seconds before a burst's idle connection closes
  SHEQU_PG_POOL_TIMEOUT        5                seconds a caller waits for a pooled connection
  SHEQU_PG_CONNECT_TIMEOUT     5                seconds to open one connection

A missing or malformed setting raises ConfigError, whose message names the setting; the runner
prints that one line and exits non-zero.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shequ.store import Store, StoreConfigError
from shequ.suite import METRICS_PORTS, SERVICES

__all__ = ["METRICS_PORTS", "SERVICES"]  # declared in shequ.suite

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


def env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


DEFAULT_ORIGIN_PREFIX = "shequ.example/jiaohe"


def log_origin(service: str) -> str:
    """The C2SP checkpoint origin (and signed-note key name) of a service's audit log."""
    prefix = env("SHEQU_LOG_ORIGIN_PREFIX", DEFAULT_ORIGIN_PREFIX).rstrip("/")
    if "+" in prefix or any(c.isspace() for c in prefix):
        raise ConfigError(
            f"SHEQU_LOG_ORIGIN_PREFIX must be a schema-less URL without "
            f"spaces or '+', got {prefix!r}"
        )
    return f"{prefix}/{service.lower()}"


def env_number(name: str, default: float, kind: type[int | float] = int, minimum: float = 0) -> Any:
    """A numeric setting, refused with its name when it is not a number >= ``minimum``."""
    text = env(name, str(default))
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(
            f"{name} must be {'an integer' if kind is int else 'a number'}, got {text!r}"
        ) from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {text!r}")
    return value


@dataclass(frozen=True)
class PoolSettings:
    """PostgreSQL connection pools (one for the event store and one for read models per
    process): a few connections at rest, more opened in a burst and closed again when idle."""

    size: int = 1
    max_overflow: int = 10
    idle_timeout: float = 30.0
    timeout: float = 5.0
    connect_timeout: int = 5

    @classmethod
    def from_env(cls) -> PoolSettings:
        return cls(
            size=env_number("SHEQU_PG_POOL_SIZE", 1),
            max_overflow=env_number("SHEQU_PG_MAX_OVERFLOW", 10),
            idle_timeout=env_number("SHEQU_PG_IDLE_TIMEOUT", 30, float, 0.1),
            timeout=env_number("SHEQU_PG_POOL_TIMEOUT", 5, float, 0.1),
            connect_timeout=env_number("SHEQU_PG_CONNECT_TIMEOUT", 5, int, 1),
        )


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
    pool: PoolSettings = PoolSettings()

    @classmethod
    def from_env(cls, service: str) -> ServiceConfig:
        key = service.upper()
        store_text = os.environ.get(f"SHEQU_{key}_STORE")
        if not store_text:
            raise ConfigError(
                f"SHEQU_{key}_STORE is not set: give the {service} service a store "
                f"(sqlite:var/{service}.db, relative to the working directory, or a "
                f"postgresql:// URL)"
            )
        try:
            store = Store.parse(store_text)
        except StoreConfigError as exc:
            raise ConfigError(f"SHEQU_{key}_STORE: {exc}") from None
        session_text = env(f"SHEQU_{key}_SESSION_STORE", "")
        if session_text:
            try:
                store = replace(store, session=Store.parse(session_text))
            except StoreConfigError as exc:
                raise ConfigError(f"SHEQU_{key}_SESSION_STORE: {exc}") from None
        key_dir = signing_key_path(service).parent
        return cls(
            service=service,
            store=store,
            amqp_uri=amqp_uri(),
            metrics_port=metrics_port(service),
            treehead_dir=treehead_dir(),
            key_path=signing_key_path(service),
            trusted_keys_dir=Path(env("SHEQU_TRUSTED_KEYS_DIR", str(key_dir))),
            seal_interval=env_number("SHEQU_SEAL_INTERVAL", 10, float, 0.01),
            relay_batch=env_number("SHEQU_RELAY_BATCH", 200, int, 1),
            inbox_max_failures=env_number("SHEQU_INBOX_MAX_FAILURES", 5, int, 1),
            inbox_max_envelope_bytes=max_envelope_bytes(),
            max_workers=env_number("SHEQU_MAX_WORKERS", 10, int, 1),
            pool=PoolSettings.from_env(),
        )

    @property
    def metrics_port_setting(self) -> str:
        return f"SHEQU_{self.service.upper()}_METRICS_PORT"


def signing_key_path(service: str) -> Path:
    """A service's Ed25519 signing key: SHEQU_KEY_DIR/<service>.ed25519.pem."""
    return Path(env("SHEQU_KEY_DIR", "var/keys")) / f"{service}.ed25519.pem"


def disclosure_log_dir() -> Path:
    """The district's public disclosure log (AUDIT.md A7): SHEQU_DISCLOSURE_LOG_DIR."""
    return Path(env("SHEQU_DISCLOSURE_LOG_DIR", "var/disclosure-log"))


def district() -> str:
    """The district's name: the last part of SHEQU_LOG_ORIGIN_PREFIX (``jiaohe``)."""
    return log_origin("x").rsplit("/", 2)[-2]


def treehead_dir(given: Path | None = None) -> Path:
    """Where the signed tree heads are kept: ``given``, else SHEQU_TREEHEAD_DIR."""
    return given or Path(env("SHEQU_TREEHEAD_DIR", "var/treeheads"))


def max_envelope_bytes() -> int:
    """The largest integration envelope (its JSON body) an inbox accepts; producers keep every
    event at or below half of it, so a genuine envelope never reaches it (ADR 0013)."""
    return int(env_number("SHEQU_INBOX_MAX_ENVELOPE_BYTES", 1024 * 1024, int, 1))


def metrics_port(service: str) -> int:
    """SHEQU_<SERVICE>_METRICS_PORT, else the service's default port (0: no metrics server)."""
    return int(
        env_number(f"SHEQU_{service.upper()}_METRICS_PORT", METRICS_PORTS.get(service, 9100))
    )


def actor_key_settings() -> tuple[Path | None, str | None]:
    """SHEQU_ACTOR_KEY (the signing key's file) and SHEQU_ACTOR_KEY_ID, or None for each."""
    path = env("SHEQU_ACTOR_KEY", "")
    return (Path(path) if path else None), (env("SHEQU_ACTOR_KEY_ID", "") or None)


def actor_claim_seconds() -> int:
    """SHEQU_ACTOR_CLAIM_SECONDS: how long a claim signed here stays valid (1 to 300)."""
    seconds = int(env_number("SHEQU_ACTOR_CLAIM_SECONDS", 60, int, 1))
    if seconds > MAX_CLAIM_SECONDS:
        raise ConfigError(f"SHEQU_ACTOR_CLAIM_SECONDS must be at most {MAX_CLAIM_SECONDS}")
    return seconds


MAX_CLAIM_SECONDS = 300


def allow_unsigned_actors() -> bool:
    """SHEQU_ALLOW_UNSIGNED_ACTORS: 1/true/yes or 0/false/no (the default)."""
    text = env("SHEQU_ALLOW_UNSIGNED_ACTORS", "0").lower()
    if text not in ("1", "true", "yes", "0", "false", "no"):
        raise ConfigError(f"SHEQU_ALLOW_UNSIGNED_ACTORS must be 1 or 0, got {text!r}")
    return text in ("1", "true", "yes")


def actor_verify_settings() -> dict[str, Any]:
    """How a service checks the actor claims it receives (shequ.actorsig.ActorVerifier)."""
    trusted = env("SHEQU_ACTOR_TRUSTED_KEYS_DIR", "")
    return {
        "trusted_dir": Path(trusted) if trusted else None,
        "allow_unsigned": allow_unsigned_actors(),
        "skew": env_number("SHEQU_ACTOR_CLOCK_SKEW", 5, float, 0),
        "max_lifetime": MAX_CLAIM_SECONDS,
    }


def amqp_uri() -> str:
    return env("SHEQU_AMQP_URI", DEFAULT_AMQP)


def nameko_config() -> dict[str, object]:
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": env_number("SHEQU_MAX_WORKERS", 10, int, 1),
        "parent_calls_tracked": 10,
        "serializer": "json",
    }
