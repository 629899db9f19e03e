"""Scope holds at both ends of a link: community staff cannot tie another community's
household to their own party member."""

from __future__ import annotations

import pytest
from registry.seed import seed_demo
from shequ.actor import SYSTEM, Actor
from shequ.errors import Forbidden


def test_linking_a_household_of_another_community_is_refused(registry):
    ids = seed_demo(registry, SYSTEM)
    lizhu, taqiao = ids["communities"]["Lizhu"], ids["communities"]["Taqiao"]
    member = lizhu["villages"][0]["secretary_id"]
    household = taqiao["villages"][0]["households"][0]
    staff = Actor("staff-lizhu", "community_staff", community_id=lizhu["community_id"])
    top = registry.recorder.max_notification_id()
    with pytest.raises(Forbidden) as err:
        registry.link_household(
            staff, "scope-link-1", party_member_id=member, household_id=household
        )
    assert err.value.code == "out_of_scope"
    assert registry.recorder.max_notification_id() == top
