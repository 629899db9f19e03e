"""The automatic indicators: what each measures, where its facts come from, how it scores.

| metric               | from      | value                                                      |
|----------------------|-----------|------------------------------------------------------------|
| on_time_rate         | casework  | cases resolved on time / cases resolved in the period      |
| resolution_rate      | casework  | cases resolved / cases opened in the period (at most 1)    |
| satisfaction         | casework  | mean rating (1-5) of cases rated in the period             |
| reopen_rate          | casework  | cases reopened / cases resolved in the period              |
| chases, reprimands   | casework  | counts (deduction items: points each, up to a cap)         |
| visit_coverage       | outreach  | households visited / households in rounds closed           |
| contact_compliance   | outreach  | contacts / (contacts + overdue flags)                      |
| card_distribution    | outreach  | card versions distributed / issued (at most 1)             |
| awareness, support, participation | outreach | survey results, weighted by respondents       |
| disclosure_timeliness | finance  | disclosures published on time / disclosures due (published or overdue) |
| objection_timeliness | finance   | objections answered on time / objections answered or overdue |
| voucher_return_rate  | finance   | vouchers returned at least once / vouchers posted or returned  |
A case counts once per period whatever the number of deliveries: facts are keyed by case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name_zh: str
    source: str  # upstream service
    scoring: str  # rate | inverse_rate | satisfaction | count


METRICS: dict[str, Metric] = {
    "on_time_rate": Metric("按时办结率", "casework", "rate"),
    "resolution_rate": Metric("问题解决率", "casework", "rate"),
    "satisfaction": Metric("群众满意度", "casework", "satisfaction"),
    "reopen_rate": Metric("重新办理率", "casework", "inverse_rate"),
    "chases": Metric("催办次数", "casework", "count"),
    "reprimands": Metric("通报次数", "casework", "count"),
    "visit_coverage": Metric("走访覆盖率", "outreach", "rate"),
    "contact_compliance": Metric("党员联户达标率", "outreach", "rate"),
    "card_distribution": Metric("联系卡发放率", "outreach", "rate"),
    "awareness": Metric("知晓率", "outreach", "rate"),
    "support": Metric("支持度", "outreach", "rate"),
    "participation": Metric("参与率", "outreach", "rate"),
    "disclosure_timeliness": Metric("财务按时公开率", "finance", "rate"),
    "objection_timeliness": Metric("质询按时答复率", "finance", "rate"),
    "voucher_return_rate": Metric("凭证退回率", "finance", "inverse_rate"),
}

COUNT_METRICS = frozenset(k for k, m in METRICS.items() if m.scoring == "count")
RATE_METRICS = frozenset(METRICS) - COUNT_METRICS
