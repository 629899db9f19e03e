"""The field types assessment's commands share: subject and period kinds, a period (its kind
and first day), years, points, and the items of a scheme (indicators and adjustments)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from shequ.commands import Check, Choice, Command, Count, Day, Text, keyed
from shequ.errors import ValidationError

from assessment.domain.common import PERIOD_KINDS, SECTIONS, SUBJECT_KINDS, period_start
from assessment.domain.metrics import COUNT_METRICS, RATE_METRICS
from assessment.domain.scheme import ADJUSTMENT_KINDS

SubjectKind = Annotated[str, Choice(SUBJECT_KINDS, "考核对象")]
PeriodKind = Annotated[str, Choice(PERIOD_KINDS, "考核周期")]
Year = Annotated[int, Count(2000, 2100, "年度")]
Rating = Annotated[int, Count(0, 100, "评议分")]


def check_points(value: Any, field: str = "score") -> str:
    """A number of points as decimal text (integers and decimal text accepted)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationError("分值须为数字", f"{field} must be a number", field, rule="number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError(
            "分值须为数字", f"{field} must be a number", field, rule="number"
        ) from None
    if not number.is_finite():
        raise ValidationError("分值须为数字", f"{field} must be a number", field, rule="number")
    return str(number)


def _as_given(value: Any, field: str) -> Any:
    check_points(value, field)
    return value  # the domain reads it exactly; the payload keeps what the caller sent


_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]}
Points = Annotated[str, Check(check_points, _NUMBER)]
"""Points as decimal text: ``10``, ``"12.5"`` (a float's digits as written)."""
Number = Annotated[int | float | str, Check(_as_given, _NUMBER)]
"""A number inside a scheme's item, kept as given (the scheme's domain makes it exact)."""


# The period every example names: the first quarter of 2025.
Q1 = {"period_kind": "quarter", "period_start": "2025-01-01"}


def in_q1(key: str, **fields: Any) -> dict[str, Any]:
    """The example of a keyed command on ``Q1``: its idempotency key, the period, its fields."""
    return keyed(key, **Q1, **fields)


class InPeriod(Command):
    """A command about one period: its kind and its first day (``2025-04-01`` for the second
    quarter of 2025)."""

    period_kind: PeriodKind
    period_start: Day

    @field_validator("period_start")
    @classmethod
    def _first_day(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("period_kind")
        if kind is not None and period_start(kind, value) != value:
            raise PydanticCustomError(
                "period.start",
                "{en}",
                {
                    "zh": "period_start 须为该周期的第一天（如季度为1、4、7、10月1日）",
                    "en": f"period_start must be the first day of a {kind}",
                },
            )
        return value


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
    key: Annotated[str, Text(40, "指标编码")]
    name: Annotated[str, Text(100, "指标名称")]


class Indicator(_Item):
    """An indicator: in one of the three sections, scored from a rate metric or by the
    committee (``manual``), ``weight`` points (the weights of a scheme total 100)."""

    section: Annotated[str, Choice(SECTIONS, "所属部分")]
    weight: Number
    source: Annotated[str, Choice(["manual", *RATE_METRICS], "来源")]


class Adjustment(_Item):
    """A bonus or deduction item: entered by the committee (``manual``) or counted from a
    metric, ``points`` each (default: the cap), moving the total by at most ``cap``."""

    kind: Annotated[str, Choice(ADJUSTMENT_KINDS, "加扣分类别")]
    source: Annotated[str, Choice(["manual", *COUNT_METRICS], "来源")]
    points: Number | None = None
    cap: Number


def as_given(items: list[Any] | None) -> list[dict[str, Any]]:
    """Items as the caller wrote them (no defaults added): what the domain and a repeat see."""
    return [item.model_dump(exclude_unset=True) for item in items or []]
