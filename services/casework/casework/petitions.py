"""Petitions (信访, 信访工作条例): the particulars a petition is received with, the written reply
it is answered with, the same facts refused after re-review, and the petitioner's review (复查)
and re-review (复核). A petition is opened with ``open_case`` (``casework.cases``)."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from shequ.commands import Choice, Command, Count, Day, Note, Text
from shequ.validation import require_text
from sqlalchemy import select
from sqlalchemy.engine import Connection

from casework import tables as t
from casework.base import CaseworkBase
from casework.changes import CaseCommand, case_example, changes_case
from casework.domain import Case
from casework.domain.common import Fact, violation
from casework.domain.vocabulary import OUTCOMES, PETITION_FORMS, REVIEW_LEVELS

CASE = "5b2d7c1e-0000-5000-8000-000000000001"


class Petition(Command):
    """A petition's particulars (信访工作条例 Arts. 28-29): written ones carry name, address,
    request, facts and reasons; oral ones are recorded with the same; a group sends at most
    5 representatives."""

    form: Annotated[str, Choice(PETITION_FORMS, "信访形式")]
    petitioner_name: Annotated[str, Text(50, "信访人姓名")]
    address: Annotated[str, Note(200, "信访人住址")] = ""
    request: Annotated[str, Text(2000, "信访请求")]
    facts: Annotated[str, Text(4000, "事实和理由")]
    representatives: Annotated[int, Count(1, 10000, "代表人数")] = 1


class Reply(Command):
    """A petition's written reply (处理意见书): request, facts, decision and basis."""

    request: Annotated[str, Note(4000, "request")] = ""
    facts: Annotated[str, Note(4000, "facts")] = ""
    decision: Annotated[str, Note(4000, "decision")] = ""
    basis: Annotated[str, Note(4000, "basis")] = ""


def facts_key(facts: str) -> str:
    """The same facts, however spaced or punctuated, give the same key."""
    normal = re.sub(r"[\s\W_]+", "", facts.lower())
    return hashlib.sha256(normal.encode()).hexdigest()


def petition_record(petition: Petition, max_representatives: int) -> dict[str, Any]:
    """The petition as a case records it; a written one names the petitioner's address, a group
    visit sends at most ``max_representatives``."""
    if petition.form == "written":
        require_text(petition.address, "petition.address", "信访人住址", 200)
    if petition.representatives > max_representatives:
        raise violation(
            "petition.representatives",
            f"多人采用走访形式提出同一信访事项的，推选代表不超过{max_representatives}人",
            f"a group sends at most {max_representatives} representatives",
            "petition.representatives",
        )
    return petition.model_dump()


def refuse_same_facts(c: Connection, key: str, petitioner: str) -> None:
    """After re-review, the same facts and reasons are not accepted again (Art. 35)."""
    cs = t.cases
    done = c.execute(
        select(cs.c.id).where(
            cs.c.case_type == "petition",
            cs.c.facts_key == key,
            cs.c.petitioner == petitioner,
            cs.c.final.is_(True),
        )
    ).scalar()
    if done:
        raise violation(
            "petition.same_facts_after_re_review",
            "同一信访事项已经复核终结，以同一事实和理由提出的不再受理",
            "the same facts were already decided on re-review",
            "petition.facts",
            earlier_case_id=str(done),
        )


class RequestReview(CaseCommand):
    """The petitioner asks for review (复查) or re-review (复核)."""

    title = "申请复查或复核"
    example = case_example("review", CASE, level="review", reason="补偿标准有误")
    level: Annotated[str, Choice(REVIEW_LEVELS, "复查或复核")]
    reason: Annotated[str, Text(2000, "理由")]
    requested_on: Day | None = None


@changes_case("requested_on")
def request_review(app: CaseworkBase, cmd: RequestReview, case: Case, f: Fact) -> None:
    """The petitioner asks for review (复查) or re-review (复核), within 30 days of the
    answer; ``requested_on`` is the day they asked (in person, by letter; default
    today): the window is checked and the 30 days to answer count from it."""
    due = app.settings.petition_review_answer.due(app.calendar, f.on)
    case.request_review(f, cmd.level, cmd.reason, due)


class AnswerReview(CaseCommand):
    """Answer a review or re-review in writing."""

    title = "答复复查或复核"
    example = case_example(
        "review-answer",
        CASE,
        outcome="not_supported",
        decision="维持原处理意见",
        basis="《土地管理法》第48条",
    )
    outcome: Annotated[str, Choice(OUTCOMES, "处理结论")]
    decision: Annotated[str, Text(4000, "处理决定")]
    basis: Annotated[str, Text(4000, "依据")]
    answered_on: Day | None = None


@changes_case("answered_on")
def answer_review(app: CaseworkBase, cmd: AnswerReview, case: Case, f: Fact) -> None:
    """Answer a review or re-review in writing; a re-review answer is final.
    ``answered_on`` is the day the petitioner received it (default today): the window
    for a re-review counts from it."""
    window = app.settings.petition_review_window.due(app.calendar, f.on)
    case.answer_review(f, cmd.outcome, cmd.decision, cmd.basis, window)
