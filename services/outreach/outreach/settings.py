"""Local-practice settings of outreach (RULES §5: defaults, changeable per district)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class OutreachSettings:
    """Party-member contact intervals and the address printed as a QR code on cards.

    ``contact_interval_months``: at most this many months between two contacts (default 1);
    ``practical_tasks_per_year``: practical tasks (办实事) per linked household per year (1);
    ``case_url``: where a resident files a demand; the card's QR code carries it with the
    household id (``SHEQU_OUTREACH_CASE_URL``);
    ``inline_reissue_limit``: a team change touching more households than this is re-issued
    by the background re-issuer in chunks of ``reissue_chunk``, not in the inbox transaction.
    """

    contact_interval_months: int = 1
    practical_tasks_per_year: int = 1
    case_url: str = "https://shequ.jiaohe.example/file-case"
    inline_reissue_limit: int = 500
    reissue_chunk: int = 500

    def __post_init__(self) -> None:
        if self.contact_interval_months < 1 or self.practical_tasks_per_year < 0:
            raise ValueError("contact_interval_months >= 1 and practical_tasks_per_year >= 0")
        if self.inline_reissue_limit < 0 or self.reissue_chunk < 1:
            raise ValueError("inline_reissue_limit >= 0 and reissue_chunk >= 1")
        if not self.case_url.startswith(("https://", "http://")):
            raise ValueError("case_url must be an http(s) URL")

    @classmethod
    def from_env(cls) -> OutreachSettings:
        def number(name: str, default: int) -> int:
            return int(os.environ.get(name, "").strip() or default)

        return cls(
            contact_interval_months=number("SHEQU_OUTREACH_CONTACT_INTERVAL_MONTHS", 1),
            practical_tasks_per_year=number("SHEQU_OUTREACH_PRACTICAL_TASKS_PER_YEAR", 1),
            case_url=os.environ.get("SHEQU_OUTREACH_CASE_URL", "").strip() or cls.case_url,
            inline_reissue_limit=number("SHEQU_OUTREACH_INLINE_REISSUE_LIMIT", 500),
            reissue_chunk=number("SHEQU_OUTREACH_REISSUE_CHUNK", 500),
        )

    def case_url_for(self, household_id: str) -> str:
        joiner = "&" if "?" in self.case_url else "?"
        return f"{self.case_url}{joiner}household={household_id}"
