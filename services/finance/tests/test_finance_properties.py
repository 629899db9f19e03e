"""F20/F40 as a property, on SQLite: vouchers of random balanced lines, posted in random order
through the whole review, give a trial balance that balances and equals an independent fold of
the postings; random unbalanced vouchers are all refused and leave nothing stored."""

from __future__ import annotations

import uuid
from contextlib import closing
from pathlib import Path

from finance_testing import AGENCY, OPENING, World, line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shequ.errors import RuleViolation
from shequ.store import Store

ACCOUNTS = ["101", "102", "112", "211", "501", "503", "511", "513", "514"]
amounts = st.integers(min_value=1, max_value=10**6)  # three lines stay under F29's 50,000.00
vouchers = st.lists(
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=3),
    min_size=1,
    max_size=5,
)


def balanced(debits: list[tuple[str, int]]) -> list[dict[str, object]]:
    """The debits, and one credit to the bank for their sum (income spent directly aside)."""
    lines = [line(a, "debit", f) for a, f in debits]
    return [*lines, line("102", "credit", sum(f for _, f in debits))]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    vouchers.flatmap(lambda d: st.tuples(st.just(d), st.permutations(d))),
    st.integers(min_value=1, max_value=9),
)
def test_random_postings_balance_and_equal_an_independent_fold(
    tmp_path: Path,
    drafts_and_order: tuple[list[list[tuple[str, int]]], list[list[tuple[str, int]]]],
    off: int,
) -> None:
    _drafts, shuffled = drafts_and_order
    store = Store.parse(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    with closing(World(store)) as world:
        village = world.village()
        world.ledger(village)
        expected = dict(OPENING)
        for debits in shuffled:
            lines = balanced([(a, f) for a, f in debits if a != "501"] or [("513", 1)])
            world.post(village, "2026-01-03", lines)
            for x in lines:
                sign = 1 if x["side"] == "debit" else -1
                expected[str(x["account"])] = expected.get(str(x["account"]), 0) + sign * int(
                    x["amount_fen"]
                )  # type: ignore[call-overload]
        before = world.finance.recorder.max_notification_id()
        unbalanced = balanced([("513", 100)])
        unbalanced[-1]["amount_fen"] = 100 + off
        try:
            world.draft(village, "2026-01-03", unbalanced)
            raise AssertionError("an unbalanced voucher was accepted")
        except RuleViolation as refused:
            assert refused.code == "voucher.unbalanced"
        assert world.finance.recorder.max_notification_id() == before
        tb = world.app.trial_balance(AGENCY, village.id, "2026-01")
        assert tb["balanced"]
        assert {r["account"]: r["closing_fen"] for r in tb["rows"]} == {
            a: f for a, f in expected.items() if f or a in {r["account"] for r in tb["rows"]}
        }
