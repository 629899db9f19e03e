"""The typed fields several casework commands take, each declared once (``shequ.commands``
types): the same field refuses the same values under the same Chinese title wherever it is
asked for."""

from __future__ import annotations

from typing import Annotated

from shequ.commands import Note, Text

# a party to a dispute, as its mediation names them (``p1``)
PartyId = Annotated[str, Text(50, "当事人")]
# why, when the command must say it: a reopening, a failed mediation, a referral
Reason = Annotated[str, Text(1000, "原因")]
# why, when the command may say it: a party refusing or ending mediation, a mediator rejected
OptionalReason = Annotated[str, Note(500, "原因")]
