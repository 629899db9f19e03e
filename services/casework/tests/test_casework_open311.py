"""The Open311 GeoReport v2 intake shape: a service request becomes a case and back."""

from __future__ import annotations

import pytest
from casework.application import Casework
from casework.open311 import services, to_open_case, to_service_request
from casework_testing import STAFF, key, world
from shequ.errors import ValidationError


def test_a_georeport_request_opens_a_routed_case_and_reads_back(casework: Casework) -> None:
    app, w = casework, world(casework)
    assert {s["service_code"] for s in services()} >= {"rubbish", "water_supply"}
    body = {
        "service_code": "rubbish",
        "description": "村口垃圾三天未清运",
        "lat": 36.3,
        "long": 119.7,
        "last_name": "王",
        "first_name": "示例",
        "phone": "13812345678",
        "jurisdiction_household_id": w["h1"],
    }
    opened = app.open_case(STAFF, key(), **to_open_case(body))
    assert opened["work_group"] == "sanitation"
    report = to_service_request(app.case(STAFF, opened["case_id"]))
    assert report["status"] == "open" and report["address"] == "36.3,119.7"
    assert report["service_request_id"] == opened["case_id"]
    assert app.case(STAFF, opened["case_id"])["channel"] == "open311"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service_code": "weather", "jurisdiction_community_id": "x"}, "service_code"),
        ({"service_code": "rubbish"}, "jurisdiction_household_id"),
    ],
)
def test_bad_georeport_requests_name_the_field(body: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_open_case(body)
    assert info.value.field == field
