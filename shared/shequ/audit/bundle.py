"""Export bundles (AUDIT.md A1) and their offline verification (A2).

``export`` reads a service's store (read-only), leaf log and heads, and writes the prefix of
its log recorded up to a cut as one deterministic tar: two exports of the same prefix are
byte-identical, whatever the clock or the time zone. ``verify_bundle`` needs nothing but the
tar and a verifier key given by the auditor: no database, no network.

Entries (sorted by name; mode 0644, uid/gid 0, no owner names, mtime = the cut)::

    MANIFEST.json        every other file's SHA-256 and size, and the basis (D23)
    MANIFEST.sig         signed note over the manifest's SHA-256 (the service's key)
    VERIFY.md            how to verify (中文, then English)
    checkpoints/*.txt    C2SP checkpoints of the heads (ADR 0021)
    events.jsonl         one canonical JSON per stored event of the prefix
    heads/*.json         the signed JSON heads up to the basis head m (ADR 0003)
    keys/<service>.vkey  the service's verifier key (never trusted by the verifier)
    leaves.log           the sealed leaves up to m
    renderer.json        the library versions this bundle was made with
    disclosures-log/     finance only: the public disclosure log as of the prefix, tlog-tiles
                         and checkpoint (ADR 0037)
"""

from __future__ import annotations

import base64
import binascii
import bisect
import gzip
import hashlib
import importlib
import io
import json
import platform
import tarfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import ApplicationRecorder, Notification

from shequ.audit.leaves import (
    LeafEntry,
    LeafLog,
    LeafLogError,
    leaf_entry,
    parse_line,
    state_bytes,
)
from shequ.audit.notes import (
    CHECKPOINTS_DIR,
    COSIGNATURES_DIR,
    NoteError,
    Verifier,
    open_checkpoint,
    open_note,
    sign_note,
    vkey,
)
from shequ.audit.rfc9162 import RootBuilder, consistency_path, verify_consistency
from shequ.audit.sealer import LEAF_LOG, checkpoint_path, service_dir
from shequ.audit.treeheads import (
    HEADS_DIR,
    HeadFormatError,
    TreeHead,
    canonical_json,
    head_path,
    load_or_create_key,
    read_heads,
)
from shequ.audit.verify import (
    Finding,
    VerifyReport,
    at_position,
    bad_signature,
    check_head_signatures,
    check_leaf_entries,
    compare,
)
from shequ.domainkit import LOCAL  # a date as a cut is the end of that day here (D21)
from shequ.errors import AuditBasisError, ValidationError
from shequ.gcpause import gc_paused
from shequ.recorders import EventRows

BUNDLE_FORMAT = "shequ.audit.bundle/1"
MANIFEST, SIGNATURE, EVENTS = "MANIFEST.json", "MANIFEST.sig", "events.jsonl"
_PACKAGES = ("cryptography", "eventsourcing")


class BundleError(Exception):
    """The input is not a usable bundle or key (exit 2): not tampering, just unusable."""


