"""Open311 GeoReport v2 end to end (GATEWAY.md G30–G38): a real gateway process in front of
real registry and casework processes on RabbitMQ. Every answer is checked against the GeoReport
v2 JSON Schemas in ``tests/fixtures/open311`` (written from the specification's text; see the
README there). A request filed over Open311 becomes a casework case in the client's community,
a retried POST files nothing more, the public reads show no personal data, and the case is
followed through casework's own use cases until Open311 says ``closed``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from tests.support.gateway import STAFF, GatewayProcess
from tests.support.infra import rabbit_vhost, wait_until
from tests.support.suite import SYSTEM, Processes, fresh_stores, running

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
SCHEMAS = Path(__file__).parent / "fixtures" / "open311"
API_KEY = "open311-test-key-立柱"
BASE = "/open311/v2"
PHONE = "13812345678"
DESCRIPTION = "村口垃圾三天未清运，王示例家门口堆满了"
CHECKER = FormatChecker(formats=())


@CHECKER.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 with an offset; the suite answers in the district's time, +08:00."""
    if not isinstance(value, str):
        return True
    moment = dt.datetime.fromisoformat(value)
    return moment.tzinfo is not None and value.endswith("+08:00") and "T" in value


@CHECKER.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlparse(value).scheme)


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


REGISTRY = _registry()


