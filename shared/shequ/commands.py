"""Typed commands: every use case's input is a pydantic model, validated at the boundary.

A command model lists its fields with their types, bounds, lengths, allowed values and formats,
a Chinese title and an example; unknown fields are refused. RPC entrypoints, the CLI's help and
(later) HTTP routes all go through the same model, and a failure keeps the suite's error shape
``{code, message, message_en, field}`` with ``details.rule`` naming the broken rule.

The field types below wrap the checkers of ``shequ.validation``, so a value is cleaned the same
way wherever it enters (stripped text, canonical UUID text, ISO dates, upper-cased ID numbers),
and their JSON schema says the same thing to a reader of the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError, core_schema
from pydantic_core.core_schema import ValidationInfo

from shequ import validation as v
from shequ.errors import ValidationError


class Command(BaseModel):
    """Base of every use case's input. ``title`` is the use case's Chinese name."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
    title: ClassVar[str] = ""
    example: ClassVar[dict[str, Any]] = {}

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: GetJsonSchemaHandler) -> Any:
        schema = handler(core)
        schema = handler.resolve_ref_schema(schema)
        if cls.title:
            schema["title"] = cls.title
        if cls.example:
            schema["examples"] = [cls.example]
        return schema

    def payload(self) -> dict[str, Any]:
        """The validated fields but the idempotency key: what a repeat must match (a field
        that would shadow a class attribute, like ``title``, is named by its alias)."""
        return self.model_dump(exclude={"idempotency_key"}, by_alias=True)


C = TypeVar("C", bound=Command)


@dataclass(frozen=True)
class Check:
    """Field metadata: run one of ``shequ.validation``'s checkers on the raw value, before
    pydantic's own type check, and show ``schema`` to readers of the JSON schema."""

    check: Callable[..., Any]
    schema: dict[str, Any]
    args: tuple[Any, ...] = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.with_info_before_validator_function(self.validate, handler(source))

    def __get_pydantic_json_schema__(self, core: Any, handler: GetJsonSchemaHandler) -> Any:
        return dict(self.schema)

    def validate(self, value: Any, info: ValidationInfo) -> Any:
        # ``title_`` (alias ``title``): the field as callers name it
        field = (info.field_name or "value").rstrip("_")
        try:
            return self.check(value, field, *self.args)
        except ValidationError as exc:
            rule = str(exc.details.get("rule") or "invalid")
            raise PydanticCustomError(
                rule, "{en}", {"zh": exc.message_zh, "en": exc.message_en}
            ) from None

    def __hash__(self) -> int:
        return hash((self.check, self.args))


def _titled(schema: dict[str, Any], label: str) -> dict[str, Any]:
    return {**schema, "title": label} if label else schema


