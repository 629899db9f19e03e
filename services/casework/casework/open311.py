"""The Open311 GeoReport v2 intake shape, kept for the gateway (DESIGN: existing 311 apps can
file cases). Pure mapping, no I/O: a GeoReport ``POST requests`` body becomes the arguments of
``open_case``; ``service_code`` is one of casework's categories (GET services lists them).

GeoReport fields used: service_code, description, address_string, lat/long (kept as the
place), first_name/last_name, phone, and two extensions the gateway fills from the signed-in
resident: ``jurisdiction_household_id`` and ``jurisdiction_community_id``.
"""

from __future__ import annotations

from typing import Any

from shequ.errors import ValidationError

from casework.domain.vocabulary import CATEGORIES


def services() -> list[dict[str, Any]]:
    """GeoReport ``GET services``: one service per category (Chinese name first)."""
    return [
        {
            "service_code": code,
            "service_name": zh,
            "group": group,
            "type": "realtime",
            "metadata": False,
            "description": f"{zh}（{code}）",
            "keywords": group,
        }
        for code, (group, zh) in CATEGORIES.items()
    ]


def to_open_case(body: dict[str, Any]) -> dict[str, Any]:
    """``open_case`` arguments for a GeoReport v2 service request (without the key)."""
    code = body.get("service_code")
    if code not in CATEGORIES:
        raise ValidationError(
            "未知的服务代码",
            f"unknown service_code {code!r}",
            "service_code",
            rule="open311.service_code",
        )
    description = str(body.get("description") or "").strip()
    place = str(body.get("address_string") or "").strip()
    if not place and body.get("lat") is not None and body.get("long") is not None:
        place = f"{body['lat']},{body['long']}"
    name = "".join(str(body.get(k) or "") for k in ("last_name", "first_name"))
    args: dict[str, Any] = {
        "case_type": "demand",
        "category": code,
        "channel": "open311",
        "title": (description or CATEGORIES[code][1])[:60],
        "description": description,
        "place": place[:200],
        "resident_name": name,
        "resident_phone": body.get("phone") or "",
    }
    if body.get("jurisdiction_household_id"):
        args["household_id"] = body["jurisdiction_household_id"]
    elif body.get("jurisdiction_community_id"):
        args["community_id"] = body["jurisdiction_community_id"]
    else:
        raise ValidationError(
            "须注明户或社区",
            "a household or community is required",
            "jurisdiction_household_id",
            rule="open311.jurisdiction",
        )
    return args


def to_service_request(case: dict[str, Any]) -> dict[str, Any]:
    """GeoReport ``GET requests/{id}`` for a case as ``Casework.case`` returns it."""
    closed = case["state"] in ("closed", "refused", "merged")
    return {
        "service_request_id": case["case_id"],
        "status": "closed" if closed else "open",
        "status_notes": case.get("state_zh", ""),
        "service_code": case["category"],
        "description": case.get("description", ""),
        "address": case.get("place", ""),
        "requested_datetime": case.get("received_on"),
        "expected_datetime": case.get("due_on"),
    }
