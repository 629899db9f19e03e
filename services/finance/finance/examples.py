"""What finance's command examples name (the README's and ``shequ call finance --help``'s),
each record spelled once."""

from __future__ import annotations

VILLAGE = "3f1c6a7e-0000-5000-8000-000000000005"
CLERK = "3f1c6a7e-0000-5000-8000-000000000021"
VOUCHER = "5b2d7c1e-0000-5000-8000-000000000031"
HOUSEHOLD = "3f1c6a7e-0000-5000-8000-000000000009"
OBJECTION = "5b2d7c1e-0000-5000-8000-000000000051"

# A month of the village's books, as the monthly queries name it.
MONTH = {"village_id": VILLAGE, "period": "2026-01"}
