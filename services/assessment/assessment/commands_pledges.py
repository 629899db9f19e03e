"""Use cases: party members' pledges (承诺践诺), rewards (奖励扶持), exemplary communities."""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import NotFound, ValidationError
from shequ.validation import check_date, check_int, check_uuid, optional_text, require_text

from assessment.base import AssessmentBase
from assessment.domain import Exemplar, Person, PledgeBook, Reward, Subject
from assessment.domain.common import key_id
from assessment.domain.pledge import RATERS


def _pledge_texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValidationError(
            "pledges 须为承诺内容的列表", "pledges must be a list of texts", "pledges", rule="list"
        )
    return [require_text(v, f"pledges[{i}]", "承诺内容", 200) for i, v in enumerate(value)]


def _rating(value: Any, field: str) -> str:
    return str(check_int(value, field, "评议分", 0, 100))


class PledgeCommands(AssessmentBase):
    def book(self, member_id: str, year: int) -> PledgeBook:
        return self.get(
            PledgeBook.create_id(member_id, year),
            PledgeBook,  # type: ignore
            "党员承诺",
            "member_id",
        )

    def community_known(self, community_id: str) -> None:
        if self.find(Subject.create_id("community", community_id)) is None:
            raise NotFound("未找到社区", "no such community under assessment", "community_id")

    def party_member(self, member_id: str) -> Person:
        """The person as the registry announced them (``not_found`` if it never did)."""
        person = self.find(Person.create_id(member_id))
        if person is None:
            raise NotFound(
                "登记服务中没有此人（或考核服务尚未收到其登记）",
                "the registry has no such person (or assessment has not heard of them yet)",
                "member_id",
            )
        return person  # type: ignore[no-any-return]

    def register_pledges(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        member_id: str,
        community_id: str,
        year: int,
        pledges: list[str],
    ) -> dict[str, Any]:
        """The branch registers a party member's pledges for the year (2-5, RULES §5).

        ``member_id`` is a person the registry records as a party member in ``year``; the
        book carries the registry's name for them."""
        p: dict[str, Any] = {
            "member_id": check_uuid(member_id, "member_id"),
            "community_id": check_uuid(community_id, "community_id"),
            "year": check_int(year, "year", "年度", 2000, 2100),
            "pledges": _pledge_texts(pledges),
        }
        self.party_member(p["member_id"])
        self.community_known(p["community_id"])

        def decide() -> Any:
            member = self.party_member(p["member_id"])
            member.check_member_in(p["year"])
            self.ensure_new(
                PledgeBook.create_id(p["member_id"], p["year"]), "该党员本年度承诺", "member_id"
            )
            book = PledgeBook.register(
                p["member_id"],
                member.name,
                p["community_id"],
                p["year"],
                p["pledges"],
                self.settings.pledges_min,
                self.settings.pledges_max,
                actor.to_dict(),
            )
            return [book], {"book_id": str(book.id), "pledges": len(p["pledges"])}

        return self.run(
            "register_pledges",
            idempotency_key,
            actor,
            Target(community_id=p["community_id"]),
            p,
            decide,
        )

    def _book_command(
        self, command: str, key: str, actor: Actor, p: dict[str, Any], act: Any
    ) -> dict[str, Any]:
        book = self.book(p["member_id"], p["year"])

        def decide() -> Any:
            fresh = self.book(p["member_id"], p["year"])
            result = act(fresh)
            return [fresh], {"book_id": str(fresh.id), **(result or {})}

        return self.run(
            command,
            key,
            actor,
            Target(community_id=book.community_id),  # type: ignore[no-any-return]
            p,
            decide,
        )

    def publish_pledges(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        member_id: str,
        year: int,
        published_on: str | None = None,
    ) -> dict[str, Any]:
        """Make the member's pledges public (公开承诺)."""
        p: dict[str, Any] = {
            "member_id": check_uuid(member_id, "member_id"),
            "year": check_int(year, "year", "年度", 2000, 2100),
            "published_on": check_date(published_on, "published_on")
            if published_on
            else self.today(),
        }
        return self._book_command(
            "publish_pledges",
            idempotency_key,
            actor,
            p,
            lambda b: b.publish(p["published_on"], actor.to_dict()),
        )

    def record_fulfilment(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        member_id: str,
        year: int,
        index: int,
        evidence: str,
        on: str | None = None,
    ) -> dict[str, Any]:
        """Evidence that one pledge (index from 0) was carried out (践诺)."""
        p: dict[str, Any] = {
            "member_id": check_uuid(member_id, "member_id"),
            "year": check_int(year, "year", "年度", 2000, 2100),
            "index": check_int(index, "index", "承诺序号", 0, 99),
            "evidence": require_text(evidence, "evidence", "践诺情况", 1000),
            "on": check_date(on, "on") if on else self.today(),
        }
        return self._book_command(
            "record_fulfilment",
            idempotency_key,
            actor,
            p,
            lambda b: b.fulfil(p["index"], p["evidence"], p["on"], actor.to_dict()),
        )

    def appraise_member(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        member_id: str,
        year: int,
        self_rating: int,
        peer_rating: int,
        branch_rating: int,
        public_rating: int,
        on: str | None = None,
    ) -> dict[str, Any]:
        """Year-end appraisal: self, peer, branch and public ratings (0-100 each), weighted by
        the settings, give 优秀 / 合格 / 基本合格 / 不合格."""
        ratings = {
            r: _rating(v, f"{r}_rating")
            for r, v in zip(
                RATERS, (self_rating, peer_rating, branch_rating, public_rating), strict=True
            )
        }
        p: dict[str, Any] = {
            "member_id": check_uuid(member_id, "member_id"),
            "year": check_int(year, "year", "年度", 2000, 2100),
            "ratings": ratings,
            "on": check_date(on, "on") if on else self.today(),
        }
        return self._book_command(
            "appraise_member",
            idempotency_key,
            actor,
            p,
            lambda b: b.appraise(
                ratings,
                self.settings.appraisal_weights,
                self.settings.grade_thresholds,
                p["on"],
                actor.to_dict(),
            ),
        )

    # -- rewards -----------------------------------------------------------------------------
    def grant_reward(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        community_id: str,
        amount_fen: int,
        reason: str,
        granted_on: str | None = None,
        period_id: str | None = None,
    ) -> dict[str, Any]:
        """A reward and support (奖励扶持) to a community, in integer fen."""
        p: dict[str, Any] = {
            "community_id": check_uuid(community_id, "community_id"),
            "amount_fen": check_int(amount_fen, "amount_fen", "奖励金额（分）", 1, 10**11),
            "reason": require_text(reason, "reason", "奖励理由", 500),
            "granted_on": check_date(granted_on, "granted_on") if granted_on else self.today(),
            "period_id": check_uuid(period_id, "period_id") if period_id else None,
        }
        self.community_known(p["community_id"])

        def decide() -> Any:
            reward = Reward(
                id=key_id("reward", idempotency_key),  # type: ignore[call-arg]
                community_id=p["community_id"],
                amount_fen=p["amount_fen"],
                reason=p["reason"],
                period_id=p["period_id"],
                granted_on=p["granted_on"],
                actor=actor.to_dict(),
            )
            return [reward], {"reward_id": str(reward.id)}

        return self.run("grant_reward", idempotency_key, actor, Target(), p, decide)

    def designate_exemplary(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        community_id: str,
        year: int,
        reason: str,
        designated_on: str | None = None,
    ) -> dict[str, Any]:
        """Designate a community exemplary (示范社区) for a year (once per year)."""
        p: dict[str, Any] = {
            "community_id": check_uuid(community_id, "community_id"),
            "year": check_int(year, "year", "年度", 2000, 2100),
            "reason": optional_text(reason, "reason", "理由", 500) or "示范社区",
            "designated_on": check_date(designated_on, "designated_on")
            if designated_on
            else self.today(),
        }
        self.community_known(p["community_id"])

        def decide() -> Any:
            agg_id = Exemplar.create_id(p["community_id"], p["year"])
            self.ensure_new(agg_id, "本年度示范社区命名", "community_id")
            exemplar = Exemplar(
                id=agg_id,
                community_id=p["community_id"],  # type: ignore[call-arg]
                year=p["year"],
                reason=p["reason"],
                designated_on=p["designated_on"],
                actor=actor.to_dict(),
            )
            return [exemplar], {"designation_id": str(agg_id)}

        return self.run("designate_exemplary", idempotency_key, actor, Target(), p, decide)
