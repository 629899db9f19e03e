"""Secrets (session ids, API tokens, Open311 API keys) are kept as their SHA-256 only."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ByDigest(Generic[T]):
    """What each secret stands for, by its SHA-256 (lower-case hex): read once from a JSON file
    ``{digest: record}`` (each record made by ``record``), looked up in constant time."""

    def __init__(self, by_digest: dict[str, T]) -> None:
        self.by_digest = by_digest

    @classmethod
    def record(cls, data: Any) -> T:
        raise NotImplementedError

    @classmethod
    def from_file(cls, path: Path | None) -> Self:
        if path is None:
            return cls({})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({str(k).lower(): cls.record(v) for k, v in data.items()})

    def find(self, secret: str) -> T | None:
        """The record of ``secret``; every entry is compared, so the time does not tell which."""
        wanted = digest(secret)
        found = None
        for known, record in self.by_digest.items():
            if hmac.compare_digest(known, wanted):
                found = record
        return found
