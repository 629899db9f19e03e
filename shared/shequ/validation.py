"""Boundary checks for command input. Each raises ValidationError naming the field and the rule.

Checkers return the cleaned value (stripped, upper-cased, ISO text) so callers store one form;
``check_characters`` runs on every call's arguments before any of them (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from shequ.errors import ValidationError

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; and surrogate
# code points, which are never text on their own (UTF-8 cannot encode them).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NESTED = (dict, list, tuple)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}$")


def _invalid(field: str, zh: str, en: str, rule: str) -> ValidationError:
    return ValidationError(zh, en, field, rule=rule)


def check_id_number(value: Any, field: str) -> str:
    """A resident identity number (GB 11643-1999): 18 characters, valid check digit and birth date.

    The region code is only checked for a plausible province (11-82): python-stdnum's birth-place
    table refuses real numbers whose county code was re-assigned after their birth year.
    """
    text = value.strip().upper() if isinstance(value, str) else ""
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise _invalid(
            field,
            "身份证号须为18位（末位可为X）",
            "an identity number has 18 characters (the last may be X)",
            "id.format",
        )
    if text[17] != ric.calc_check_digit(text):
        raise _invalid(
            field,
            "身份证号校验码错误（GB 11643-1999）",
            "identity number check digit is wrong (GB 11643-1999)",
            "id.checksum",
        )
    try:
        born = ric.get_birth_date(text)
    except StdnumError:
        born = None
    if born is None or not dt.date(1900, 1, 1) <= born <= dt.date.today():
        raise _invalid(
            field,
            "身份证号中的出生日期无效",
            "identity number has no valid birth date",
            "id.birth_date",
        )
    if not 11 <= int(text[:2]) <= 82:
        raise _invalid(
            field, "身份证号地区码无效", "identity number region code is invalid", "id.region"
        )
    return text


def check_phone(value: Any, field: str) -> str:
    """A mainland mobile (1[3-9] and 9 digits) or a landline 0xx(x)-xxxxxxx(x)."""
    text = value.strip().replace(" ", "") if isinstance(value, str) else ""
    if not (MOBILE.match(text) or LANDLINE.match(text)):
        raise _invalid(
            field,
            "电话号码格式错误：手机为1[3-9]开头的11位数字，固话为区号-号码",
            "phone must be a mobile 1[3-9]xxxxxxxxx or a landline 0xx(x)-xxxxxxx(x)",
            "phone.format",
        )
    return text


def require_text(value: Any, field: str, label_zh: str, max_len: int = 100) -> str:
    """Non-empty text, stripped, at most ``max_len`` characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise _invalid(field, f"{label_zh}不能为空", f"{field} is required", "text.required")
    if len(text) > max_len:
        raise _invalid(
            field,
            f"{label_zh}不能超过{max_len}个字符",
            f"{field} may have at most {max_len} characters",
            "text.too_long",
        )
    return text


def optional_text(value: Any, field: str, label_zh: str, max_len: int = 500) -> str:
    """Text that may be empty (None becomes "")."""
    if value is None or value == "":
        return ""
    return require_text(value, field, label_zh, max_len)


def check_date(value: Any, field: str) -> str:
    """A calendar date, given as ``YYYY-MM-DD`` text or a ``date``; returned as ISO text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _invalid(field, "日期格式须为YYYY-MM-DD", "date must be YYYY-MM-DD", "date.format")


def check_uuid(value: Any, field: str) -> str:
    """An id (UUID), returned as canonical text."""
    try:
        return str(UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise _invalid(field, "编号格式错误", f"{field} must be a UUID", "id.uuid") from None


def check_choice(value: Any, field: str, choices: Iterable[str], label_zh: str) -> str:
    """One of a fixed set of keys."""
    allowed = list(choices)
    if value not in allowed:
        raise _invalid(
            field,
            f"{label_zh}须为以下之一：{'、'.join(allowed)}",
            f"{field} must be one of {', '.join(allowed)}",
            "choice",
        )
    return str(value)


def check_int(value: Any, field: str, label_zh: str, low: int, high: int) -> int:
    """An integer within [low, high] (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(
            field,
            f"{label_zh}须为{low}至{high}之间的整数",
            f"{field} must be an integer from {low} to {high}",
            "int.range",
        )
    return value


def check_bool(value: Any, field: str) -> bool:
    """A true boolean (not 0/1 or text)."""
    if not isinstance(value, bool):
        raise _invalid(field, "须为是或否", f"{field} must be true or false", "bool")
    return value


def check_characters(value: Any, field: str = "") -> None:
    """Refuse control characters and lone surrogates in any string of ``value``: itself, or
    anywhere inside nested dicts and lists, dict keys included.

    The one text rule every command and query shares, run on the raw arguments before any
    other check: PostgreSQL text cannot hold NUL (a stored NUL breaks the read model for
    good), UTF-8 cannot encode a surrogate, and neither belongs in a name or a note. The error
    names the path (``members[2].name``, from ``field`` as its root), the rule
    (``control_character`` or ``invalid_unicode``) and the character as ``U+XXXX``; its text
    never repeats the refused character. Non-text values are left to the command's own checks.
    """
    if isinstance(value, str):
        if bad := _REFUSED.search(value):
            raise _refused_character(field, (), bad.group(), False)
        return
    if not isinstance(value, _NESTED):
        return
    # iterative, so no nesting depth raises RecursionError; paths are built only for nesting
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if isinstance(key, str) and (bad := _REFUSED.search(key)):
                raise _refused_character(field, (*path, key), bad.group(), True)
            if isinstance(item, str):
                if bad := _REFUSED.search(item):
                    raise _refused_character(field, (*path, key), bad.group(), False)
            elif isinstance(item, _NESTED):
                stack.append((item, (*path, key)))


def _refused_character(
    root: str, path: tuple[str | int, ...], char: str, in_key: bool
) -> ValidationError:
    where = root
    for part in path:
        if isinstance(part, int):
            where += f"[{part}]"
        else:  # a refused character in a key is shown escaped, never as itself
            part = _REFUSED.sub(lambda m: f"\\u{ord(m.group()):04x}", part)
            where = f"{where}.{part}" if where else part
    where = where or "value"
    point = f"U+{ord(char):04X}"
    what_zh, what_en = ("字段名", "the name of ") if in_key else ("", "")
    marks: dict[str, Any] = {"character": point, **({"key": True} if in_key else {})}
    if 0xD800 <= ord(char) <= 0xDFFF:
        return ValidationError(
            f"{where}{what_zh}含有无效的Unicode字符（单独的代理码位{point}），请重新输入",
            f"{what_en}{where} is not valid Unicode text (a lone surrogate {point})",
            where,
            rule="invalid_unicode",
            **marks,
        )
    return ValidationError(
        f"{where}{what_zh}含有不允许的控制字符（{point}），请删除后重试",
        f"{what_en}{where} contains a control character ({point}), which is not allowed",
        where,
        rule="control_character",
        **marks,
    )
