"""Disclosure reports as pure folds of a service's sealed events, as of a cut (issue 13;
AUDIT.md D20–D27; ADR 0026).

Each service owns the fold of its own events (``casework.report``, ``assessment.report``),
found by module path as ``nameko run`` finds services: ``shared/`` imports none of them.
``shequ.reports.run`` reads the prefix recorded up to the cut (from the store, read-only, or
from a verified export bundle), names its basis, hands the decoded events to the fold and
renders the document it returns, byte for byte the same on every run (``render``).
"""
