"""Shequ platform: the machinery every service shares (never a service's domain model)."""

import os

# psycopg's compiled build blocks the eventlet hub on every query unless this is set
# before psycopg is first imported (measured: a 4.5 s stall without, ~10 ms with).
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
