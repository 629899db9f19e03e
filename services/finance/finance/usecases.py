"""Every finance use case: its command model, its handler, who may call it (roles × scope) and
whether it only reads. From this table come the RPC entrypoints (``finance.service``), the
application's policy, ``shequ call finance [METHOD] --help`` and the README's method table.

The village's clerk (报账员) drafts and submits its vouchers; the four review stages are taken
by the clerk's colleague, the 民主理财小组, the village head and the agency's accountant, each in
their village (the agency for every village it serves); the agency's accountant opens ledgers,
posts and closes months (村账镇管); district staff may open ledgers; auditors read only.
"""

from __future__ import annotations

from shequ.usecases import UseCase, UseCases

from finance import (
    agreements,
    board,
    compensations,
    disclosures,
    ledgers,
    objections,
    parties,
    plans,
    projects,
    resources,
    vouchers,
)

VILLAGE = {"finance_clerk": "village", "finance_group": "village", "village_head": "village"}
AGENCY = {"agency_accountant": "all", "system": "all"}
CLERK = {"finance_clerk": "village", **AGENCY}
REVIEW = {**VILLAGE, **AGENCY}
BOOKS = {**AGENCY, "district_staff": "all"}
READS = {**BOOKS, **VILLAGE, "community_staff": "community", "auditor": "all"}
# a resident objects for their own household, staff take a villager's objection down
OBJECTORS = {"resident": "household", "finance_clerk": "village", "community_staff": "community"}
OBJECTORS |= {"district_staff": "all", "system": "all"}
ANSWER = {"finance_group": "village", "village_head": "village", **AGENCY}
OWN = {**READS, "resident": "household"}
PREPARE = {**CLERK, "district_staff": "all"}  # disclosures: the district may prepare them too

USE_CASES = UseCases(
    "finance",
    # ledgers
    UseCase(ledgers.OpenLedger, ledgers.open_ledger, BOOKS),
    UseCase(ledgers.ClosePeriod, ledgers.close_period, AGENCY),
    UseCase(ledgers.CarryOverChart, ledgers.carry_over_chart, AGENCY),
    UseCase(ledgers.RegisterAsset, ledgers.register_asset, CLERK),
    UseCase(ledgers.DisposeAsset, ledgers.dispose_asset, CLERK),
    UseCase(ledgers.TransferAsset, ledgers.transfer_asset, CLERK),
    # counterparties and their subledgers (F3, F31)
    UseCase(parties.RegisterCounterparty, parties.register_counterparty, CLERK),
    # the resource register (F5)
    UseCase(resources.RegisterResource, resources.register_resource, CLERK),
    UseCase(resources.ChangeResourceStatus, resources.change_resource_status, CLERK),
    # the plan, the distribution and 一事一议 (F7, F8, F9)
    UseCase(plans.AdoptPlan, plans.adopt_plan, CLERK),
    UseCase(plans.DecideDistribution, plans.decide_distribution, CLERK),
    UseCase(plans.RecordPooledProject, plans.record_pooled_project, CLERK),
    # special disclosures (专项公开, D4): land compensation, and a topic's table of a quarter
    UseCase(compensations.RecordLandCompensation, compensations.record_land_compensation, CLERK),
    UseCase(projects.RegisterProject, projects.register_project, CLERK),
    UseCase(projects.SettleProject, projects.settle_project, CLERK),
    UseCase(compensations.PrepareSpecial, compensations.prepare_special, PREPARE),
    # vouchers
    UseCase(vouchers.DraftVoucher, vouchers.draft_voucher, CLERK),
    UseCase(vouchers.AmendDraft, vouchers.amend_draft, CLERK),
    UseCase(vouchers.SubmitVoucher, vouchers.submit_voucher, CLERK),
    UseCase(vouchers.ReviewVoucher, vouchers.review_voucher, REVIEW),
    UseCase(vouchers.PostVoucher, vouchers.post_voucher, AGENCY),
    UseCase(vouchers.VoidDraft, vouchers.void_draft, CLERK),
    # contracts on collective property
    UseCase(agreements.SignContract, agreements.sign_contract, BOOKS),
    # disclosure
    UseCase(disclosures.PrepareDisclosure, disclosures.prepare_disclosure, PREPARE),
    UseCase(
        disclosures.ReviewDisclosure, disclosures.review_disclosure, {"finance_group": "village"}
    ),
    UseCase(
        disclosures.PublishDisclosure,
        disclosures.publish_disclosure,
        {"village_head": "village", **AGENCY},
    ),
    # objections (质询)
    UseCase(objections.FileObjection, objections.file_objection, OBJECTORS),
    UseCase(objections.AssignObjection, objections.assign_objection, ANSWER),
    UseCase(objections.AnswerObjection, objections.answer_objection, ANSWER),
    UseCase(objections.EscalateObjection, objections.escalate_objection, OBJECTORS),
    # queries
    UseCase(ledgers.LedgerQuery, ledgers.ledger, READS, reads=True),
    UseCase(ledgers.LedgersQuery, ledgers.ledgers, READS, reads=True),
    UseCase(ledgers.TrialBalanceQuery, ledgers.trial_balance, READS, reads=True),
    UseCase(ledgers.JournalQuery, ledgers.journal, READS, reads=True),
    UseCase(ledgers.StatementsQuery, ledgers.statements, READS, reads=True),
    UseCase(agreements.ContractsQuery, agreements.contracts, READS, reads=True),
    UseCase(parties.CounterpartiesQuery, parties.counterparties, READS, reads=True),
    UseCase(resources.ResourcesQuery, resources.resources, READS, reads=True),
    UseCase(plans.PlanQuery, plans.plan, READS, reads=True),
    UseCase(plans.IncomeDistributionQuery, plans.income_distribution, READS, reads=True),
    UseCase(plans.PooledProjectsQuery, plans.pooled_projects, READS, reads=True),
    UseCase(vouchers.VoucherQuery, vouchers.voucher, READS, reads=True),
    UseCase(vouchers.VouchersQuery, vouchers.vouchers, READS, reads=True),
    UseCase(vouchers.ReviewQueueQuery, vouchers.review_queue, READS, reads=True),
    UseCase(vouchers.VoucherOptionsQuery, vouchers.voucher_options, READS, reads=True),
    UseCase(disclosures.DisclosureQuery, disclosures.disclosure, READS, reads=True),
    UseCase(disclosures.DisclosuresQuery, disclosures.disclosures, READS, reads=True),
    UseCase(objections.ObjectionQuery, objections.objection, OWN, reads=True),
    UseCase(objections.ObjectionsDueQuery, objections.objections_due, READS, reads=True),
    UseCase(objections.HouseholdObjectionsQuery, objections.household_objections, OWN, reads=True),
    UseCase(board.PublicDisclosuresQuery, board.public_disclosures, READS, reads=True),
)
