"""Scoring a period: gather the inputs (facts, subjects, committee scores, scheme versions),
run the pure engine, rank. Used alike by ``score_period`` (facts from the read model) and by
``recompute`` (facts folded again from the event log), so both give the same answer."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from shequ.errors import RuleViolation
from sqlalchemy import select
from sqlalchemy.engine import Connection

from assessment import tables as t
from assessment.domain import Period, Scheme
from assessment.domain.common import SUBJECT_KINDS
from assessment.domain.scoring import rank, score_subject
from assessment.domain.tally import Tally, fold

Subjects = list[tuple[str, str, str]]  # (subject kind, id, name)


def choose_versions(period: Period, schemes: Mapping[str, Scheme | None]) -> dict[str, int]:
    """The scheme version of each subject kind: the one the period was first scored under,
    else the one in force on its first day (if it assesses this kind of period)."""
    if period.versions:
        return dict(period.versions)
    out = {}
    for kind, scheme in schemes.items():
        version = scheme.version_on(period.start) if scheme is not None else None
        if version is not None and period.kind in version["period_kinds"]:
            out[kind] = int(version["version"])
    if not out:
        raise RuleViolation(
            f"{period.start}起的{period.kind}周期没有适用的考核办法",
            f"no scheme assesses the {period.kind} period from {period.start}",
            "period_kind",
            code="rule.no_scheme",
        )
    return out


def assess(
    period: Period,
    versions: dict[str, int],
    schemes: Mapping[str, Scheme | None],
    subjects: Subjects,
    tallies: dict[str, Tally],
    no_data: str,
) -> dict[str, list[dict[str, Any]]]:
    """Ranked results by subject kind (pure given its inputs)."""
    results: dict[str, list[dict[str, Any]]] = {}
    for kind in SUBJECT_KINDS:
        if kind not in versions:
            continue
        scheme = schemes[kind]
        assert scheme is not None
        version = scheme.numbered(versions[kind])
        rows = []
        for subject_kind, subject_id, name in subjects:
            if subject_kind != kind:
                continue
            tally = tallies.get(subject_id) or Tally()
            row = score_subject(version, tally.metrics(), period.manual_scores(subject_id), no_data)
            rows.append({"subject_id": subject_id, "name": name, "facts": tally.facts, **row})
        results[kind] = rank(rows)
    return results


# -- inputs from the read model --------------------------------------------------------------
def read_facts(
    conn: Connection, kind: str, start: str, as_of: int
) -> Iterable[tuple[str, str | None, str, str, dict[str, Any]]]:
    f = t.facts
    rows = conn.execute(
        select(f.c.community_id, f.c.team_id, f.c.kind, f.c.key, f.c.fact_values).where(
            f.c[kind] == start, f.c.position <= as_of
        )
    )
    for community_id, team_id, fact_kind, key, values in rows:
        yield community_id, team_id, fact_kind, key, json.loads(values)


def read_subjects(conn: Connection, as_of: int) -> Subjects:
    s = t.subjects
    rows = conn.execute(
        select(s.c.subject_kind, s.c.subject_id, s.c.name)
        .where(s.c.position <= as_of)
        .order_by(s.c.subject_id)
    )
    return [(k, i, n) for k, i, n in rows]


def tallies_from_read_model(
    conn: Connection, kind: str, start: str, as_of: int
) -> dict[str, Tally]:
    return fold(read_facts(conn, kind, start, as_of))
