"""The finance domain: ledgers, vouchers and their review. Standard library,
``eventsourcing.domain``, ``shequ.errors`` and ``shequ.domainkit`` only."""

from finance.domain.charts import Account, Chart, chart_on, charts
from finance.domain.collective import Branch, Collective, Committee, Household
from finance.domain.compensation import LandCompensation
from finance.domain.contract import Contract, Decision
from finance.domain.disclosure import Disclosure, Overdue
from finance.domain.ledger import Ledger
from finance.domain.objection import Objection
from finance.domain.party import Counterparty
from finance.domain.plan import AnnualPlan, Distribution, PooledProject
from finance.domain.project import Project
from finance.domain.resource import Resource
from finance.domain.voucher import (
    KINDS,
    STAGES,
    Voucher,
    check_correction,
    check_decision,
    check_reviewer,
    checked_lines,
)

AGGREGATES = (
    AnnualPlan,
    Branch,
    Collective,
    Committee,
    Contract,
    Counterparty,
    Decision,
    Disclosure,
    Distribution,
    Household,
    LandCompensation,
    Ledger,
    Objection,
    Overdue,
    PooledProject,
    Project,
    Resource,
    Voucher,
)

__all__ = [
    "AGGREGATES",
    "KINDS",
    "STAGES",
    "Account",
    "AnnualPlan",
    "Branch",
    "Chart",
    "Collective",
    "Committee",
    "Contract",
    "Counterparty",
    "Decision",
    "Disclosure",
    "Distribution",
    "Household",
    "LandCompensation",
    "Ledger",
    "Objection",
    "Overdue",
    "PooledProject",
    "Project",
    "Resource",
    "Voucher",
    "chart_on",
    "charts",
    "check_correction",
    "check_decision",
    "check_reviewer",
    "checked_lines",
]
