"""Integration events finance publishes (docs/integration-events.md), declared in
``contracts.toml`` (every contract's data is its domain event's attributes); its copies of the
upstream contracts it reads are in ``interests``. No person's name travels: ids, dates, fen."""

from __future__ import annotations

from shequ.contracts import Catalogue

catalogue = Catalogue.declared("finance")
translate = catalogue.translate