def conforms(answer: requests.Response, schema: str, status: int = 200) -> Any:
    """The answer's JSON, with ``status``, valid against the fixture ``schema``."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    spec = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    validator = Draft202012Validator(spec, registry=REGISTRY, format_checker=CHECKER)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, "\n".join(problems) + f"\n{body}"
    return body


def refused(answer: requests.Response, status: int, *words: str) -> str:
    """A GeoReport error with ``status``, in the body and the HTTP status alike."""
    body = conforms(answer, "errors.json", status)
    assert body[0]["code"] == status, body
    for word in words:
        assert word in body[0]["description"], body
    return str(body[0]["description"])


class Open311Suite(Processes):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        super().__init__(amqp, stores, tmp, {"registry": "registry", "casework": "casework"})
        self.clients = tmp / "open311-clients.json"
        self.gateway = GatewayProcess(amqp, tmp, SHEQU_OPEN311_CLIENTS=str(self.clients))

    def stop(self) -> None:
        self.gateway.stop()
        super().stop()

    def casework_caught_up(self) -> None:
        def done() -> bool:
            log = self.call("registry", "notifications", actor=SYSTEM, after=0, limit=1000)
            last = log[-1]["position"] if log else 0
            return self.call("casework", "health")["inboxes"]["registry"]["position"] >= last

        wait_until(done, timeout=60, what="casework caught up with the registry")

    def open311(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.gateway.request(method, f"{BASE}{path}", token=None, **kw)


def _community(suite: Open311Suite) -> dict[str, Any]:
    """A community, a village, a service team with a sanitation member."""
    r: dict[str, Any] = suite.establish_village(STAFF, "open311-world")
    r["member"] = suite.register_person(
        STAFF, "open311-world-p", 7300, "测示甲", village_id=r["village"], sample=True
    )
    r["team"] = suite.team_with_cleaner(STAFF, "open311-world-team", r["community"], r["member"])
    return r


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Open311Suite, dict]]:
    tmp = tmp_path_factory.mktemp("open311")
    with (
        rabbit_vhost() as amqp,
        fresh_stores("sqlite", ("registry", "casework"), tmp) as db,
        running(Open311Suite(amqp, db, tmp), start=False) as s,
    ):
        s.start()
        world = _community(s)
        s.casework_caught_up()
        key = hashlib.sha256(API_KEY.encode()).hexdigest()
        s.clients.write_text(
            json.dumps({key: {"client": "lizhu-app", "community_id": world["community"]}}),
            encoding="utf-8",
        )
        s.gateway.start()
        yield s, world


def _file(s: Open311Suite, **fields: str) -> requests.Response:
    form = {
        "api_key": API_KEY,
        "jurisdiction_id": "jiaohe",
        "service_code": "rubbish",
        **fields,
    }
    return s.open311("POST", "/requests.json", data={k: v for k, v in form.items() if v})


def test_services_are_casework_categories_grouped_by_work_group(suite):
    s, _ = suite
    services = conforms(s.open311("GET", "/services.json?jurisdiction_id=jiaohe"), "services.json")
    by_code = {x["service_code"]: x for x in services}
    assert by_code["rubbish"]["service_name"] == "垃圾清运"
    assert by_code["rubbish"]["group"] == "环境卫生组"
    assert by_code["water_supply"]["group"] == "公益事业组"
    assert all(x["type"] == "realtime" and x["metadata"] is True for x in services)
    assert services == conforms(s.open311("GET", "/services.json"), "services.json")
    definition = conforms(
        s.open311("GET", "/services/rubbish.json?jurisdiction_id=jiaohe"),
        "service-definition.json",
    )
    assert definition["service_code"] == "rubbish"
    [consent] = definition["attributes"]
    assert consent["code"] == "publish_description" and consent["required"] is False
    assert [v["key"] for v in consent["values"]] == ["yes", "no"]
    refused(s.open311("GET", "/services/weather.json"), 404, "weather")
    refused(s.open311("GET", "/services.json?jurisdiction_id=elsewhere"), 404, "jurisdiction")


def test_a_request_filed_over_open311_is_a_case_followed_to_closed(suite):
    s, w = suite
    request = {
        "description": DESCRIPTION,
        "lat": "36.3012345",
        "long": "119.7098765",
        "first_name": "示例",
        "last_name": "王",
        "phone": PHONE,
        "address_id": w["village"],
    }
    answer = conforms(_file(s, **request), "post-response.json")
    case_id = answer[0]["service_request_id"]
    assert answer[0]["account_id"] is None and "环境卫生组" in answer[0]["service_notice"]
    # casework has it, in the client's community and village, routed to the sanitation group
    case = s.call("casework", "case", actor=STAFF, case_id=case_id, purpose="核实")
    assert (case["channel"], case["category"], case["work_group"]) == (
        "open311",
        "rubbish",
        "sanitation",
    )
    assert case["community_id"] == w["community"] and case["village_id"] == w["village"]
    assert case["description"] == DESCRIPTION
    assert case["resident"] == {"name": "王示例", "phone": PHONE}
    timeline = s.call("casework", "case_timeline", actor=STAFF, case_id=case_id)
    assert timeline["events"][0]["actor"] == {
        "person_id": "open311:lizhu-app",
        "role": "community_staff",
        "community_id": w["community"],
    }

    # the same POST again (a retry after a lost answer) answers the same case, files nothing
    again = conforms(_file(s, **request), "post-response.json")
    assert again[0]["service_request_id"] == case_id
    queue = s.call("casework", "queue", actor=STAFF, community_id=w["community"])
    assert [c["case_id"] for c in queue].count(case_id) == 1 and len(queue) == 1

    # the public read: no personal data, the village, coordinates to 3 decimals
    one = conforms(s.open311("GET", f"/requests/{case_id}.json"), "requests.json")
    assert len(one) == 1
    public = one[0]
    text = json.dumps(public, ensure_ascii=False)
    for personal in ("王示例", PHONE, "垃圾三天", "门口", "36.3012", "119.7098"):
        assert personal not in text, (personal, public)
    assert "description" not in public
    assert (public["lat"], public["long"]) == (36.301, 119.71)
    assert public["address"] == "立柱示例村" and public["address_id"] == w["village"]
    assert public["status"] == "open" and public["service_code"] == "rubbish"
    assert public["requested_datetime"].endswith("+08:00")
    assert public["expected_datetime"] == f"{case['due_on']}T23:59:59+08:00"
    listed = conforms(s.open311("GET", "/requests.json?status=open"), "requests.json")
    assert [r["service_request_id"] for r in listed] == [case_id]

    # followed through casework's use cases: accept, start, resolve, answer, rate, confirm, close
    def step(method: str, **kw: Any) -> Any:
        return s.command(
            "casework",
            method,
            STAFF,
            f"open311-{method}",
            case_id=case_id,
            **kw,
        )

    assert step("accept_case")["owner_id"] == w["member"]
    step("start_case")
    step("resolve_case", evidence=["清运记录"])
    step("answer_case", text="已清运")
    # answered, but the resident may still reopen it: open to the public
    answered = conforms(s.open311("GET", f"/requests/{case_id}.json"), "requests.json")[0]
    assert answered["status"] == "open" and "已答复" in answered["status_notes"]
    step("rate_case", rating=5)
    step("confirm_case")
    step("close_case")
    closed = conforms(s.open311("GET", f"/requests/{case_id}.json"), "requests.json")[0]
    assert closed["status"] == "closed" and closed["expected_datetime"] is None
    assert "已关闭" in closed["status_notes"]
    assert closed["updated_datetime"] >= public["updated_datetime"] >= public["requested_datetime"]
    by_status = conforms(s.open311("GET", "/requests.json?status=closed"), "requests.json")
    assert case_id in [r["service_request_id"] for r in by_status]
    assert conforms(s.open311("GET", "/requests.json?status=open"), "requests.json") == []
    listed = conforms(
        s.open311("GET", f"/requests.json?service_request_id={case_id},{w['village']}"),
        "requests.json",
    )
    assert [r["service_request_id"] for r in listed] == [case_id]


def test_each_refusal_is_a_georeport_error_with_its_status(suite):
    s, w = suite
    before = s.call(
        "casework", "queue", actor=STAFF, community_id=w["community"], include_closed=True
    )
    # 400: each required field, the location, the description's length, a bad coordinate
    for field in ("api_key", "jurisdiction_id", "service_code"):
        refused(_file(s, address_string="村口", **{field: ""}), 400, field)
    refused(_file(s, description="无位置"), 400, "location")
    refused(_file(s, lat="36.3"), 400, "long")
    refused(_file(s, lat="north", long="119.7"), 400, "lat")
    refused(_file(s, address_string="村口", description="长" * 4001), 400, "description")
    refused(_file(s, address_string="村口", phone="12345"), 400, "phone")
    refused(_file(s, address_string="村口", **{"attribute[colour]": "red"}), 400, "colour")
    refused(
        _file(s, address_string="村口", **{"attribute[publish_description]": "ok"}),
        400,
        "publish_description",
    )
    # 403: a wrong api_key
    refused(_file(s, api_key="not-a-key", address_string="村口"), 403, "api_key")
    # 404: an unknown jurisdiction, service code, request; a path Open311 does not have
    refused(_file(s, jurisdiction_id="elsewhere", address_string="村口"), 404, "jurisdiction")
    refused(_file(s, service_code="weather", address_string="村口"), 404, "weather")
    refused(s.open311("GET", "/requests/00000000-0000-4000-8000-000000000001.json"), 404)
    refused(s.open311("GET", "/requests/not-a-case.json"), 404)
    refused(s.open311("GET", "/requests.json?jurisdiction_id=elsewhere"), 404)
    refused(s.open311("GET", "/nothing.json"), 404)
    # 400: a span over 90 days, a status that is neither open nor closed, a bad date
    refused(
        s.open311("GET", "/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01"),
        400,
        "90",
    )
    refused(s.open311("GET", "/requests.json?status=pending"), 400, "status")
    refused(s.open311("GET", "/requests.json?start_date=yesterday"), 400, "start_date")
    # nothing was filed by any of them
    after = s.call(
        "casework", "queue", actor=STAFF, community_id=w["community"], include_closed=True
    )
    assert after == before


def test_a_request_by_address_string_only_has_no_coordinates(suite):
    s, _ = suite
    filed = conforms(
        _file(s, service_code="water_supply", address_string="示例村东头 3 号"),
        "post-response.json",
    )
    case_id = filed[0]["service_request_id"]
    public = conforms(s.open311("GET", f"/requests/{case_id}.json"), "requests.json")[0]
    assert public["lat"] is None and public["long"] is None
    assert public["address"] == "立柱" and "东头" not in json.dumps(public, ensure_ascii=False)
    assert public["service_name"] == "供水"
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    window = f"start_date={(today - dt.timedelta(days=1)).isoformat()}&end_date={today}"
    listed = conforms(
        s.open311("GET", f"/requests.json?service_code=water_supply&{window}"), "requests.json"
    )
    assert [r["service_request_id"] for r in listed] == [case_id]
    far = conforms(
        s.open311("GET", "/requests.json?start_date=2020-01-01&end_date=2020-02-01"),
        "requests.json",
    )
    assert far == []


def test_the_description_is_public_only_when_the_filer_agreed(suite):
    s, w = suite
    words = "路灯旁的垃圾箱坏了"
    filed = conforms(
        _file(
            s,
            service_code="village_appearance",
            address_id=w["village"],
            description=words,
            last_name="李",
            first_name="公开",
            phone=PHONE,
            **{"attribute[publish_description]": "yes"},
        ),
        "post-response.json",
    )
    case_id = filed[0]["service_request_id"]
    public = conforms(s.open311("GET", f"/requests/{case_id}.json"), "requests.json")[0]
    assert public["description"] == words
    text = json.dumps(public, ensure_ascii=False)
    assert "李公开" not in text and PHONE not in text
    # said no: as if nothing was said
    kept = conforms(
        _file(
            s,
            service_code="village_appearance",
            address_id=w["village"],
            description="另一件事，不公开",
            **{"attribute[publish_description]": "no"},
        ),
        "post-response.json",
    )[0]["service_request_id"]
    private = conforms(s.open311("GET", f"/requests/{kept}.json"), "requests.json")[0]
    assert "description" not in private
