"""One shape for every inbox handler (issue 11, item 4): a ``Reactions`` class per upstream, a
method per contract read, refused when built if the two disagree."""

from __future__ import annotations

from typing import Any

import pytest
from shequ.contracts import interests
from shequ.reactions import Changed, Data, Reactions, Received
from shequ.runtime import InboxSpec

READS = interests(
    "registry",
    "tester",
    {"person.registered": {"person_id": "string"}, "team.member_left": {"team_id": "string"}},
)


class Seen(Reactions):
    upstream = "registry"
    interests = READS

    def on_person_registered(self, d: Data, unit: Any, msg: Received) -> Changed:
        return [("person", d["person_id"], unit, msg)]

    def on_team_member_left(self, d: Data, unit: Any, msg: Received) -> Changed:
        return [("left", d["team_id"], msg.actor["person_id"])]


def envelope(contract: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"contract": contract, "service": "registry", "position": 7, "data": data, **extra}


def test_each_contract_read_goes_to_its_method_with_what_the_envelope_says() -> None:
    reactions, unit = Seen(app="the app"), object()
    [(kind, person, got_unit, msg)] = reactions(
        envelope(
            "registry.person.registered",
            {"person_id": "p-1"},
            actor={"person_id": "s-1", "role": "district_staff"},
            occurred_at="2026-03-02T01:00:00+00:00",
        ),
        unit,  # type: ignore[arg-type]
    )
    assert (kind, person, got_unit) == ("person", "p-1", unit)
    assert msg == Received(
        "registry.person.registered",
        "registry",
        7,
        {"person_id": "s-1", "role": "district_staff"},
        "2026-03-02T01:00:00+00:00",
    )
    assert msg.source == "registry:7"
    assert reactions.app == "the app"
    # no actor on the envelope: the system's
    assert reactions(envelope("registry.team.member_left", {"team_id": "t-1"}), unit) == [  # type: ignore[arg-type]
        ("left", "t-1", "system")
    ]
    # a contract not read is ignored
    assert reactions(envelope("registry.zone.assigned", {}), unit) == []  # type: ignore[arg-type]


def test_a_contract_read_without_its_reaction_is_refused_when_built() -> None:
    class Missing(Reactions):
        upstream = "registry"
        interests = READS

        def on_person_registered(self, d: Data, unit: Any, msg: Received) -> Changed:
            return []

    with pytest.raises(TypeError, match="registry.team.member_left but has no on_team_member_left"):
        Missing(app=None)


def test_a_reaction_to_a_contract_not_read_is_refused_when_built() -> None:
    class Stray(Seen):
        def on_team_formed(self, d: Data, unit: Any, msg: Received) -> Changed:
            return []

    with pytest.raises(TypeError, match="on_team_formed"):
        Stray(app=None)


def test_interests_of_another_upstream_are_refused() -> None:
    class Elsewhere(Seen):
        upstream = "casework"

    with pytest.raises(TypeError, match="not from casework"):
        Elsewhere(app=None)


def test_the_inbox_spec_comes_from_the_reactions_class() -> None:
    spec = InboxSpec.of(Seen)
    assert (spec.upstream, spec.handler, spec.interests) == ("registry", Seen, READS)
