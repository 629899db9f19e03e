"""Finance nameko service: thin RPC entrypoints over the Finance application.

One entrypoint per use case in the use-case table (``finance.usecases.USE_CASES``), plus the
platform's ``notifications``, ``health``, ``replay_dead_letter`` and ``batch``. Two inboxes:
registry (villages, households, party branches) and casework (published village decisions). Two jobs: the daily record of disclosures overdue
(``finance.overdue``), and the public disclosure log's tiles (``finance.disclosurelog``).
"""

from __future__ import annotations

from shequ.jobs import JobSpec
from shequ.rpc import PlatformService, expose
from shequ.runtime import InboxSpec, Platform

from finance.application import Finance
from finance.board import tile_writer
from finance.contracts import translate
from finance.overdue import sweep
from finance.reactions import CaseworkReactions, RegistryReactions
from finance.usecases import USE_CASES


class FinanceService(PlatformService):
    name = "finance"
    runtime = Platform(
        "finance",
        Finance.for_service,
        translate,
        inboxes=[InboxSpec.of(RegistryReactions), InboxSpec.of(CaseworkReactions)],
        jobs=[JobSpec("overdue-sweep", 60.0, sweep), JobSpec("disclosure-log", 2.0, tile_writer)],
    )


expose(FinanceService, USE_CASES)
