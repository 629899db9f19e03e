"""Operator commands: ``shequ status``, ``shequ deadletters list|show|replay``,
``shequ backup`` and ``shequ restore`` (registered in shequ.cli)."""

from shequ.ops.cli import backup, deadletters, restore, status

__all__ = ["backup", "deadletters", "restore", "status"]
