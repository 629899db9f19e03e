"""The log's side of witnessing (AUDIT.md A6, FINANCE.md F43 ``witness_policy``; ADR 0041).

The policy names who witnesses and how many must: ``SHEQU_WITNESS_POLICY`` (every service's
log), or ``SHEQU_<SERVICE>_WITNESS_POLICY`` for one service, e.g.::

    2 of township=witness.example/sanzi+1a2b3c4d+BA…,https://w.sanzi.example;
         discipline=witness.example/jiwei+5e6f7a8b+BA…,https://w.jiwei.example

``K of`` then ``label=<witness vkey (type 0x04)>,<submission URL>`` entries separated by
``;``; empty (the default) means no witness. After each seal the service submits the newest
checkpoint to each witness with the consistency proof from the size that witness last
cosigned (a 409 tells it that size; it retries from there), and stores the cosignature lines
under ``cosignatures/<size:012d>.txt`` beside ``checkpoints/``. A witness that fails is
reported to the caller (logged and counted by the runtime), never raised: sealing and
commands go on without it.

``witness_status`` says how many of the policy's witnesses cosigned a given checkpoint,
each line checked against the witness's vkey: "见证：2/2", or "未经见证".
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shequ.audit.cosign import cosigned_at, witness_verifier
from shequ.audit.notes import (
    COSIGNATURES_DIR,
    SIGNATURE_PREFIX,
    NoteError,
    Verifier,
    signature_lines,
    split_note,
)
from shequ.audit.proofs import consistency_proof
from shequ.audit.sealer import CHECKPOINTS_DIR, checkpoint_path, service_dir
from shequ.audit.treeheads import atomic_write
from shequ.audit.witness import SIZE_TYPE
from shequ.config import ConfigError
from shequ.errors import ValidationError

SETTING = "SHEQU_WITNESS_POLICY"
_POLICY = re.compile(r"\s*(\d+)\s+of\s+(.*)", re.DOTALL)
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,32}")


class WitnessPolicyError(ValidationError):
    """``witness_policy`` is malformed: the setting, the rule broken and the part at fault."""

    def __init__(self, zh: str, en: str, rule: str, setting: str = SETTING) -> None:
        super().__init__(
            f"见证策略 {setting}（witness_policy）有误：{zh}",
            f"{setting} (witness_policy) is malformed: {en}",
            field="witness_policy",
            rule=rule,
            setting=setting,
        )


@dataclass(frozen=True)
class PolicyWitness:
    label: str
    verifier: Verifier
    url: str


@dataclass(frozen=True)
class WitnessPolicy:
    """K of the listed witnesses must cosign a checkpoint for it to count as witnessed."""

    required: int = 0
    witnesses: tuple[PolicyWitness, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.witnesses


def parse_policy(text: str, setting: str = SETTING) -> WitnessPolicy:
    """Read a witness policy; WitnessPolicyError names the rule and the entry at fault."""

    def bad(zh: str, en: str, rule: str) -> WitnessPolicyError:
        return WitnessPolicyError(zh, en, rule, setting)

    if not text.strip():
        return WitnessPolicy()
    match = _POLICY.fullmatch(text)
    if match is None:
        raise bad(
            "须为“K of 名称=见证密钥,地址; …”",
            "write 'K of label=<witness vkey>,<url>; …'",
            "syntax",
        )
    witnesses: list[PolicyWitness] = []
    for entry in (e.strip() for e in match.group(2).split(";")):
        if not entry:
            continue
        label, _, rest = entry.partition("=")
        key_text, _, url = rest.partition(",")
        label, key_text, url = label.strip(), key_text.strip(), url.strip()
        if not _LABEL.fullmatch(label):
            raise bad(
                f"名称 {label[:40]!r} 须为 1–32 个字母、数字、_ 或 -",
                f"the label {label[:40]!r} must be 1-32 letters, digits, '_' or '-'",
                "label",
            )
        try:
            verifier = witness_verifier(key_text)
        except NoteError as exc:
            raise bad(
                f"{label} 的见证密钥无效（{exc}）", f"{label}'s witness vkey: {exc}", "vkey"
            ) from None
        if not re.fullmatch(r"https?://[^\s;]+", url):
            raise bad(
                f"{label} 的地址须以 http:// 或 https:// 开头且不含空白",
                f"{label}'s URL must start with http:// or https:// and hold no spaces",
                "url",
            )
        if any(w.label == label or w.verifier.name == verifier.name for w in witnesses):
            raise bad(f"{label} 重复", f"{label} is named twice", "duplicate")
        witnesses.append(PolicyWitness(label, verifier, url.rstrip("/")))
    required = int(match.group(1))
    if not 1 <= required <= len(witnesses):
        raise bad(
            f"K 须在 1 到见证方个数 {len(witnesses)} 之间，而不是 {required}",
            f"K must be 1 to the number of witnesses ({len(witnesses)}), not {required}",
            "quorum",
        )
    return WitnessPolicy(required, tuple(witnesses))


def policy_setting(service: str | None = None) -> tuple[str, str]:
    """(the setting's name, its text): ``SHEQU_<SERVICE>_WITNESS_POLICY`` when set, else
    ``SHEQU_WITNESS_POLICY``."""
    if service:
        name = f"SHEQU_{service.upper()}_WITNESS_POLICY"
        if os.environ.get(name, "").strip():
            return name, os.environ[name]
    return SETTING, os.environ.get(SETTING, "")


def configured_policy(service: str | None = None) -> WitnessPolicy:
    """The policy the environment sets for ``service``; WitnessPolicyError if malformed."""
    return parse_policy(*reversed(policy_setting(service)))


def policy_for(service: str) -> WitnessPolicy:
    """The witness policy of ``service``'s log at start: ConfigError (one line naming the
    setting and the rule, in both languages) when it is malformed."""
    try:
        return configured_policy(service)
    except WitnessPolicyError as exc:
        raise ConfigError(f"{exc.message_zh} / {exc.message_en}") from None


# --- cosignatures kept beside the checkpoints ------------------------------------------------


def cosignature_path(folder: Path, size: int) -> Path:
    return folder / COSIGNATURES_DIR / f"{size:012d}.txt"


def read_cosignatures(folder: Path, size: int) -> list[tuple[str, bytes]]:
    path = cosignature_path(folder, size)
    return signature_lines(path.read_text(encoding="utf-8")) if path.is_file() else []


def _line(name: str, blob: bytes) -> str:
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"


def store_cosignature(folder: Path, size: int, name: str, blob: bytes) -> None:
    """Add one cosignature line to checkpoint ``size``'s file (one line per witness name)."""
    path = cosignature_path(folder, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / ".lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        kept = {n: b for n, b in read_cosignatures(folder, size) if n != name}
        kept[name] = blob
        atomic_write(path, "".join(_line(n, kept[n]) for n in sorted(kept)).encode("utf-8"))


def checkpoint_text(folder: Path, size: int) -> str | None:
    """The note text of checkpoint ``size`` (its signatures left off), or None."""
    path = checkpoint_path(folder, size)
    return split_note(path.read_text(encoding="utf-8"))[0] if path.is_file() else None


@dataclass(frozen=True)
class WitnessStatus:
    """Which of the policy's witnesses cosigned one checkpoint (checked against their vkeys);
    ``forged``: lines under a policy witness's name and key ID that do not verify."""

    required: int
    total: int
    cosigned: tuple[str, ...]
    forged: tuple[str, ...] = ()

    @property
    def witnessed(self) -> bool:
        return self.total > 0 and len(self.cosigned) >= self.required

    def line_zh(self) -> str:
        if self.witnessed:
            return f"见证：{len(self.cosigned)}/{self.total}"
        if not self.total:
            return "未经见证"
        return f"未经见证（见证 {len(self.cosigned)}/{self.total}，须 {self.required}）"

    def line_en(self) -> str:
        if self.witnessed:
            return f"witnessed: {len(self.cosigned)}/{self.total}"
        if not self.total:
            return "not witnessed"
        return (
            f"not witnessed ({len(self.cosigned)}/{self.total} cosigned, {self.required} required)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            "total": self.total,
            "cosigned": list(self.cosigned),
            "forged": list(self.forged),
            "witnessed": self.witnessed,
            "line": self.line_zh(),
            "line_en": self.line_en(),
        }


def status_of(
    text: str | None, lines: list[tuple[str, bytes]], policy: WitnessPolicy
) -> WitnessStatus:
    """The status of the checkpoint ``text`` given its cosignature ``lines``."""
    cosigned, forged = [], []
    for witness in policy.witnesses:
        try:
            if text is not None and cosigned_at(text, lines, witness.verifier) is not None:
                cosigned.append(witness.label)
        except NoteError:
            forged.append(witness.label)
    return WitnessStatus(policy.required, len(policy.witnesses), tuple(cosigned), tuple(forged))


def status_from(
    read: Callable[[str], bytes | None], size: int, policy: WitnessPolicy
) -> WitnessStatus:
    """The status of checkpoint ``size`` from files named as under a service's audit folder
    (``checkpoints/…``, ``cosignatures/…``): ``read(name)`` gives a file's bytes or None — the
    folder itself, or an export bundle's files."""
    note = read(f"{CHECKPOINTS_DIR}/{size:012d}.txt")
    lines = read(f"{COSIGNATURES_DIR}/{size:012d}.txt")
    text = split_note(note.decode("utf-8"))[0] if note else None
    return status_of(text, signature_lines(lines.decode("utf-8")) if lines else [], policy)


def witness_status(folder: Path, size: int, policy: WitnessPolicy) -> WitnessStatus:
    """How many of ``policy``'s witnesses cosigned this log's checkpoint ``size``."""

    def read(name: str) -> bytes | None:
        path = folder / name
        return path.read_bytes() if path.is_file() else None

    return status_from(read, size, policy)


def newest_status(
    directory: Path, service: str, policy: WitnessPolicy
) -> tuple[int, WitnessStatus]:
    """``service``'s newest checkpoint size (0: none) and who of ``policy`` cosigned it."""
    folder = service_dir(directory, service)
    names = sorted((folder / CHECKPOINTS_DIR).glob("*.txt"))
    size = int(names[-1].stem) if names else 0
    return size, witness_status(folder, size, policy)


# --- submitting ------------------------------------------------------------------------------

Post = Callable[[str, bytes, float], tuple[int, str, str]]


def http_post(url: str, body: bytes, timeout: float) -> tuple[int, str, str]:
    """(status, content type, body text) of a POST; OSError when nothing answered."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), _text(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), _text(error)


def _text(response: Any) -> str:
    return str(response.read(64 * 1024).decode("utf-8", "replace"))


@dataclass(frozen=True)
class Outcome:
    """One witness's answer to one submission: cosigned (ok) or why not."""

    label: str
    size: int
    ok: bool
    detail: str = ""


class WitnessClient:
    """Submits a log's newest checkpoint to each witness of the policy and keeps the
    cosignatures; one per service (the sealer's leader runs it after each seal).

    >>> WitnessClient(Path("var/treeheads"), "finance", policy).submit()
    [Outcome(label='township', size=1042, ok=True, detail=''), …]
    """

    def __init__(
        self,
        directory: Path,
        service: str,
        policy: WitnessPolicy,
        *,
        timeout: float = 5.0,
        post: Post = http_post,
        offload: Callable[..., Any] | None = None,
    ) -> None:
        self.directory = directory
        self.service = service
        self.folder = service_dir(directory, service)
        self.policy = policy
        self.timeout = timeout
        self.post = post
        # runs the proof's CPU work (reading the leaf log): the running service gives
        # eventlet's tpool, so green threads (commands) go on meanwhile
        self.offload = offload or (lambda fn, *args: fn(*args))
        self._last: dict[str, int] = {}  # label -> size it last cosigned, as far as we know
        self._bodies: dict[tuple[int, int], bytes] = {}  # one proof for witnesses alike

    def submit(self) -> list[Outcome]:
        """Submit the newest checkpoint to every witness that has not cosigned it yet."""
        size, status = newest_status(self.directory, self.service, self.policy)
        text = checkpoint_text(self.folder, size) if size else None
        if text is None:
            return []
        self._bodies = {}
        return [
            self._submit(witness, size, text)
            for witness in self.policy.witnesses
            if witness.label not in status.cosigned
        ]

    def _submit(self, witness: PolicyWitness, size: int, text: str) -> Outcome:
        old = self._last.get(witness.label)
        if old is None:
            old = self._last_cosigned(witness, size)
        try:
            for _ in range(3):  # a 409 names the size to retry from; at most twice
                status, kind, body = self.post(
                    f"{witness.url}/add-checkpoint", self._body(old, size), self.timeout
                )
                if status == 409 and kind.startswith(SIZE_TYPE) and body.strip().isdigit():
                    old = int(body.strip())
                    if old > size:
                        return Outcome(witness.label, size, False, f"it cosigned {old} > {size}")
                    continue
                if status != 200:
                    return Outcome(witness.label, size, False, f"HTTP {status}: {body[:200]}")
                return self._keep(witness, size, text, body)
        except (OSError, NoteError, ValidationError, ValueError) as exc:
            return Outcome(witness.label, size, False, f"{type(exc).__name__}: {exc}")
        return Outcome(witness.label, size, False, "409 three times")

    def _keep(self, witness: PolicyWitness, size: int, text: str, body: str) -> Outcome:
        lines = signature_lines(body)
        if cosigned_at(text, lines, witness.verifier) is None:
            return Outcome(witness.label, size, False, "the answer holds no cosignature by its key")
        name, blob = next(
            (n, b)
            for n, b in lines
            if n == witness.verifier.name and b[:4] == witness.verifier.key_id
        )
        store_cosignature(self.folder, size, name, blob)
        self._last[witness.label] = size
        return Outcome(witness.label, size, True)

    def _body(self, old: int, size: int) -> bytes:
        if (old, size) not in self._bodies:
            if old == 0:
                note = checkpoint_path(self.folder, size).read_text(encoding="utf-8")
                self._bodies[old, size] = f"old 0\n\n{note}".encode()
            else:
                made = self.offload(consistency_proof, self.directory, self.service, old, size)
                self._bodies[old, size] = made.encode("utf-8")
        return self._bodies[old, size]

    def _last_cosigned(self, witness: PolicyWitness, below: int) -> int:
        """The newest checkpoint this witness cosigned, from the stored lines (0: none)."""
        for path in sorted((self.folder / COSIGNATURES_DIR).glob("*.txt"), reverse=True):
            size = int(path.stem)
            if size <= below and any(
                n == witness.verifier.name and b[:4] == witness.verifier.key_id
                for n, b in read_cosignatures(self.folder, size)
            ):
                return size
        return 0
