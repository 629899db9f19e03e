"""Use cases: the district's assessment schemes (考核办法) and their dated versions."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Day, Keyed, Text, keyed

from assessment.base import AssessmentBase
from assessment.domain import Scheme
from assessment.fields import Adjustment, Indicator, PeriodKind, SubjectKind, as_given

EXAMPLE_INDICATORS = [
    {"key": "key_tasks", "name": "重点工作", "section": "key_work", "weight": 40, "source": "manual"},
    {"key": "on_time", "name": "按时办结率", "section": "daily", "weight": 30, "source": "on_time_rate"},
    {"key": "satisfaction", "name": "群众满意度", "section": "service", "weight": 30, "source": "satisfaction"},
]  # fmt: skip
EXAMPLE_ADJUSTMENTS = [
    {"key": "chase", "name": "催办", "kind": "deduction", "source": "chases", "points": 1, "cap": 5}
]


def of_communities(key: str, **fields: Any) -> dict[str, Any]:
    """The example of a command on the communities' scheme: its idempotency key, the subject
    kind, its own fields."""
    return keyed(key, subject_kind="community", **fields)


class SchemeVersion(Keyed):
    """What every version of a scheme states: items, adjustments, the periods it scores."""

    subject_kind: SubjectKind
    effective_from: Day
    indicators: Annotated[list[Indicator], Field(min_length=1, max_length=50)]
    adjustments: Annotated[list[Adjustment], Field(max_length=50)] | None = None
    period_kinds: Annotated[list[PeriodKind], Field(min_length=1, max_length=4)] | None = None

    def payload(self) -> dict[str, Any]:
        # what the inline checks held: the items as given, the defaults filled in
        return {
            **super().payload(),
            "indicators": as_given(self.indicators),
            "adjustments": as_given(self.adjustments),
            "period_kinds": list(self.period_kinds or ["quarter", "year"]),
        }


class DefineScheme(SchemeVersion):
    """Set the scheme for communities or teams (version 1)."""

    title = "制定考核办法"
    example = of_communities(
        "scheme-community-1",
        name="社区工作考核办法",
        effective_from="2025-01-01",
        indicators=EXAMPLE_INDICATORS,
        adjustments=EXAMPLE_ADJUSTMENTS,
        period_kinds=["quarter", "year"],
    )
    name: Annotated[str, Text(100, "考核办法名称")]


class ReviseScheme(SchemeVersion):
    """A new version of a scheme from ``effective_from``."""

    title = "修订考核办法"
    example = of_communities(
        "scheme-community-2", effective_from="2025-07-01", indicators=EXAMPLE_INDICATORS
    )


class SchemeQuery(Command):
    """A scheme with every version."""

    title = "查看考核办法"
    example: ClassVar[dict[str, Any]] = {"subject_kind": "community"}
    subject_kind: SubjectKind


def define_scheme(cmd: DefineScheme, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Set the scheme for communities or teams (version 1): indicators in the three
    sections with weights totalling 100, bonus and deduction items."""
    p = cmd.payload()

    def decide() -> Any:
        app.ensure_new(Scheme.create_id(cmd.subject_kind), "考核办法", "subject_kind")
        scheme = Scheme.define(
            cmd.subject_kind,
            cmd.name,
            p["period_kinds"],
            cmd.effective_from,
            p["indicators"],
            p["adjustments"],
            actor.to_dict(),
        )
        return [scheme], {"scheme_id": str(scheme.id), "version": 1}

    return app.run("define_scheme", cmd.idempotency_key, actor, Target(), p, decide)


def revise_scheme(cmd: ReviseScheme, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """A new version of a scheme from ``effective_from``; periods already scored keep
    the version they were scored under."""
    p = cmd.payload()

    def decide() -> Any:
        scheme = app.load_scheme(cmd.subject_kind)
        number = scheme.revise(
            cmd.effective_from,
            p["period_kinds"],
            p["indicators"],
            p["adjustments"],
            actor.to_dict(),
        )
        return [scheme], {"scheme_id": str(scheme.id), "version": number}

    return app.run("revise_scheme", cmd.idempotency_key, actor, Target(), p, decide)


def scheme(cmd: SchemeQuery, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """A scheme with every version (query)."""
    app.policy.check("scheme", actor)
    found = app.load_scheme(cmd.subject_kind)
    return {
        "scheme_id": str(found.id),
        "subject_kind": cmd.subject_kind,
        "name": found.name,
        "versions": found.versions,
    }