def parse_cut(text: str) -> datetime:
    """A cut instant in UTC: an ISO instant with its offset, or a local date meaning the end of
    that day in Asia/Shanghai (the last microsecond before the next day's 00:00+08:00)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            end = datetime.combine(day + timedelta(days=1), time(), LOCAL)
            return (end - timedelta(microseconds=1)).astimezone(ZoneInfo("UTC"))
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.utcoffset() is None:
        raise ValidationError(
            "截止时间须为日期（如 2025-04-10）或带时区的时刻",
            "the cut must be a date (e.g. 2025-04-10) or an instant with its UTC offset",
            field="as_of",
        )
    return instant.astimezone(ZoneInfo("UTC"))


def recorded_at(row: Notification) -> datetime:
    """When the event was recorded: the timestamp inside its stored state."""
    return stored_at(int(row.id), row.state)


# eventsourcing writes an event's state with its timestamp first: read it without parsing the rest
_TIMESTAMP_FIRST = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'


def stored_at(position: int, state: object) -> datetime:
    """``recorded_at`` of a row read raw: its position and its state as stored."""
    try:
        if type(state) is bytes and state.startswith(_TIMESTAMP_FIRST):
            start = len(_TIMESTAMP_FIRST)
            return datetime.fromisoformat(state[start : state.index(b'"', start)].decode())
        parsed = json.loads(state_bytes(state))
        return datetime.fromisoformat(parsed["timestamp"]["_data_"])
    except (TypeError, ValueError, KeyError) as exc:
        raise AuditBasisError(
            f"第 {position} 号事件无法读出记录时间，请先运行 shequ audit verify",
            f"the event at position {position} has no readable timestamp; run shequ audit verify",
            field="as_of",
            code="basis.undated",
            position=position,
        ) from exc


def event_line(row: Notification, when: str | None) -> bytes:
    """One line of events.jsonl: the stored row as it is, state as base64."""
    state = None if row.state is None else base64.b64encode(state_bytes(row.state)).decode()
    version_ = row.originator_version
    fields = {
        "position": int(row.id),
        "originator_id": _text(row.originator_id),
        "originator_version": version_
        if version_ is None or isinstance(version_, int)
        else str(version_),
        "topic": row.topic,
        "recorded_at": when,
        "state": state,
    }
    return canonical_json(fields) + b"\n"


def parse_event_line(line: str | bytes) -> Notification:
    """The stored row an ``events.jsonl`` line holds (ValueError, KeyError, TypeError or
    binascii.Error if it holds none)."""
    item = json.loads(line)
    state = item["state"]
    return Notification(
        id=int(item["position"]),
        originator_id=item["originator_id"],
        originator_version=item["originator_version"],
        topic=item["topic"],
        state=None
        if state is None  # type: ignore[arg-type]  # a NULL row
        else base64.b64decode(state, validate=True),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Basis:
    """The basis of D23: the first ``tree_size`` events, and the first signed head ≥ it."""

    service: str
    cut: str
    tree_size: int
    last_position: int
    root: str
    head: TreeHead
    consistency_proof: list[bytes]

    def to_dict(self) -> dict[str, Any]:
        head = self.head
        return {
            "service": self.service,
            "cut": self.cut,
            "tree_size": self.tree_size,
            "last_position": self.last_position,
            "root": self.root,
            "head": {
                "tree_size": head.tree_size,
                "root": head.root,
                "sealed_at": head.sealed_at,
                "key_id": head.key_id,
                "signature": head.signature,
            },
            # RFC 9162 §2.1.4 n→m, hex, deepest first; empty when n = m (or n = 0)
            "consistency_proof": [h.hex() for h in self.consistency_proof],
        }


def export(
    service: str,
    recorder: ApplicationRecorder,
    directory: Path,
    key_path: Path,
    origin: str,
    cut: datetime,
    out: Path,
) -> dict[str, Any]:
    """Write the bundle of ``service``'s log as recorded up to ``cut``; returns the manifest.

    Reads the store only. Raises AuditBasisError (``basis.unsealed``) when the prefix reaches
    past the last signed head, BundleError when the audit files or key are missing.
    """
    if not key_path.is_file():
        raise BundleError(f"no signing key at {key_path} to sign the manifest with")
    key = load_or_create_key(key_path)
    rows, basis, entries, heads = as_of(service, recorder, directory, cut)
    folder, head = service_dir(directory, service), basis.head
    files = {
        EVENTS: b"".join(event_line(row, when) for row, when in rows),
        LEAF_LOG: "".join(
            f"{e.position} {e.leaf.hex()}\n" for e in entries[: head.tree_size]
        ).encode("ascii"),
        "renderer.json": canonical_json(renderer(_PACKAGES, {})) + b"\n",
        f"keys/{service}.vkey": (vkey(origin, key.public_key()) + "\n").encode(),
        "VERIFY.md": _verify_text(service, origin, basis).encode(),
    }
    files.update(public_log_files(service, [row for row, _ in rows], key))
    for h in heads:
        if h.tree_size <= head.tree_size:
            files[f"{HEADS_DIR}/{h.tree_size:012d}.json"] = head_path(
                folder, h.tree_size
            ).read_bytes()
            checkpoint = checkpoint_path(folder, h.tree_size)
            if checkpoint.is_file():
                files[f"{CHECKPOINTS_DIR}/{checkpoint.name}"] = checkpoint.read_bytes()
            cosigned = folder / COSIGNATURES_DIR / checkpoint.name  # witnesses' (ADR 0041)
            if cosigned.is_file():
                files[f"{COSIGNATURES_DIR}/{cosigned.name}"] = cosigned.read_bytes()
    manifest = {
        "format": BUNDLE_FORMAT,
        "service": service,
        "origin": origin,
        "basis": basis.to_dict(),
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    manifest_bytes = canonical_json(manifest) + b"\n"
    files[MANIFEST] = manifest_bytes
    files[SIGNATURE] = sign_note(_manifest_note(origin, manifest_bytes), origin, key).encode()
    write_tar(out, files, int(cut.timestamp()))
    return manifest


# A service's public log carried in its bundle, as of the same prefix (ADR 0037): service ->
# (the log's name, the module whose ``bundle_entries(rows)`` folds the prefix's rows into it)
PUBLIC_LOGS = {"finance": ("disclosures", "finance.disclosurelog")}


def public_log_files(service: str, rows: list[Notification], key: Any) -> dict[str, bytes]:
    """``<name>-log/``: the tiles and signed checkpoint of the service's public log folded from
    the bundle's own events, so a bundle shows which lines its prefix had published; nothing
    for a service without one."""
    if service not in PUBLIC_LOGS:
        return {}
    from shequ.audit.notes import sign_checkpoint
    from shequ.audit.tiles import checkpoint_of, tiles
    from shequ.config import log_origin

    name, module = PUBLIC_LOGS[service]
    fold = importlib.import_module(module)
    entries = fold.bundle_entries(rows)
    files = {f"{name}-log/{path}": data for path, data in tiles(entries).items()}
    checkpoint = checkpoint_of(entries, log_origin(name))
    files[f"{name}-log/checkpoint"] = sign_checkpoint(checkpoint, key).encode("utf-8")
    return files


def as_of(
    service: str, recorder: ApplicationRecorder, directory: Path, cut: datetime
) -> tuple[list[tuple[Notification, str]], Basis, list[LeafEntry], list[TreeHead]]:
    """The prefix recorded up to ``cut`` (rows with their recorded_at) and its basis (D21–D23),
    with the leaf log and heads it was read from. Reads the store only.

    Raises AuditBasisError (``basis.unsealed``) when the prefix reaches past the last signed
    head (auditors use sealed events only), BundleError when the audit files are missing.
    """
    folder = service_dir(directory, service)
    heads = read_heads(folder)
    entries = LeafLog(folder / LEAF_LOG).read()
    with gc_paused():  # many small objects, no cycles: see shequ.gcpause
        rows = _recorded_by(EventRows(recorder), cut)
    n = len(rows)
    head = next((h for h in heads if h.tree_size >= n and h.tree_size > 0), None)
    if head is None or len(entries) < head.tree_size:
        sealed = heads[-1].tree_size if heads else 0
        raise AuditBasisError(
            f"截至 {cut.isoformat()} 的 {n} 条事件中只有 {sealed} 条已封存：审计方只能使用已签名的"
            "记录，请先封存（shequ audit seal）",
            f"{n} events were recorded up to {cut.isoformat()} but only {sealed} are sealed: "
            "auditors use signed records only; seal first (shequ audit seal)",
            field="as_of",
            tree_size=n,
            sealed=sealed,
        )
    tree = RootBuilder()
    for entry in entries[:n]:
        tree.append(entry.leaf)
    leaves = [entry.leaf for entry in entries[: head.tree_size]]
    basis = Basis(
        service,
        cut.isoformat(),
        n,
        rows[-1][0].id if rows else 0,
        tree.root().hex(),
        head,
        consistency_path(n, leaves) if n else [],
    )
    return rows, basis, entries, heads


def _recorded_by(stored: EventRows, cut: datetime) -> list[tuple[Notification, str]]:
    """The rows from the lowest position up to the first recorded after ``cut``, each with
    when it was recorded; ids as text, as an export's lines hold them."""
    rows: list[tuple[Notification, str]] = []
    with closing(stored.batches()) as batches:
        for batch in batches:
            for position, originator_id, version, topic, state in batch:
                when = stored_at(position, state)
                if when > cut:
                    return rows
                row = Notification(
                    id=position,
                    originator_id=originator_id,
                    originator_version=version,
                    topic=topic,
                    state=state,
                )
                rows.append((row, when.isoformat()))
    return rows


