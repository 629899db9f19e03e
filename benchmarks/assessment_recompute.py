"""Recompute a year of assessment for a district from 1 million events.

1. Generates the year's facts (what the inbox records from casework and outreach: 4
   communities with their service teams, cases opened, resolved, rated, reopened, chased,
   reprimanded; visit rounds, party-member contacts, cards, surveys) straight into a SQLite
   event store, as ``Fact.Recorded`` events, plus the four communities and teams.
2. In a fresh process, recomputes the year exactly as ``recompute_period`` does: reads the log
   back (``recompute.fold_log``: select, decode, fold into tallies) and runs the scoring engine
   (``assess``) under a scheme; prints events/s and peak memory (max RSS, and the growth over
   the process's size before the fold).

Usage: .venv/bin/python benchmarks/assessment_recompute.py [--events 1000000] [--keep DIR]
       [--postgres]   (a fresh PostgreSQL database instead of a SQLite file)
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import common  # noqa: F401 - sets sys.path

from tests.support.schemes import deduction, measure

COMMUNITIES = ["立柱", "塔桥", "下泊", "柏乡"]
SCHEME = {
    "indicators": [
        measure("key_tasks", "重点工作", "key_work", 20, "manual"),
        measure("on_time", "按时办结率", "daily", 15, "on_time_rate"),
        measure("resolution", "问题解决率", "daily", 10, "resolution_rate"),
        measure("reopen", "重新办理率", "daily", 5, "reopen_rate"),
        measure("satisfaction", "群众满意度", "service", 15, "satisfaction"),
        measure("visits", "走访覆盖率", "service", 10, "visit_coverage"),
        measure("contacts", "党员联户达标率", "service", 10, "contact_compliance"),
        measure("cards", "联系卡发放率", "service", 5, "card_distribution"),
        measure("aware", "知晓率", "key_work", 10, "awareness"),
    ],
    "adjustments": [
        deduction("chase", "催办", "chases", "0.1", 5),
        deduction("reprimand", "通报", "reprimands", "0.5", 5),
    ],
    "period_kinds": ["year"],
}


def uid(text: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"bench:{text}"))


FACT_FIELDS = ("kind", "community_id", "team_id", "on", "key", "values")


def facts(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """``n`` facts of one year, as tuples of FACT_FIELDS (kind, community, team, on, key,
    values)."""
    rnd = random.Random(seed)
    communities = [(uid(c), uid(f"team:{c}")) for c in COMMUNITIES]
    produced = case = 0
    while produced < n:
        community, team = communities[rnd.randrange(4)]
        day = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        roll = rnd.random()
        if roll < 0.70:  # a case's life: opened, resolved, mostly rated, sometimes more
            case += 1
            cid = f"case-{case}"
            yield "case.opened", community, team, day, cid, {}
            yield "case.resolved", community, team, day, cid, {"on_time": rnd.random() < 0.85}
            produced += 2
            if rnd.random() < 0.6:
                yield "case.rated", community, team, day, cid, {"rating": rnd.randint(2, 5)}
                produced += 1
            if rnd.random() < 0.05:
                yield "case.reopened", community, team, day, cid, {}
                produced += 1
            if rnd.random() < 0.08:
                yield "case.chased", community, team, day, f"{cid}:{day}", {}
                produced += 1
                if rnd.random() < 0.2:
                    yield "case.reprimanded", community, team, day, f"{cid}:{day}", {}
                    produced += 1
        elif roll < 0.85:
            yield "party_contact.logged", community, None, day, f"contact-{produced}", {}
            produced += 1
        elif roll < 0.88:
            yield "party_contact.overdue", community, None, day, f"overdue-{produced}", {}
            produced += 1
        elif roll < 0.97:
            card = f"card-{produced}:1"
            yield "card.issued", community, None, day, card, {}
            produced += 1
            if rnd.random() < 0.9:
                yield "card.distributed", community, None, day, card, {}
                produced += 1
        elif roll < 0.995:
            yield (
                "round.closed",
                community,
                None,
                day,
                f"round-{produced}",
                {"households_total": 50, "households_visited": rnd.randint(30, 50)},
            )
            produced += 1
        else:
            yield (
                "survey.results_published",
                community,
                None,
                day,
                f"survey-{produced}",
                {
                    "respondents": 40,
                    "awareness": round(rnd.uniform(0.6, 0.95), 2),
                    "support": round(rnd.uniform(0.6, 0.95), 2),
                    "participation": round(rnd.uniform(0.3, 0.8), 2),
                },
            )
            produced += 1


def store_url(db: str) -> str:
    return db if db.startswith("postgresql://") else f"sqlite:///{db}"


def generate(db: str, n: int) -> int:
    from assessment.application import Assessment
    from assessment.domain import Fact, Subject
    from shequ.store import Store

    app = Assessment(Store.parse(store_url(db)))
    subjects = []
    for name in COMMUNITIES:
        subjects.append(
            Subject(
                subject_kind="community",
                subject_id=uid(name),
                name=name,
                community_id=uid(name),
                source="bench",
            )
        )
        subjects.append(
            Subject(
                subject_kind="team",
                subject_id=uid(f"team:{name}"),
                name=f"{name}社区服务队",
                community_id=uid(name),
                source="bench",
            )
        )
    app.save(*subjects)
    # One transaction stays under the platform's 2 MiB limit (ADR 0009): 1,000 facts is ~0.4 MiB.
    size = 1000
    batch, written = [], 0
    for i, fact in enumerate(facts(n)):
        fields = dict(zip(FACT_FIELDS, fact, strict=True))
        batch.append(Fact(source=f"casework:{i + 1}", **fields, late=[], moved={}, late_rule=None))
        if len(batch) == size:
            app.save(*batch)
            written += len(batch)
            batch = []
    if batch:
        app.save(*batch)
        written += len(batch)
    top = int(app.recorder.max_notification_id() or 0)
    app.close()
    return top


def recompute_year(db: str) -> None:
    """Runs in a fresh process: fold the log, score the year, print figures."""
    from assessment.application import Assessment
    from assessment.assess import assess
    from assessment.domain import Period, Scheme
    from assessment.recompute import fold_log
    from shequ.store import Store

    actor = {"person_id": "bench", "role": "system"}
    app = Assessment(Store.parse(store_url(db)))
    top = int(app.recorder.max_notification_id() or 0)
    scheme = Scheme.define(
        "community",
        "年度考核",
        SCHEME["period_kinds"],
        "2025-01-01",
        SCHEME["indicators"],
        SCHEME["adjustments"],
        actor,
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    fold = fold_log(app, "year", "2025-01-01", top)
    folded = time.perf_counter()
    period = Period.open("year", "2025-01-01", actor)
    results = assess(
        period, {"community": 1}, {"community": scheme}, fold.subjects, fold.tallies, "rescale"
    )
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"events read from the log: {fold.events:,} (store position {top:,})")
    print(
        f"fold (select + decode + tally): {folded - started:.1f} s, "
        f"{fold.events / (folded - started):,.0f} events/s"
    )
    print(
        f"scoring engine: {(done - folded) * 1000:.1f} ms for "
        f"{len(results['community'])} communities"
    )
    print(
        f"total recompute: {done - started:.1f} s, {fold.events / (done - started):,.0f} events/s"
    )
    print(
        f"peak memory: max RSS {peak / 1024:.0f} MiB ({(peak - before) / 1024:.0f} MiB "
        f"over the {before / 1024:.0f} MiB before the fold)"
    )
    for row in results["community"]:
        print(
            f"  {row['rank']}. {row['name']}: {row['total']} "
            f"(base {row['base']}, -{row['deduction']}; {row['facts']:,} facts)"
        )
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the store here")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--recompute", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.recompute:
        recompute_year(args.recompute)
        return
    if args.postgres:
        from tests.support.infra import pg_database

        with pg_database() as url:
            run(url, args.events, "PostgreSQL")
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = (args.keep or Path(tmp)) / "assessment-bench.db"
        run(str(db), args.events, "SQLite", generate_it=not db.exists())


def run(db: str, events: int, label: str, generate_it: bool = True) -> None:
    if generate_it:
        started = time.perf_counter()
        top = generate(db, events)
        took = time.perf_counter() - started
        print(f"generated {top:,} events into {label} in {took:.1f} s ({top / took:,.0f} events/s)")
    subprocess.run([sys.executable, __file__, "--recompute", db], check=True)


if __name__ == "__main__":
    main()
