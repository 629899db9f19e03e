"""Input checks outreach adds to ``shequ.validation`` (each names the field and the rule)."""

from __future__ import annotations

from typing import Any

from shequ.errors import ValidationError
from shequ.validation import check_choice, check_uuid, require_text

from outreach.domain.visits import CATEGORIES

MAX_OPINIONS = 20


def check_opinions(value: Any, field: str = "opinions") -> list[dict[str, str]]:
    """A list of ``{"category": ..., "text": ...}`` (at most 20); None is an empty list."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_OPINIONS:
        raise ValidationError(
            f"意见须为不超过{MAX_OPINIONS}条的列表",
            f"{field} must be a list of at most {MAX_OPINIONS} items",
            field,
            rule="list",
        )
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValidationError(
                "每条意见须为对象",
                f"{field}[{i}] must be an object",
                f"{field}[{i}]",
                rule="object",
            )
        out.append(
            {
                "category": check_choice(
                    item.get("category"), f"{field}[{i}].category", CATEGORIES, "意见类别"
                ),
                "text": require_text(item.get("text"), f"{field}[{i}].text", "意见内容", 1000),
            }
        )
    return out


def check_ids(
    value: Any, field: str, label_zh: str, required: bool = True, limit: int = 200
) -> list[str]:
    """A list of distinct ids (UUIDs)."""
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
