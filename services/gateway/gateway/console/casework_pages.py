"""Casework in the console: what waits for staff (home panel), one case (facts, timeline,
materials, mediation and decision steps, the actions the caller's role may take in its
state), a household's own cases, and filing a case (also from the contact card's QR code,
``/file-case?household=…``, which outreach prints; ``SHEQU_OUTREACH_CASE_URL``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from shequ.domainkit import TEAM_GROUPS
from shequ.errors import Forbidden, NotFound, ShequError

from gateway.console.forms import Action, Field, command_fields, new_key
from gateway.console.home import home_panel
from gateway.console.web import STAFF, View, page, see_other, serves
from gateway.errors import status_of

CASE = page("case", "/cases/{case_id}", ("案件", "Case"), (*STAFF, "auditor", "resident"), False)
MY_CASES = page("my_cases", "/my/cases", ("我家的案件", "My household's cases"), ("resident",))
MEDIATION_FILE = page(
    "mediation_file",
    "/cases/{case_id}/mediation-file",
    ("人民调解卷宗", "Mediation file"),
    (*STAFF, "auditor"),
    nav=False,
)
FILE_CASE = page("file_case", "/file-case", ("反映问题", "File a case"), (*STAFF, "resident"))

router = APIRouter(include_in_schema=False)

STATES_EN = {
    "received": "received",
    "accepted": "accepted",
    "refused": "refused",
    "assigned": "assigned",
    "in_progress": "in progress",
    "resolved": "resolved",
    "answered": "answered",
    "rated": "rated",
    "confirmed": "confirmed",
    "reopened": "reopened",
    "in_review": "in review",
    "closed": "closed",
    "merged": "merged",
}
CASE_TYPES = {
    "demand": ("诉求", "demand"),
    "suggestion": ("意见建议", "opinion or suggestion"),
    "dispute": ("矛盾纠纷", "dispute"),
}
STAFF_CHANNELS = (
    ("walk_in", ("便民服务中心来访", "walk-in")),
    ("contact_card", ("联系卡来电", "contact-card call")),
    ("visit", ("走访", "visit")),
    ("suggestion_box", ("意见箱", "suggestion box")),
    ("party_contact", ("党员联系户", "party-member contact")),
)
# What the timeline's events are called (casework names them in English; others shown as
# they come).
EVENTS_ZH = {
    "Received": "登记",
    "Accepted": "受理",
    "Refused": "不予受理",
    "Assigned": "交办",
    "Reassigned": "改派",
    "CoHandlerAdded": "增加协办人",
    "Merged": "合并",
    "Absorbed": "并入重复案件",
    "Started": "开始办理",
    "Paused": "暂停计时",
    "Resumed": "恢复计时",
    "Extended": "延期",
    "Resolved": "办结",
    "Answered": "答复",
    "MaterialAdded": "添加材料",
    "Recused": "回避",
    "Rated": "评价",
    "Confirmed": "确认",
    "Reopened": "重新办理",
    "Closed": "关闭",
    "Chased": "催办",
    "Reprimanded": "通报",
    "ReviewRequested": "申请复查复核",
    "ReviewAnswered": "复查复核答复",
    "Opened": "启动",
    "SessionRecorded": "调解记录",
    "AgreementDrafted": "制作调解协议",
    "Signed": "签署调解协议",
    "AgreementEffective": "调解协议生效",
    "ConfirmationApplied": "申请司法确认",
    "Failed": "调解不成",
    "EndedByParty": "当事人终止调解",
    "PartyRefused": "当事人拒绝调解",
    "FollowedUp": "回访",
    "PartyConsented": "当事人同意调解",
    "MediatorChosen": "选定调解员",
    "MediatorRejected": "当事人要求调解员回避",
    "ReferredToPolice": "移送公安",
    "MeetingRecorded": "会议记录",
    "ResolutionPublished": "决议公开",
    "ResultPublished": "实施结果公开",
}
HANDLING = ("accepted", "assigned", "in_progress", "reopened")
OPEN = ("received", *HANDLING, "in_review")
ANY_STATE = tuple(STATES_EN)
# The English words of the commands' fields (and the Chinese where the model has no title),
# and the words of their allowed values: the rest of each form is the command's model.
LABELS: dict[str, tuple[str, str]] = {
    "owner_id": ("承办人编号（不填则按工作组分派）", "Owner (id; left blank: by work group)"),
    "accepted_on": ("受理日期", "Accepted on"),
    "reason_code": ("原因", "Reason"),
    "refused_on": ("不予受理日期", "Refused on"),
    "work_group": ("工作组", "Work group"),
    "assigned_on": ("交办日期", "Assigned on"),
    "evidence": ("办结依据（每行一条）", "Evidence (one item a line)"),
    "resolved_on": ("办结日期", "Resolved on"),
    "comment": ("意见", "Comment"),
    "rated_on": ("评价日期", "Rated on"),
    "reopened_on": ("日期", "Asked on"),
    "protected": ("举报材料（不向被反映人展示）", "Protected (never shown to the person reported)"),
    "days": ("延期天数", "Days of extension"),
    "reason": ("理由", "Reason"),
    "approved_by": ("批准人", "Approved by"),
    "approved_on": ("批准日期", "Approved on"),
    "into_case_id": ("并入的案件编号", "Case to merge into (id)"),
    "person_id": ("人员编号", "Person (id)"),
    "initiative": ("调解启动方式", "How it began"),
    "applicant_id": ("申请人（当事人编号）", "Applicant (party id)"),
    "started_on": ("启动日期", "Started on"),
    "party_id": ("当事人编号", "Party (id)"),
    "chosen_by": ("选定方", "Chosen by"),
    "place": ("地点", "Place"),
    "summary": ("调解记录", "Record of the session"),
    "held_on": ("调解日期", "Held on"),
    "signer_id": ("签名人编号", "Signer (id)"),
    "sealed_on": ("盖章日期", "Sealed on"),
    "court": ("人民法院", "Court"),
    "applied_on": ("申请日期", "Applied on"),
    "routes_told": ("已告知的途径", "Routes the parties were told of"),
    "failed_on": ("调解终结日期", "Ended on"),
    "ended_on": ("终止日期", "Ended on"),
    "notes": ("回访记录", "Notes of the visit"),
    "visited_on": ("回访日期", "Visited on"),
    "referred_on": ("移送日期", "Referred on"),
    "matter_type": ("事项类别", "Kind of matter"),
    "one_shoulder": ("书记、主任“一肩挑”", "Secretary is also village head"),
    "step": ("步骤", "Step"),
    "body": ("会议类型", "Meeting"),
    "merge_next": ("与下一步合并（一肩挑）", "Merge with the next step (one person holds both)"),
    "text": ("内容", "Text"),
    "published_on": ("公开日期", "Published on"),
    "level": ("复查或复核", "Review or re-review"),
    "requested_on": ("申请日期", "Asked on"),
    "outcome": ("处理结论", "Outcome"),
    "decision": ("处理决定", "Decision"),
    "basis": ("依据", "Basis"),
    "answered_on": ("答复日期", "Answered on"),
}
# The village meetings' bodies and the thresholds a record may miss (RULES §1; casework's
# thresholds name them by these codes in the MeetingRecorded event).
BODIES = {
    "branch_meeting": ("党支部会议", "branch meeting"),
    "committees_meeting": ("村两委会议", "two committees' meeting"),
    "party_assembly": ("党员大会", "party members' assembly"),
    "villagers_assembly": ("村民会议", "villagers' assembly"),
    "representatives_meeting": ("村民代表会议", "representatives' meeting"),
}
VALUE_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "body": BODIES,
    "work_group": dict(TEAM_GROUPS),
    "reason_code": {
        "out_of_scope": ("不属于受理范围", "not ours to handle"),
        "not_competent": ("不属于本机关职权范围", "not competent"),
        "same_facts": ("同一事实和理由已经复核终结", "the same facts were finally re-reviewed"),
        "other": ("其他原因", "other"),
    },
    "initiative": {
        "application": ("当事人申请", "a party applied"),
        "committee": ("调解委员会主动调解", "the committee's own initiative"),
    },
    "routes_told": {
        "arbitration": ("仲裁", "arbitration"),
        "administrative": ("行政途径", "administrative"),
        "litigation": ("诉讼", "litigation"),
    },
    "matter_type": {
        "general": ("一般事项", "general matter"),
        "collective_property": ("集体资产处置等集体财产事项", "collective property"),
    },
    "level": {"review": ("复查", "review"), "re_review": ("复核", "re-review")},
    "outcome": {
        "supported": ("予以支持", "supported"),
        "explained": ("解释说明", "explained"),
        "not_supported": ("不予支持", "not supported"),
    },
}
PARTIES = Field(
    "parties",
    ("当事人", "Parties"),
    "pairs",
    True,
    hint=("每行一人：编号 姓名（如 p1 张三）", "one a line: id name (p1 Zhang San)"),
    keys=("party_id", "name"),
)


# The inputs of the objects the models take whole (kind, required), by the field's name.
OBJECT_INPUTS: dict[str, tuple[tuple[str, str], str, bool]] = {
    "agreement.facts": (("纠纷事实", "Facts"), "textarea", True),
    "agreement.issues": (("争议事项", "Issues"), "textarea", True),
    "agreement.responsibilities": (("各方责任", "Responsibilities"), "textarea", True),
    "agreement.terms": (("协议内容", "What was agreed"), "textarea", True),
    "agreement.performance": (("履行方式、地点和期限", "How, where and by when"), "textarea", True),
    "reply.request": (("信访请求", "Request"), "textarea", False),
    "reply.facts": (("查明的事实", "Facts found"), "textarea", False),
    "reply.decision": (("处理意见", "Decision"), "textarea", False),
    "reply.basis": (("依据", "Basis"), "textarea", False),
    "record.date": (("开会日期", "Held on"), "date", True),
    "record.notice_on": (("通知日期", "Notice given on"), "date", False),
    "record.place": (("地点", "Place"), "text", True),
    "record.chair": (("主持人", "Chair"), "text", True),
    "record.minute_taker": (("记录人", "Minute-taker"), "text", True),
    "record.agenda": (("议题", "Agenda"), "text", True),
    "record.summary": (("会议内容", "Summary"), "textarea", True),
    "record.expected": (("应到人数", "Expected"), "int", True),
    "record.present": (("实到人数", "Present"), "int", True),
    "record.vote_method": (("表决方式", "How the vote was taken"), "text", True),
    "record.yes": (("赞成", "Yes"), "int", True),
    "record.no": (("反对", "No"), "int", True),
    "record.abstain": (("弃权", "Abstain"), "int", True),
}


def inputs(head: str) -> list[Field]:
    """The inputs of the object ``head`` from ``OBJECT_INPUTS``."""
    return [
        Field(name, label, kind, required)
        for name, (label, kind, required) in OBJECT_INPUTS.items()
        if name.startswith(f"{head}.")
    ]


AGREEMENT = tuple(inputs("agreement"))
"""The agreement's contents the law asks for (人民调解法 Art. 29; casework's
``AGREEMENT_FIELDS``)."""
RECORD = (
    *inputs("record"),
    Field(
        "record.absentees",
        ("缺席人员", "Absentees"),
        "pairs",
        hint=("每行一人：姓名 原因", "one a line: name reason"),
        keys=("name", "reason"),
    ),
    Field(
        "record.result",
        ("表决结果", "Result"),
        "select",
        True,
        (("adopted", ("通过", "adopted")), ("rejected", ("未通过", "rejected"))),
    ),
    Field(
        "record.signatures",
        ("到会人员签字", "Signatures of those present"),
        "lines",
        True,
        hint=("每行一人", "one a line"),
    ),
)
"""A meeting record's contents (RULES §1; casework's ``RECORD_TEXT``, ``RECORD_COUNTS``,
``RECORD_MORE``: the model takes them as an open object, so they are written out here)."""


def derived(name: str, title: tuple[str, str], states: tuple[str, ...], **more: Any) -> Action:
    """The casework command ``name`` as a form whose fields are its model's (``labels``:
    this form's own words for a field, ``nested``: the inputs standing for a field)."""
    nested = more.pop("nested", None)
    labels = {**LABELS, **more.pop("labels", {})}
    fields = command_fields("casework", name, labels, VALUE_NAMES, nested)
    return Action("casework", name, title, fields, states, **more)


