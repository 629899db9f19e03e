"""F42 on SQLite and PostgreSQL: what finance consumes — from registry the villages, the
households in them, the village party branches and villagers' committees with who held which
post when (F24); from casework the village decisions whose resolution was published (F29,
F30) — each envelope through the platform's inbox changing what it should, once, however
often it is delivered."""

from __future__ import annotations

from typing import Any

from finance.domain import Decision, Household
from finance.interests import CASEWORK, REGISTRY
from finance.reactions import CaseworkReactions, RegistryReactions
from finance_testing import STAFF, World, new_id

CONSUMED = {
    "registry": {
        "village.registered",
        "village.moved",
        "household.registered",
        "organisation.established",
        "appointment.made",
        "appointment.ended",
        "committee.post_taken",
        "committee.post_ended",
    },
    "casework": {"decision.resolution_published"},
}


def test_F42_finance_reads_these_contracts_and_reacts_to_each() -> None:
    for upstream, interests, reactions in (
        ("registry", REGISTRY, RegistryReactions),
        ("casework", CASEWORK, CaseworkReactions),
    ):
        assert set(interests) == {f"{upstream}.{c}" for c in CONSUMED[upstream]}
        for contract in CONSUMED[upstream]:
            assert callable(getattr(reactions, "on_" + contract.replace(".", "_"))), contract


def stored(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


def twice(world: World, upstream: str, contract: str, **data: Any) -> None:
    """One envelope delivered twice: the second delivery stores nothing."""
    chain, inbox = (
        (world.chain, world.inbox)
        if upstream == "registry"
        else (world.casework_chain, world.casework)
    )
    envelope = chain.next(contract, data)
    inbox.process(envelope)
    after_first = stored(world)
    inbox.process(envelope)
    assert stored(world) == after_first, contract


def test_F42_each_upstream_event_changes_finance_once(world: World) -> None:
    village_id, community, moved_to = new_id(), new_id(), new_id()
    twice(
        world, "registry", "village.registered", village_id=village_id, name="东王家村",
        community_id=community, registered_on="2024-01-01", sample=True,
    )  # fmt: skip
    [known] = world.app.ledgers(STAFF)["villages"]
    assert (known["village_id"], known["name"], known["community_id"]) == (
        village_id,
        "东王家村",
        community,
    )
    twice(
        world, "registry", "village.moved", village_id=village_id, from_community_id=community,
        to_community_id=moved_to, effective_date="2025-06-01",
    )  # fmt: skip
    assert world.finance.village_target(village_id).community_id == moved_to
    home = new_id()
    twice(
        world, "registry", "household.registered", household_id=home, village_id=village_id,
        head_id=new_id(), address="第一组", since="2020-01-01", sample=True,
    )  # fmt: skip
    assert world.finance.find(Household.create_id(home)).village_id == village_id
    # a village party branch and one of its members' posts; another kind of body is ignored
    branch, other_body, member, chair = new_id(), new_id(), new_id(), new_id()
    before = stored(world)
    twice(
        world, "registry", "organisation.established", organisation_id=other_body,
        kind="community_branch", name="某社区党委", community_id=moved_to, village_id=None,
        parent_id=None,
    )  # fmt: skip
    assert stored(world) == before
    twice(
        world, "registry", "organisation.established", organisation_id=branch,
        kind="village_branch", name="东王家村党支部", community_id=moved_to,
        village_id=village_id, parent_id=None,
    )  # fmt: skip
    posting = new_id()
    twice(
        world, "registry", "appointment.made", organisation_id=branch, appointment_id=posting,
        community_id=moved_to, person_id=member, post="member", basis="", since="2025-01-01",
    )  # fmt: skip
    assert world.finance.two_committees(village_id, "2025-03-01") == {member}
    twice(
        world, "registry", "appointment.ended", organisation_id=branch, appointment_id=posting,
        until="2025-12-31", reason="届满",
    )  # fmt: skip
    assert world.finance.two_committees(village_id, "2025-12-30") == {member}
    assert world.finance.two_committees(village_id, "2025-12-31") == set()
    # the villagers' committee
    seat = new_id()
    twice(
        world, "registry", "committee.post_taken", committee_id=new_id(), village_id=village_id,
        appointment_id=seat, person_id=chair, post="chair", since="2026-01-01",
        term_ends="2031-01-01",
    )  # fmt: skip
    assert world.finance.two_committees(village_id, "2026-02-01") == {chair}
    twice(
        world, "registry", "committee.post_ended", committee_id=new_id(), village_id=village_id,
        appointment_id=seat, post="chair", until="2026-03-01", reason="辞职",
    )  # fmt: skip
    assert world.finance.two_committees(village_id, "2026-03-01") == set()
    # casework: a published resolution is a decision vouchers and contracts may cite
    decision_id = new_id()
    twice(
        world, "casework", "decision.resolution_published", decision_id=decision_id,
        case_id=new_id(), community_id=moved_to, village_id=village_id,
        title="村集体机动地对外发包", matter_type="collective_property",
        published_on="2026-01-10", text="经村民代表会议表决通过",
    )  # fmt: skip
    decision = world.finance.find(Decision.create_id(decision_id))
    assert (decision.village_id, decision.matter_type, decision.published_on) == (
        village_id,
        "collective_property",
        "2026-01-10",
    )
    assert world.dead.sent == []
