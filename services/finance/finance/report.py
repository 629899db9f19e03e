"""The finance disclosure folded from finance's own events (issue 13, ADR 0026): a village's
books for a period as of a cut — the eight categories in order (the plan and its execution,
income and expense entry by entry, assets from the register and the funds, the resources as
they stood at the period's end, claims and debts, the distribution decided in it), the funds
summary and the trial balance. The plan, resources and distribution rows are made by the
functions the published disclosure uses (``finance.categories``), from the registers' events.

A pure fold: stored domain events in, the document's content out; no clock, no database.
Only vouchers posted by the cut count, each in the period its own date falls in, so a
correction recorded after a period was published leaves that period's rows unchanged and
shows in the period it is dated in. Money is yuan with two decimals, from whole fen. No
person is named: handlers appear by role, a person a resource is let to by family name only (D8).

``grants`` is finance's part of the affairs disclosure (D6): the receipts on 补助收入 and
专项应付款 of the villages the affairs report covers, folded the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from shequ.reports.render import column
from shequ.reports.run import Fold, Part
from shequ.reports.scope import Scope
from shequ.topics import pin_topics

from finance.categories import asset_rows, distribution_rows, plan_rows, resource_rows
from finance.compensations import contract_rows, income_accounts, land_rows, pooled_shown
from finance.domain import AGGREGATES, Chart, chart_on
from finance.domain.common import yuan
from finance.domain.disclosure import CATEGORIES, NOTHING, PeriodFold
from finance.plans import CARRIED, POOLED, executed, pooled_rows
from finance.projects import project_rows, works_accounts
from finance.specials import TOPICS

pin_topics("finance", *AGGREGATES)  # the stored topics, as the application pins them

_TOPICS = (
    "finance:Collective.Known",
    "finance:Voucher.",
    "finance:Ledger.",
    "finance:Counterparty.Registered",  # the names of the persons using fixed assets, masked
    # the registers beside the books the disclosure's plan, resources and distribution show
    "finance:AnnualPlan.Adopted",
    "finance:Resource.",
    "finance:Contract.Signed",
    "finance:Distribution.Decided",
    # the special (专项) tables' topics (D4)
    "finance:LandCompensation.Recorded",
    "finance:PooledProject.Decided",
    "finance:Project.",
)

ENTRY_COLUMNS = [
    column("date", "日期", "date"),
    column("number", "凭证号", "voucher"),
    column("summary", "摘要", "summary"),
    column("account", "科目", "account"),
    column("amount", "金额（元）", "amount (yuan)", "decimal"),
    column("handler", "经办人", "handled by"),
]
BALANCE_COLUMNS = [
    column("name", "项目", "item"),
    column("amount", "金额（元）", "amount (yuan)", "decimal"),
]
ASSET_COLUMNS = [  # the disclosure's 各项资产 rows (finance.categories.asset_rows)
    column("name", "资产名称", "asset"),
    column("quantity", "数量", "quantity", "int"),
    column("unit", "单位", "unit"),
    column("original", "原值（元）", "original value (yuan)", "decimal"),
    column("place", "存放地点", "kept at"),
    column("user", "使用人", "used by"),
]
REGISTER_COLUMNS = [  # the plan, resources and distribution: the disclosure log's entry
    column("date", "日期", "date"),
    column("number", "编号", "number"),
    column("summary", "摘要", "summary"),
    column("amount", "金额（元）", "amount (yuan)", "decimal"),
]
# the special tables' columns beside the log's entry, in fen in their rows (§1.4)
SPECIAL_AMOUNTS = {
    "land": [
        ("retained_fen", "集体留存（元）", "kept by the collective (yuan)"),
        ("distributed_fen", "分配到户（元）", "paid to households (yuan)"),
    ],
    "contract": [
        ("due_fen", "本期应收（元）", "due in the period (yuan)"),
        ("received_fen", "本期实收（元）", "received in the period (yuan)"),
        ("arrears_fen", "欠款（元）", "owed (yuan)"),
    ],
    "pooled": [
        ("raised_fen", "已筹资（元）", "raised (yuan)"),
        ("spent_fen", "已使用（元）", "spent (yuan)"),
        ("balance_fen", "结余（元）", "balance (yuan)"),
    ],
    "project": [
        ("contract_price_fen", "合同价（元）", "contract price (yuan)"),
        ("paid_fen", "已支付（元）", "paid (yuan)"),
    ],
}
TRIAL_COLUMNS = [
    column("account", "科目", "account"),
    column("opening", "期初余额", "opening", "decimal"),
    column("debit", "本期借方", "debit", "decimal"),
    column("credit", "本期贷方", "credit", "decimal"),
    column("closing", "期末余额", "closing", "decimal"),
]


def wants(topic: str) -> bool:
    return topic.startswith(_TOPICS)


class Books:
    """A village's books as the events recorded them by the cut."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.opening: dict[str, int] = {}
        self.opened = False
        self.carried: tuple[str, dict[str, int]] | None = None  # (day, opening) on the new chart
        self.assets: dict[str, dict[str, Any]] = {}
        self.persons: dict[str, str] = {}  # registry person id -> name, of the counterparties
        self.content: dict[str, tuple[str, dict[str, Any]]] = {}  # voucher -> (date, content)
        self.posted: list[tuple[str, str, str, dict[str, Any]]] = []  # (date, number, id, content)
        self.plans: dict[int, dict[str, Any]] = {}  # year -> items, adopted_on
        self.resources: dict[str, dict[str, Any]] = {}  # id -> record and history
        self.contracts: dict[str, dict[str, Any]] = {}  # number -> terms
        self.distributions: list[dict[str, Any]] = []
        self.land: dict[str, dict[str, Any]] = {}  # batch -> terms
        self.pooled: list[dict[str, Any]] = []  # 一事一议 projects decided
        self.projects: dict[str, dict[str, Any]] = {}  # construction projects by id

    def apply(self, event: Any, village_id: str) -> None:
        what, of = type(event).__qualname__, str(event.originator_id)
        if what == "Collective.Known":
            self.names[event.village_id] = event.name
        elif what == "Ledger.Opened" and event.village_id == village_id:
            self.opened, self.opening = True, dict(event.opening)
            self.assets = {k: dict(v) for k, v in event.assets.items()}
        elif what == "Ledger.ChartCarriedOver" and event.village_id == village_id:
            self.carried = (event.on, dict(event.opening))
        elif what == "Ledger.AssetRegistered" and self.opened:
            self.assets[event.asset_id] = dict(event.record)
        elif what == "Ledger.AssetDisposed" and event.asset_id in self.assets:
            self.assets[event.asset_id]["disposed_on"] = event.on
        elif what == "Ledger.AssetTransferred" and event.asset_id in self.assets:
            asset = self.assets[event.asset_id]
            user = getattr(event, "user_id", None)  # a move recorded before users were ids: none
            asset["moves"] = [*asset.get("moves", []), [event.on, event.location, user]]
        elif what == "Counterparty.Registered" and event.village_id == village_id:
            if event.person_id:
                self.persons[event.person_id] = event.name
        elif what in ("Voucher.Drafted", "Voucher.Amended"):
            # an amendment names no village: it is this village's when its draft was
            mine = (
                of in self.content if what == "Voucher.Amended" else event.village_id == village_id
            )
            if mine:
                self.content[of] = (event.voucher_date, event.content)
        elif what == "Voucher.Posted" and of in self.content:
            day, content = self.content[of]
            self.posted.append((day, event.number, of, content))
        else:
            self.registers(what, of, event, village_id)

    def registers(self, what: str, of: str, event: Any, village_id: str) -> None:
        """The registers beside the books: plans, resources, contracts, distributions."""
        if what == "AnnualPlan.Adopted" and event.village_id == village_id:
            self.plans[event.year] = {"items": event.items, "adopted_on": event.adopted_on}
        elif what == "Resource.Registered" and event.village_id == village_id:
            history = [["available", event.registered_on, None]]
            self.resources[of] = {"id": of, **event.record, "history": history}
        elif what == "Resource.Let" and of in self.resources:
            self.resources[of]["history"].append(["contracted", event.on, event.contract_no])
        elif what == "Resource.StatusChanged" and of in self.resources:
            self.resources[of]["history"].append([event.status, event.on, None])
        elif what == "Contract.Signed" and event.village_id == village_id:
            self.contracts[event.number] = dict(event.terms)
        elif what == "LandCompensation.Recorded" and event.village_id == village_id:
            self.land[event.batch] = dict(event.terms)
        elif what == "PooledProject.Decided" and event.village_id == village_id:
            self.pooled.append(
                {
                    "number": event.number,
                    "decided_on": event.decided_on,
                    "decision_id": event.decision_id,
                    "project": event.project,
                }
            )
        elif what == "Project.Registered" and event.village_id == village_id:
            self.projects[of] = {"number": event.number, "terms": dict(event.terms)}
        elif what == "Project.Settled" and of in self.projects:
            self.projects[of].update(final_fen=event.final_fen, settled_on=event.settled_on)
        elif what == "Distribution.Decided" and event.village_id == village_id:
            self.distributions.append(
                {
                    "year": event.year,
                    "decided_on": event.decided_on,
                    "allocations": event.allocations,
                    "members": event.members,
                }
            )

    def year_movements(self, start: str, end: str) -> dict[str, int]:
        """Per account, debits less credits posted from ``start`` to before ``end``, without
        the vouchers that carry the year to 本年收益 (as ``finance.plans.year_movements``)."""
        out: dict[str, int] = defaultdict(int)
        for day, _, _, content in self.posted:
            if start <= day < end and all(x["account"] != CARRIED for x in content["lines"]):
                for x in content["lines"]:
                    out[x["account"]] += signed(x)
        return out

    def line_sums(self, start: str, end: str, key: Any) -> dict[Any, int]:
        """The posted lines' fen (red negative) dated from ``start`` to before ``end``, summed
        per ``key(line)``; lines it gives None for are left out (as ``finance.plans.posted_sums``)."""
        out: dict[Any, int] = defaultdict(int)
        for day, _, _, content in self.posted:
            if start <= day < end:
                for x in content["lines"]:
                    if (k := key(x)) is not None:
                        out[k] += -x["amount_fen"] if x.get("red") else x["amount_fen"]
        return dict(out)

    def special_rows(self, start: str, end: str) -> dict[str, list[dict[str, Any]]]:
        """The special (专项, D4) tables of the period from ``start`` to before ``end`` by topic:
        land compensation, contracts, 一事一议, construction projects, made as
        ``finance.compensations`` makes them."""
        income = set(income_accounts(start))
        received = self.line_sums(
            start,
            end,
            lambda x: (
                x.get("contract_no") if x["side"] == "credit" and x["account"] in income else None
            ),
        )
        decided = [p for p in self.pooled if p["decided_on"][:4] == start[:4]]
        numbers = {p["number"] for p in decided}
        moved: dict[str, dict[str, int]] = defaultdict(dict)
        sums = self.line_sums(
            "",
            end,
            lambda x: (
                (x.get("contract_no"), x["side"])
                if x["account"] == POOLED and x.get("contract_no") in numbers
                else None
            ),
        )
        for (number, side), fen in sums.items():
            moved[number][side] = fen
        works, built = set(works_accounts()), {p["number"] for p in self.projects.values()}
        paid = self.line_sums(
            "",
            end,
            lambda x: (
                x.get("contract_no")
                if x["side"] == "debit" and x["account"] in works and x.get("contract_no") in built
                else None
            ),
        )
        return {
            "land": land_rows(self.land, start, end),
            "contract": contract_rows(self.contracts, received, start, end),
            "pooled": pooled_shown(pooled_rows(decided, moved), end),
            "project": project_rows(list(self.projects.values()), paid, start, end),
        }

    def register_rows(self, chart: Chart, start: str, end: str) -> dict[str, list[dict[str, Any]]]:
        """The plan, resources and distribution rows of the period from ``start`` to before
        ``end``, made as the published disclosure makes them (``finance.categories``)."""
        plan = self.plans.get(int(start[:4]), {"items": [], "adopted_on": None})
        items = executed(
            plan["items"],
            chart,
            self.year_movements(start, end),
            self.year_movements(f"{start[:4]}-01-01", end),
        )
        return {
            "plan": plan_rows(plan["adopted_on"], items),
            "resources": resource_rows(self.resources.values(), self.contracts, end),
            "distribution": distribution_rows(self.distributions, start, end),
        }

    def lines(
        self, start: str, end: str
    ) -> Iterable[tuple[str, str, dict[str, Any], dict[str, Any]]]:
        """(date, number, voucher content, line) of the posted lines dated in [start, end]."""
        for day, number, _, content in sorted(self.posted):
            if start <= day <= end:
                for x in content["lines"]:
                    yield day, number, content, x

    def balances(self, before: str) -> dict[str, int]:
        """Debit-positive balances of every account before the day ``before``: from the
        carry-over to the 2023 chart on, the carried balances and the lines since, else on the
        old chart's accounts."""
        first, opening = "0000-00-00", self.opening
        if self.carried is not None and before >= self.carried[0]:
            first, opening = self.carried
        out: dict[str, int] = defaultdict(int, opening)
        for day, _, _, x in self.lines(first, before):
            if day < before:
                out[x["account"]] += signed(x)
        return out


