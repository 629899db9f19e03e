"""The assessment application's machinery: settings, read model, loading, clock (its use cases
are the handlers listed in ``assessment.usecases``)."""

from __future__ import annotations

from shequ.app import ConfiguredApplication

from assessment.domain import Period, Scheme
from assessment.projections import AssessmentProjection, PositionedProjector
from assessment.settings import AssessmentSettings


class AssessmentBase(ConfiguredApplication[AssessmentSettings]):
    """The application's machinery; ``Assessment`` adds the policy of its use-case table."""

    name = "assessment"
    # Periods receive one event per back-dated fact (reactions.py): eventsourcing snapshots
    # them every 100 versions, on every save path (shequ.app.take_due_snapshots).
    snapshotting_intervals = {Period: 100}  # noqa: RUF012 - eventsourcing declares the type
    projector_class = PositionedProjector
    settings_class = AssessmentSettings
    projection_class = AssessmentProjection

    @property
    def projector(self) -> PositionedProjector:
        return super().projector  # type: ignore[return-value]

    def load_scheme(self, subject_kind: str) -> Scheme:
        return self.get(Scheme.create_id(subject_kind), Scheme, "考核办法", "subject_kind")

    def load_period(self, kind: str, start: str) -> Period:
        return self.get(Period.create_id(kind, start), Period, "考核周期", "period_start")
