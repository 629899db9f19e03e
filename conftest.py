"""Root pytest configuration: nameko runs on eventlet, so every test process is
monkey-patched before anything else is imported (nameko's plugin no longer does it)."""

import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
# Services take unsigned actors as written in tests (the development setting); the tests of
# signed actors turn it off for the services they start (ADR 0031).
os.environ.setdefault("SHEQU_ALLOW_UNSIGNED_ACTORS", "1")

import eventlet

eventlet.monkey_patch()

# Fixtures shared by every test tree: the SQLite/PostgreSQL ``store`` (shequ.testing).
pytest_plugins = ["shequ.testing"]