def signed(x: dict[str, Any]) -> int:
    fen = -x["amount_fen"] if x.get("red") else x["amount_fen"]
    return fen if x["side"] == "debit" else -fen


def fold_finance(events: Iterable[Any], scope: Scope) -> dict[str, Any] | None:
    """The disclosure of the scope's village and period (pure)."""
    if scope.level != "village":
        return None  # the books are a village collective's
    pending = list(events)
    books = Books()
    for event in pending:
        if type(event).__qualname__ == "Collective.Known":
            books.apply(event, "")
    village_id = _village(books, scope.ref)
    if village_id is None:
        return None
    for event in pending:
        books.apply(event, village_id)
    chart = chart_on(scope.period.start) or chart_on(scope.period.end)
    if not books.opened or chart is None:
        return None
    sections, notes = _sections(books, chart, scope.period.start, scope.period.end)
    name = books.names[village_id]
    return {
        "title": f"{name}{scope.period.title_zh}财务公开",
        "subject": {"level": "village", "id": village_id, "name": name},
        "sections": sections,
        "notes": [
            *notes,
            "金额单位：元；红字以负数表示。 / Amounts in yuan; red-ink entries are negative.",
        ],
    }


def _village(books: Books, ref: str) -> str | None:
    """The village a report names, by id or by its (unique) name."""
    if ref in books.names:
        return ref
    named = sorted(i for i, n in books.names.items() if n == ref)
    return named[0] if len(named) == 1 else None


