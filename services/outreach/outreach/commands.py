"""Bases of the commands about one visit round or one publicity campaign, so that each declares
its id once: a query's command is a ``RoundCommand``, a change's a ``RoundChange`` (with its
idempotency key first, then the id)."""

from __future__ import annotations

from shequ.commands import Command, Id, Keyed


class RoundCommand(Command):
    """A command about one visit round."""

    round_id: Id


class RoundChange(RoundCommand, Keyed):
    """A change to one visit round, under an idempotency key."""


class CampaignCommand(Command):
    """A command about one publicity campaign."""

    campaign_id: Id


class CampaignChange(CampaignCommand, Keyed):
    """A change to one publicity campaign, under an idempotency key."""
