"""Local-practice settings of assessment (RULES §5 [local]: defaults, changeable per district).

Read from the environment by ``AssessmentSettings.from_env()`` (the service does; tests pass
their own):
  SHEQU_ASSESSMENT_LATE_EVENTS        next_period | reopen      (default next_period)
  SHEQU_ASSESSMENT_NO_DATA            rescale | zero            (default rescale)
  SHEQU_ASSESSMENT_APPRAISAL_WEIGHTS  self=0.2,peer=0.3,branch=0.3,public=0.2
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

LATE_RULES = {"next_period": "计入下一周期", "reopen": "重新开启该周期"}
NO_DATA_RULES = {"rescale": "无数据指标不计，其余按比例折算", "zero": "无数据指标计0分"}


def _weights() -> dict[str, str]:
    return {"self": "0.2", "peer": "0.3", "branch": "0.3", "public": "0.2"}


def _thresholds() -> dict[str, str]:
    # [?] no national rule: a common practice (90 / 75 / 60), a setting.
    return {"excellent": "90", "qualified": "75", "basically_qualified": "60"}


@dataclass(frozen=True)
class AssessmentSettings:
    late_events: str = "next_period"
    no_data: str = "rescale"
    pledges_min: int = 2
    pledges_max: int = 5
    appraisal_weights: dict[str, str] = field(default_factory=_weights)
    grade_thresholds: dict[str, str] = field(default_factory=_thresholds)

    def __post_init__(self) -> None:
        if self.late_events not in LATE_RULES:
            raise ValueError(f"late_events must be one of {sorted(LATE_RULES)}")
        if self.no_data not in NO_DATA_RULES:
            raise ValueError(f"no_data must be one of {sorted(NO_DATA_RULES)}")
        if not 1 <= self.pledges_min <= self.pledges_max:
            raise ValueError("pledges_min must be between 1 and pledges_max")
        weights = self.appraisal_weights
        if (
            set(weights) != {"self", "peer", "branch", "public"}
            or sum(Decimal(v) for v in weights.values()) != 1
        ):
            raise ValueError("appraisal weights for self, peer, branch, public must total 1")

    @classmethod
    def from_env(cls) -> AssessmentSettings:
        weights = os.environ.get("SHEQU_ASSESSMENT_APPRAISAL_WEIGHTS", "").strip()
        return cls(
            late_events=os.environ.get("SHEQU_ASSESSMENT_LATE_EVENTS", "").strip() or "next_period",
            no_data=os.environ.get("SHEQU_ASSESSMENT_NO_DATA", "").strip() or "rescale",
            appraisal_weights=dict(p.split("=", 1) for p in weights.split(","))
            if weights
            else _weights(),
        )
