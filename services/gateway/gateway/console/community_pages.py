"""Registry, outreach and assessment in the console: read pages over one community.

The organisation chart as of a date, the service team's roster by its six work groups, a
household (as of a date; a resident sees their own), outreach's visit coverage over a period
and the party members' contacts with the overdue ones, the household's contact card as a PDF,
and assessment's scoreboard with its chart. Personal data are as the services answer them:
masked unless the reader may see them; staff may give a ``purpose`` (recorded by the service,
RULES §6) to read names and phones in clear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from shequ.domainkit import TEAM_GROUPS
from shequ.errors import ShequError

from gateway.console.web import STAFF, Page, View, download, page, serves

READERS = ("district_staff", "community_staff", "team_member", "auditor")
CHART = page("registry_chart", "/registry/chart", ("党组织架构", "Organisation chart"), READERS)
ROSTER = page("registry_team", "/registry/team", ("服务队名册", "Service team"), READERS)
HOUSEHOLD = page(
    "household",
    "/registry/households/{household_id}",
    ("户信息", "Household"),
    (*READERS, "resident"),
    nav=False,
)
MY_HOUSEHOLD = page("my_household", "/my/household", ("我家", "My household"), ("resident",))
OUTREACH = page("outreach", "/outreach", ("走访与联户", "Visits and contacts"), READERS)
CARD = page(
    "card_pdf",
    "/outreach/cards/{household_id}.pdf",
    ("联系卡", "Contact card"),
    (*STAFF, "resident"),
    nav=False,
)
SCOREBOARD = page(
    "scoreboard",
    "/assessment",
    ("考核结果", "Assessment scoreboard"),
    (*READERS, "resident"),
)

VILLAGE_CARDS = page(
    "village_cards_pdf",
    "/outreach/villages/{village_id}/cards.pdf",
    ("全村联系卡", "A village's contact cards"),
    STAFF,
    nav=False,
)
EXPORT = page(
    "scores_export",
    "/assessment/export",
    ("导出考核结果", "Export the scoreboard"),
    ("district_staff", "community_staff", "auditor"),
    nav=False,
)

router = APIRouter(include_in_schema=False)


def today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Asia/Shanghai


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


async def community_of(view: View) -> tuple[str | None, list[dict[str, Any]]]:
    """The community asked for (``?community_id=``), else the caller's own; and the
    communities to choose from, for the roles that may list them. A team member's own is the
    community whose service team they are in (the registry's ``team_memberships``): never
    asked for, unless they serve several, who choose among theirs."""
    asked = view.request.query_params.get("community_id") or view.actor.get("community_id")
    choices: list[dict[str, Any]] = []
    if view.role in ("district_staff", "auditor"):
        choices = await view.call("registry", "communities")
    elif view.role == "team_member":
        served = await view.call("registry", "team_memberships", person_id=view.actor["person_id"])
        choices = served["teams"]
    if not asked and choices:
        asked = choices[0]["community_id"]
    if view.role == "team_member" and len(choices) < 2:
        choices = []  # one community: nothing to choose
    return asked, choices


def query(view: View, name: str, default: str = "") -> str:
    return view.request.query_params.get(name, "").strip() or default


async def reading(view: View, service: str, method: str, **kwargs: Any) -> Any:
    """A read whose refusal is shown on the page beside the form that asked for it."""
    try:
        return await view.call(service, method, **kwargs)
    except ShequError as exc:
        view.refused(exc)
        return None


@serves(router, CHART)
async def chart(request: Request) -> Response:
    view = await View.open(request, CHART)
    community, choices = await community_of(view)
    on = query(view, "on", today().isoformat())
    found = None
    if community:
        found = await reading(view, "registry", "organisation_chart", community_id=community, on=on)
    return view.render(
        "registry_chart.html", community=community, choices=choices, on=on, chart=found
    )


@serves(router, ROSTER)
async def roster(request: Request) -> Response:
    view = await View.open(request, ROSTER)
    community, choices = await community_of(view)
    purpose = query(view, "purpose") or None
    found = None
    if community:
        found = await reading(
            view, "registry", "team_roster", community_id=community, purpose=purpose
        )
    groups = {g["key"]: g for g in (found or {}).get("groups", [])}
    six = [
        {"key": key, "name": view.texts.tr(zh, en), "members": groups.get(key, {}).get("members")}
        for key, (zh, en) in TEAM_GROUPS.items()
    ]
    return view.render(
        "registry_team.html",
        community=community,
        choices=choices,
        roster=found,
        groups=six,
        purpose=purpose or "",
    )


async def household_page(view: View, household_id: str) -> Response:
    on = query(view, "on", today().isoformat())
    purpose = query(view, "purpose") or None
    found = await view.call(
        "registry", "household", household_id=household_id, on=on, purpose=purpose
    )
    return view.render(
        "household.html",
        household=found,
        on=on,
        purpose=purpose or "",
        card=view.role in CARD.roles if CARD.roles else False,
    )


@serves(router, HOUSEHOLD)
async def household(request: Request, household_id: str) -> Response:
    return await household_page(await View.open(request, HOUSEHOLD), household_id)


@serves(router, MY_HOUSEHOLD)
async def my_household(request: Request) -> Response:
    view = await View.open(request, MY_HOUSEHOLD)
    return await household_page(view, view.actor["household_id"])


async def outreach_pdf(request: Request, spec: Page, method: str, **args: str) -> Response:
    """Outreach's ``method`` PDF (cards) as a download, for the roles ``spec`` admits."""
    view = await View.open(request, spec)
    made = await view.call("outreach", method, **args)
    return download(made["pdf_base64"], made["filename"], "application/pdf")


@serves(router, CARD)
async def card_pdf(request: Request, household_id: str) -> Response:
    return await outreach_pdf(request, CARD, "card_pdf", household_id=household_id)


@serves(router, VILLAGE_CARDS)
async def village_cards_pdf(request: Request, village_id: str) -> Response:
    """Every household's current card in the village, one A6 page each, to print."""
    return await outreach_pdf(request, VILLAGE_CARDS, "village_cards_pdf", village_id=village_id)


@serves(router, OUTREACH)
async def outreach(request: Request) -> Response:
    view = await View.open(request, OUTREACH)
    community, choices = await community_of(view)
    day = today()
    start = query(view, "period_start", quarter_start(day).isoformat())
    end = query(view, "period_end", day.isoformat())
    covered = contacts = None
    if community:
        covered = await reading(
            view, "outreach", "coverage", community_id=community, period_start=start, period_end=end
        )
        contacts = await reading(view, "outreach", "contact_status", community_id=community)
    overdue = [link for link in (contacts or {}).get("links", []) if link.get("overdue")]
    round_id = query(view, "round_id")
    in_round = missed = None
    if round_id:
        in_round = await reading(view, "outreach", "round_coverage", round_id=round_id)
        if in_round is not None:
            missed = await reading(view, "outreach", "households_missed", round_id=round_id)
    return view.render(
        "outreach.html",
        round_id=round_id,
        in_round=in_round,
        missed=missed,
        cards=view.role in STAFF,
        community=community,
        choices=choices,
        period_start=start,
        period_end=end,
        coverage=covered,
        contacts=contacts,
        overdue=overdue,
    )


@serves(router, SCOREBOARD)
async def scoreboard(request: Request) -> Response:
    view = await View.open(request, SCOREBOARD)
    kind = query(view, "period_kind", "quarter")
    start = query(view, "period_start", quarter_start(today()).isoformat())
    board = await reading(view, "assessment", "scoreboard", period_kind=kind, period_start=start)
    return view.render("scoreboard.html", board=board, period_kind=kind, period_start=start)


@serves(router, EXPORT)
async def scores_export(request: Request) -> Response:
    """The scoreboard as assessment's CSV or XLSX file (Chinese headings)."""
    view = await View.open(request, EXPORT)
    exported = await view.call(
        "assessment",
        "export_scores",
        period_kind=query(view, "period_kind", "quarter"),
        period_start=query(view, "period_start", quarter_start(today()).isoformat()),
        format=query(view, "format", "csv"),
    )
    return download(exported["content_base64"], exported["filename"], exported["media_type"])
