"""The casework application's machinery: settings, clock, calendar, loading with typed getters,
scope targets, the read model and the directory, routing. The use cases live in the modules of
their concept (``cases``, ``petitions``, ``mediation``, ``decisions``, ``deadlines``,
``queries``) and are listed in ``casework.usecases``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic
from shequ.actor import Actor
from shequ.app import ConfiguredApplication
from shequ.auth import Target
from shequ.errors import Forbidden, NotFound
from shequ.validation import check_date
from shequ.workcalendar import load_calendar
from sqlalchemy import func, literal, null, select, union_all
from sqlalchemy.engine import Connection

from casework import tables as t
from casework.domain import Case, Community, Household, Mediation, Team, Village, VillageDecision
from casework.domain.calendar import WorkCalendar
from casework.domain.common import Fact, not_before, violation
from casework.projections import CaseworkProjection
from casework.settings import CaseworkSettings

Rows = dict[tuple[str, ...], Any]


Words = tuple[str, str, str]  # a rule, and the Chinese and English refusing

# The cases each procedure starts on, the words refusing another case, those refusing a second.
PROCEDURE_STARTS: dict[type, tuple[Callable[[Case], bool], Words, Words]] = {
    Mediation: (
        lambda case: case.case_type == "dispute" and case.is_open,
        (
            "mediation.dispute_only",
            "只有在办的矛盾纠纷案件可以调解",
            "only an open dispute case is mediated",
        ),
        ("mediation.exists", "该纠纷已有调解", "already being mediated"),
    ),
    VillageDecision: (
        lambda case: case.case_type == "decision" and bool(case.village_id),
        (
            "decision.case_type",
            "只有村级重大事项案件（须注明村）可启动四议两公开",
            "only a village-decision case with a village",
        ),
        ("decision.exists", "该事项已启动", "already started"),
    ),
}


class CaseworkBase(ConfiguredApplication[CaseworkSettings]):
    """The casework application's machinery; ``Casework`` adds intake and its policy."""

    name = "casework"
    settings_class = CaseworkSettings
    projection_class = CaseworkProjection

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        """``ConfiguredApplication``'s arguments (store, settings, env, clock), and the
        district's holiday calendar (default: the one the service ships)."""
        super().__init__(*args, **kwargs)
        self.calendar = calendar or load_calendar()
        # intakes of one matter queue on one of these (Intake.same_matter), by key hash
        self.matter_locks = [threading.Lock() for _ in range(64)]
        self._directory_lock = threading.Lock()
        self._directory_at = 0  # the read model holds every directory event up to here
        self._directory_rows: Rows = {}
        self._routing_locks: dict[tuple[str, str], threading.Lock] = {}
        # (team, group) -> {case_id: (owner, when)}: routed, not yet seen in the read model
        self._routed: dict[tuple[str, str], dict[str, tuple[str, float]]] = {}

    def recorded_at(self) -> str:
        """When a fact is typed in: the service's clock (never the caller's), UTC."""
        return self.clock.now().astimezone(dt.UTC).isoformat()

    def fact_date(
        self,
        value: Any,
        field: str,
        earliest: str | None = None,
        earliest_zh: str = "",
        earliest_en: str = "",
    ) -> str:
        """The local date a fact happened, as the caller gives it (default: today by the
        service's clock): never in the future, at most ``backdate_within_days`` back, and not
        before ``earliest`` (the day what it belongs to began). Deadlines count from it."""
        today = self.today()
        if value is None or value == "":
            return today
        day = check_date(value, field)
        if day > today:
            raise violation(
                "date.future",
                f"{field} 不能晚于今天（{today}）",
                f"{field} may not be in the future (today is {today})",
                field,
                today=today,
            )
        back = self.settings.backdate_within_days
        oldest = (dt.date.fromisoformat(today) - dt.timedelta(days=back)).isoformat()
        if day < oldest:
            raise violation(
                "date.too_old",
                f"{field} 最多可补录{back}天前的日期（最早{oldest}）",
                f"{field} may be at most {back} days back (from {oldest})",
                field,
                earliest=oldest,
            )
        not_before(day, earliest, field, earliest_zh, earliest_en)
        return day

    def fact(self, actor: Actor, cmd: Any, dated: str | None = None) -> Fact:
        """Who states the command's fact and when it happened: its field ``dated`` checked by
        ``fact_date`` (no field: today), the actor, and when it is typed in."""
        on = self.fact_date(getattr(cmd, dated), dated) if dated else self.today()
        return Fact(on, actor.to_dict(), self.recorded_at())

    def mediation(self, case_id: str) -> Mediation:
        return self.get(Mediation.create_id(case_id), Mediation, "调解", "case_id")

    def decision(self, case_id: str) -> VillageDecision:
        return self.get(
            VillageDecision.create_id(case_id), VillageDecision, "村级重大事项", "case_id"
        )

    def case_target(self, case: Case) -> Target:
        """A case's scope: its community and household; its owner and co-handlers."""
        return Target(
            community_id=case.community_id,
            household_id=case.household_id,
            assigned_to=frozenset([p for p in [case.owner_id, *case.co_handlers] if p]),
        )

    def guard(self, actor: Actor, case: Case) -> None:
        """A person reported in a case never sees or touches it (信访工作条例 Art. 43)."""
        if actor.person_id in case.reported:
            raise Forbidden(
                "被反映人不得查阅或处理反映其本人的材料",
                "a person reported in a case may not see or act on it",
                "actor",
                code="reported_person",
            )

    def change_case(
        self,
        use_case: str,
        cmd: Any,
        actor: Actor,
        act: Callable[[Case], Any],
        extra: Callable[[Case], list[Any]] | None = None,
    ) -> dict[str, Any]:
        """Load the command's case, guard it, authorise on its scope, let ``act`` ask the case
        to decide (plus what ``extra`` changes with it) and save, once per idempotency key."""
        case_id = cmd.case_id
        case = self.get(case_id, Case, "案件", "case_id")
        self.guard(actor, case)
        unchanged = [case]  # the first decision uses the case just loaded; a retry reloads

        def decide() -> Any:
            fresh = unchanged.pop() if unchanged else self.get(case_id, Case, "案件", "case_id")
            act(fresh)
            more = extra(fresh) if extra else []
            return [fresh, *more], {
                "case_id": case_id,
                "state": fresh.state,
                "owner_id": fresh.owner_id,
                "due_on": fresh.due_on,
            }

        return self.run(  # type: ignore[no-any-return]
            use_case, cmd.idempotency_key, actor, self.case_target(case), cmd.payload(), decide
        )

    def case_to_start(
        self, case_id: str, procedure: type[Mediation | VillageDecision], day: str
    ) -> Case:
        """The case a mediation or village decision (``procedure``) starts on, on ``day``
        (``started_on``): one it starts on (``PROCEDURE_STARTS``), with none started yet,
        received on or before ``day``."""
        case = self.get(case_id, Case, "案件", "case_id")
        fits, unfit, started = PROCEDURE_STARTS[procedure]
        if not fits(case):
            raise violation(*unfit, "case_id")
        if self.exists(procedure.create_id(case_id)):
            raise violation(*started, "case_id")
        not_before(
            day, case.received_on, "started_on", "登记收到之日", "the day the case was received"
        )
        return case

    def change_procedure(
        self,
        use_case: str,
        cmd: Any,
        actor: Actor,
        load: Callable[[str], Any],
        act: Callable[[Any], None],
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change a case's mediation or village decision (``load`` finds or starts it),
        authorised as its case is; a procedure that ends moves its case on, in the same save."""
        case_id = cmd.case_id
        case = self.get(case_id, Case, "案件", "case_id")
        self.guard(actor, case)

        def decide() -> Any:
            agg = load(case_id)
            ended = agg.conclusion()
            act(agg)
            changed = [agg]
            if ended is None and (now := agg.conclusion()) is not None:
                fresh = self.get(case_id, Case, "案件", "case_id")
                if fresh.conclude(Fact(now[0], actor.to_dict(), self.recorded_at()), now[1]):
                    changed.append(fresh)
            return changed, {"case_id": case_id, "state": agg.state}

        return self.run(  # type: ignore[no-any-return]
            use_case,
            cmd.idempotency_key,
            actor,
            self.case_target(case),
            cmd.payload() if payload is None else payload,
            decide,
        )

    # -- the directory (registry facts) ----------------------------------------------------
    def directory(self) -> Rows:
        """Directory rows already read, valid for a command starting now.

        The directory changes only by directory events (the registry inbox). Invariant: the
        read model holds every directory event up to ``_directory_at``. When the log has grown
        past it, one query asks whether any directory event was stored in between (on any
        replica); if so, the read model is caught up and the remembered rows are dropped.
        So a command sees every registry fact stored before it started, without catching up
        the read model for the cases other commands keep adding."""
        top, changed = self.changed_since(self._directory_at, directory_topics())
        if top is None:
            return self._directory_rows
        with self._directory_lock:
            if top > self._directory_at:
                if changed:
                    self.projector.catch_up()  # to the log's top, which is >= top
                    self._directory_rows = {}
                self._directory_at = top
        return self._directory_rows

    def lookup(
        self, key: tuple[str, ...], load: Callable[[Connection], Any], rows: Rows | None = None
    ) -> Any:
        """A directory value, read from the read model once per directory version; ``rows``
        is what ``directory()`` returned for this command (checked once per command)."""
        rows = self.directory() if rows is None else rows
        found = rows.get(key, _MISSING)
        if found is _MISSING:
            with self.projector.engine.connect() as c:
                found = load(c)
            rows[key] = found  # a dict replaced meanwhile is simply dropped
        return found

    def directory_row(self, kind: str, row_id: str, rows: Rows | None = None) -> Any:
        """The directory's row of a community, village or household (None if unknown), read
        from the read model once per directory version."""
        table = DIRECTORY_TABLES[kind]
        return self.lookup(
            (kind, row_id),
            lambda c: one_row(
                c.execute(select(table).where(table.c.id == row_id)).mappings().first()
            ),
            rows,
        )

    def community_of(self, community_id: str, rows: Rows | None = None) -> dict[str, Any]:
        row = self.directory_row("community", community_id, rows)
        if row is None:
            raise NotFound(
                f"未找到社区：{community_id}", f"no community {community_id}", "community_id"
            )
        return dict(row)  # a copy: the remembered row stays as read

    def team_member_ids(self, community_id: str, rows: Rows | None = None) -> list[str]:
        m, tm = t.team_members, t.teams
        return self.lookup(
            ("members", community_id),
            lambda c: list(  # type: ignore
                c.execute(
                    select(m.c.person_id)
                    .join(tm, tm.c.id == m.c.team_id)
                    .where(tm.c.community_id == community_id)
                    .order_by(m.c.person_id)
                ).scalars()
            ),
            rows,
        )

    def team_of_community(self, community_id: str, rows: Rows | None = None) -> str | None:
        tm = t.teams
        return self.lookup(
            ("team", community_id),
            lambda c: c.execute(  # type: ignore
                select(tm.c.id).where(tm.c.community_id == community_id).order_by(tm.c.id)
            ).scalar(),
            rows,
        )

    def group_members(
        self, team_id: str, group: str, rows: Rows | None = None
    ) -> list[tuple[str, str]]:
        """(person, since) of a work group, longest-serving first, then by id."""
        m = t.team_members
        return self.lookup(
            ("group", team_id, group),
            lambda c: [  # type: ignore
                (str(r.person_id), r.since or "")
                for r in c.execute(
                    select(m.c.person_id, m.c.since)
                    .where(m.c.team_id == team_id, m.c.group_key == group)
                    .order_by(m.c.since, m.c.person_id)
                )
            ],
            rows,
        )

    def route(
        self,
        community_id: str,
        group: str,
        exclude: list[str] | None = None,
        case_id: str | None = None,
        rows: Rows | None = None,
    ) -> tuple[str | None, str | None]:
        """(team, owner): the work group's member with the fewest open cases, then the
        longest-serving, then by id; None if the group has no member.

        Concurrent routings into one group are decided one at a time, each counting the
        owners chosen by the others that the read model does not show yet (``_routed``), so
        a burst of intakes is spread as if they had come one after another."""
        rows = self.directory() if rows is None else rows
        team = self.team_of_community(community_id, rows)
        if team is None:
            return None, None
        members = [
            (p, since)
            for p, since in self.group_members(team, group, rows)
            if p not in (exclude or [])
        ]
        if not members:
            return str(team), None
        self.projector.catch_up()  # every assignment committed before this command
        cs = t.cases
        owners = [p for p, _s in members]
        counts = (
            select(
                cs.c.owner_id, func.count().label("n"), null().label("id"), null().label("state")
            )
            .where(cs.c.owner_id.in_(owners), cs.c.state.in_(LOAD_STATES))
            .group_by(cs.c.owner_id)
        )
        # the lock is held for one query: the connection is taken before it
        with self.projector.engine.connect() as c, self._routing_lock(team, group):
            routed = self._routed.setdefault((team, group), {})
            now = time.monotonic()
            for cid in [k for k, (_o, at) in routed.items() if now - at > ROUTED_TTL]:
                del routed[cid]  # its command failed: it was never stored
            q: Any = counts
            if routed:  # and how the read model shows the cases routed but maybe not seen
                q = union_all(
                    counts,
                    select(cs.c.owner_id, literal(0).label("n"), cs.c.id, cs.c.state).where(
                        cs.c.id.in_(list(routed))
                    ),
                )
            load: dict[str, int] = {}
            for row in c.execute(q):
                if row.id is None:
                    load[str(row.owner_id)] = load.get(str(row.owner_id), 0) + int(row.n)
                elif routed[row.id][0] == row.owner_id:
                    del routed[row.id]  # shown now: counted above (if still open)
                elif row.owner_id is not None and row.state in LOAD_STATES:
                    load[row.owner_id] = load.get(row.owner_id, 0) - 1  # moving away
            for cid, (owner, _at) in routed.items():
                if cid != case_id:
                    load[owner] = load.get(owner, 0) + 1
            person = min(members, key=lambda ms: (load.get(ms[0], 0), ms[1], ms[0]))[0]
            if case_id is not None:
                routed[case_id] = (person, now)
        return str(team), person

    def _routing_lock(self, team: str, group: str) -> threading.Lock:
        # dict.setdefault is atomic: every caller gets the one lock stored first
        return self._routing_locks.setdefault((team, group), threading.Lock())

    def team_group(self, community_id: str, person_id: str) -> str:
        """The work group of a named owner, who must be on the community's service team."""
        group = self.member_group(community_id, person_id)
        if group is None:
            raise violation(
                "routing.not_team_member",
                "此人不是本社区服务队成员",
                "the person is not in the community's service team",
                "owner_id",
            )
        return group

    def member_group(
        self, community_id: str, person_id: str, rows: Rows | None = None
    ) -> str | None:
        m, tm = t.team_members, t.teams
        return self.lookup(
            ("member", community_id, person_id),
            lambda c: c.execute(  # type: ignore
                select(m.c.group_key)
                .join(tm, tm.c.id == m.c.team_id)
                .where(tm.c.community_id == community_id, m.c.person_id == person_id)
            ).scalar(),
            rows,
        )


_MISSING = object()
DIRECTORY_TABLES = {"community": t.communities, "village": t.villages, "household": t.households}
ROUTED_TTL = 30.0  # seconds: a routed command not stored by then has failed
LOAD_STATES = ("assigned", "in_progress", "reopened", "accepted")


@functools.cache
def directory_topics() -> list[str]:
    """The stored topics of every event of the directory aggregates (pinned by then)."""
    return [
        get_topic(cls)
        for agg in (Community, Village, Household, Team)
        for cls in vars(agg).values()
        if isinstance(cls, type) and issubclass(cls, CanMutateAggregate)
    ]


def one_row(row: Any) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def loads(text: str | None) -> Any:
    return json.loads(text) if text else []
