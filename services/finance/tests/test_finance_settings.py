"""F43: finance's local-practice settings — the defaults FINANCE.md gives, each changed by its
environment variable, bad values refused at start, and every variable the service reads listed
in docs/operations.md with its default."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from finance import settings as settings_module
from finance.settings import FinanceSettings
from shequ.audit.notes import COSIGNATURE, vkey

ROOT = Path(__file__).resolve().parents[3]
WKEY = vkey("witness.sanzi.example/jiaohe", Ed25519PrivateKey.generate().public_key(), COSIGNATURE)
URL = "https://witness.sanzi.example"
# the variable of each setting and a value other than its default
OVERRIDES = {
    "review_stages": (
        "SHEQU_FINANCE_REVIEW_STAGES",
        "finance_group, clerk_check,village_head,agency",
        ("finance_group", "clerk_check", "village_head", "agency"),
    ),
    "decision_required_over_fen": (
        "SHEQU_FINANCE_DECISION_REQUIRED_OVER_FEN",
        "3000000",
        3_000_000,
    ),
    "cash_limit_fen": ("SHEQU_FINANCE_CASH_LIMIT_FEN", "200000", 200_000),
    "periodic_due_day": ("SHEQU_FINANCE_PERIODIC_DUE_DAY", "10", 10),
    "posting_days": ("SHEQU_FINANCE_POSTING_DAYS", "30", 30),
    "answer_days": ("SHEQU_FINANCE_ANSWER_DAYS", "7", 7),
    "immediate_over_fen": ("SHEQU_FINANCE_IMMEDIATE_OVER_FEN", "1000000", 1_000_000),
    "immediate_days": ("SHEQU_FINANCE_IMMEDIATE_DAYS", "3", 3),
    "extend_on_rest_day": ("SHEQU_FINANCE_EXTEND_ON_REST_DAY", "0", False),
    "pooled_cap_fen": ("SHEQU_FINANCE_POOLED_CAP_FEN", "2000", 2_000),
    "pooled_labour_days": ("SHEQU_FINANCE_POOLED_LABOUR_DAYS", "8", 8),
    "witness_policy": (
        "SHEQU_FINANCE_WITNESS_POLICY",
        f"1 of township={WKEY},{URL}",
        f"1 of township={WKEY},{URL}",
    ),
}


def test_F43_the_defaults_are_finance_md_s() -> None:
    assert dataclasses.asdict(FinanceSettings()) == {
        "review_stages": ("clerk_check", "finance_group", "village_head", "agency"),
        "decision_required_over_fen": 5_000_000,
        "cash_limit_fen": 500_000,
        "periodic_due_day": 15,
        "posting_days": 15,
        "answer_days": 10,
        "immediate_over_fen": 5_000_000,
        "immediate_days": 5,
        "extend_on_rest_day": True,
        "pooled_cap_fen": 1_500,
        "pooled_labour_days": 10,
        "witness_policy": "",
    }


def test_F43_unset_or_empty_variables_give_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, _, _ in OVERRIDES.values():
        monkeypatch.setenv(variable, "")
    assert FinanceSettings.from_env() == FinanceSettings()
    for variable, _, _ in OVERRIDES.values():
        monkeypatch.delenv(variable)
    assert FinanceSettings.from_env() == FinanceSettings()


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_F43_each_setting_is_changed_by_its_variable_alone(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    variable, text, value = OVERRIDES[name]
    monkeypatch.setenv(variable, text)
    changed = dataclasses.asdict(FinanceSettings.from_env())
    assert changed == {**dataclasses.asdict(FinanceSettings()), name: value}


@pytest.mark.parametrize(
    ("variable", "text"),
    [
        ("SHEQU_FINANCE_REVIEW_STAGES", "clerk_check,finance_group,village_head"),
        ("SHEQU_FINANCE_REVIEW_STAGES", "clerk_check,clerk_check,village_head,agency"),
        ("SHEQU_FINANCE_CASH_LIMIT_FEN", "-1"),
        ("SHEQU_FINANCE_PERIODIC_DUE_DAY", "29"),
        ("SHEQU_FINANCE_PERIODIC_DUE_DAY", "0"),
        ("SHEQU_FINANCE_POSTING_DAYS", "0"),
        ("SHEQU_FINANCE_ANSWER_DAYS", "0"),
        ("SHEQU_FINANCE_ANSWER_DAYS", "ten"),
        ("SHEQU_FINANCE_WITNESS_POLICY", f"township={WKEY},{URL}"),
        ("SHEQU_FINANCE_WITNESS_POLICY", f"2 of township={WKEY},{URL}"),
        ("SHEQU_FINANCE_WITNESS_POLICY", f"1 of township={WKEY[:-4]},{URL}"),
        ("SHEQU_FINANCE_WITNESS_POLICY", f"1 of township={WKEY},ftp://x"),
    ],
)
def test_F43_a_bad_value_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, text: str
) -> None:
    monkeypatch.setenv(variable, text)
    with pytest.raises(ValueError) as refused:
        FinanceSettings.from_env()
    if "WITNESS" in variable:  # named, in both languages
        assert "SHEQU_FINANCE_WITNESS_POLICY（witness_policy）" in str(refused.value)
        assert "SHEQU_FINANCE_WITNESS_POLICY (witness_policy) is malformed" in str(refused.value)


def test_F43_the_platform_s_witness_policy_is_finance_s_unless_finance_sets_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHEQU_WITNESS_POLICY", f"1 of district={WKEY},{URL}")
    assert FinanceSettings.from_env().witness_policy == f"1 of district={WKEY},{URL}"
    monkeypatch.setenv("SHEQU_FINANCE_WITNESS_POLICY", f"1 of township={WKEY},{URL}")
    assert FinanceSettings.from_env().witness_policy == f"1 of township={WKEY},{URL}"


def test_F43_every_variable_is_in_the_operations_guide_with_its_default() -> None:
    read = set(re.findall(r"SHEQU_FINANCE_\w+", Path(settings_module.__file__).read_text()))
    assert read == {v for v, _, _ in OVERRIDES.values()}
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    rows = dict(
        re.findall(r"^\| finance \| `(SHEQU_FINANCE_\w+)` \| ([^|]+) \|", guide, re.MULTILINE)
    )
    assert set(rows) == read
    defaults = dataclasses.asdict(FinanceSettings())
    for name, (variable, _, _) in OVERRIDES.items():
        default = defaults[name]
        shown = rows[variable].strip().strip("`")
        if default == "":
            assert shown == "(empty)", variable
        elif isinstance(default, bool):
            assert shown == ("1" if default else "0"), variable
        elif isinstance(default, tuple):
            assert shown == ",".join(default), variable
        else:
            assert shown == str(default), variable
