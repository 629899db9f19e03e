"""The policy table at the entrypoints: every role × every entrypoint. A role the table does
not admit is refused before anything is looked up or written; roles it admits get past the
role check (and then meet their scope)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from outreach.service import OutreachService
from outreach.usecases import USE_CASES
from outreach_testing import ONLY_SQLITE, World
from shequ.actor import ROLES
from shequ.actorsig import ActorVerifier
from shequ.errors import Forbidden, ShequError

RULES = USE_CASES.policy.rules
NOBODY = "3f1c6a7e-0000-5000-8000-0000000000ff"  # an id nothing has


def actor(role: str) -> dict[str, str]:
    return {
        "person_id": f"p-{role}",
        "role": role,
        "community_id": NOBODY,
        "household_id": NOBODY,
        "village_id": NOBODY,
    }


def test_policy_table_admits_auditors_only_to_reads_and_residents_only_to_their_cards():
    for name, rule in RULES.items():
        if "auditor" in rule.roles:
            assert rule.reads, name
        if "resident" in rule.roles:
            assert (
                name in ("card", "card_history", "card_pdf")
                and rule.roles["resident"] == "household"
            )


@ONLY_SQLITE
@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_entrypoint(world: World, role: str):
    # the platform's actor check, taking unsigned actors as the test run's services do
    verifier = ActorVerifier("outreach", None, None, allow_unsigned=True)
    service = SimpleNamespace(app=world.outreach, trusted_actor=verifier.actor)
    top = world.top()
    for name, rule in RULES.items():
        entry = getattr(OutreachService, name)
        try:
            entry(service, actor=actor(role), idempotency_key=f"policy-{name}-{role}")
        except Forbidden as exc:
            assert role not in rule.roles, f"{role} refused on {name}: {exc}"
            assert exc.field == "actor.role"
        except ShequError as exc:  # admitted: then refused for missing or unknown arguments
            assert role in rule.roles, f"{role} got past the role check of {name}: {exc}"
            assert exc.details.get("rule") in ("required", "unknown_argument"), (name, exc)
        else:
            pytest.fail(f"{name} ran without its arguments")
    assert world.top() == top