def _text_only(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError("须为文本", f"{field} must be text", field, rule="type.text")
    v.check_characters(value, field)
    return value


def _required(value: Any, field: str, label: str, max_len: int) -> str:
    return v.require_text(_text_only(value, field), field, label or field, max_len)


def _optional(value: Any, field: str, label: str, max_len: int) -> str:
    if value is None:
        return ""
    return v.optional_text(_text_only(value, field), field, label or field, max_len)


def Text(max_len: int = 100, label: str = "") -> Check:
    """Required text, stripped, 1 to ``max_len`` characters, no control characters:
    ``name: Annotated[str, Text(50, "村名")]``."""
    schema = _titled({"type": "string", "minLength": 1, "maxLength": max_len}, label)
    return Check(_required, schema, (label, max_len))


def Note(max_len: int = 500, label: str = "") -> Check:
    """Optional text (absent or null becomes ""), at most ``max_len`` characters."""
    schema = _titled({"type": "string", "maxLength": max_len}, label)
    return Check(_optional, schema, (label, max_len))


def _choice(value: Any, field: str, allowed: tuple[str, ...], label: str) -> str:
    return v.check_choice(value, field, allowed, label or field)


def Choice(values: Iterable[str], label: str = "") -> Check:
    """One of a fixed set of keys (the allowed values appear in the schema as an enum)."""
    allowed = tuple(values)
    schema = _titled({"type": "string", "enum": list(allowed)}, label)
    return Check(_choice, schema, (allowed, label))


def _count(value: Any, field: str, label: str, low: int, high: int) -> int:
    return v.check_int(value, field, label or field, low, high)


def Count(low: int, high: int, label: str = "") -> Check:
    """An integer within [low, high]; booleans and numeric text are refused."""
    schema = _titled({"type": "integer", "minimum": low, "maximum": high}, label)
    return Check(_count, schema, (label, low, high))


def _id(value: Any, field: str) -> str:
    return v.check_uuid(_text_only(value, field), field)


def _day(value: Any, field: str) -> str:
    return v.check_date(value, field)


KEY_LENGTH = (8, 200)


def _key(value: Any, field: str) -> str:
    key = _required(value, field, "幂等键", KEY_LENGTH[1])
    if len(key) < KEY_LENGTH[0]:
        raise ValidationError(
            "幂等键须为8至200个字符",
            "idempotency_key must be 8-200 chars",
            field,
            rule="text.too_short",
        )
    return key


def _phone(value: Any, field: str) -> str:
    return v.check_phone(_text_only(value, field), field)


def _id_number(value: Any, field: str) -> str:
    return v.check_id_number(_text_only(value, field), field)


def _flag(value: Any, field: str) -> bool:
    return v.check_bool(value, field)


Id = Annotated[str, Check(_id, {"type": "string", "format": "uuid"})]
"""An id (UUID), as canonical text."""
Day = Annotated[str, Check(_day, {"type": "string", "format": "date"})]
"""A calendar date, ``YYYY-MM-DD``, as ISO text."""
IdempotencyKey = Annotated[
    str, Check(_key, {"type": "string", "minLength": KEY_LENGTH[0], "maxLength": KEY_LENGTH[1]})
]
"""The caller's key for one command: a repeat with the same key returns the stored result."""
Phone = Annotated[
    str, Check(_phone, {"type": "string", "pattern": r"^(1[3-9]\d{9}|0\d{2,3}-\d{7,8})$"})
]
"""A mainland mobile or landline number."""
IdNumber = Annotated[str, Check(_id_number, {"type": "string", "pattern": r"^\d{17}[\dX]$"})]
"""A resident identity number (GB 11643-1999), check digit and birth date verified."""
Flag = Annotated[bool, Check(_flag, {"type": "boolean"})]
"""A true boolean: 0, 1 and text are refused."""


class Keyed(Command):
    """A command that changes something: it carries the caller's idempotency key."""

    idempotency_key: IdempotencyKey


def keyed(key: str, **fields: Any) -> dict[str, Any]:
    """The example of a ``Keyed`` command: its idempotency key, then its own fields."""
    return {"idempotency_key": key, **fields}


# -- pydantic's own errors, said in the suite's words -------------------------------------------

_KINDS = {
    "string": ("文本", "text"),
    "int": ("整数", "an integer"),
    "bool": ("是或否", "true or false"),
    "list": ("列表", "a list"),
    "dict": ("对象", "an object"),
    "model": ("对象", "an object"),
    "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "float": ("数字", "a number"),
}


def _where(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "value"


def refusal(command: str, exc: PydanticError) -> ValidationError:
    """The first of pydantic's errors as the suite's ``ValidationError`` naming field and rule."""
    err = exc.errors(include_url=False, include_input=False)[0]
    kind, field, ctx = err["type"], _where(err["loc"]), err.get("ctx") or {}
    rest: dict[str, Any] = {"errors": exc.error_count()} if exc.error_count() > 1 else {}
    if "zh" in ctx:  # one of shequ.validation's checkers: its own words and rule
        return ValidationError(ctx["zh"], ctx["en"], field, details={"rule": kind, **rest})
    if kind == "missing":
        zh, en, rule = (
            f"{command} 缺少必填参数 {field}",
            f"{command} requires {field!r}",
            "required",
        )
    elif kind == "extra_forbidden":
        zh, en = f"{command} 不接受参数 {field}", f"{command} takes no argument {field!r}"
        rule = "unknown_argument"
    elif kind in ("too_long", "too_short"):
        low, high = ctx.get("min_length", 0), ctx.get("max_length", "∞")
        zh, en = f"{field} 须有{low}至{high}项", f"{field} must have {low} to {high} items"
        rule = "length"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        zh, en = f"{field} 超出范围（{kind} {bound}）", f"{field} is out of range ({kind} {bound})"
        rule = "range"
    elif kind in ("literal_error", "enum"):
        allowed = ctx.get("expected", "")
        zh, en = f"{field} 须为以下之一：{allowed}", f"{field} must be one of {allowed}"
        rule = "choice"
    else:
        base = kind.split("_")[0]
        what_zh, what_en = _KINDS.get(base, ("有效的值", "a valid value"))
        zh, en, rule = f"{field} 须为{what_zh}", f"{field} must be {what_en}", f"type.{base}"
    return ValidationError(zh, en, field, details={"rule": rule, **rest})


def parse(model: type[C], command: str, args: dict[str, Any]) -> C:
    """Validate ``args`` into ``model`` or raise the suite's ValidationError."""
    try:
        return model.model_validate(args)
    except PydanticError as exc:
        raise refusal(command, exc) from None
