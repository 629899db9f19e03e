"""The demo district's reports, computed by hand (issue 13), from the sealed stores of the
old-store fixture (``tests/fixtures/old-stores``: the demo district and casework's
procedures, as ``tests/fixtures/make_old_stores.py`` wrote them).

柏乡 in 2026Q3, by hand from ``shequ.demo`` (per community three past demands, one of them
late, and a petition, all resolved in the quarter) and the fixture's extra demand received on
3 September and still open:

| type     | opened | closed | on time | rate   | open at end | chases | reprimands |
| demand   | 4      | 3      | 2       | 66.67  | 1           | 0      | 0          |
| petition | 1      | 1      | 1       | 100.00 | 0           | 0      | 0          |

so 3 of 4 cases closed on time (0.7500) and 4 closed of 5 opened (0.8000): exactly the
on-time and resolution rates assessment published for 柏乡 that quarter.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shequ.cli import main

from tests.support.oldstores import manifest, unpack
from tests.support.reports import report_text

MANIFEST = manifest()
COMMUNITY = MANIFEST["ids"]["community_id"]
# the fixture's deployment has no finance service: affairs says so in its grants section
NO_FINANCE = ("--finance-store", "sqlite:////nonexistent/finance.db")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack(tmp_path_factory.mktemp("demo-stores"))


def report(stores: Path, kind: str, period: str, ref: str = COMMUNITY) -> dict[str, Any]:
    service = "casework" if kind == "affairs" else "assessment"
    out = stores / f"{kind}-{period}.json"
    result = CliRunner().invoke(
        main,
        ["report", kind, "--community", ref, "--period", period, "--as-of", "2100-01-01"]
        + ["-o", str(out), "--store", f"sqlite:///{stores}/{service}.db"]
        + ["--treeheads", str(stores / "treeheads"), *NO_FINANCE],
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_bytes())  # type: ignore[no-any-return]


def rows(doc: dict[str, Any], key: str) -> list[list[Any]]:
    return next(s["rows"] for s in doc["sections"] if s["key"] == key)


def test_the_demo_quarter_by_hand_and_as_assessment_published_it(stores: Path) -> None:
    affairs = report(stores, "affairs", "2026Q3")
    assert affairs["title"] == "柏乡2026年第三季度村务公开"
    stats = {r[0].split()[-1]: r[1:] for r in rows(affairs, "case_statistics")}
    assert stats == {
        "demand": [4, 3, 2, "66.67", 1, 0, 0],
        "suggestion": [0, 0, 0, None, 0, 0, 0],
        "petition": [1, 1, 1, "100.00", 0, 0, 0],
        "dispute": [0, 0, 0, None, 0, 0, 0],
        "decision": [0, 0, 0, None, 0, 0, 0],
    }
    assert rows(affairs, "decisions") == []  # the fixture's decision began in November
    grants = next(s for s in affairs["sections"] if s["key"] == "grants")
    assert grants["rows"] == [] and "finance's log is not here" in grants["note"]
    assert [b["service"] for b in affairs["basis"]] == ["casework"]
    scores = report(stores, "assessment", "2026Q3", "柏乡")  # by name, too
    mine = {i[1]: i for i in rows(scores, "indicators") if i[0] == "柏乡"}
    assert mine["按时办结率"][2:6] == [
        "案件办理 casework",
        "按时办结率 on_time_rate",
        "20",
        "0.7500",
    ]
    assert mine["问题解决率"][5] == "0.8000"
    assert mine["重点工作完成情况"][2] == "考核组评分 committee"
    ranking = rows(scores, "ranking")
    assert [(r[0], r[1]) for r in ranking] == [(1, "塔桥"), (2, "下泊"), (3, "立柱"), (4, "柏乡")]
    assert scores["basis"][0]["tree_size"] == scores["basis"][0]["head"]["tree_size"]


def test_the_demo_decision_in_its_quarter(stores: Path) -> None:
    affairs = report(stores, "affairs", "2026Q4")
    [decision] = rows(affairs, "decisions")
    assert decision[3] == "已完成 completed"
    steps = rows(affairs, "decision_steps")
    assert [s[1][:3] for s in steps] == [f"第{i}步" for i in range(1, 7)]
    assert all("*" in s[5] for s in steps if s[5])  # chairs masked


FORMATS = ("json", "csv", "xlsx", "pdf", "html")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def people(stores: Path) -> tuple[set[str], set[str], set[str]]:
    """Every registered person's full name, phone and ID number, from the registry's log."""
    names, phones, ids = set(), set(), set()
    with sqlite3.connect(stores / "registry.db") as db:
        for (state,) in db.execute(
            "SELECT state FROM stored_events WHERE topic = 'registry:Person.Registered'"
        ):
            person = json.loads(state)
            names.add(person["name"])
            phones.add(person.get("phone") or "-")
            ids.add(person.get("id_number") or "-")
    return names, phones, ids


def test_no_personal_data_in_any_demo_report(stores: Path) -> None:
    """Every format of both reports, for every community and both quarters: no mobile
    number, no ID number, no registered person's full name (RULES §6)."""
    names, phones, ids = people(stores)
    assert len(names) > 100
    communities = ("柏乡", "立柱", "塔桥", "下泊")
    swept = 0
    for kind, period, ref in [
        *(("affairs", p, c) for p in ("2026Q3", "2026Q4") for c in communities),
        *(("assessment", "2026Q3", c) for c in communities),
    ]:
        service = "casework" if kind == "affairs" else "assessment"
        for fmt in FORMATS:
            out = stores / f"sweep.{fmt}"
            result = CliRunner().invoke(
                main,
                ["report", kind, "--community", ref, "--period", period, "--as-of", "2100-01-01"]
                + ["--format", fmt, "-o", str(out), "--store", f"sqlite:///{stores}/{service}.db"]
                + ["--treeheads", str(stores / "treeheads"), *NO_FINANCE],
            )
            assert result.exit_code == 0, result.output
            text = report_text(fmt, out.read_bytes(), stores)
            assert ref in text.replace("\n", ""), (kind, fmt)  # the text was read back
            assert not MOBILE.search(text), (kind, period, ref, fmt)
            assert not ID_NUMBER.search(text), (kind, period, ref, fmt)
            found = [n for n in names | phones | ids if n in text]
            assert not found, (kind, period, ref, fmt, found)
            swept += 1
    assert swept == 60
