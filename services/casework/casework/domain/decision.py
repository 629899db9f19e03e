"""A village decision (村级重大事项) under 四议两公开: six steps in order, none skipped (RULES §1).

1 党支部会议提议, 2 村两委会议商议, 3 党员大会审议, 4 村民会议或村民代表会议决议,
5 决议公开, 6 实施结果公开. Where the branch secretary is also the village head (一肩挑), steps 1
and 2 may be one meeting [local]. A record must be complete, its numbers must add up, and a
resolution that misses a threshold is refused, naming it.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import LOCAL

from casework.domain.common import ActorDict, Procedure, not_before, violation
from casework.domain.thresholds import BODIES, MATTERS, LocalRules, missed

STEPS = {
    1: "党支部会议提议",
    2: "村两委会议商议",
    3: "党员大会审议",
    4: "村民会议或村民代表会议决议",
    5: "决议公开",
    6: "实施结果公开",
}
STEP_BODIES = {
    1: ("branch_meeting",),
    2: ("committees_meeting",),
    3: ("party_assembly",),
    4: ("villagers_assembly", "representatives_meeting"),
}
RECORD_TEXT = (
    "date",
    "place",
    "chair",
    "minute_taker",
    "agenda",
    "summary",
    "vote_method",
    "result",
)
RECORD_COUNTS = ("expected", "present", "yes", "no", "abstain")
# absentees [{name, reason}], signatures [one per person present], notice_on (date; required
# for the assemblies that need notice), households_* (a villagers' assembly's quorum by
# households, optional counts)
RECORD_MORE = ("absentees", "signatures", "notice_on", "households_expected", "households_present")
RESULTS = {"adopted": "通过", "rejected": "未通过"}


def check_record(r: dict[str, Any], body: str) -> None:
    """Every field a meeting record holds, and numbers that add up (RULES §1, local).

    A villagers' assembly counts attendance by sign-in, not by named absentees."""
    for f in RECORD_TEXT:
        if not isinstance(r.get(f), str) or not r[f].strip():
            raise violation(
                "decision.record_incomplete",
                f"会议记录缺少{f}",
                f"the meeting record lacks {f}",
                f"record.{f}",
            )
    for f in RECORD_COUNTS:
        if isinstance(r.get(f), bool) or not isinstance(r.get(f), int) or r[f] < 0:
            raise violation(
                "decision.record_incomplete",
                f"会议记录的{f}须为非负整数",
                f"record.{f} must be a non-negative integer",
                f"record.{f}",
            )
    for f in ("households_expected", "households_present"):
        if f in r and (isinstance(r[f], bool) or not isinstance(r[f], int) or r[f] < 0):
            raise violation(
                "decision.record_incomplete",
                f"会议记录的{f}须为非负整数",
                f"record.{f} must be a non-negative integer",
                f"record.{f}",
            )
    if r["result"] not in RESULTS:
        raise violation(
            "decision.record_incomplete",
            "表决结果须为通过或未通过",
            "result is adopted or rejected",
            "record.result",
        )
    if r["present"] > r["expected"]:
        raise violation(
            "decision.counts",
            "到会人数多于应到人数",
            "more present than expected",
            "record.present",
        )
    if r["yes"] + r["no"] + r["abstain"] > r["present"]:
        raise violation(
            "decision.counts",
            "赞成、反对、弃权票数之和超过到会人数",
            "yes + no + abstain exceed those present",
            "record.yes",
        )
    absentees = r.get("absentees")
    named = body != "villagers_assembly"
    if (
        not isinstance(absentees, list)
        or (named and len(absentees) != r["expected"] - r["present"])
        or any(not (isinstance(a, dict) and a.get("name") and a.get("reason")) for a in absentees)
    ):
        raise violation(
            "decision.counts",
            "缺席人员（姓名及原因）须与应到、实到人数相符",
            "absentees, each with name and reason, must number expected - present",
            "record.absentees",
        )
    signatures = r.get("signatures")
    if not isinstance(signatures, list) or len(signatures) != r["present"]:
        raise violation(
            "decision.record_incomplete",
            "到会人员须逐一签字确认",
            "every attendee signs (one confirmation per person present)",
            "record.signatures",
        )