def mediation_in(*states: str) -> Any:
    return lambda case: (case.get("mediation") or {}).get("state") in states


def next_step(case: Mapping[str, Any]) -> int | None:
    """The village decision's next step (None: not started, or over)."""
    decision = case.get("decision") or {}
    if decision.get("state") != "open":
        return None
    return max(decision.get("done") or [0]) + 1


LIVE = ("pending_consent", "in_mediation", "agreed")
# A mediation's steps whose forms are the commands' own fields, by the mediation's states
# they apply in.
MEDIATION_STEPS: tuple[tuple[str, tuple[str, str], tuple[str, ...]], ...] = (
    ("consent_to_mediation", ("当事人同意调解", "A party consents"), ("pending_consent",)),
    ("refuse_mediation", ("当事人拒绝调解", "A party refuses"), ("pending_consent",)),
    ("choose_mediator", ("选定调解员", "Choose the mediator"), LIVE),
    ("reject_mediator", ("当事人要求调解员回避", "A party rejects a mediator"), LIVE),
    ("record_mediation_session", ("记录调解", "Record a session"), ("in_mediation", "agreed")),
    ("sign_agreement", ("签署调解协议", "Sign the agreement"), ("agreed",)),
    ("seal_agreement", ("调解委员会盖章", "Seal the agreement"), ("agreed",)),
    ("apply_for_confirmation", ("申请司法确认", "Apply for court confirmation"), ("effective",)),
    ("fail_mediation", ("调解不成", "Mediation failed"), LIVE),
    ("end_mediation", ("当事人终止调解", "A party ends the mediation"), LIVE),
    ("refer_to_police", ("移送公安", "Refer to the police"), LIVE),
    ("follow_up_mediation", ("回访", "Follow-up visit"), ("effective", "failed", "ended")),
)
PROCEDURE_ACTIONS = (
    derived("extend_deadline", ("延期办理", "Extend the deadline"), HANDLING),
    derived("merge_cases", ("合并重复案件", "Merge into another case"), OPEN),
    derived("recuse", ("回避", "Step aside"), OPEN),
    # petitions: review and re-review (信访工作条例 Art. 35)
    derived(
        "request_review",
        ("申请复查或复核", "Ask for review"),
        ("answered", "rated", "confirmed", "closed"),
        when=lambda case: case.get("case_type") == "petition",
    ),
    derived("answer_review", ("答复复查或复核", "Answer the review"), ("in_review",)),
    # mediation (人民调解法)
    derived(
        "start_mediation",
        ("启动调解", "Open the mediation file"),
        OPEN,
        nested={"parties": (PARTIES,)},
        when=lambda case: case.get("case_type") == "dispute" and not case.get("mediation"),
    ),
    derived(
        "draft_agreement",
        ("制作调解协议书", "Write the agreement"),
        ANY_STATE,
        nested={"agreement": AGREEMENT},
        groups={"agreement": ("调解协议书", "Agreement")},
        when=mediation_in("in_mediation"),
    ),
    *(
        derived(name, title, ANY_STATE, when=mediation_in(*states))
        for name, title, states in MEDIATION_STEPS
    ),
    # village decisions: 四议两公开 (RULES §1)
    derived(
        "start_decision",
        ("启动四议两公开", "Start the village decision"),
        OPEN,
        when=lambda case: case.get("case_type") == "decision" and not case.get("decision"),
    ),
    derived(
        "record_decision_meeting",
        ("记录四议会议", "Record a meeting"),
        ANY_STATE,
        nested={"record": RECORD},
        groups={"record": ("会议记录", "Meeting record")},
        when=lambda case: (next_step(case) or 9) <= 4,
    ),
    derived(
        "publish_decision",
        ("公开决议或实施结果", "Publish"),
        ANY_STATE,
        labels={"text": ("公开内容", "Text published")},
        when=lambda case: next_step(case) in (5, 6),
    ),
)
RATING = Field(
    "rating",
    ("满意度", "Rating"),
    "radio",
    True,
    tuple((str(n), (f"{n} 分", f"{n}")) for n in (5, 4, 3, 2, 1)),
    hint=("5 分最满意，1 分最不满意", "5 is best, 1 worst"),
    integer=True,
)
REPLY = tuple(inputs("reply"))
"""A petition's written reply (信访工作条例 Art. 32: request, facts, decision, basis)."""
ACTIONS = (
    derived("accept_case", ("受理并交办", "Accept and route"), ("received",)),
    derived("refuse_case", ("不予受理", "Refuse"), ("received",)),
    derived("assign_case", ("改派", "Reassign"), HANDLING),
    derived(
        "start_case",
        ("开始办理", "Start handling"),
        ("assigned", "reopened"),
        labels={"started_on": ("开始办理日期", "Started on")},
    ),
    derived(
        "pause_case",
        ("暂停计时", "Pause the clock"),
        HANDLING,
        when=lambda case: not case.get("paused_since"),
    ),
    derived(
        "resume_case",
        ("恢复计时", "Resume the clock"),
        HANDLING,
        when=lambda case: bool(case.get("paused_since")),
    ),
    derived(
        "resolve_case",
        ("办结", "Resolve"),
        ("in_progress",),
        nested={"reply": REPLY},
        groups={"reply": ("信访事项书面答复（信访案件）", "Written reply (petitions)")},
    ),
    derived(
        "answer_case",
        ("答复居民", "Answer the resident"),
        ("resolved",),
        labels={"text": ("答复内容", "Answer")},
    ),
    derived("rate_case", ("评价", "Rate"), ("answered",), nested={"rating": (RATING,)}),
    derived("confirm_case", ("确认办结", "Confirm"), ("answered", "rated")),
    derived("reopen_case", ("要求重新办理", "Ask to reopen"), ("answered", "rated")),
    derived("close_case", ("结案", "Close"), ("answered", "rated", "confirmed")),
    derived(
        "add_material",
        ("添加材料", "Add material"),
        (*OPEN, "resolved", "answered", "rated"),
        labels={"title": ("标题", "Title"), "content": ("内容", "Content")},
    ),
    *PROCEDURE_ACTIONS,
)
BY_NAME = {a.name: a for a in ACTIONS}


