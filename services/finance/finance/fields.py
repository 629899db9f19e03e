"""The typed fields several finance commands take, each declared once (``shequ.commands``
types): the same field refuses the same values under the same Chinese title wherever it is
asked for."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from shequ.commands import Count, Text

# an accounting month (会计期间)
Period = Annotated[str, Text(7, "会计期间（YYYY-MM）"), Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
# a quarter, as disclosures are made for it
Quarter = Annotated[str, Field(pattern=r"^\d{4}Q[1-4]$", title="季度（YYYYQn）")]
# an account of the chart (科目代码), checked against the chart in force by the aggregate
Account = Annotated[str, Text(20, "会计科目代码")]
# a project's number and name: a construction project's (D4), a 一事一议 project's (F9)
ProjectNumber = Annotated[str, Text(30, "项目编号")]
ProjectName = Annotated[str, Text(100, "项目")]
# an area of land in hundredths of a mu (0.01亩)
Area = Annotated[int, Count(1, 10**10, "面积（0.01亩）")]
