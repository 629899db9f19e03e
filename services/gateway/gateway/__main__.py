"""``python -m gateway`` (and ``shequ gateway``): the gateway in its own process, never
monkey-patched by eventlet (its RPC runs in plain threads)."""

from __future__ import annotations

import sys
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")


def main() -> None:
    import uvicorn
    from prometheus_client import start_http_server
    from shequ.config import ConfigError

    from gateway.app import create_app
    from gateway.auth import Auth
    from gateway.settings import Settings

    try:
        settings = Settings.from_env()
        auth = Auth.open()  # SHEQU_GATEWAY_STORE: accounts, sessions, tokens
    except ConfigError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        sys.exit(2)
    if settings.metrics_port:
        try:
            start_http_server(settings.metrics_port)
        except OSError as exc:
            print(
                f"gateway: SHEQU_GATEWAY_METRICS_PORT {settings.metrics_port} is busy ({exc})",
                file=sys.stderr,
            )
            sys.exit(2)
    uvicorn.run(
        create_app(settings, auth=auth),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