def state_text(view: View, row: dict[str, Any]) -> str:
    return view.texts.tr(row.get("state_zh") or row["state"], STATES_EN.get(row["state"], ""))


def group_text(view: View, key: str | None) -> str:
    if not key:
        return ""
    zh, en = TEAM_GROUPS.get(key, (key, key))
    return view.texts.tr(zh, en)


# --- home: the cases waiting for me --------------------------------------------------------


@home_panel(
    "cases",
    ("待办案件（按期限）", "Cases waiting, by deadline"),
    (*STAFF, "auditor"),
    "panels/cases.html",
)
async def waiting_cases(view: View) -> list[dict[str, Any]]:
    """Open cases by due date: a team member's own, community staff's community's, all for
    the district; with the chase (催办) and reprimand (通报) marks of the overdue ones."""
    actor = view.actor
    rows: list[dict[str, Any]] = []
    if actor["role"] == "team_member":
        rows = await view.call("casework", "queue", owner_id=actor["person_id"])
    elif actor["role"] != "auditor":
        rows = await view.call("casework", "queue", community_id=actor.get("community_id"))
    overdue: dict[str, dict[str, Any]] = {}
    if actor["role"] != "team_member":
        late = await view.call("casework", "overdue_cases", community_id=actor.get("community_id"))
        overdue = {r["case_id"]: r for r in late}
        if actor["role"] == "auditor":
            rows = late
    for row in rows:
        late_row = overdue.get(row["case_id"], {})
        row["chased_on"] = late_row.get("chased_on")
        row["reprimanded"] = bool(late_row.get("reprimanded"))
        row["overdue"] = row["case_id"] in overdue
        row["state_text"] = state_text(view, row)
        row["group_text"] = group_text(view, row.get("work_group"))
    return sorted(rows, key=lambda r: (r.get("due_on") or "9999-12-31", r["received_on"]))


