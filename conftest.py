"""Root pytest configuration: nameko runs on eventlet, so every test process is
monkey-patched before anything else is imported (nameko's plugin no longer does it)."""

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

import eventlet

eventlet.monkey_patch()

# Fixtures shared by every test tree: the SQLite/PostgreSQL ``store`` (shequ.testing).
pytest_plugins = ["shequ.testing"]
