"""Affairs and assessment count cases alike (issue 13): the same quarter of casework, reported
by ``shequ report affairs`` and received by assessment through its real inbox, gives the same
opened, closed, closed-on-time, chase and reprimand counts and the same on-time and resolution
rates — including a case resolved twice, which the old ad-hoc script counted twice."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in ("services/casework/tests", "services/assessment/tests"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

from assessment.recompute import fold_log
from assessment_testing import Feed, close_app, open_app
from casework.contracts import translate
from shequ.store import Store
from test_casework_report import Quarter, section


def test_affairs_and_assessment_agree(tmp_path: Path) -> None:
    quarter = Quarter(tmp_path)
    try:
        ids = quarter.story()
        quarter.seal()
        code, output, data = quarter.report("json", datetime.now(UTC).isoformat())
        assert code == 0, output
        rows = section(json.loads(data), "case_statistics")
        notes = quarter.app.recorder.select_notifications(1, 10_000)
        published = [translate(quarter.app.mapper.to_domain_event(n)) for n in notes]
    finally:
        quarter.app.close()
    assessment = open_app(
        Store.parse(f"sqlite:///{tmp_path / 'assessment.db'}"), today="2026-07-15"
    )
    try:
        feed = Feed(assessment, "casework")
        for item in published:
            if item is not None:
                contract, payload = item
                feed.send(contract.name.partition(".")[2], payload)
        assert not feed.dead.sent
        tally = fold_log(
            assessment, "quarter", "2026-01-01", assessment.recorder.max_notification_id()
        ).tallies[ids["w"]["community"]]
    finally:
        close_app(assessment)
    # opened, closed, closed on time, (rate), open at the end, chases, reprimands; all types
    opened, closed, on_time, chases, reprimands = (sum(r[i] for r in rows) for i in (1, 2, 3, 6, 7))
    cases = tally.cases
    assert (len(cases.opened), cases.closed, cases.closed_on_time) == (opened, closed, on_time)
    assert (len(cases.chases), len(cases.reprimands)) == (chases, reprimands)
    assert (opened, closed, on_time, chases, reprimands) == (4, 3, 2, 1, 1)  # by hand
    resolutions = [i for i in published if i is not None and i[0].name == "casework.case.resolved"]
    assert len(resolutions) == 4  # four resolution events, three cases closed
    metrics = tally.metrics()
    assert metrics["on_time_rate"] == Decimal(2) / Decimal(3)
    assert metrics["resolution_rate"] == Decimal(3) / Decimal(4)
