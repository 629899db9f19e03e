"""F12 on SQLite and PostgreSQL: the four finance roles and the village scope, as a table of who
may do what — the village's clerk, its 民主理财小组, its head and the agency's accountant —
checked against villages the registry announced (a village's scope is read from the store),
each allowed call in the actor's own village, refused out of scope in another, and refused by
role where the table says no; auditors read and never write."""

from __future__ import annotations

import pytest
from finance.usecases import USE_CASES
from finance_testing import AGENCY, AUDITOR, World
from shequ.actor import ROLES, VILLAGE_ROLES, Actor
from shequ.auth import SCOPES
from shequ.errors import Forbidden, ValidationError

ROLE_NAMES = ("finance_clerk", "finance_group", "village_head", "agency_accountant", "auditor")
# who may do what, written out here (not read from the use-case table): C clerk, G finance
# group, H village head, A agency accountant, R auditor (reads)
WHO = {
    "open_ledger": "A",
    "close_period": "A",
    "register_asset": "CA",
    "transfer_asset": "CA",
    "draft_voucher": "CA",
    "amend_draft": "CA",
    "submit_voucher": "CA",
    "void_draft": "CA",
    "review_voucher": "CGHA",
    "post_voucher": "A",
    "sign_contract": "A",
    "prepare_disclosure": "CA",
    "review_disclosure": "G",
    "publish_disclosure": "HA",
    "file_objection": "C",
    "assign_objection": "GHA",
    "answer_objection": "GHA",
    "trial_balance": "CGHAR",
    "journal": "CGHAR",
    "statements": "CGHAR",
    "vouchers": "CGHAR",
    "disclosures": "CGHAR",
}
LETTER = dict(zip(ROLE_NAMES, "CGHAR", strict=True))


def outcome(world: World, method: str, actor: Actor, village_id: str) -> str:
    """What the policy answers ``actor`` for ``method`` on the village's books: ``ok``, or the
    refusal's code."""
    try:
        world.finance.policy.check(method, actor, world.finance.village_target(village_id))
    except Forbidden as e:
        return e.code
    return "ok"


def test_F12_the_four_roles_exist_and_three_of_them_act_for_one_village() -> None:
    assert {"finance_clerk", "finance_group", "village_head", "agency_accountant"} <= set(ROLES)
    assert VILLAGE_ROLES == ("finance_clerk", "finance_group", "village_head")
    assert "village" in SCOPES
    for role in VILLAGE_ROLES:
        with pytest.raises(ValidationError) as e:
            Actor.from_dict({"person_id": "p-1", "role": role})
        assert e.value.field == "actor.village_id"
    assert Actor.from_dict({"person_id": "p-1", "role": "agency_accountant"}).village_id is None


@pytest.mark.parametrize("method", sorted(WHO))
def test_F12_who_may_do_what_in_their_own_village_and_nowhere_else(
    world: World, method: str
) -> None:
    mine, other = world.village(), world.village()
    actors = {
        "finance_clerk": mine.clerk,
        "finance_group": mine.group,
        "village_head": mine.head,
        "agency_accountant": AGENCY,
        "auditor": AUDITOR,
    }
    got = {
        role: (outcome(world, method, a, mine.id), outcome(world, method, a, other.id))
        for role, a in actors.items()
    }
    expected = {}
    for role in ROLE_NAMES:
        if LETTER[role] not in WHO[method]:
            expected[role] = ("forbidden", "forbidden")
        elif role in VILLAGE_ROLES:
            expected[role] = ("ok", "out_of_scope")
        else:
            expected[role] = ("ok", "ok")  # the agency and auditors: every village
    assert got == expected


def test_F12_auditors_are_refused_every_write_and_allowed_every_read(world: World) -> None:
    village = world.village()
    writes = {u.name for u in USE_CASES if not u.reads}
    reads = {u.name for u in USE_CASES if u.reads}
    assert {"draft_voucher", "post_voucher", "close_period"} <= writes
    for name in writes:
        assert outcome(world, name, AUDITOR, village.id) == "forbidden", name
    for name in reads:
        assert outcome(world, name, AUDITOR, village.id) == "ok", name
