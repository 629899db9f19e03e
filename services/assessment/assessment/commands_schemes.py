"""Use cases: assessment schemes (考核办法) and their versions."""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import check_choice, check_date, require_text

from assessment.base import AssessmentBase
from assessment.domain import Scheme
from assessment.domain.common import PERIOD_KINDS, SUBJECT_KINDS


def _items(value: Any, field: str, required: bool) -> list[dict[str, Any]]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value) or len(value) > 50:
        raise ValidationError(
            f"{field} 须为1至50项的列表",
            f"{field} must be a list of 1-50 items",
            field,
            rule="list",
        )
    return value


def _period_kinds(value: Any) -> list[str]:
    kinds = value if value is not None else ["quarter", "year"]
    if not isinstance(kinds, list) or not kinds:
        raise ValidationError(
            "period_kinds 须为非空列表",
            "period_kinds must be a non-empty list",
            "period_kinds",
            rule="list",
        )
    return [check_choice(k, "period_kinds", PERIOD_KINDS, "考核周期") for k in kinds]


class SchemeCommands(AssessmentBase):
    """The district's assessment schemes, for communities and for service teams."""

    def define_scheme(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        subject_kind: str,
        name: str,
        effective_from: str,
        indicators: list[dict[str, Any]],
        adjustments: list[dict[str, Any]] | None = None,
        period_kinds: list[str] | None = None,
    ) -> dict[str, Any]:
        """Set the scheme for communities or teams (version 1): indicators in the three
        sections with weights totalling 100, bonus and deduction items."""
        p: dict[str, Any] = {
            "subject_kind": check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象"),
            "name": require_text(name, "name", "考核办法名称", 100),
            "effective_from": check_date(effective_from, "effective_from"),
            "indicators": _items(indicators, "indicators", True),
            "adjustments": _items(adjustments, "adjustments", False),
            "period_kinds": _period_kinds(period_kinds),
        }

        def decide() -> Any:
            self.ensure_new(Scheme.create_id(p["subject_kind"]), "考核办法", "subject_kind")
            scheme = Scheme.define(
                p["subject_kind"],
                p["name"],
                p["period_kinds"],
                p["effective_from"],
                p["indicators"],
                p["adjustments"],
                actor.to_dict(),
            )
            return [scheme], {"scheme_id": str(scheme.id), "version": 1}

        return self.run("define_scheme", idempotency_key, actor, Target(), p, decide)

    def revise_scheme(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        subject_kind: str,
        effective_from: str,
        indicators: list[dict[str, Any]],
        adjustments: list[dict[str, Any]] | None = None,
        period_kinds: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new version of a scheme from ``effective_from``; periods already scored keep
        the version they were scored under."""
        p: dict[str, Any] = {
            "subject_kind": check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象"),
            "effective_from": check_date(effective_from, "effective_from"),
            "indicators": _items(indicators, "indicators", True),
            "adjustments": _items(adjustments, "adjustments", False),
            "period_kinds": _period_kinds(period_kinds),
        }

        def decide() -> Any:
            scheme = self.load_scheme(p["subject_kind"])
            number = scheme.revise(
                p["effective_from"],
                p["period_kinds"],
                p["indicators"],
                p["adjustments"],
                actor.to_dict(),
            )
            return [scheme], {"scheme_id": str(scheme.id), "version": number}

        return self.run("revise_scheme", idempotency_key, actor, Target(), p, decide)

    def scheme(self, actor: Actor, subject_kind: str) -> dict[str, Any]:
        """A scheme with every version (query)."""
        kind = check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象")
        self.policy.check("scheme", actor)
        scheme = self.load_scheme(kind)
        return {
            "scheme_id": str(scheme.id),
            "subject_kind": kind,
            "name": scheme.name,
            "versions": scheme.versions,
        }
