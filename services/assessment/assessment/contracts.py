"""Integration events assessment publishes: versioned, primitive fields, one example each,
declared in ``contracts.toml``; here, how the data of those that are not plain attributes of
their domain event is built.

Scores travel as decimal text (``"87.50"``), never floats; money as integer fen. Not published:
facts (they are other services' events, recorded), committee scores (inputs; the results are
published), subjects, idempotency records.
"""

from __future__ import annotations

from typing import Any

from shequ.contracts import Catalogue, attributes


def _scheme(e: Any) -> dict[str, Any]:
    """A scheme's first version (defined) or new version (revised), with its item keys."""
    version = getattr(e, "first", None) or e.record
    return {
        "scheme_id": str(e.originator_id),
        "subject_kind": getattr(e, "subject_kind", None),
        "version": version["version"],
        "effective_from": version["effective_from"],
        "period_kinds": version["period_kinds"],
        "indicators": [i["key"] for i in version["indicators"]]
        + [a["key"] for a in version["adjustments"]],
    }


def _ranking(e: Any) -> dict[str, Any]:
    """The period's attributes, its ranks as text."""
    return {
        **attributes(e, catalogue.get("assessment.ranking.published", 1), "period_id"),
        "ranks": [str(r) for r in e.ranks],
    }


catalogue = Catalogue.declared(
    "assessment",
    {"Scheme.Defined": _scheme, "Scheme.Revised": _scheme, "Period.RankingPublished": _ranking},
)
translate = catalogue.translate
