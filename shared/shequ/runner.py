"""Run one service in this process: ``python -m shequ.runner registry`` or
``python -m shequ.runner path.to.module:ServiceClass``.

Monkey-patches first (nameko runs on eventlet), then starts the service with the
configuration from the environment and stops it cleanly on SIGTERM or SIGINT."""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shequ.config import nameko_config  # noqa: E402

SERVICE_CLASSES = {
    "registry": "registry.service:RegistryService",
}


def load_class(target: str) -> type:
    path = SERVICE_CLASSES.get(target, target)
    module_name, _, class_name = path.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m shequ.runner SERVICE|module:Class", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = ServiceRunner(nameko_config())
    runner.add_service(load_class(args[0]))

    def shutdown(signum: int, _frame: object) -> None:
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("shequ").info("%s started", args[0])
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
