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


class Missing(Reactions):
    """Reads registry.team.member_left but has no reaction to it."""

    upstream = "registry"
    interests = READS

    def on_person_registered(self, d: Data, unit: Any, msg: Received) -> Changed:
        return []


class Stray(Seen):
    """Reacts to registry.team.formed, which it does not read."""

    def on_team_formed(self, d: Data, unit: Any, msg: Received) -> Changed:
        return []


class Elsewhere(Seen):
    """Reads registry's contracts but says its upstream is casework."""

    upstream = "casework"


@pytest.mark.parametrize(
    ("reactions", "refusal"),
    [
        pytest.param(
            Missing,
            "registry.team.member_left but has no on_team_member_left",
            id="a contract read without its reaction",
        ),
        pytest.param(Stray, "on_team_formed", id="a reaction to a contract not read"),
        pytest.param(Elsewhere, "not from casework", id="interests of another upstream"),
    ],
)
def test_reactions_that_do_not_match_their_interests_are_refused_when_built(
    reactions: type[Reactions], refusal: str
) -> None:
    with pytest.raises(TypeError, match=refusal):
        reactions(app=None)


def test_the_inbox_spec_comes_from_the_reactions_class() -> None:
    spec = InboxSpec.of(Seen)
    assert (spec.upstream, spec.handler, spec.interests) == ("registry", Seen, READS)
