"""Use cases of a village decision (四议两公开, RULES §1) on a village-decision case: start the
procedure, record the meetings of steps 1-4, publish the resolution (step 5) and the result of
carrying it out (step 6).

A decision belongs to its case and is authorised as the case is; when it ends, its case moves
on in the same save (``CaseworkBase.change_procedure``). Thresholds, quorums and the contents
of a meeting record are ``casework.domain.decision``'s rules."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict
from shequ.actor import Actor
from shequ.commands import Choice, Command, Count, Day, Flag, Text
from shequ.handlers import create

from casework.base import CaseworkBase
from casework.changes import CaseCommand, case_example, changes_decision
from casework.domain import VillageDecision
from casework.domain.common import Fact
from casework.domain.decision import MATTERS
from casework.domain.thresholds import BODIES

CASE = "5b2d7c1e-0000-5000-8000-000000000004"


class StartDecision(CaseCommand):
    """Open the 四议两公开 procedure."""

    title = "启动四议两公开"
    example = case_example("decision", CASE, matter_type="collective_property")
    matter_type: Annotated[str, Choice(MATTERS, "事项类别")]
    one_shoulder: Flag = False
    started_on: Day | None = None


def start_decision(cmd: StartDecision, actor: Actor, app: CaseworkBase) -> dict[str, Any]:
    """Open the 四议两公开 procedure for a village-decision case; ``started_on`` is the
    day it began (default today): every meeting falls on or after it."""
    day = app.fact_date(cmd.started_on, "started_on")

    def load(case_id: str) -> VillageDecision:
        case = app.case_to_start(case_id, VillageDecision, day)
        return create(
            VillageDecision,
            VillageDecision.create_id(case_id),
            cmd,
            actor,  # the matter type and one_shoulder as the command gives them
            case_id=case_id,
            community_id=case.community_id,
            village_id=case.village_id,
            title=case.title,
            opened_on=day,
        )

    return app.change_procedure("start_decision", cmd, actor, load, lambda d: None)


class MeetingRecord(Command):
    """A meeting's record: the day it was held and the day notice was given are checked
    here; attendance, votes, signatures and the rest by the decision's rules (their fields
    are the domain's ``RECORD_TEXT``, ``RECORD_COUNTS`` and ``RECORD_MORE``)."""

    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True)
    date: Day
    notice_on: Day | None = None

    def facts(self) -> dict[str, Any]:
        """The record as given (a field left out stays out), dates as ISO text."""
        return self.model_dump(exclude_unset=True)


RECORD = {
    "date": "2026-03-20",
    "place": "村委会",
    "chair": "王书记",
    "minute_taker": "李会计",
    "expected": 5,
    "present": 4,
    "absentees": [{"name": "赵示例", "reason": "外出"}],
    "agenda": "机动地发包",
    "summary": "提议发包",
    "vote_method": "举手表决",
    "yes": 4,
    "no": 0,
    "abstain": 0,
    "result": "adopted",
    "signatures": ["王", "李", "张", "刘"],
}


class RecordDecisionMeeting(CaseCommand):
    """Record the meeting of step 1-4."""

    title = "记录四议会议"
    example = case_example("meeting", CASE, step=1, body="branch_meeting", record=RECORD)
    step: Annotated[int, Count(1, 6, "步骤")]
    body: Annotated[str, Choice(BODIES, "会议类型")]
    record: MeetingRecord
    merge_next: Flag = False

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "record": self.record.facts()}


def record_decision_meeting(
    cmd: RecordDecisionMeeting, actor: Actor, app: CaseworkBase
) -> dict[str, Any]:
    """Record the meeting of step 1-4 (attendance, votes, signatures); a resolution that
    misses its threshold is refused, naming the threshold."""
    record = cmd.record.facts()
    app.fact_date(record["date"], "record.date")  # held: not in the future
    return app.change_procedure(
        "record_decision_meeting",
        cmd,
        actor,
        app.decision,
        lambda d: d.record_meeting(
            cmd.step,
            cmd.body,
            record,
            cmd.merge_next,
            app.settings.local_rules,
            actor.to_dict(),
            app.recorded_at(),
        ),
    )


class PublishDecision(CaseCommand):
    """Publish the resolution (step 5) or the result (step 6)."""

    title = "公开决议或实施结果"
    example = case_example("publish", CASE, step=5, text="机动地发包方案公示")
    step: Annotated[int, Count(5, 6, "步骤")]
    text: Annotated[str, Text(8000, "公开内容")]
    published_on: Day | None = None


@changes_decision("published_on")
def publish_decision(app: CaseworkBase, cmd: PublishDecision, d: VillageDecision, f: Fact) -> None:
    """Publish the resolution (step 5) or the result of carrying it out (step 6), on
    ``published_on`` (default today; the result's day resolves the case)."""
    d.publish(cmd.step, f.on, cmd.text, f.actor, f.at)
