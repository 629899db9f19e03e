"""Finance's eventsourcing Application: ledgers, vouchers and their review, and the books.

The application holds the machinery (``finance.base``); the use cases are plain handlers listed
in ``finance.usecases``; ``USE_CASES.bind(app)`` runs them in process through the same model
and role checks as RPC. Registry's events arrive through the reactions in ``reactions``.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from finance.base import FinanceBase
from finance.domain import AGGREGATES
from finance.settings import FinanceSettings
from finance.usecases import USE_CASES

pin_topics("finance", *AGGREGATES)


class Finance(FinanceBase):
    """The finance service's application (村级财务)."""

    name = "finance"
    policy = USE_CASES.policy


__all__ = ["Finance", "FinanceSettings"]
