"""Where each built service keeps its contract catalogue (found by module path, the way
``nameko run`` finds services: shared/ never imports a service at import time)."""

from __future__ import annotations

import importlib

from shequ.contracts import Catalogue
from shequ.suite import CATALOGUES

__all__ = ["CATALOGUES", "all_catalogues", "catalogue_of"]


def catalogue_of(service: str) -> Catalogue:
    module, _, attr = CATALOGUES[service].partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def all_catalogues() -> list[Catalogue]:
    return [catalogue_of(service) for service in CATALOGUES]
