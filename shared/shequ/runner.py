"""Run one service in this process: ``python -m shequ.runner registry`` or
``python -m shequ.runner path.to.module:ServiceClass``.

Monkey-patches first (nameko runs on eventlet), then starts the service with the
configuration from the environment and stops it cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet

eventlet.monkey_patch()

import importlib
import logging
import signal
import sys

import amqp.exceptions
import kombu.exceptions
from nameko.runners import ServiceRunner

from shequ.config import ConfigError, ServiceConfig, nameko_config
from shequ.logsummary import quiet_amqp_close_noise
from shequ.outage import is_outage
from shequ.runtime import Platform, serve_health
from shequ.store import StoreConfigError
from shequ.suite import SERVICE_CLASSES


def load_class(target: str) -> type:
    path = SERVICE_CLASSES.get(target, target)
    module_name, _, class_name = path.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


class _RunState:
    stopping = False
    runner: ServiceRunner | None = None


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m shequ.runner SERVICE|module:Class", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    log = logging.getLogger("shequ.runner")
    quiet_amqp_close_noise()
    service_cls = load_class(args[0])
    state = _RunState()
    try:
        config = nameko_config()
        preflight(service_cls)
    except (ConfigError, StoreConfigError) as exc:
        return _refuse(args[0], exc)

    def shutdown(signum: int, _frame: object) -> None:
        if state.stopping:
            return  # one stop is enough; a second concurrent stop deadlocks nameko's runner
        state.stopping = True
        if state.runner is not None:
            eventlet.spawn_n(state.runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    while True:
        runner = ServiceRunner(config)
        runner.add_service(service_cls)
        state.runner = runner
        try:
            runner.start()
            log.info("%s started", args[0])
            runner.wait()
            return 0
        except (ConfigError, StoreConfigError) as exc:
            # A wrong setting stays wrong however often the service restarts: say which, once.
            runner.kill()
            return _refuse(args[0], exc)
        except Exception as exc:
            if not (is_outage(exc) or isinstance(exc, CONNECTION_ERRORS)):
                raise
            if state.stopping:
                return 0
            # nameko kills its container when the broker drops mid-acknowledgement; a store
            # that is unreachable at start fails the container's setup. Nothing is lost
            # (unacked work is redelivered, the relay resumes from its stored position), so
            # start a fresh container once the broker and the store answer again.
            what = "store" if is_outage(exc) else "broker"
            log.warning(
                "%s: %s connection lost (%s); restarting the service",
                args[0],
                what,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
            runner.kill()
            eventlet.sleep(2.0)


def preflight(service_cls: type) -> None:
    """Check the platform's settings and open the metrics port before nameko starts, so that a
    configuration error is one line naming the setting (not a traceback from a green thread)."""
    for value in vars(service_cls).values():
        if isinstance(value, Platform):
            serve_health(ServiceConfig.from_env(value.service))


def _refuse(service: str, exc: Exception) -> int:
    print(f"shequ {service}: {exc}", file=sys.stderr)
    return 2


CONNECTION_ERRORS = (
    ConnectionError,
    OSError,
    kombu.exceptions.OperationalError,
    amqp.exceptions.ConnectionError,
    amqp.exceptions.RecoverableConnectionError,
)


if __name__ == "__main__":
    sys.exit(main())
