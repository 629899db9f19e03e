"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test;
``world``, the application and its fake upstreams, closed after each test."""

from __future__ import annotations

from outreach_testing import World
from shequ.testing import closing_on_store, store_named

world = closing_on_store(World)
store_name = store_named("outreach")
