"""Local-practice settings of the registry (RULES §5: defaults, changeable per district)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegistrySettings:
    """Household-contact limits per party member (党员联户): 5 to 10 households by default."""

    min_households: int = 5
    max_households: int = 10

    def __post_init__(self) -> None:
        if not 0 <= self.min_households <= self.max_households:
            raise ValueError("min_households must be between 0 and max_households")
