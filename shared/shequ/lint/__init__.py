"""Checks of the tree's own rules that ruff and mypy do not know, run by ``make lint``."""
