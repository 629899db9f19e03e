"""The assessment domain: pure (standard library, eventsourcing.domain, shequ.errors)."""

from assessment.domain.fact import Fact
from assessment.domain.period import Period
from assessment.domain.person import Person
from assessment.domain.pledge import PledgeBook
from assessment.domain.reward import Exemplar, Reward
from assessment.domain.scheme import Scheme
from assessment.domain.subject import Subject

AGGREGATES = (Scheme, Period, Fact, Subject, PledgeBook, Reward, Exemplar, Person)

__all__ = [
    "AGGREGATES",
    "Exemplar",
    "Fact",
    "Period",
    "Person",
    "PledgeBook",
    "Reward",
    "Scheme",
    "Subject",
]
