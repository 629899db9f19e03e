"""What each command parameter accepts beyond its Python type: the keys a choice allows, the
fields an object holds, and ids that are not UUIDs. The README's parameter lines and its
"Parameter shapes" are checked against these and the commands' signatures
(``tests/support/readme.py``), so what a newcomer reads is what the code accepts."""

from __future__ import annotations

from casework.domain.decision import RECORD_COUNTS, RECORD_MORE, RECORD_TEXT, RESULTS
from casework.domain.mediation import AGREEMENT_FIELDS, INITIATIVES, ROUTES
from casework.domain.thresholds import BODIES, MATTERS
from casework.domain.vocabulary import (
    CASE_TYPES,
    CATEGORIES,
    CHANNELS,
    GROUPS,
    OUTCOMES,
    REFUSALS,
    REPLY_FIELDS,
    REVIEW_LEVELS,
)
from casework.petitions import Petition

# parameter -> the keys it allows (a list parameter: each item's)
CHOICES: dict[str, list[str]] = {
    "case_type": list(CASE_TYPES),
    "category": list(CATEGORIES),
    "channel": list(CHANNELS),
    "reason_code": list(REFUSALS),
    "work_group": list(GROUPS),
    "outcome": list(OUTCOMES),
    "level": list(REVIEW_LEVELS),
    "initiative": list(INITIATIVES),
    "matter_type": list(MATTERS),
    "body": list(BODIES),
    "routes_told": list(ROUTES),
}

# object parameter -> its fields (the README's "Parameter shapes" section lists each)
SHAPES: dict[str, list[str]] = {
    "petition": list(Petition.model_fields),
    "record": [*RECORD_TEXT, *RECORD_COUNTS, *RECORD_MORE],
    "parties": ["party_id", "name"],
    "agreement": list(AGREEMENT_FIELDS),
    "reply": list(REPLY_FIELDS),
}

# ids that name a party of a dispute (or the mediator's person id), or an actor's person id
# (``personal_data_reads``'s reader), free text, not UUIDs
TEXT_IDS = frozenset({"party_id", "signer_id", "applicant_id", "chosen_by", "reader_id"})

RECORD_RESULTS = list(RESULTS)