def _sections(
    books: Books, chart: Chart, start: str, end: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The eight categories in order, the funds summary and the trial balance; the notes for
    the empty categories."""

    def named(code: str) -> str:
        account = chart.account(code)
        return f"{code} {account.name}" if account else code

    def amount(fen: int) -> str:
        return yuan(fen, grouped=False)

    period = PeriodFold(
        chart,
        books.balances(start),
        (
            {
                "date": day,
                "number": number,
                "summary": x.get("memo") or content["summary"],
                "account": x["account"],
                "side": x["side"],
                "amount_fen": -x["amount_fen"] if x.get("red") else x["amount_fen"],
            }
            for day, number, content, x in books.lines(start, end)
        ),
    )
    entries = {
        cls: [
            [
                e["date"],
                e["number"],
                e["summary"],
                named(e["account"]),
                amount(e["amount_fen"]),
                "报账员",
            ]
            for e in rows
        ]
        for cls, rows in period.entries.items()
    }
    assets = [
        [r["name"], r["quantity"], r["unit"], amount(r["original_fen"]), r["place"], r["user"]]
        for r in asset_rows(period, books.assets, end, books.persons)
    ]
    registers = {
        key: (REGISTER_COLUMNS, logged(found))
        for key, found in books.register_rows(chart, start, _day_after(end)).items()
    }
    tables = {
        **registers,
        "income": (ENTRY_COLUMNS, entries["income"]),
        "expense": (ENTRY_COLUMNS, entries["expense"]),
        "assets": (ASSET_COLUMNS, assets),
        "claims": (BALANCE_COLUMNS, [[named(a), amount(fen)] for a, fen in period.claims()]),
    }
    sections, notes = [], []
    for key, title in CATEGORIES:
        columns, rows = tables.get(key, (BALANCE_COLUMNS, []))
        sections.append({"key": key, "title": title, "columns": columns, "rows": rows})
        if not rows:
            notes.append(f"{title}：{NOTHING}")
    funds = period.funds()
    sections.append(
        {
            "key": "funds",
            "title": "资金收支汇总 Funds summary",
            "columns": BALANCE_COLUMNS,
            "rows": [
                ["期初资金 opening", amount(funds["opening_fen"])],
                ["本期收入 receipts", amount(funds["receipts_fen"])],
                ["本期支出 payments", amount(funds["payments_fen"])],
                ["期末资金 closing", amount(funds["closing_fen"])],
            ],
        }
    )
    trial = [
        [
            named(a),
            *(
                amount(f)
                for f in (
                    period.opening.get(a, 0),
                    period.debit.get(a, 0),
                    period.credit.get(a, 0),
                    period.closing(a),
                )
            ),
        ]
        for a in period.accounts()
    ]
    sections.append(
        {
            "key": "trial_balance",
            "title": "科目余额表 Trial balance",
            "columns": TRIAL_COLUMNS,
            "rows": trial,
        }
    )
    for topic, found in books.special_rows(start, _day_after(end)).items():
        title = TOPICS[topic]
        more = SPECIAL_AMOUNTS[topic]
        sections.append(
            {
                "key": f"special_{topic}",
                "title": title,
                "columns": REGISTER_COLUMNS + [column(k, zh, en, "decimal") for k, zh, en in more],
                "rows": [
                    [*cells, *(amount(r[k]) for k, _, _ in more)]
                    for cells, r in zip(logged(found), found, strict=True)
                ],
            }
        )
        if not found:
            notes.append(f"{title}：{NOTHING}")
    return sections, notes


def logged(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows made as the disclosure makes them, as the public disclosure log records each one:
    date, number, summary, amount in yuan."""
    return [
        [r["date"], r["number"], r["summary"], yuan(r["amount_fen"], grouped=False)] for r in rows
    ]


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


finance = Fold(wants=wants, fold=fold_finance)

GRANT_COLUMNS = [
    column("village", "村", "village"),
    column("date", "日期", "date", "date"),
    column("number", "凭证号", "voucher"),
    column("summary", "摘要", "summary"),
    column("account", "科目", "account"),
    column("amount", "金额（元）", "amount (yuan)", "decimal"),
]
# the first-level accounts whose receipts (credit lines) are grants, subsidies and earmarked
# funds, by name in the chart in force on the voucher's date (补助收入 is 503 in the 2023
# chart, 522 in the 2004 one; 专项应付款 is 241)
GRANT_ACCOUNTS = frozenset({"补助收入", "专项应付款"})
NO_LOG = (
    "没有财务服务的日志（本部署没有财务服务，或未提供其导出包），无法列出。 / finance's log is "
    "not here (no finance service in this deployment, or no bundle of it given): not listed."
)


def _grants_wants(topic: str) -> bool:
    return topic.startswith(("finance:Collective.Known", "finance:Voucher."))


def fold_grants(events: Iterable[Any] | None, scope: Scope, villages: list[str]) -> dict[str, Any]:
    """The period's posted receipts on the grant accounts of ``villages``, one row a line, with
    their total (pure); ``events`` None: finance keeps no log here, and the note says so."""
    if events is None:
        return {"columns": GRANT_COLUMNS, "rows": [], "note": NO_LOG}
    wanted, names = set(villages), {}
    drafts: dict[str, tuple[str, str, dict[str, Any]]] = {}  # voucher -> (village, date, content)
    posted: list[tuple[str, str, str, dict[str, Any]]] = []
    for event in events:
        what, of = type(event).__qualname__, str(event.originator_id)
        if what == "Collective.Known":
            names[event.village_id] = event.name
        elif what == "Voucher.Drafted" and event.village_id in wanted:
            drafts[of] = (event.village_id, event.voucher_date, event.content)
        elif what == "Voucher.Amended" and of in drafts:
            drafts[of] = (drafts[of][0], event.voucher_date, event.content)
        elif what == "Voucher.Posted" and of in drafts:
            village, day, content = drafts[of]
            if scope.period.start <= day <= scope.period.end:
                posted.append((day, village, event.number, content))
    rows, total = [], 0
    for day, village, number, content in sorted(
        posted, key=lambda p: (p[0], names.get(p[1], p[1]), p[2])
    ):
        chart = chart_on(day)
        for x in content["lines"]:
            account = chart.account(x["account"].partition(".")[0]) if chart else None
            if account is None or account.name not in GRANT_ACCOUNTS or x["side"] != "credit":
                continue
            fen = -x["amount_fen"] if x.get("red") else x["amount_fen"]
            total += fen
            rows.append(
                [
                    names.get(village, village),
                    day,
                    number,
                    x.get("memo") or content["summary"],
                    f"{x['account']} {account.name}",
                    yuan(fen, grouped=False),
                ]
            )
    if not rows:
        return {"columns": GRANT_COLUMNS, "rows": [], "note": f"{NOTHING} / none in the period"}
    rows.append(["合计 total", None, None, None, None, yuan(total, grouped=False)])
    return {"columns": GRANT_COLUMNS, "rows": rows}


grants = Part(wants=_grants_wants, fold=fold_grants)

__all__ = ["finance", "fold_finance", "fold_grants", "grants"]
