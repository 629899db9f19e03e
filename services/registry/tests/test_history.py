"""A household and a person as of a date, and their dated history, through the real
entrypoints (issue 16, item 5): a phone change no longer overwrites the past, a member who
left is still there on the days they lived there, and every change is listed with its date.

Runs the real ``RegistryService`` container (``test_interface``'s fixture: fresh RabbitMQ
vhost, SQLite file or fresh PostgreSQL database) and calls it as a client does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import test_interface
from registry.seed import sample_person, sample_phone
from shequ.clock import Clock
from shequ.errors import ValidationError
from test_interface import STAFF, Running, establish

from tests.support.readme import readme_sections, returned_fields

# the real container of test_interface, on SQLite and on PostgreSQL (shequ.testing.store_url)
service, amqp_uri, metrics_port = (
    test_interface.service,
    test_interface.amqp_uri,
    test_interface.metrics_port,
)

AUDITOR = {"person_id": "auditor-1", "role": "auditor"}

today = Clock().today  # the service runs on the system clock


def _person(svc: Running, n: int, name: str, village_id: str, male: bool = True) -> str:
    return str(
        svc.call(
            "register_person",
            actor=STAFF,
            idempotency_key=f"hist:person:{n}",
            village_id=village_id,
            **sample_person(7000 + n, name, male),
        )["person_id"]
    )


def _family(svc: Running) -> dict[str, str]:
    """A household: head (2024-01-01), spouse (2024-01-01), child (2024-03-01 to 2025-06-30);
    the spouse changes phone today and joined the party on 2024-07-01."""
    [community] = establish(svc, [("立柱", "Lizhu")], "hist")

    def staff(method: str, key: str, **fields: Any) -> Any:
        return svc.call(method, actor=STAFF, idempotency_key=f"hist:{key}", **fields)

    village = staff(
        "register_village",
        "village",
        community_id=community["community_id"],
        name="东王家村",
        registered_on="2024-01-01",
    )["village_id"]
    f = {
        "head": _person(svc, 1, "王建国", village),
        "spouse": _person(svc, 2, "李秀兰", village, male=False),
        "child": _person(svc, 3, "王小明", village),
    }
    f["household"] = staff(
        "register_household",
        "household",
        village_id=village,
        head_id=f["head"],
        address="东王家村第一村民小组",
        since="2024-01-01",
    )["household_id"]

    def member(method: str, key: str, who: str, **fields: str) -> None:
        staff(method, key, household_id=f["household"], person_id=f[who], **fields)

    member("add_household_member", "add:spouse", "spouse", relation="spouse", since="2024-01-01")
    member("add_household_member", "add:child", "child", relation="child", since="2024-03-01")
    staff("change_person_phone", "phone", person_id=f["spouse"], phone="13912345678")
    member("remove_household_member", "remove", "child", until="2025-06-30", reason="迁出")
    staff("record_party_membership", "party", person_id=f["spouse"], joined_on="2024-07-01")
    return f


def _members(view: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {m["person_id"]: (m["relation"], m["phone"]) for m in view["members"]}


def test_a_household_as_of_a_date_and_its_dated_history(service: Running) -> None:
    f = _family(service)
    own = {"person_id": "resident-1", "role": "resident", "household_id": f["household"]}
    old_phone, new_phone = sample_phone(7002), "13912345678"
    # Before the child was born: head and spouse, the spouse's phone of then.
    then = service.call("household", actor=own, household_id=f["household"], on="2024-02-01")
    assert then["on"] == "2024-02-01"
    assert _members(then) == {
        f["head"]: ("head", sample_phone(7001)),
        f["spouse"]: ("spouse", old_phone),
    }
    # While the child lived there.
    assert set(
        _members(service.call("household", actor=own, household_id=f["household"], on="2025-01-01"))
    ) == {f["head"], f["spouse"], f["child"]}
    # Today: the child has left, the spouse has the new phone.
    now = service.call("household", actor=own, household_id=f["household"])
    assert now["on"] == today()
    assert _members(now) == {
        f["head"]: ("head", sample_phone(7001)),
        f["spouse"]: ("spouse", new_phone),
    }
    with pytest.raises(ValidationError) as bad:
        service.call("household", actor=own, household_id=f["household"], on="2025-02-30")
    assert (bad.value.code, bad.value.field) == ("invalid", "on")

    history = service.call("household_history", actor=own, household_id=f["household"])
    changes = [(h["on"], h["change"], h["person_id"]) for h in history["changes"]]
    assert changes == [
        ("2024-01-01", "registered", f["head"]),
        ("2024-01-01", "member_joined", f["spouse"]),
        ("2024-03-01", "member_joined", f["child"]),
        ("2025-06-30", "member_left", f["child"]),
        (today(), "phone_changed", f["spouse"]),
    ]
    left = history["changes"][3]
    assert (left["reason"], left["change_zh"], left["date_basis"]) == (
        "迁出",
        "迁出本户",
        "effective",
    )
    phone = history["changes"][4]
    assert (phone["phone"], phone["previous_phone"], phone["date_basis"]) == (
        new_phone,
        old_phone,
        "recorded",
    )  # a phone change carries no effective date
    assert all(h["recorded_at"] for h in history["changes"])

    # Auditors check the records, not the people: names and phones masked.
    audited = service.call("household_history", actor=AUDITOR, household_id=f["household"])
    assert audited["changes"][0]["name"] == "王**"
    assert audited["changes"][4]["phone"] == "139****5678"
    assert [h["change"] for h in audited["changes"]] == [h["change"] for h in history["changes"]]


def test_a_person_history_lists_every_dated_change(service: Running) -> None:
    f = _family(service)
    history = service.call("person_history", actor=STAFF, person_id=f["spouse"])
    assert [(h["on"], h["change"]) for h in history["changes"]] == [
        ("2024-01-01", "joined_household"),
        ("2024-07-01", "became_party_member"),
        (today(), "registered"),
        (today(), "phone_changed"),
    ]
    registered = history["changes"][2]
    assert registered["date_basis"] == "recorded"
    assert history["changes"][0]["household_id"] == f["household"]
    child = service.call("person_history", actor=STAFF, person_id=f["child"])
    assert [(h["on"], h["change"]) for h in child["changes"]] == [
        ("2024-03-01", "joined_household"),
        ("2025-06-30", "left_household"),
        (today(), "registered"),
    ]
    audited = service.call("person_history", actor=AUDITOR, person_id=f["spouse"])
    assert audited["name"] == "李**"
    assert audited["changes"][3]["phone"] == "139****5678"


def test_the_readmes_history_examples_run_as_written(service: Running) -> None:
    """The README's ``household``, ``household_history`` and ``person_history`` commands, as
    written (placeholders filled with the family's ids), return what the README says."""
    f = _family(service)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    sections = readme_sections(readme, "RPC methods")
    ids = {"<household_id>": f["household"], "<person_id>": f["spouse"]}
    for method in ("household", "household_history", "person_history"):
        [payload] = re.findall(
            rf"^shequ call registry {method} '([^'\n]*)'", sections[method], re.MULTILINE
        )
        for placeholder, value in ids.items():
            payload = payload.replace(placeholder, value)
        args = {"actor": STAFF, **json.loads(payload)}
        result = service.call(method, **args)
        stated = returned_fields(sections[method])
        assert set(result) <= stated, (method, set(result) - stated)
        for change in result.get("changes", []):
            common = {
                "on",
                "date_basis",
                "recorded_at",
                "change",
                "change_zh",
                "person_id",
                "name",
                "household_id",
            }
            assert common <= set(change) and common <= stated, method
