"""The typed fields several registry commands take, each declared once (``shequ.commands``
types): the same field refuses the same values under the same Chinese title wherever it is
asked for."""

from __future__ import annotations

from typing import Annotated

from shequ.commands import Note, Text

# why a post, a membership or a link ended (届满, 调动, 迁出 …), if said
EndReason = Annotated[str, Note(200, "原因")]
# a service-team member's duties, as contact cards print them
Duties = Annotated[str, Text(500, "职责")]
