"""Integration events the registry publishes: versioned, primitive fields, one example each,
declared in ``contracts.toml`` (every contract's data is its domain event's attributes).

The bus is internal: team members' names and phones travel in full because outreach prints
them on contact cards; masking happens where data is displayed. ID numbers never travel: no
other service needs them (个人信息保护法 Art. 6, minimum necessary). Archives, personal-data
reads and idempotency records stay inside the registry.
"""

from __future__ import annotations

from shequ.contracts import Catalogue

catalogue = Catalogue.declared("registry")
translate = catalogue.translate
