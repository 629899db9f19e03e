"""Field types outreach adds to ``shequ.commands``: lists of distinct ids, each naming the field
and the rule it breaks (``list``, ``list.duplicates``, ``id.uuid``)."""

from __future__ import annotations

from typing import Any

from shequ.commands import Check
from shequ.errors import ValidationError
from shequ.validation import check_uuid

LIMIT = 200


def check_ids(
    value: Any, field: str, label_zh: str, required: bool = True, limit: int = LIMIT
) -> list[str]:
    """A list of distinct ids (UUIDs); None is an empty list when not ``required``."""
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value) or len(value) > limit:
        raise ValidationError(
            f"{label_zh}须为1至{limit}个编号的列表",
            f"{field} must be a list of 1 to {limit} ids",
            field,
            rule="list",
        )
    ids = [check_uuid(v, field) for v in value]
    if len(set(ids)) != len(ids):
        raise ValidationError(
            f"{label_zh}有重复", f"{field} has duplicates", field, rule="list.duplicates"
        )
    return ids


def _schema(label: str, low: int) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "format": "uuid"},
        "minItems": low,
        "maxItems": LIMIT,
        "uniqueItems": True,
        "title": label,
    }


def Ids(label: str) -> Check:
    """1 to 200 distinct ids: ``assignees: Annotated[list[str], Ids("走访人员")]``."""
    return Check(check_ids, _schema(label, 1), (label,))


def OptionalIds(label: str) -> Check:
    """0 to 200 distinct ids (absent or null is an empty list)."""
    return Check(check_ids, _schema(label, 0), (label, False))
