"""Running a report: the prefix as of the cut, its basis, the service's fold, the document.

The events come from the store (read-only: ``open_recorder`` creates nothing) or from an
export bundle that has first been verified offline with the auditor's vkey; both give the
same rows and the same basis, so the same bytes. Only sealed events count (D22): a prefix
past the last signed head is refused (``basis.unsealed``).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    UUIDAsHex,
)

from shequ import progress
from shequ.audit.leaves import state_bytes
from shequ.errors import NotFound, ValidationError
from shequ.gcpause import gc_paused
from shequ.reports.render import document
from shequ.reports.scope import Scope

# report -> (the service whose log it folds, module:function of its fold)
FOLDS = {
    "affairs": ("casework", "casework.report:affairs"),
    "assessment": ("assessment", "assessment.report:assessment"),
    "finance": ("finance", "finance.report:finance"),
}
# report -> the other services whose logs it also folds as of the same cut, each into the
# section that names it (``"part": service``): service -> module:function of its part
PARTS = {
    "affairs": {"finance": "finance.report:grants"},
}


@dataclass(frozen=True)
class Fold:
    """A service's report fold: ``wants(topic)`` picks the events it reads; ``fold(events,
    scope)`` is pure (no clock, no I/O) and returns the content of the document (title,
    subject, sections, notes), or None when the subject is not in the records."""

    wants: Callable[[str], bool]
    fold: Callable[[Iterable[Any], Scope], dict[str, Any] | None]


@dataclass(frozen=True)
class Part:
    """Another service's fold into one section of a report: ``wants(topic)`` picks its events;
    ``fold(events, scope, villages)`` is pure and returns the section's ``columns``, ``rows``
    and ``note`` for the villages the report's own fold put in scope; ``events`` is None when
    that service keeps no log here (a deployment without it)."""

    wants: Callable[[str], bool]
    fold: Callable[[Iterable[Any] | None, Scope, list[str]], dict[str, Any]]


def _load(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def fold_of(report: str) -> tuple[str, Fold]:
    if report not in FOLDS:
        raise ValidationError(
            f"没有名为 {report} 的报表（可用：{'、'.join(FOLDS)}）",
            f"no report named {report} (one of {', '.join(FOLDS)})",
            field="report",
        )
    service, path = FOLDS[report]
    return service, _load(path)


def parts_of(report: str) -> list[str]:
    """The other services whose logs ``report`` also folds."""
    return sorted(PARTS.get(report, {}))


def _mapper() -> Mapper[Any]:
    # every service's Application: JSON, default transcodings, no compression, no cipher
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def decode(rows: Iterable[Notification], wants: Callable[[str], bool]) -> Iterator[Any]:
    """The domain events of the rows whose topic the fold wants, in log order."""
    mapper = _mapper()
    progress.begin(lambda: len(rows) if isinstance(rows, list) else 0)
    for done, row in enumerate(rows, start=1):
        if done % 5000 == 0:
            progress.advance(5000)
        if row.topic and wants(row.topic):
            yield mapper.to_domain_event(
                StoredEvent(
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    state=state_bytes(row.state),
                )
            )


@dataclass(frozen=True)
class Prefix:
    """The rows of a service's log up to the cut, and their basis (D23) as a dict."""

    rows: list[Notification]
    basis: dict[str, Any]


def prefix_from_store(service: str, store: Any, directory: Path, cut: datetime) -> Prefix:
    from shequ.audit import open_recorder, service_dir
    from shequ.audit.bundle import as_of
    from shequ.audit.witnessing import configured_policy, witness_status

    policy = configured_policy(service)
    with gc_paused(), open_recorder(service, store) as recorder:
        rows, basis, entries, _heads = as_of(service, recorder, directory, cut)
        prefix = [row for row, _ in rows]
        check_sealed(prefix, entries, basis)
    witnessed = witness_status(service_dir(directory, service), basis.head.tree_size, policy)
    return Prefix(prefix, {**basis.to_dict(), "witness": witnessed.to_dict()})


def check_sealed(rows: list[Notification], entries: list[Any], basis: Any) -> None:
    """The rows read from the store are the sealed ones, and the sealed leaves lead to the
    signed head (D22): a report never folds an event edited, inserted or deleted after it was
    sealed, nor a leaf log that does not make the signed root. Raises AuditBasisError
    (``basis.tampered``, naming the first bad position); ``shequ audit verify`` says more."""
    from shequ.audit.leaves import row_leaves
    from shequ.audit.rfc9162 import ProofError, verify_consistency
    from shequ.errors import AuditBasisError

    def tampered(position: int | None) -> AuditBasisError:
        where = f"第 {position} 号事件" if position is not None else "叶子日志"
        return AuditBasisError(
            f"{where}与已封存的记录不符：日志可能被篡改，请运行 shequ audit verify",
            f"{'the event at position ' + str(position) if position is not None else 'the leaf log'}"
            " does not match what was sealed: the log may have been tampered with; run "
            "shequ audit verify",
            field="as_of",
            code="basis.tampered",
            position=position,
        )

    raw = [
        (int(r.id), None if r.originator_id is None else str(r.originator_id))
        + (r.originator_version, r.topic, r.state)
        for r in rows
    ]
    for (position, leaf), entry in zip(row_leaves(raw), entries, strict=False):
        if position != entry.position or leaf != entry.leaf:
            raise tampered(position)
    head, n = basis.head, basis.tree_size
    # root(n) is the leaf log's first n leaves (``as_of``); the consistency proof ties it to
    # the signed root, or, at the head's own size, the two are the same
    if n == head.tree_size and basis.root != head.root:
        raise tampered(None)
    if n and n < head.tree_size:
        try:
            verify_consistency(
                n,
                head.tree_size,
                bytes.fromhex(basis.root),
                bytes.fromhex(head.root),
                basis.consistency_proof,
            )
        except ProofError:
            raise tampered(None) from None