class VillageDecision(Procedure):
    id: UUID
    kind = "decision"

    @event("Opened")
    def __init__(
        self,
        case_id: str,
        community_id: str,
        village_id: str,
        title: str,
        matter_type: str,
        one_shoulder: bool,
        actor: ActorDict,
        opened_on: str | None = None,
    ) -> None:
        self.case_id, self.community_id, self.village_id = case_id, community_id, village_id
        # the day the procedure began (None in events stored before it was recorded: then
        # the day it was opened in the system)
        self.opened_on = opened_on
        self.ended_on: str | None = None
        self.resolution_on: str | None = None  # step 5's day
        self.title, self.matter_type, self.one_shoulder = title, matter_type, one_shoulder
        self.done: list[int] = []
        self.state = "open"
        self.meetings: dict[int, dict[str, Any]] = {}

    @property
    def next_step(self) -> int:
        return (max(self.done) + 1) if self.done else 1

    def _step(self, step: int) -> None:
        if self.state != "open":
            raise violation(
                "decision.closed", "该事项已结束", "the decision is no longer open", "decision_id"
            )
        if step != self.next_step:
            raise violation(
                "decision.step_order",
                f"四议两公开须按顺序进行：下一步是第{self.next_step}步（{STEPS[self.next_step]}）",
                f"the steps go in order: next is step {self.next_step}",
                "step",
                expected=self.next_step,
            )

    def record_meeting(
        self,
        step: int,
        body: str,
        record: dict[str, Any],
        merge_next: bool,
        local: LocalRules,
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        """Record the meeting of steps 1-4; refuses a resolution that misses a threshold."""
        self._step(step)
        if step not in STEP_BODIES or body not in STEP_BODIES[step]:
            raise violation(
                "decision.body",
                f"第{step}步须由{'或'.join(BODIES[b] for b in STEP_BODIES.get(step, ()))}进行",
                f"step {step} is taken by {', '.join(STEP_BODIES.get(step, ()))}",
                "body",
            )
        if merge_next and not (step == 1 and self.one_shoulder):
            raise violation(
                "decision.merge_not_allowed",
                "只有书记、主任“一肩挑”时，第1、2步可合并",
                "steps 1 and 2 merge only where one person is secretary and head",
                "merge_next",
            )
        check_record(record, body)
        self._check_dates(record, body, local)
        misses = missed(body, self.matter_type if step == 4 else "general", record, local)
        if record["result"] == "adopted" and misses:
            first = misses[0]
            raise violation(
                f"decision.threshold.{first.code}",
                f"决议未达法定或本地规定的门槛：{first.zh}",
                f"the resolution misses a threshold: {first.en}",
                "record",
                missed=[m.to_dict() for m in misses],
            )
        self._meeting_recorded(
            step, body, dict(record), merge_next, [m.code for m in misses], actor, recorded_at
        )

    @property
    def began_on(self) -> str:
        return self.opened_on or self.created_on.astimezone(LOCAL).date().isoformat()

    def _check_dates(self, record: dict[str, Any], body: str, local: LocalRules) -> None:
        """A meeting falls within the procedure's life, after the meeting of the step before;
        an assembly that needs notice says when the notice went out, before the meeting."""
        held = record["date"]
        not_before(
            held, self.began_on, "record.date", "本事项启动之日", "the day the procedure began"
        )
        earlier = [m["record"]["date"] for m in self.meetings.values()]
        not_before(
            held,
            max(earlier, default=None),
            "record.date",
            "上一步会议召开之日",
            "the meeting of the step before",
        )
        needs_notice = body == "villagers_assembly" or (
            body == "party_assembly" and local.party_assembly_notice_days > 0
        )
        notice = record.get("notice_on")
        if needs_notice and not notice:
            raise violation(
                "decision.record_incomplete",
                f"{BODIES[body]}的会议记录须载明通知（送达）日期 record.notice_on",
                f"a {body} record needs record.notice_on, the day notice was given",
                "record.notice_on",
            )
        if notice and notice > held:
            raise violation(
                "decision.notice_after_meeting",
                "record.notice_on（通知日期）不能晚于 record.date（会议日期）",
                "record.notice_on may not be after record.date",
                "record.notice_on",
            )

    @event("MeetingRecorded")
    def _meeting_recorded(
        self,
        step: int,
        body: str,
        record: dict[str, Any],
        merged_next: bool,
        missed: list[str],
        actor: ActorDict,
        recorded_at: str | None = None,
    ) -> None:
        self.meetings[step] = {"body": body, "record": record, "recorded_at": recorded_at}
        self.done.append(step)
        if merged_next:
            self.done.append(2)
        if record["result"] == "rejected":
            self.state, self.ended_on = "rejected", record["date"]

    def publish(
        self, step: int, on: str, text: str, actor: ActorDict, recorded_at: str | None = None
    ) -> None:
        """Publish the resolution (step 5) or the result of carrying it out (step 6) on
        ``on``: not before the resolving meeting, nor the result before the resolution."""
        self._step(step)
        if step not in (5, 6):
            raise violation(
                "decision.step_order", "第5、6步为公开", "steps 5 and 6 publish", "step"
            )
        if step == 5:
            not_before(
                on,
                max(m["record"]["date"] for m in self.meetings.values()),
                "published_on",
                "决议会议召开之日",
                "the meeting that resolved it",
            )
        else:
            not_before(
                on,
                self.resolution_on,
                "published_on",
                "决议公开之日",
                "the day the resolution was published",
            )
        if not text:
            raise violation(
                "decision.publication_text",
                "公开内容不能为空",
                "a publication needs its text",
                "text",
            )
        ctx = {
            "case_id": self.case_id,
            "community_id": self.community_id,
            "village_id": self.village_id,
            "title": self.title,
            "matter_type": self.matter_type,
        }
        published = self.ResolutionPublished if step == 5 else self.ResultPublished
        self.trigger_event(
            published, on=on, text=text, ctx=ctx, actor=actor, recorded_at=recorded_at
        )

    class Published(Aggregate.Event):
        """What both publications record (steps 5 and 6, two events): the day, the text, where
        the decision belongs, who, and when it was typed in (None in events stored before)."""

        on: str
        text: str
        ctx: dict[str, Any]
        actor: ActorDict
        recorded_at: str | None = field(default=None, kw_only=True)

    class ResolutionPublished(Published):
        def apply(self, aggregate: Any) -> None:
            aggregate.done.append(5)
            aggregate.resolution_text, aggregate.resolution_on = self.text, self.on

    class ResultPublished(Published):
        def apply(self, aggregate: Any) -> None:
            aggregate.done.append(6)
            aggregate.state, aggregate.ended_on = "completed", self.on

    def conclusion(self) -> tuple[str, list[str]] | None:
        """(the day it ended, its outcome as a case's evidence), once it has ended."""
        if self.state == "open" or self.ended_on is None:
            return None
        what = (
            "实施结果已公开"
            if self.state == "completed"
            else f"第{max(self.done)}步{STEPS[max(self.done)]}表决未通过"
        )
        return self.ended_on, [f"四议两公开：{what}（{self.ended_on}）"]


__all__ = ["MATTERS", "STEPS", "VillageDecision"]
