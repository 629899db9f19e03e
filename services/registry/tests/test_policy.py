"""Every role against every entrypoint of the policy (SQLite, one seeded world per module).

For each (entrypoint, role): a role the policy allows succeeds on a target in its scope and is
refused out of scope; any other role is refused. Each case builds fresh targets first.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from registry.application import Registry
from registry.seed import sample_person, seed_demo
from registry.usecases import USE_CASES
from registry_testing import new_person, opened_registry
from shequ.actor import ROLES, SYSTEM, Actor
from shequ.commands import Keyed
from shequ.errors import Conflict, Forbidden
from shequ.store import Store

Call = Callable[[Actor, str], Any]
counter = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    store = Store.parse(f"sqlite:///{tmp_path_factory.mktemp('policy')}/r.db")
    with opened_registry(store) as app:
        ids = seed_demo(app, SYSTEM, households_per_village=5)
        lizhu, taqiao = ids["communities"]["Lizhu"], ids["communities"]["Taqiao"]
        roster = app.team_roster(SYSTEM, taqiao["community_id"])
        yield {
            "app": app,
            "L": lizhu,
            "T": taqiao,
            "c": lizhu["community_id"],
            "v": lizhu["villages"][0]["village_id"],
            "hh": lizhu["villages"][0]["households"][0],
            "hh_head": app.household(SYSTEM, lizhu["villages"][0]["households"][0])["head_id"],
            "other_hh": taqiao["villages"][0]["households"][0],
            "lizhu_member": _first_member(app, lizhu["community_id"]),
            "other_member": roster["groups"][0]["members"][0]["person_id"],
        }


def _first_member(app: Registry, community_id: str) -> str:
    return str(app.team_roster(SYSTEM, community_id)["groups"][0]["members"][0]["person_id"])


def fresh(kind: str) -> str:
    return f"{kind}-{next(counter)}"


def k(tag: str) -> str:
    return f"prep:{tag}:{next(counter)}"


class Case:
    """A prepared call and its target: community, assigned person, household."""

    def __init__(
        self,
        call: Call,
        community: str | None,
        assigned: str | None = None,
        household: str | None = None,
        conflict_ok: bool = False,
    ) -> None:
        self.call, self.community, self.assigned = call, community, assigned
        self.household, self.conflict_ok = household, conflict_ok


def _team_person(w: dict[str, Any]) -> tuple[str, str]:
    app, team = w["app"], w["L"]["team_id"]
    person = new_person(app, w["v"])
    app.add_team_member(
        SYSTEM, k("tm"), team_id=team, person_id=person, group="services", duties="代办"
    )
    return team, person


def _household(w: dict[str, Any]) -> str:
    head = new_person(w["app"], w["v"])
    return str(
        w["app"].register_household(
            SYSTEM, k("hh"), village_id=w["v"], head_id=head, address="示例一组"
        )["household_id"]
    )


def _zone(w: dict[str, Any]) -> str:
    pm = new_person(w["app"], w["v"], ["party_member"])
    w["app"].assign_zone(SYSTEM, k("zone"), party_member_id=pm, community_id=w["c"], name="区")
    return pm


def _village(w: dict[str, Any]) -> tuple[str, str]:
    app = w["app"]
    v = app.register_village(SYSTEM, k("v"), community_id=w["c"], name=fresh("测村"))["village_id"]
    org = app.establish_organisation(
        SYSTEM, k("o"), kind="village_branch", name="支部", village_id=v
    )["organisation_id"]
    return v, org


def build(name: str, w: dict[str, Any]) -> Case:
    app, c, v = w["app"], w["c"], w["v"]
    pid = lambda: new_person(app, v)
    if name == "establish_district":
        return Case(
            lambda a, key: app.establish_district(a, key, name="胶河经济区"), None, conflict_ok=True
        )
    # use cases on a fresh person: their other fields, and the community they are held to
    on_a_person: dict[str, tuple[dict[str, Any], str | None]] = {
        "appoint_district_leader": ({"title": "委员"}, None),
        "change_person_phone": ({"phone": "13999999999"}, c),
        "record_party_membership": ({"joined_on": "2020-07-01"}, c),
        "reveal_personal_data": ({"fields": ["phone"], "reason": "核实"}, c),
    }
    if name in on_a_person:
        fields, community = on_a_person[name]
        p = pid()
        return Case(lambda a, key: getattr(app, name)(a, key, person_id=p, **fields), community)
    if name == "end_district_leadership":
        p = pid()
        app.appoint_district_leader(SYSTEM, k("l"), person_id=p, title="委员", since="2024-01-01")
        return Case(
            lambda a, key: app.end_district_leadership(a, key, person_id=p, until="2024-06-01"),
            None,
        )
    if name == "establish_organ":
        return Case(
            lambda a, key: app.establish_organ(a, key, name=fresh("站"), kind="station"), None
        )
    organ = next(iter(app.district().organs))
    if name == "assign_cadre":
        p = pid()
        return Case(lambda a, key: app.assign_cadre(a, key, person_id=p, organ_id=organ), None)
    if name == "release_cadre":
        p = pid()
        app.assign_cadre(SYSTEM, k("c"), person_id=p, organ_id=organ, since="2024-01-01")
        return Case(lambda a, key: app.release_cadre(a, key, person_id=p, until="2024-06-01"), None)
    if name == "establish_community":
        return Case(
            lambda a, key: app.establish_community(a, key, name=fresh("社"), name_en="X"), None
        )
    if name == "register_village":
        return Case(
            lambda a, key: app.register_village(a, key, community_id=c, name=fresh("村")), c
        )
    if name == "move_village":
        nv, _ = _village(w)
        return Case(
            lambda a, key: app.move_village(
                a,
                key,
                village_id=nv,
                to_community_id=w["T"]["community_id"],
                effective_date="2030-01-01",
            ),
            None,
        )
    if name == "establish_organisation":
        return Case(
            lambda a, key: app.establish_organisation(
                a,
                key,
                kind="functional_branch",
                name=fresh("功能支部"),
                parent_id=w["L"]["general_branch_id"],
            ),
            c,
        )
    if name in ("appoint", "end_appointment"):
        _, org = _village(w)
        p = pid()
        if name == "appoint":
            return Case(
                lambda a, key: app.appoint(
                    a, key, organisation_id=org, person_id=p, post="secretary"
                ),
                c,
            )
        where = {"organisation_id": org}
        return _post_ended(app.appoint, app.end_appointment, where, p, "secretary", c)
    if name in ("elect_committee_member", "end_committee_post"):
        return _committee_case(name, w)
    if name == "register_person":
        person = sample_person(7000 + next(counter), "测示")
        return Case(lambda a, key: app.register_person(a, key, village_id=v, **person), c)
    if name == "register_household":
        p = pid()
        return Case(
            lambda a, key: app.register_household(
                a, key, village_id=v, head_id=p, address="示例一组"
            ),
            c,
        )
    if name in ("add_household_member", "remove_household_member"):
        hh, p = _household(w), pid()
        if name == "add_household_member":
            return Case(
                lambda a, key: app.add_household_member(
                    a, key, household_id=hh, person_id=p, relation="child"
                ),
                c,
                household=hh,
            )
        app.add_household_member(
            SYSTEM, k("m"), household_id=hh, person_id=p, relation="child", since="2024-01-01"
        )
        return Case(
            lambda a, key: app.remove_household_member(
                a, key, household_id=hh, person_id=p, until="2024-06-01", reason="迁出"
            ),
            c,
            household=hh,
        )
    if name == "record_archive_entry":
        # the documented example, filed in this world's village
        entry = {**USE_CASES[name].example(), "subject_id": v}
        del entry["idempotency_key"]
        return Case(
            lambda a, key: app.record_archive_entry(a, key, **entry), c, assigned=w["lizhu_member"]
        )
    return build_teams(name, w)


def _committee_case(name: str, w: dict[str, Any]) -> Case:
    """A post on the committee of a fresh village (its chair is free), or its ending."""
    app, (nv, _) = w["app"], _village(w)
    p = new_person(app, nv)
    if name == "elect_committee_member":
        return Case(
            lambda a, key: app.elect_committee_member(
                a, key, village_id=nv, person_id=p, post="chair"
            ),
            w["c"],
        )
    where = {"village_id": nv}
    return _post_ended(
        app.elect_committee_member, app.end_committee_post, where, p, "chair", w["c"]
    )


def _post_ended(
    take: Any, end: Any, where: dict[str, str], person: str, post: str, community: str
) -> Case:
    """A post ``person`` took on 2024-01-01 (the body named by ``where``), and the call
    ending it on 2024-06-01."""
    taken = take(SYSTEM, k("post"), person_id=person, post=post, since="2024-01-01", **where)
    ended = {"appointment_id": taken["appointment_id"], "until": "2024-06-01", **where}
    return Case(lambda a, key: end(a, key, **ended), community)


def build_teams(name: str, w: dict[str, Any]) -> Case:
    app, c, v = w["app"], w["c"], w["v"]
    if name == "form_team":
        nc = app.establish_community(SYSTEM, k("c"), name=fresh("社"), name_en="Y")["community_id"]
        return Case(lambda a, key: app.form_team(a, key, community_id=nc), nc)
    if name == "add_team_member":
        p = new_person(app, v)
        return Case(
            lambda a, key: app.add_team_member(
                a, key, team_id=w["L"]["team_id"], person_id=p, group="welfare", duties="救助"
            ),
            c,
        )
    team_commands = {
        "appoint_team_leader": lambda t, p: {"team_id": t, "person_id": p},
        "remove_team_member": lambda t, p: {"team_id": t, "person_id": p, "until": "2030-01-01"},
        "change_team_member_phone": lambda t, p: {
            "team_id": t,
            "person_id": p,
            "phone": "13700000000",
        },
        "change_team_member_duties": lambda t, p: {
            "team_id": t,
            "person_id": p,
            "duties": "新职责",
        },
    }
    if name in team_commands:
        team, p = _team_person(w)
        kwargs = team_commands[name](team, p)
        return Case(lambda a, key: getattr(app, name)(a, key, **kwargs), c, assigned=p)
    if name == "assign_zone":
        pm = new_person(app, v, ["party_member"])
        return Case(
            lambda a, key: app.assign_zone(a, key, party_member_id=pm, community_id=c, name="区"), c
        )
    if name in ("link_household", "unlink_household"):
        pm, hh = _zone(w), _household(w)
        if name == "link_household":
            return Case(
                lambda a, key: app.link_household(a, key, party_member_id=pm, household_id=hh), c
            )
        app.link_household(
            SYSTEM, k("link"), party_member_id=pm, household_id=hh, since="2024-01-01"
        )
        return Case(
            lambda a, key: app.unlink_household(
                a, key, party_member_id=pm, household_id=hh, until="2030-01-01"
            ),
            c,
        )
    return build_query(name, w)


def build_query(name: str, w: dict[str, Any]) -> Case:
    app, c, member = w["app"], w["c"], w["lizhu_member"]
    queries: dict[str, Case] = {
        "communities": Case(lambda a, key: app.communities(a), None),
        "organisation_chart": Case(lambda a, key: app.organisation_chart(a, c), c, member),
        "team_roster": Case(lambda a, key: app.team_roster(a, c), c, member),
        "team_memberships": Case(lambda a, key: app.team_memberships(a, member), c, member),
        "villagers_committee": Case(lambda a, key: app.villagers_committee(a, w["v"]), c, member),
        "household": Case(lambda a, key: app.household(a, w["hh"]), c, member, w["hh"]),
        "household_history": Case(
            lambda a, key: app.household_history(a, w["hh"]), c, member, w["hh"]
        ),
        "person_history": Case(lambda a, key: app.person_history(a, w["hh_head"]), c, member),
        "archive": Case(lambda a, key: app.archive(a, "village", w["v"], "2030-01-01"), c, member),
        "members_below_minimum": Case(lambda a, key: app.members_below_minimum(a, c), c),
        "personal_data_reads": Case(lambda a, key: app.personal_data_reads(a, w["hh"]), None),
    }
    return queries[name]


def inside(role: str, case: Case, w: dict[str, Any]) -> Actor:
    return Actor(
        person_id=case.assigned or w["lizhu_member"],
        role=role,
        community_id=case.community or w["c"] if role == "community_staff" else None,
        household_id=case.household or w["hh"] if role == "resident" else None,
    )


def outside(role: str, w: dict[str, Any]) -> Actor:
    return Actor(
        person_id=w["other_member"],
        role=role,
        community_id=w["T"]["community_id"] if role == "community_staff" else None,
        household_id=w["other_hh"] if role == "resident" else None,
    )


POLICY = USE_CASES.policy
CASES = [(entrypoint, role) for entrypoint in POLICY.rules for role in ROLES]


@pytest.mark.parametrize("entrypoint,role", CASES)
def test_role_against_entrypoint(world: dict[str, Any], entrypoint: str, role: str) -> None:
    app = world["app"]
    scope = POLICY.rules[entrypoint].roles.get(role)
    case = build(entrypoint, world)
    key = f"policy:{entrypoint}:{role}:{next(counter)}"
    before = app.recorder.max_notification_id()
    if scope is None:
        with pytest.raises(Forbidden):
            case.call(inside(role, case, world), key)
        assert app.recorder.max_notification_id() == before
        return
    if scope != "all":
        with pytest.raises(Forbidden) as info:
            case.call(outside(role, world), key + ":out")
        assert info.value.code == "out_of_scope"
        assert app.recorder.max_notification_id() == before
    try:
        result = case.call(inside(role, case, world), key)
    except Conflict:
        assert case.conflict_ok
    else:
        assert result is not None and not case.conflict_ok


def test_every_entrypoint_is_a_use_case_that_takes_a_key_unless_it_reads() -> None:
    for entrypoint, rule in POLICY.rules.items():
        case = USE_CASES[entrypoint]
        params = list(inspect.signature(case.handler).parameters)
        assert params == ["cmd", "actor", "app"], entrypoint
        fields = list(case.command.model_fields)
        assert (fields[:1] == ["idempotency_key"]) != rule.reads, entrypoint
        assert issubclass(case.command, Keyed) != rule.reads, entrypoint
