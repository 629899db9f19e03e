"""One village's books kept through finance's RPC entrypoints, for the end-to-end tests and the
benchmark: the village's clerk, a second clerk, a 民主理财小组 member, its head and the agency's
accountant, vouchers drafted, submitted, reviewed stage by stage and posted, one command per
call or a batch per step."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

STAGES = ("clerk_check", "finance_group", "village_head", "agency")
PAY = [
    {"account": "513", "side": "debit", "amount_fen": 12_000, "memo": "办公用品"},
    {"account": "102", "side": "credit", "amount_fen": 12_000},
]
OPENING = {"102": 10**12, "301": -(10**12)}

Call = Callable[..., Any]  # call(service, method, **kwargs): one RPC call


class Books:
    """A village's books seen through ``call`` (an RPC call of finance's entrypoints)."""

    def __init__(self, call: Call, village_id: str) -> None:
        self.call, self.village_id = call, village_id

        def person(role: str) -> dict[str, str]:
            return {"person_id": str(uuid.uuid4()), "role": role, "village_id": village_id}

        self.clerk = person("finance_clerk")
        self.reviewers = {
            "clerk_check": person("finance_clerk"),
            "finance_group": person("finance_group"),
            "village_head": person("village_head"),
            "agency": {"person_id": str(uuid.uuid4()), "role": "agency_accountant"},
        }
        self.agency = self.reviewers["agency"]

    def command(self, actor: dict[str, str], method: str, key: str, **args: Any) -> Any:
        return self.call("finance", method, actor=actor, idempotency_key=key, **args)

    def open(self, key: str, opened_on: str) -> Any:
        return self.command(
            self.agency,
            "open_ledger",
            key,
            village_id=self.village_id,
            opened_on=opened_on,
            opening=OPENING,
        )

    def draft_args(self, key: str, day: str) -> dict[str, Any]:
        return {
            "idempotency_key": key,
            "village_id": self.village_id,
            "voucher_date": day,
            "summary": "购买办公用品",
            "lines": PAY,
            "handler_id": self.clerk["person_id"],
        }

    def draft(self, key: str, day: str) -> str:
        args = self.draft_args(key, day)
        return str(self.call("finance", "draft_voucher", actor=self.clerk, **args)["voucher_id"])

    def review(self, voucher_id: str, key: str, upto: int = 4) -> None:
        """Submitted, and its first ``upto`` stages approved in the default order."""
        self.command(self.clerk, "submit_voucher", f"{key}-submit", voucher_id=voucher_id)
        for stage in STAGES[:upto]:
            self.command(
                self.reviewers[stage],
                "review_voucher",
                f"{key}-{stage}",
                voucher_id=voucher_id,
                stage=stage,
                outcome="approve",
            )

    def send_back(self, voucher_id: str, key: str, stage: str, reason: str) -> None:
        self.command(
            self.reviewers[stage],
            "review_voucher",
            key,
            voucher_id=voucher_id,
            stage=stage,
            outcome="return",
            opinion=reason,
        )

    def post(self, voucher_id: str, key: str) -> Any:
        return self.command(self.agency, "post_voucher", key, voucher_id=voucher_id)

    def approved_in_batches(self, keys: Sequence[str], day: str, post: bool = False) -> list[str]:
        """Vouchers drafted under ``keys`` and taken through the review, one batch call per
        step (and posted in one more if ``post``): their ids, in order."""

        def batch(actor: dict[str, str], command: str, args: list[dict[str, Any]]) -> list[Any]:
            items = [{"command": command, "args": a} for a in args]
            answers = self.call("finance", "batch", actor=actor, commands=items)
            assert all("ok" in a for a in answers), answers[:3]
            return [a["ok"] for a in answers]

        drafted = batch(self.clerk, "draft_voucher", [self.draft_args(k, day) for k in keys])
        ids = [str(d["voucher_id"]) for d in drafted]
        steps = [(self.clerk, "submit_voucher", "submit", {})]
        steps += [
            (self.reviewers[s], "review_voucher", s, {"stage": s, "outcome": "approve"})
            for s in STAGES
        ]
        if post:
            steps.append((self.agency, "post_voucher", "post", {}))
        for actor, command, suffix, more in steps:
            batch(
                actor,
                command,
                [
                    {"idempotency_key": f"{k}-{suffix}", "voucher_id": v, **more}
                    for k, v in zip(keys, ids, strict=True)
                ],
            )
        return ids
