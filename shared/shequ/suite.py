"""The services of the suite, declared once: name, nameko service class, metrics port.

Everything else derives from this list: ``shequ up`` starts these, ``shequ status`` asks these,
the CLI's ``--service`` choices, the runner's classes, default metrics ports, the contract
catalogues (AsyncAPI), the demo. A new
service is one more line here (and its package); nothing unbuilt is named.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    entry: str  # module:Class of its nameko service
    metrics_port: int  # default of SHEQU_<NAME>_METRICS_PORT

    @property
    def catalogue(self) -> str:
        """module:attribute of its contract catalogue (found by path: shequ imports no
        service at import time)."""
        return f"{self.name}.contracts:catalogue"

    @property
    def setting_prefix(self) -> str:
        return f"SHEQU_{self.name.upper()}"


SUITE: tuple[Service, ...] = (
    Service("registry", "registry.service:RegistryService", 9101),
    Service("casework", "casework.service:CaseworkService", 9102),
    Service("outreach", "outreach.service:OutreachService", 9103),
    Service("assessment", "assessment.service:AssessmentService", 9104),
    Service("finance", "finance.service:FinanceService", 9105),
)

# The names, in start order (registry first: every other service reads its facts).
SERVICES: tuple[str, ...] = tuple(s.name for s in SUITE)
SERVICE_CLASSES: dict[str, str] = {s.name: s.entry for s in SUITE}
CATALOGUES: dict[str, str] = {s.name: s.catalogue for s in SUITE}
METRICS_PORTS: dict[str, int] = {s.name: s.metrics_port for s in SUITE}
# The source of the facts every other service starts from.
UPSTREAM = "registry"
CONSUMERS: tuple[str, ...] = tuple(n for n in SERVICES if n != UPSTREAM)
