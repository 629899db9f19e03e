"""docker-compose.yml read the way `docker compose --env-file deploy/env.example` reads it, so
tests can run a compose service's exact command and environment as a local process."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import yaml

from tests.support.infra import REPO

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / "deploy" / "env.example"
_VAR = re.compile(
    r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose variable substitution: ${X}, ${X:-default}, ${X-default}, ${X:?err}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def sub(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        op, arg = match.group(2), match.group(3) or ""
        present = name in env and (env[name] != "" or op in (None, "-", "?"))
        if op in (":-", "-"):
            return env[name] if present else arg
        if op in (":?", "?"):
            if not present:
                raise KeyError(f"{name} is required: {arg}")
            return env[name]
        return env.get(name, "")

    return _VAR.sub(sub, value)


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose file with YAML merge keys resolved and variables substituted."""
    raw = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return interpolate(raw, read_env_file() if env is None else env)


def service_process_env(
    entry: dict[str, Any], amqp_uri: str, stores: dict[str, str], volumes: dict[str, Path]
) -> dict[str, str]:
    """A compose service's environment as a local process gets it: hostnames rabbitmq and
    postgres become 127.0.0.1 with the test's vhost and databases, volume mount points become
    the test's temporary folders; every other value is kept exactly."""
    mounts = {}
    for spec in entry.get("volumes", []):
        source, _, rest = spec.partition(":")
        target = rest.split(":")[0]
        if source in volumes:
            mounts[target] = volumes[source]
    out: dict[str, str] = {}
    for key, value in (entry.get("environment") or {}).items():
        text = str(value)
        for target, local in mounts.items():
            if text == target or text.startswith(target + "/"):
                text = str(local) + text[len(target) :]
        if key == "SHEQU_AMQP_URI":
            assert urlparse(text).hostname == "rabbitmq", text
            text = amqp_uri
        elif key.endswith("_STORE") and text.startswith("postgresql://"):
            url = urlparse(text)
            assert url.hostname == "postgres", text
            service = key[len("SHEQU_") : -len("_STORE")].lower()
            local = urlparse(stores[service])
            netloc = f"{local.username}:{url.password}@127.0.0.1:{local.port or 5432}"
            text = urlunparse(url._replace(netloc=netloc, path=local.path))
        out[key] = text
    return out
