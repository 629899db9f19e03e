"""The assessment application's machinery: settings, read model, loading, clock (its use cases
are the handlers listed in ``assessment.usecases``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from shequ.domainapp import DomainApplication
from shequ.errors import Conflict
from shequ.store import Store

from assessment.domain import Period, Scheme
from assessment.domain.common import NAMESPACE
from assessment.projections import AssessmentProjection, PositionedProjector
from assessment.settings import AssessmentSettings

LOCAL = ZoneInfo("Asia/Shanghai")


def local_today() -> str:
    """Today's civil date where the district is (dates of record are local dates)."""
    return dt.datetime.now(LOCAL).date().isoformat()


def key_id(kind: str, idempotency_key: str) -> UUID:
    """An id for something with no natural key, stable under retries of the same command."""
    return uuid5(NAMESPACE, f"{kind}:key:{idempotency_key}")


class AssessmentBase(DomainApplication):
    """The application's machinery; ``Assessment`` adds the policy of its use-case table."""

    name = "assessment"
    # Periods receive one event per back-dated fact; the inbox snapshots them (policies.py).
    is_snapshotting_enabled = True
    projector_class = PositionedProjector

    def __init__(
        self,
        store: Store,
        settings: AssessmentSettings | None = None,
        env: dict[str, str] | None = None,
        today: Callable[[], str] = local_today,
    ) -> None:
        super().__init__(store, env)
        self.settings = settings or AssessmentSettings()
        self.today = today

    def make_projection(self) -> AssessmentProjection:
        return AssessmentProjection()

    @property
    def projector(self) -> PositionedProjector:
        return super().projector  # type: ignore[return-value]

    def ensure_new(self, agg_id: UUID, label_zh: str, field: str) -> None:
        if self.find(agg_id) is not None:
            raise Conflict(
                f"{label_zh}已存在", f"{field}: already recorded", field, code="already_exists"
            )

    def find(self, agg_id: UUID) -> Any | None:
        try:
            return self.repository.get(agg_id)
        except AggregateNotFoundError:
            return None

    def load_scheme(self, subject_kind: str) -> Scheme:
        return self.get(
            Scheme.create_id(subject_kind),
            Scheme,
            "考核办法",  # type: ignore
            "subject_kind",
        )

    def load_period(self, kind: str, start: str) -> Period:
        return self.get(
            Period.create_id(kind, start),
            Period,
            "考核周期",  # type: ignore
            "period_start",
        )