# --- one case ------------------------------------------------------------------------------


def offered(view: View, case: dict[str, Any]) -> list[Action]:
    """The actions the caller's role may take on the case in its state."""
    out = []
    for action in ACTIONS:
        if action.offered_on(case) and action.admits(view.role):
            out.append(action)
    return out


async def case_page(
    view: View,
    case_id: str,
    failed: str | None = None,
    sent: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    purpose = view.request.query_params.get("purpose", "").strip() or None
    case = await view.call("casework", "case", case_id=case_id, purpose=purpose)
    timeline = await view.call("casework", "case_timeline", case_id=case_id)
    case["state_text"] = state_text(view, case)
    case["group_text"] = group_text(view, case.get("work_group"))
    name_events(view, timeline["events"])
    meetings = decision_meetings(view, timeline["events"])
    case["owner_name"] = await member_name(view, case.get("community_id"), case.get("owner_id"))
    case["kind_text"] = await kind_text(view, case)
    actions = offered(view, case)
    step = next_step(case)
    return view.render(
        "case.html",
        status=status,
        heading=f"{view.texts.tr('案件', 'Case')}：{case['title']}",
        case=case,
        events=timeline["events"],
        meetings=meetings,
        actions=actions,
        keys={a.name: new_key(a.name) for a in actions},
        defaults={  # what the case already says: its owner, the decision's next step
            "recuse": {"person_id": case.get("owner_id") or ""},
            "choose_mediator": {"person_id": case.get("owner_id") or ""},
            "record_decision_meeting": {"step": step or ""},
            "publish_decision": {"step": step or ""},
        },
        failed=failed,
        sent=sent or {},
        purpose=purpose or "",
        may_give_purpose=view.role in ("district_staff", "community_staff"),
    )


# A procedure's own start is not the case's.
PROCEDURE_EVENTS_ZH = {
    ("mediation", "Started"): "启动调解",
    ("villagedecision", "Started"): "启动四议两公开",
}
# The mediation file's labels for what a step recorded.
FIELDS_ZH = {
    "initiative": "启动方式",
    "parties": "当事人",
    "applicant_id": "申请人",
    "started_on": "启动日期",
    "due_on": "期限",
    "party_id": "当事人",
    "person_id": "调解员",
    "chosen_by": "选定方",
    "on": "日期",
    "place": "地点",
    "summary": "纪要",
    "mediators": "调解员",
    "agreement": "调解协议",
    "signer_id": "签名人",
    "reason": "理由",
    "court": "法院",
    "notes": "回访情况",
}
THRESHOLDS = {
    "quorum.majority": ("到会过半数", "more than half attended"),
    "quorum.villagers": ("村民过半数或三分之二户代表到会", "villagers' assembly quorum"),
    "quorum.two_thirds": ("三分之二以上代表到会", "two thirds attended"),
    "vote.majority_present": ("赞成超过到会人数一半", "majority of those present"),
    "vote.majority_expected": ("赞成超过应到人数一半", "majority of those expected"),
    "notice.local": ("按本地规定提前通知", "notice as local practice asks"),
    "notice.law": ("依法提前通知", "notice as the law asks"),
    "collective.attendance": ("集体财产事项三分之二到会", "collective property: two thirds attend"),
    "collective.vote": ("集体财产事项三分之二同意", "collective property: two thirds agree"),
}
FILE_HIDDEN = (
    "recorded_at",
    "actor",
    "idempotency_key",
    "originator_topic",
    "case_id",
    "community_id",
)


def name_events(view: View, events: list[dict[str, Any]]) -> None:
    for event in events:
        zh = PROCEDURE_EVENTS_ZH.get((event.get("kind", ""), event["event"])) or EVENTS_ZH.get(
            event["event"], event["event"]
        )
        event["name"] = view.texts.tr(zh, event["event"])


ALL_CASE_TYPES = dict(
    CASE_TYPES,
    petition=("信访", "petition"),
    decision=("村级重大事项", "village decision"),
)


async def kind_text(view: View, case: dict[str, Any]) -> str:
    """The case's type and category in the page's language (the category's Chinese name
    from casework's own list)."""
    zh, en = ALL_CASE_TYPES.get(case["case_type"], (case["case_type"],) * 2)
    categories = await view.call("casework", "case_categories")
    named = {c["category"]: c["category_zh"] for c in categories}
    category = view.texts.tr(named.get(case["category"], case["category"]), case["category"])
    return f"{view.texts.tr(zh, en)} · {category}"


async def member_name(view: View, community_id: str | None, person_id: str | None) -> str | None:
    """The name of a member of the community's service team (the case's owner), as the
    registry's roster gives it to the caller; None when the caller may not read the roster
    (a resident) or the person is not on it."""
    if not community_id or not person_id or view.role == "resident":
        return None
    try:
        roster = await view.call("registry", "team_roster", community_id=community_id)
    except ShequError:
        return None
    for group in roster.get("groups", []):
        for member in group.get("members", []):
            if member.get("person_id") == person_id:
                return str(member.get("name") or "") or None
    return None


def decision_meetings(view: View, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The village decision's meetings as recorded: the counts, the result, and each
    threshold the record missed (a resolution adopted missed none: casework refuses it)."""
    out = []
    for e in events:
        if e["event"] != "MeetingRecorded" or not isinstance(e.get("details"), dict):
            continue
        details = e["details"]
        record = details.get("record") or {}
        zh, en = BODIES.get(details.get("body", ""), (details.get("body", ""),) * 2)
        out.append(
            {
                "step": details.get("step"),
                "body": view.texts.tr(zh, en),
                "record": record,
                "missed": [
                    view.texts.tr(*THRESHOLDS.get(code, (code, code)))
                    for code in details.get("missed") or []
                ],
            }
        )
    return out


@serves(router, MEDIATION_FILE)
async def mediation_file(request: Request, case_id: str) -> Response:
    """The mediation's file as one printable page: the case, the mediation's state and
    dates, and each of its steps with what was recorded."""
    view = await View.open(request, MEDIATION_FILE)
    case = await view.call("casework", "case", case_id=case_id)
    if not case.get("mediation"):
        raise NotFound("该案件没有人民调解", "this case has no mediation", "case_id")
    timeline = await view.call("casework", "case_timeline", case_id=case_id)
    steps = [e for e in timeline["events"] if e.get("kind") == "mediation"]
    name_events(view, steps)
    for step in steps:
        step["facts"] = [
            (view.texts.tr(FIELDS_ZH.get(k, k), k), v)
            for k, v in step.get("details", {}).items()
            if k not in FILE_HIDDEN
        ]
    return view.render(
        "mediation_file.html",
        heading=f"{view.texts.tr('人民调解卷宗', 'Mediation file')}：{case['title']}",
        case=case,
        steps=steps,
    )


@serves(router, CASE)
async def case_view(request: Request, case_id: str) -> Response:
    return await case_page(await View.open(request, CASE), case_id)


@serves(router, CASE, "POST", "/cases/{case_id}/{action}")
async def case_action(request: Request, case_id: str, action: str) -> Response:
    view = await View.open(request, CASE)
    chosen = BY_NAME.get(action)
    if chosen is None:
        raise NotFound("没有这项操作", f"no action {action!r}", "action")
    if not chosen.admits(view.role):  # a form the page never offered this role
        raise Forbidden(
            "您的角色不能办理此项操作",
            f"your role may not {action}",
            "action",
            code="action.forbidden",
        )
    form = await request.form()
    try:
        args = chosen.arguments(form)
        await view.call(chosen.service, chosen.name, case_id=case_id, **args)
    except ShequError as exc:
        view.refused(exc, chosen.field_of(exc.field))
        sent: dict[str, Any] = {}
        for k in form:
            many = [str(v) for v in form.getlist(k)]
            sent[k] = many if len(many) > 1 else many[0]
        return await case_page(view, case_id, failed=chosen.name, sent=sent, status=status_of(exc))
    return see_other(f"/cases/{case_id}#timeline")


# --- a household's cases (residents) ------------------------------------------------------


@serves(router, MY_CASES)
async def my_cases(request: Request) -> Response:
    view = await View.open(request, MY_CASES)
    household = view.actor["household_id"]
    rows = await view.call("casework", "my_cases", household_id=household)
    for row in rows:
        row["state_text"] = state_text(view, row)
        row["group_text"] = group_text(view, row.get("work_group"))
    return view.render("my_cases.html", rows=rows)


# --- filing a case ------------------------------------------------------------------------

FILE_FIELDS = ("case_type", "category", "title", "description", "place", "household_id")
STAFF_FIELDS = ("channel", "resident_name", "resident_phone")


async def file_form(view: View, values: dict[str, str], status: int = 200) -> Response:
    categories = await view.call("casework", "case_categories")
    options = [(c["category"], f"{c['category_zh']}（{c['work_group_zh']}）") for c in categories]
    return view.render(
        "file_case.html",
        status=status,
        values=values,
        categories=options,
        case_types=[(k, view.texts.tr(*text)) for k, text in CASE_TYPES.items()],
        channels=[(k, view.texts.tr(*text)) for k, text in STAFF_CHANNELS],
        staff=view.role in STAFF,
        key=values.get("idempotency_key") or new_key("file"),
        fields=[*FILE_FIELDS, *STAFF_FIELDS],
    )


@serves(router, FILE_CASE)
async def file_case_page(request: Request) -> Response:
    """The form; ``household`` (the contact card's QR code) fills the household in."""
    view = await View.open(request, FILE_CASE)
    household = request.query_params.get("household", "")
    if view.role == "resident" and not household:
        household = view.actor["household_id"]
    values = {"household_id": household, "case_type": "demand"}
    if household and view.role == "resident":
        values["channel"] = "contact_card" if "household" in request.query_params else "open311"
    return await file_form(view, values)


@serves(router, FILE_CASE, "POST")
async def file_case(request: Request) -> Response:
    view = await View.open(request, FILE_CASE)
    form = {k: str(v) for k, v in (await request.form()).items()}
    resident = view.role == "resident"
    args: dict[str, Any] = {
        k: form.get(k, "").strip() or None for k in (*FILE_FIELDS, *STAFF_FIELDS)
    }
    if resident:  # a resident names neither the channel nor someone else's name and phone
        args.update(resident_name=None, resident_phone=None)
        args["channel"] = (
            form.get("channel") if form.get("channel") == "contact_card" else "open311"
        )
    try:
        opened = await view.call(
            "casework", "open_case", idempotency_key=form.get("idempotency_key", ""), **args
        )
    except ShequError as exc:
        view.refused(exc)
        return await file_form(view, form, status=status_of(exc))
    return see_other(f"/cases/{opened['case_id']}")