def _manifest_note(origin: str, manifest: bytes) -> str:
    return f"{BUNDLE_FORMAT}\n{origin}\n{hashlib.sha256(manifest).hexdigest()}\n"


def renderer(names: tuple[str, ...], fonts: dict[str, str | None]) -> dict[str, Any]:
    """What written bytes depend on beyond their content: the Python version, the versions of
    the packages ``names`` (None: not installed) and the fonts' SHA-256."""
    packages: dict[str, str | None] = {}
    for name in names:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "format": "shequ.renderer/1",
        "python": platform.python_version(),
        "packages": packages,
        "fonts": fonts,
    }


def _verify_text(service: str, origin: str, basis: Basis) -> str:
    return f"""# 核验说明 / How to verify

服务 {service}（日志 {origin}）截至 {basis.cut} 的前 {basis.tree_size} 条事件，
树根 {basis.root}，签名树头 {basis.head.tree_size}。

1. 从本包以外的渠道（公开栏、区政府网站、纸质文件）取得该日志的验证公钥（vkey）。
2. 运行 `shequ audit verify --bundle <本文件>.tar --vkey "<vkey>"`，无需数据库与网络。
3. 退出码 0 表示核验通过；1 表示发现篡改，并指出第一个有问题的位置；2 表示输入无法使用。
本包内 keys/ 下的公钥仅供参考，核验时不予采信。

Service {service} (log {origin}): the first {basis.tree_size} events recorded up to
{basis.cut}, root {basis.root}, signed tree head {basis.head.tree_size}.

1. Get the log's verifier key (vkey) from outside this bundle (the board, the district's
   website, paper).
2. Run `shequ audit verify --bundle <this file>.tar --vkey "<vkey>"`: no database, no network.
3. Exit 0: verified; 1: tampering found, the first bad position named; 2: unusable input.
The key under keys/ is for reference only; the verifier never trusts it.
"""


