"""A witness (c2sp.org/tlog-witness ``add-checkpoint``; AUDIT.md A6), run by another party.

The township 三资中心 or the district's discipline and audit office runs ``shequ witness
serve``: it knows each log it watches by its vkey (``--origins``), keeps the last checkpoint
it cosigned per origin (``--state``), and cosigns a new checkpoint only when it is signed by
the log and provably extends that one. ``POST /add-checkpoint`` takes::

    old <size the client believes the witness last cosigned>
    <consistency proof, base64, one hash a line, at most 63>
    <blank line>
    <the signed checkpoint>

and answers, in this order of checks: 404 unknown origin; 403 no valid signature by the
log's key; 400 malformed body or ``old`` > the checkpoint's size; 409 with a
``text/x.tlog.size`` body (the size it last cosigned) when ``old`` is not that size; 422
when the proof does not verify, or the size is the same with a different root; else 200 with
one cosignature line (cosign.py), after the new size and root reached the disk.

Checking ``old`` and storing the new state happen under one lock per origin (a thread lock
and an flock, so two processes on one state directory serialise too): of two requests from
the same old size, one succeeds and the other gets 409.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shequ.audit.cosign import cosign
from shequ.audit.notes import NoteError, Verifier, open_note, parse_checkpoint, parse_vkey
from shequ.audit.rfc9162 import ProofError, verify_consistency
from shequ.audit.treeheads import atomic_write

log = logging.getLogger(__name__)

SIZE_TYPE = "text/x.tlog.size"
TEXT_TYPE = "text/plain; charset=utf-8"
MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 64 * 1024  # 63 proof lines and a checkpoint with many signatures fit


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = TEXT_TYPE


def refused(status: int, why: str) -> Answer:
    return Answer(status, why + "\n")


class WitnessState:
    """The last cosigned size and root per origin: one JSON file each under ``directory``,
    replaced atomically (written, fsynced, renamed, directory fsynced)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _path(self, origin: str) -> Path:
        return self.directory / f"{hashlib.sha256(origin.encode()).hexdigest()[:32]}.json"

    def read(self, origin: str) -> tuple[int, bytes]:
        """(size, root) last cosigned for ``origin``; (0, b"") if never."""
        path = self._path(origin)
        if not path.exists():
            return 0, b""
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["origin"] != origin:
            raise ValueError(f"{path} holds the state of {data['origin']!r}, not {origin!r}")
        return int(data["size"]), base64.b64decode(data["root"])

    def write(self, origin: str, size: int, root: bytes) -> None:
        data = {"origin": origin, "size": size, "root": base64.b64encode(root).decode("ascii")}
        atomic_write(self._path(origin), (json.dumps(data, sort_keys=True) + "\n").encode())

    @contextmanager
    def locked(self, origin: str) -> Iterator[None]:
        """Hold ``origin``'s state for one check-and-update, against threads and processes."""
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock, self._path(origin).with_suffix(".lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def load_logs(path: Path) -> dict[str, list[Verifier]]:
    """The logs a witness watches: one log vkey (type 0x01) a line; '#' starts a comment."""
    logs: dict[str, list[Verifier]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            verifier = parse_vkey(line)
        except NoteError as exc:
            raise NoteError(f"{path}:{number}: {exc}") from None
        logs.setdefault(verifier.name, []).append(verifier)
    return logs


@dataclass(frozen=True)
class Request:
    old: int
    proof: list[bytes]
    note: str


def parse_request(body: bytes) -> Request:
    """Read an add-checkpoint body; NoteError (400) naming what is malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("the body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    old = lines[0].removeprefix("old ")
    if not blank or not lines[0].startswith("old ") or not old.isdigit() or old != str(int(old)):
        raise NoteError("the body starts with 'old N' and has a blank line before the checkpoint")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise NoteError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except binascii.Error:
        raise NoteError("a consistency proof line is not base64") from None
    if any(len(h) != 32 for h in proof):
        raise NoteError("a consistency proof line is not a SHA-256 hash")
    return Request(int(old), proof, note)


@dataclass(frozen=True)
class Witness:
    """The add-checkpoint logic, apart from HTTP (the server below only carries it): the
    witness's key name and key, the logs it watches (origin -> their keys), its state.

    >>> witness = Witness("witness.example/sanzi", key, load_logs(p), WitnessState(d))
    >>> witness.add_checkpoint(body)  # Answer(200, "— witness.example/sanzi …\\n")
    """

    name: str
    key: Ed25519PrivateKey
    logs: dict[str, list[Verifier]]
    state: WitnessState
    clock: Callable[[], float] = time.time

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            request = parse_request(body)
        except NoteError as exc:
            return refused(400, str(exc))
        origin = request.note.split("\n", 1)[0]
        if origin not in self.logs:
            return refused(404, f"unknown log origin {origin[:100]!r}")
        text = self._opened(request.note, self.logs[origin])
        if text is None:
            return refused(403, f"no valid signature by the key of {origin}")
        try:
            checkpoint = parse_checkpoint(text)
        except NoteError as exc:
            return refused(400, str(exc))
        if request.old > checkpoint.tree_size:
            return refused(400, f"old {request.old} is larger than the checkpoint's size")
        with self.state.locked(origin):
            size, root = self.state.read(origin)
            if request.old != size:
                return Answer(409, f"{size}\n", SIZE_TYPE)
            problem = self._inconsistency(
                request, size, root, checkpoint.tree_size, checkpoint.root
            )
            if problem:
                log.warning("witness: %s at size %d: %s", origin, checkpoint.tree_size, problem)
                return refused(422, problem)
            self.state.write(origin, checkpoint.tree_size, checkpoint.root)
        log.info("witness: cosigned %s at size %d", origin, checkpoint.tree_size)
        return Answer(200, cosign(text, self.name, self.key, int(self.clock())))

    @staticmethod
    def _opened(note: str, verifiers: list[Verifier]) -> str | None:
        for verifier in verifiers:
            try:
                return open_note(note, verifier)
            except NoteError:
                continue
        return None

    @staticmethod
    def _inconsistency(request: Request, size: int, root: bytes, new: int, new_root: bytes) -> str:
        if request.old == new:
            if request.proof or (size and new_root != root):
                return f"size {new} was cosigned with another root"
            return ""
        if request.old == 0:
            return "a proof from size 0 must be empty" if request.proof else ""
        try:
            verify_consistency(size, new, root, new_root, request.proof)
        except ProofError as exc:
            return f"the consistency proof {size}->{new} does not verify: {exc}"
        return ""


class _Handler(BaseHTTPRequestHandler):
    server: WitnessServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the protocol recommends

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self.close_connection = True  # the body is left unread: the connection ends
            answer = refused(400, f"a body of at most {MAX_BODY_BYTES} bytes, with its length")
        else:
            body = self.rfile.read(int(length))
            if self.path != "/add-checkpoint":
                answer = refused(404, "not found: POST /add-checkpoint")
            else:
                answer = self.server.witness.add_checkpoint(body)
        data = answer.body.encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("witness http: " + format, *args)


class WitnessServer(ThreadingHTTPServer):
    """``add-checkpoint`` over HTTP, one thread a connection.

    >>> server = WitnessServer(("127.0.0.1", 7380), witness); server.serve_forever()
    """

    daemon_threads = True
    request_queue_size = 128  # logs submit after each seal, many at once

    def __init__(self, address: tuple[str, int], witness: Witness) -> None:
        self.witness = witness
        super().__init__(address, _Handler)
