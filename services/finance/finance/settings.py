"""Local-practice settings of finance (FINANCE.md F43: defaults, changeable per district)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from shequ.audit.witnessing import WitnessPolicyError, parse_policy, policy_setting

from finance.domain import STAGES


@dataclass(frozen=True)
class FinanceSettings:
    """``review_stages``: the order of the four review stages [local, §1.3] — the set of four
    is fixed, the order is the district's (``SHEQU_FINANCE_REVIEW_STAGES``, comma-separated);
    ``decision_required_over_fen``: spending strictly over this cites a village decision (F29,
    default 5,000,000 fen = 50,000.00 yuan); ``cash_limit_fen``: cash on hand over this is
    reported on the period's books (F32, default 500,000 fen = 5,000.00 yuan);
    ``periodic_due_day``: a quarter's disclosure is due by this day of the next quarter's first
    month (D2, default 15) [local]; ``posting_days``: how long it stays posted (D2, 15) [?];
    ``answer_days``: an objection is answered within this many days of its filing (D31,
    default 10, provincial regulation Art. 23) [local]; ``immediate_over_fen``: a posted
    voucher with a line strictly over this is disclosed at once (D3, default 5,000,000 fen),
    within ``immediate_days`` of its posting (default 5) [local]; ``extend_on_rest_day``: a due
    date on a weekend or public holiday moves to the next working day (D9, 民法典 Art. 203 by
    analogy [?], default on; ``SHEQU_FINANCE_EXTEND_ON_REST_DAY=0`` turns it off);
    ``pooled_cap_fen`` and ``pooled_labour_days``: what a village's 一事一议 projects of one year
    may raise per person in all (F9, default 1,500 fen = 15.00 yuan) and ask per labourer
    (default 10 labour days) — the province's caps [local, one province seen];
    ``witness_policy``: who must cosign finance's checkpoints, ``K of label=<vkey>,<url>; …``
    (AUDIT.md A6, default empty: no witness; ``SHEQU_FINANCE_WITNESS_POLICY``, else the
    platform's ``SHEQU_WITNESS_POLICY``, the one the sealer submits to; ADR 0041) [local]."""

    review_stages: tuple[str, ...] = tuple(STAGES)
    decision_required_over_fen: int = 5_000_000
    cash_limit_fen: int = 500_000
    periodic_due_day: int = 15
    posting_days: int = 15
    answer_days: int = 10
    immediate_over_fen: int = 5_000_000
    immediate_days: int = 5
    extend_on_rest_day: bool = True
    pooled_cap_fen: int = 1_500
    pooled_labour_days: int = 10
    witness_policy: str = ""

    def __post_init__(self) -> None:
        try:
            parse_policy(self.witness_policy, "SHEQU_FINANCE_WITNESS_POLICY")
        except WitnessPolicyError as exc:
            raise ValueError(f"{exc.message_zh} / {exc.message_en}") from None
        if sorted(self.review_stages) != sorted(STAGES):
            raise ValueError(f"review_stages must order exactly these four: {', '.join(STAGES)}")
        if min(self.decision_required_over_fen, self.cash_limit_fen, self.immediate_over_fen) < 0:
            raise ValueError("the amounts in fen are >= 0")
        if (
            not 1 <= self.periodic_due_day <= 28
            or self.posting_days < 1
            or min(self.answer_days, self.immediate_days) < 1
        ):
            raise ValueError("periodic_due_day is 1-28, posting_days and answer_days >= 1")

    @classmethod
    def from_env(cls) -> FinanceSettings:
        def number(name: str, default: int) -> int:
            return int(os.environ.get(name, "").strip() or default)

        stages = os.environ.get("SHEQU_FINANCE_REVIEW_STAGES", "").strip()
        return cls(
            review_stages=tuple(s.strip() for s in stages.split(","))
            if stages
            else cls.review_stages,
            decision_required_over_fen=number(
                "SHEQU_FINANCE_DECISION_REQUIRED_OVER_FEN", 5_000_000
            ),
            cash_limit_fen=number("SHEQU_FINANCE_CASH_LIMIT_FEN", 500_000),
            periodic_due_day=number("SHEQU_FINANCE_PERIODIC_DUE_DAY", 15),
            posting_days=number("SHEQU_FINANCE_POSTING_DAYS", 15),
            answer_days=number("SHEQU_FINANCE_ANSWER_DAYS", 10),
            immediate_over_fen=number("SHEQU_FINANCE_IMMEDIATE_OVER_FEN", 5_000_000),
            immediate_days=number("SHEQU_FINANCE_IMMEDIATE_DAYS", 5),
            pooled_cap_fen=number("SHEQU_FINANCE_POOLED_CAP_FEN", 1_500),
            pooled_labour_days=number("SHEQU_FINANCE_POOLED_LABOUR_DAYS", 10),
            witness_policy=policy_setting("finance")[1].strip(),
            extend_on_rest_day=os.environ.get("SHEQU_FINANCE_EXTEND_ON_REST_DAY", "1").strip()
            not in ("0", "false", "no"),
        )