def write_tar(out: Path, files: dict[str, bytes], mtime: int) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    data = buffer.getvalue()
    if out.name.endswith((".tar.gz", ".tgz")):
        packed = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0) as archive:
            archive.write(data)
        data = packed.getvalue()
    out.write_bytes(data)


# --- offline verification ------------------------------------------------------------------


class _BundleRows:
    """The events of a bundle as a row source, in position order."""

    def __init__(self, rows: list[Notification]) -> None:
        self.rows = rows
        self.positions = [row.id for row in rows]

    def page(self, after: int | None, limit: int) -> list[Notification]:
        start = 0 if after is None else bisect.bisect_right(self.positions, after)
        return self.rows[start : start + limit]


def read_bundle(path: Path) -> dict[str, bytes]:
    """The regular files of a bundle by name; BundleError if it is not a bundle."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            files = {}
            for member in tar.getmembers():
                handle = tar.extractfile(member) if member.isfile() else None
                if handle is None:
                    raise BundleError(f"{member.name} is not a regular file")
                files[member.name] = handle.read()
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"{path} is not a bundle (tar or tar.gz): {exc}") from None
    if MANIFEST not in files or SIGNATURE not in files:
        raise BundleError(f"{path} has no {MANIFEST} and {SIGNATURE}: not an export bundle")
    return files


def verify_bundle(path: Path, verifier: Verifier) -> VerifyReport:
    """Check a bundle against a verifier key given by the auditor (never the bundle's own).

    In order: the manifest's signature; every head's signature and every checkpoint's; the
    leaf log's roots at every head; the basis; the leaves recomputed from events.jsonl against
    the sealed ones (the first bad position named); every file's hash in the manifest.
    """
    files = read_bundle(path)
    try:
        manifest = json.loads(files[MANIFEST])
        origin, service = manifest["origin"], manifest["service"]
        basis = manifest["basis"]
        listed = {f["name"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{MANIFEST} is not a bundle manifest: {exc}") from None
    finding = _check_manifest_signature(files, origin, verifier)
    heads: list[TreeHead] = []
    entries: list[LeafEntry] = []
    rows: list[Notification] = []
    if finding is None:
        heads, finding = _heads(files)
    if finding is None:
        finding = check_head_signatures(service, heads, verifier.public_key) or _check_checkpoints(
            files, heads, origin, verifier
        )
    if finding is None:
        entries, finding = _leaves(files.get(LEAF_LOG, b""))
    if finding is None:
        finding = (
            check_leaf_entries(heads, entries)
            if heads
            else bad_signature("包中没有签名树头", "the bundle holds no signed tree head")
        )
    if finding is None:
        rows, finding = _events(files.get(EVENTS, b""))
    if finding is None:
        finding = _compare_events(basis, rows, entries)
    if finding is None:
        finding = _check_basis(basis, heads, entries)
    if finding is None:
        finding = _check_files(files, listed)
    return _bundle_report(finding, len(rows), len(heads))


def _compare_events(
    basis: dict[str, Any], rows: list[Notification], entries: list[LeafEntry]
) -> Finding | None:
    """The leaves of events.jsonl against the first n sealed leaves; the first difference."""
    try:
        n, last = int(basis["tree_size"]), int(basis["last_position"])
    except (KeyError, TypeError, ValueError):
        return _basis_mismatch()
    stored = [leaf_entry(row) for row in rows]
    beyond = next((e.position for e in stored if e.position > last), None)
    return compare(_BundleRows(rows), stored, entries[:n], last) or (
        at_position("inserted", beyond) if beyond is not None else None
    )


def _check_manifest_signature(
    files: dict[str, bytes], origin: str, verifier: Verifier
) -> Finding | None:
    try:
        text = open_note(files[SIGNATURE].decode("utf-8"), verifier)
    except (NoteError, UnicodeDecodeError) as exc:
        return bad_signature(
            f"清单签名无效（不是此公钥签发，或被改动）：{exc}",
            f"the manifest's signature does not verify with this key: {exc}",
        )
    if text != _manifest_note(origin, files[MANIFEST]):
        return bad_signature(
            "清单与其签名不符：清单被改动或替换",
            "the manifest does not match its signature: altered or replaced",
        )
    return None


def _heads(files: dict[str, bytes]) -> tuple[list[TreeHead], Finding | None]:
    heads = []
    for name in sorted(n for n in files if n.startswith(f"{HEADS_DIR}/")):
        try:
            head = TreeHead.from_json(files[name].decode("utf-8"))
        except (HeadFormatError, UnicodeDecodeError) as exc:
            return [], bad_signature(
                f"树头 {name} 无法读取：{exc}", f"head {name} is unreadable: {exc}"
            )
        if name != f"{HEADS_DIR}/{head.tree_size:012d}.json":
            return [], bad_signature(
                f"{name} 中是大小为 {head.tree_size} 的树头：树头被调换",
                f"{name} holds the head of size {head.tree_size}: heads were swapped",
            )
        heads.append(head)
    return heads, None


def _check_checkpoints(
    files: dict[str, bytes], heads: list[TreeHead], origin: str, verifier: Verifier
) -> Finding | None:
    roots = {h.tree_size: h.root for h in heads}
    for name in sorted(n for n in files if n.startswith(f"{CHECKPOINTS_DIR}/")):
        try:
            checkpoint = open_checkpoint(files[name].decode("utf-8"), verifier, origin)
        except (NoteError, UnicodeDecodeError) as exc:
            return bad_signature(
                f"检查点 {name} 无效：{exc}", f"checkpoint {name} is invalid: {exc}"
            )
        if (
            name != f"{CHECKPOINTS_DIR}/{checkpoint.tree_size:012d}.txt"
            or roots.get(checkpoint.tree_size) != checkpoint.root.hex()
        ):
            return bad_signature(
                f"检查点 {name} 与同大小的树头不符",
                f"checkpoint {name} does not match the head of its size",
            )
    return None


def _leaves(data: bytes) -> tuple[list[LeafEntry], Finding | None]:
    try:
        lines = data.decode("ascii").split("\n")
        if lines[-1] != "":
            raise LeafLogError("the leaf log does not end with a newline")
        return [parse_line(i, line) for i, line in enumerate(lines[:-1], start=1)], None
    except (UnicodeDecodeError, LeafLogError) as exc:
        return [], Finding(
            "leaf_log_mismatch", None, f"叶子日志已损坏：{exc}", f"the leaf log is damaged: {exc}"
        )


def _check_basis(
    basis: dict[str, Any], heads: list[TreeHead], entries: list[LeafEntry]
) -> Finding | None:
    try:
        n, head = int(basis["tree_size"]), basis["head"]
        signed = next((h for h in heads if h.tree_size == head["tree_size"]), None)
        tree = RootBuilder()
        for entry in entries[:n]:
            tree.append(entry.leaf)
        ok = (
            signed is not None
            and signed.root == head["root"]
            and signed.signature == head["signature"]
            and n <= signed.tree_size
            and tree.root().hex() == basis["root"]
            and (entries[n - 1].position if n else 0) == basis["last_position"]
            and not any(h.tree_size < signed.tree_size and h.tree_size >= n for h in heads)
        )
        proof = [bytes.fromhex(h) for h in basis["consistency_proof"]]
        if ok and signed is not None and n:  # the proof alone shows root(n) is in head m
            verify_consistency(n, signed.tree_size, tree.root(), bytes.fromhex(signed.root), proof)
        ok = ok and (bool(n) or not proof)
    except (KeyError, TypeError, ValueError, IndexError):  # ProofError is a ValueError
        ok = False
    return None if ok else _basis_mismatch()


def _basis_mismatch() -> Finding:
    return Finding(
        "leaf_log_mismatch",
        None,
        "清单所述依据（前 n 条事件的树根、签名树头 m）与签名记录不符",
        "the manifest's basis (root of the first n events, signed head m) does not "
        "match the signed record",
    )


def _events(data: bytes) -> tuple[list[Notification], Finding | None]:
    rows = []
    for number, line in enumerate(data.split(b"\n")[:-1] if data else [], start=1):
        try:
            rows.append(parse_event_line(line))
        except (ValueError, KeyError, TypeError, binascii.Error):
            return [], Finding(
                "edited",
                None,
                f"events.jsonl 第 {number} 行无法读取：事件被改动",
                f"events.jsonl line {number} is unreadable: an event was altered",
            )
    rows.sort(key=lambda row: row.id)
    return rows, None


def _check_files(files: dict[str, bytes], listed: dict[str, Any]) -> Finding | None:
    names = set(files) - {MANIFEST, SIGNATURE}
    for name in sorted(names | set(listed)):
        entry, data = listed.get(name), files.get(name)
        if (
            entry is None
            or data is None
            or entry.get("sha256") != hashlib.sha256(data).hexdigest()
            or entry.get("size") != len(data)
        ):
            what = "多出" if entry is None else "缺少" if data is None else "被改动"
            return Finding(
                "edited",
                None,
                f"包中文件 {name} 与清单不符（{what}）",
                f"the file {name} does not match the manifest "
                f"({'added' if entry is None else 'missing' if data is None else 'altered'})",
            )
    return None


def _bundle_report(finding: Finding | None, events: int, heads: int) -> VerifyReport:
    if finding is not None:
        return VerifyReport(
            False,
            events,
            heads,
            finding.position,
            finding.problem,
            finding.message_zh,
            finding.message_en,
            0,
        )
    return VerifyReport(
        True,
        events,
        heads,
        None,
        None,
        f"核验通过：包中 {events} 条事件与 {heads} 个签名树头一致，所有文件与签名清单相符",
        f"verified: {events} events in the bundle match {heads} signed tree "
        "heads, and every file matches the signed manifest",
        0,
    )
