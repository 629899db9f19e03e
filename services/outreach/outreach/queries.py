"""Queries, served from the read model (caught up first), with personal data masked by role."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import NotFound, RuleViolation
from shequ.readlog import check_purpose
from shequ.validation import check_date, check_int, check_uuid
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from outreach import masking, pdf
from outreach import tables as t
from outreach.commands_contacts import ContactCommands
from outreach.commands_publicity import PublicityCommands


class Queries(ContactCommands, PublicityCommands):
    """Read-only use cases."""

    # -- cards ------------------------------------------------------------------------------
    def _card(self, c: Connection, household_id: str, version: int | None) -> dict[str, Any]:
        v, h = t.card_versions, t.households
        query = select(v).where(v.c.household_id == household_id)
        query = (
            query.where(v.c.version == version)
            if version
            else query.order_by(v.c.version.desc()).limit(1)
        )
        row = c.execute(query).mappings().first()
        if row is None:
            raise NotFound(
                "该户尚无此版联系卡",
                f"household {household_id} has no such card version",
                "version" if version else "household_id",
            )
        home = c.execute(
            select(h.c.address, h.c.card_version, t.villages.c.name)
            .join(t.villages, t.villages.c.id == h.c.village_id)
            .where(h.c.id == household_id)
        ).first()
        community = c.execute(
            select(t.communities.c.name).where(t.communities.c.id == row["community_id"])
        ).scalar()
        dist = (
            c.execute(
                select(t.distributions).where(
                    t.distributions.c.household_id == household_id,
                    t.distributions.c.version == row["version"],
                )
            )
            .mappings()
            .first()
        )
        return {
            "card_id": row["card_id"],
            "household_id": household_id,
            "version": row["version"],
            "current": home is not None and home.card_version == row["version"],
            "issued_on": row["issued_on"],
            "reason": row["reason"],
            "community_id": row["community_id"],
            "community_name": community or "",
            "village_id": row["village_id"],
            "village_name": home.name if home else "",
            "address": home.address if home else "",
            "contacts": json.loads(row["contacts"]),
            "case_url": self.settings.case_url_for(household_id),
            "distribution": dict(dist) if dist else None,
        }

    def _household_scope(self, entrypoint: str, actor: Actor, household_id: str) -> None:
        self.policy.check(entrypoint, actor, self.household_target(self.household(household_id)))

    def _shown(self, actor: Actor, card: dict[str, Any]) -> dict[str, Any]:
        return {
            **card,
            "contacts": masking.card_contacts(actor, card["contacts"]),
            "address": masking.address(actor, card["address"])
            if actor.role != "resident"
            else card["address"],
        }

    def card(self, actor: Actor, household_id: str, version: int | None = None) -> dict[str, Any]:
        """A household's contact card (the current version, or ``version``)."""
        household_id = check_uuid(household_id, "household_id")
        version = check_int(version, "version", "版本", 1, 1_000_000) if version else None
        self._household_scope("card", actor, household_id)
        with self.read() as c:
            return self._shown(actor, self._card(c, household_id, version))

    def card_history(self, actor: Actor, household_id: str) -> list[dict[str, Any]]:
        """Every version of a household's card, oldest first, with its distribution."""
        household_id = check_uuid(household_id, "household_id")
        self._household_scope("card_history", actor, household_id)
        with self.read() as c:
            versions = (
                c.execute(
                    select(t.card_versions.c.version)
                    .where(t.card_versions.c.household_id == household_id)
                    .order_by(t.card_versions.c.version)
                )
                .scalars()
                .all()
            )
            return [self._shown(actor, self._card(c, household_id, v)) for v in versions]

    def card_pdf(self, actor: Actor, household_id: str) -> dict[str, Any]:
        """The current card as a printable A6 PDF (base64), for the household's own copy."""
        household_id = check_uuid(household_id, "household_id")
        self._household_scope("card_pdf", actor, household_id)
        with self.read() as c:
            card = self._card(c, household_id, None)
        return {
            "filename": f"card-{household_id}-v{card['version']}.pdf",
            "version": card["version"],
            "pages": 1,
            "pdf_base64": base64.b64encode(pdf.render([card])).decode(),
        }

    def village_cards_pdf(self, actor: Actor, village_id: str) -> dict[str, Any]:
        """Every household's current card in a village, one A6 page each (base64 PDF)."""
        village_id = check_uuid(village_id, "village_id")
        community_id = self.village_community(village_id)
        if community_id is None:
            raise NotFound("未找到村", f"no village {village_id}", "village_id")
        self.policy.check("village_cards_pdf", actor, self.community_target(community_id))
        with self.read() as c:
            ids = (
                c.execute(
                    select(t.households.c.id)
                    .where(t.households.c.village_id == village_id, t.households.c.card_version > 0)
                    .order_by(t.households.c.address, t.households.c.id)
                )
                .scalars()
                .all()
            )
            cards = [self._card(c, i, None) for i in ids]
        if not cards:
            raise RuleViolation(
                "该村尚无联系卡", "the village has no cards yet", "village_id", code="rule.no_cards"
            )
        return {
            "filename": f"cards-{village_id}.pdf",
            "pages": len(cards),
            "pdf_base64": base64.b64encode(pdf.render(cards)).decode(),
        }

    def village_cards(
        self, actor: Actor, village_id: str, purpose: str | None = None
    ) -> list[dict[str, Any]]:
        """The households of a village with their current card version and its delivery
        (heads and addresses in clear for the team, and for staff who give a ``purpose``)."""
        village_id = check_uuid(village_id, "village_id")
        purpose = check_purpose(purpose)
        community_id = self.village_community(village_id)
        if community_id is None:
            raise NotFound("未找到村", f"no village {village_id}", "village_id")
        self.policy.check("village_cards", actor, self.community_target(community_id))
        h, d, p = t.households, t.distributions, t.persons
        with self.read() as c:
            rows = c.execute(
                select(
                    h.c.id,
                    h.c.address,
                    h.c.card_version,
                    func.coalesce(p.c.name, "").label("name"),
                    d.c.distributed_on,
                )
                .outerjoin(p, p.c.id == h.c.head_id)
                .outerjoin(d, (d.c.household_id == h.c.id) & (d.c.version == h.c.card_version))
                .where(h.c.village_id == village_id)
                .order_by(h.c.address, h.c.id)
            ).all()
        shown = self._heads(actor, purpose, "village_cards", village_id, rows)
        return [
            {**s, "card_version": r.card_version, "distributed_on": r.distributed_on}
            for s, r in zip(shown, rows, strict=True)
        ]

    def _heads(
        self, actor: Actor, purpose: str | None, use_case: str, target_id: str, rows: Sequence[Any]
    ) -> list[dict[str, Any]]:
        """Heads and addresses of listed households, masked or in clear (and recorded)."""
        seen = masking.list_sight(actor, purpose)
        if seen.purpose and rows:
            self.reads.note(
                actor,
                use_case,
                target_id,
                seen.purpose,
                {r.id: r.name for r in rows},
                ["name", "address"],
            )
        return masking.heads(seen, rows)

    # -- rounds and coverage ----------------------------------------------------------------
    def round_coverage(self, actor: Actor, round_id: str) -> dict[str, Any]:
        """A round's coverage: households visited over its list, per village and overall."""
        rnd = self.round(check_uuid(round_id, "round_id"))
        self.policy.check("round_coverage", actor, self._round_target(rnd))
        rh, v = t.round_households, t.visits
        visited = select(v.c.household_id).where(v.c.round_id == round_id).distinct().subquery()
        with self.read() as c:
            rows = c.execute(
                select(
                    rh.c.village_id,
                    func.count(rh.c.household_id),
                    func.count(visited.c.household_id),
                )
                .outerjoin(visited, visited.c.household_id == rh.c.household_id)
                .where(rh.c.round_id == round_id)
                .group_by(rh.c.village_id)
                .order_by(rh.c.village_id)
            ).all()
        return _coverage(
            {
                "round_id": round_id,
                "community_id": rnd.community_id,
                "period_start": rnd.period_start,
                "period_end": rnd.period_end,
                "closed": rnd.closed,
            },
            rows,
        )

    def _round_target(self, rnd: Any) -> Target:
        base = self.community_target(rnd.community_id)
        return Target(
            community_id=rnd.community_id, assigned_to=base.assigned_to | frozenset(rnd.assignees)
        )

    def coverage(
        self, actor: Actor, community_id: str, period_start: str, period_end: str
    ) -> dict[str, Any]:
        """Households visited in a period (any round) over all households, per village."""
        community_id = check_uuid(community_id, "community_id")
        start, end = check_date(period_start, "period_start"), check_date(period_end, "period_end")
        self.policy.check("coverage", actor, self.community_target(community_id))
        h, v = t.households, t.visits
        visited = (
            select(v.c.household_id)
            .where(v.c.visited_on >= start, v.c.visited_on <= end)
            .distinct()
            .subquery()
        )
        with self.read() as c:
            rows = c.execute(
                select(h.c.village_id, func.count(h.c.id), func.count(visited.c.household_id))
                .outerjoin(visited, visited.c.household_id == h.c.id)
                .where(h.c.community_id == community_id)
                .group_by(h.c.village_id)
                .order_by(h.c.village_id)
            ).all()
        return _coverage(
            {"community_id": community_id, "period_start": start, "period_end": end}, rows
        )

    def households_missed(
        self, actor: Actor, round_id: str, purpose: str | None = None
    ) -> list[dict[str, Any]]:
        """The households on a round's list that nobody has visited yet (heads and addresses
        in clear for the team, and for staff who give a ``purpose``)."""
        rnd = self.round(check_uuid(round_id, "round_id"))
        purpose = check_purpose(purpose)
        self.policy.check("households_missed", actor, self._round_target(rnd))
        rh, v, h, p = t.round_households, t.visits, t.households, t.persons
        seen = select(v.c.household_id).where(v.c.round_id == round_id)
        with self.read() as c:
            rows = c.execute(
                select(
                    rh.c.household_id.label("id"),
                    rh.c.village_id,
                    h.c.address,
                    func.coalesce(p.c.name, "").label("name"),
                )
                .join(h, h.c.id == rh.c.household_id)
                .outerjoin(p, p.c.id == h.c.head_id)
                .where(rh.c.round_id == round_id, rh.c.household_id.not_in(seen))
                .order_by(rh.c.village_id, rh.c.household_id)
            ).all()
        shown = self._heads(actor, purpose, "households_missed", round_id, rows)
        return [{**s, "village_id": r.village_id} for s, r in zip(shown, rows, strict=True)]

    def opinions(self, actor: Actor, community_id: str) -> list[dict[str, Any]]:
        """Opinions collected in a community, with the case casework opened for each."""
        community_id = check_uuid(community_id, "community_id")
        self.policy.check("opinions", actor, self.community_target(community_id))
        o = t.opinions
        with self.read() as c:
            rows = (
                c.execute(
                    select(o)
                    .where(o.c.community_id == community_id)
                    .order_by(o.c.collected_on, o.c.id)
                )
                .mappings()
                .all()
            )
        return [
            {
                "opinion_id": r["id"],
                **{
                    k: r[k]
                    for k in (
                        "village_id",
                        "household_id",
                        "category",
                        "text",
                        "channel",
                        "source_id",
                        "collected_by",
                        "collected_on",
                        "case_id",
                    )
                },
            }
            for r in rows
        ]

    # -- party-member contact ---------------------------------------------------------------
    def contact_status(
        self, actor: Actor, community_id: str, year: int | None = None
    ) -> dict[str, Any]:
        """Each linked household: last contact, next due date, overdue or not, practical
        tasks in ``year`` (RULES §5), and the overdue flags raised so far."""
        community_id = check_uuid(community_id, "community_id")
        year_text = str(check_int(year, "year", "年度", 2000, 2100)) if year else None
        self.policy.check("contact_status", actor, self.community_target(community_id))
        today = self.today()
        links = [
            {**row, "overdue": today > row["due_on"]}
            for row in self.link_status(community_id, year_text)
        ]
        with self.read() as c:
            flags = (
                c.execute(
                    select(t.overdue)
                    .where(t.overdue.c.community_id == community_id)
                    .order_by(t.overdue.c.due_on)
                )
                .mappings()
                .all()
            )
        return {
            "community_id": community_id,
            "on": today,
            "year": year_text or today[:4],
            "links": links,
            "flags": [dict(f) for f in flags],
        }

    # -- publicity --------------------------------------------------------------------------
    def campaign_results(self, actor: Actor, campaign_id: str) -> dict[str, Any]:
        """A campaign's survey tallies and rates per village, and whether published."""
        campaign = self.campaign(check_uuid(campaign_id, "campaign_id"))
        self.policy.check("campaign_results", actor, self.community_target(campaign.community_id))
        villages = []
        for village_id in campaign.village_ids:
            tally = campaign.tallies.get(village_id)
            villages.append(
                {
                    "village_id": village_id,
                    "published": village_id in campaign.published,
                    **(campaign.rates(village_id) if tally else {"respondents": 0}),
                }
            )
        return {
            "campaign_id": campaign_id,
            "topic": campaign.topic,
            "community_id": campaign.community_id,
            "period_start": campaign.period_start,
            "period_end": campaign.period_end,
            "villages": villages,
        }


def _coverage(head: dict[str, Any], rows: Sequence[Any]) -> dict[str, Any]:
    villages = [
        {
            "village_id": r[0],
            "households_total": int(r[1]),
            "households_visited": int(r[2]),
            "coverage": round(int(r[2]) / int(r[1]), 4) if r[1] else 0.0,
        }
        for r in rows
    ]
    total = sum(v["households_total"] for v in villages)
    seen = sum(v["households_visited"] for v in villages)
    return {
        **head,
        "households_total": total,
        "households_visited": seen,
        "coverage": round(seen / total, 4) if total else 0.0,
        "villages": villages,
    }
