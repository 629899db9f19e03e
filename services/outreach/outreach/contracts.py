"""Integration events outreach publishes (docs/integration-events.md), declared in
``contracts.toml`` (every contract's data is its domain event's attributes); its copies of the
upstream contracts it reads are in ``interests``.

Names and phones do not travel: downstream services need ids, dates and counts only.
"""

from __future__ import annotations

from shequ.contracts import Catalogue

catalogue = Catalogue.declared("outreach")
translate = catalogue.translate
