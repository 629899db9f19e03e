"""What outreach's command examples name (the README's and ``shequ call outreach --help``'s),
each record spelled once."""

from __future__ import annotations

COMMUNITY = "3f1c6a7e-0000-5000-8000-000000000004"
VILLAGE = "3f1c6a7e-0000-5000-8000-000000000005"
HOUSEHOLD = "3f1c6a7e-0000-5000-8000-000000000009"
MEMBER = "3f1c6a7e-0000-5000-8000-000000000002"
ROUND = "5b2d7c1e-0000-5000-8000-000000000007"
CAMPAIGN = "5b2d7c1e-0000-5000-8000-000000000000"
