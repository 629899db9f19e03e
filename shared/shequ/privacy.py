"""Masking of personal data for display (个人信息保护法 Arts. 13, 25, 28; RULES §6).

Every mask keeps the original length, so a masked value never tells more than the original
layout did and tables keep their alignment. Masks are idempotent: masking a masked value again
gives the same string. Pure standard library.
"""

from __future__ import annotations

STAR = "*"


def _keep(value: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, star the rest (same length)."""
    n = len(value)
    if n == 0:
        return value
    if head + tail >= n:
        # Too short to show both ends: show at most the first character.
        return value[:1] + STAR * (n - 1) if n > 1 else STAR
    return value[:head] + STAR * (n - head - tail) + value[n - tail :]


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``; a landline keeps its area code and last 4 digits."""
    if "-" in value:
        area, _, rest = value.partition("-")
        return area + "-" + _keep(rest, 0, 4) if len(rest) > 4 else area + "-" + STAR * len(rest)
    return _keep(value, 3, 4)


def mask_id_number(value: str) -> str:
    """First 6 (region) and last 4 kept; the birth date (positions 7-14) is never shown."""
    if len(value) <= 10:
        return STAR * len(value)
    return _keep(value, 6, 4)


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张**``: only the first character (the family name, usually) is shown."""
    return _keep(value, 1, 0)


def mask_bank_card(value: str) -> str:
    """First 6 (the issuer) and last 4 kept."""
    if len(value) <= 10:
        return STAR * len(value)
    return _keep(value, 6, 4)


GROUP_MARKERS = ("村民小组", "组")
VILLAGE_MARKERS = ("村", "社区")


def mask_address(value: str) -> str:
    """Keep the address down to the villager-group level (…村民小组/…组), star the rest.

    Without a group, keep the village part (up to the last "村" or "社区"); without either,
    keep nothing but the first character.
    """
    for marker in GROUP_MARKERS + VILLAGE_MARKERS:
        at = value.find(marker)
        if at >= 0:
            cut = at + len(marker)
            if marker in VILLAGE_MARKERS:
                cut = value.rfind(marker) + len(marker)
            return value[:cut] + STAR * (len(value) - cut)
    return _keep(value, 1, 0)