def prefix_from_bundle(path: Path, vkey_text: str, service: str, cut: datetime) -> Prefix:
    """The bundle's events and basis, once it verifies with the auditor's vkey. The cut must
    be the bundle's: a report as of another instant needs an export as of that instant."""
    from shequ.audit.bundle import (
        EVENTS,
        MANIFEST,
        BundleError,
        parse_event_line,
        read_bundle,
        verify_bundle,
    )
    from shequ.audit.notes import parse_vkey
    from shequ.audit.witnessing import configured_policy, status_from

    policy = configured_policy(service)
    outcome = verify_bundle(path, parse_vkey(vkey_text))
    if not outcome.ok:
        raise BundleError(f"the bundle does not verify: {outcome.message_en}")
    files = read_bundle(path)
    manifest = json.loads(files[MANIFEST])
    if manifest["service"] != service:
        raise BundleError(f"the bundle holds {manifest['service']}'s log, not {service}'s")
    if manifest["basis"]["cut"] != cut.isoformat():
        raise BundleError(
            f"the bundle is cut at {manifest['basis']['cut']}, not {cut.isoformat()}: "
            "export one as of the report's cut"
        )
    lines = files[EVENTS].split(b"\n")[:-1]
    basis = manifest["basis"]
    witnessed = status_from(files.get, int(basis["head"]["tree_size"]), policy)
    with gc_paused():
        rows = [parse_event_line(line) for line in lines]
    return Prefix(rows, {**basis, "witness": witnessed.to_dict()})


def build(
    report: str, scope: Scope, prefix: Prefix, parts: dict[str, Prefix | None] | None = None
) -> dict[str, Any]:
    """The document of ``report`` for ``scope`` from the prefix (pure but for the import), with
    the sections other services fill from their prefixes cut at the same instant (``parts``:
    service -> its prefix, None or left out when it keeps no log). The document names every
    basis folded: the report's own first, then each part's (D23)."""
    service, fold = fold_of(report)
    with gc_paused():
        content = fold.fold(decode(prefix.rows, fold.wants), scope)
    if content is None:
        raise NotFound(
            f"在 {service} 的记录中找不到 {scope.level} {scope.ref}",
            f"{scope.level} {scope.ref} is not in {service}'s records",
            field=scope.level,
        )
    bases = [prefix.basis]
    for section in content["sections"]:
        if "part" not in section:
            continue
        other, villages = section.pop("part"), section.pop("villages")
        part: Part = _load(PARTS[report][other])
        given = (parts or {}).get(other)
        events = None if given is None else decode(given.rows, part.wants)
        with gc_paused():
            section.update(part.fold(events, scope, villages))
        if given is not None:
            bases.append(given.basis)
    return document(report, service, content, scope.period.to_dict(), scope.cut, bases)


def parts_from_store(
    report: str, store_of: Callable[[str], Any], directory: Path, cut: datetime
) -> dict[str, Prefix | None]:
    """The prefixes, cut at the same instant, of the other logs ``report`` folds, each from
    ``store_of(service)``; None for a service that keeps no log there (``absent_log``)."""
    parts: dict[str, Prefix | None] = {}
    for other in parts_of(report):
        try:
            parts[other] = prefix_from_store(other, store_of(other), directory, cut)
        except Exception as exc:
            if not absent_log(exc):
                raise
            parts[other] = None  # a deployment without it: its section says so
    return parts


def absent_log(exc: BaseException) -> bool:
    """Whether opening a service's log failed because it has none here: no SQLite file, or no
    table of its events (a deployment without that service), not a fault reaching it."""
    if isinstance(exc, FileNotFoundError):
        return True
    text = f"{exc} {exc.__cause__}".lower()
    return "no such table" in text or "does not exist" in text and "relation" in text


__all__ = [
    "FOLDS",
    "PARTS",
    "Fold",
    "Part",
    "Prefix",
    "absent_log",
    "build",
    "check_sealed",
    "decode",
    "parts_from_store",
    "parts_of",
    "prefix_from_bundle",
    "prefix_from_store",
]
