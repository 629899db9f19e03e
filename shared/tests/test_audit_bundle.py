"""Export bundles and offline verification (AUDIT.md A1, A2): a sealed log exported as of a
cut, byte-identical on every export and in every time zone, verified with nothing but the
tar and the vkey; every kind of tampering with the bundle is caught and named.

Most tests use a SQLite store; the whole path (seal, export, verify offline) and an edit in the
store before the export also run on PostgreSQL (``store`` fixture)."""

# ruff: noqa: F811  -- fixtures imported from audit_fixtures are redefined as test arguments
from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tarfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audit_fixtures import RawEvents, store  # noqa: F401
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate
from shequ.app import ServiceApplication
from shequ.audit import Sealer, load_or_create_key
from shequ.audit.bundle import parse_cut, read_bundle, write_tar
from shequ.audit.notes import sign_note, vkey
from shequ.audit.rfc9162 import verify_consistency
from shequ.cli import main
from shequ.store import Store
from shequ.testing import shequ_cli, stderr_on_a_terminal

SERVICE = "registry"
ORIGIN = "shequ.example/jiaohe/registry"


class Registry(ServiceApplication):
    pass


class Log:
    """A registry-named log in a real SQLite store, its audit directory and signing key."""

    def __init__(self, tmp: Path, store: Store | None = None) -> None:
        self.tmp = tmp
        self.store = store or Store.parse(f"sqlite:///{tmp / 'registry.db'}")
        self.url = self.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
        self.treeheads, self.keys = tmp / "treeheads", tmp / "keys"
        self.app = Registry(self.store)

    def write(self, count: int) -> None:
        for _ in range(count):
            self.app.save(Aggregate())

    def seal(self) -> None:
        Sealer(
            SERVICE, self.app.recorder, self.treeheads, self.keys / f"{SERVICE}.ed25519.pem"
        ).seal()

    def env(self, **more: str) -> dict[str, str]:
        return {**os.environ, "SHEQU_KEY_DIR": str(self.keys), **more}

    def cli(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["audit", *args], env=self.env())
        return result.exit_code, result.output

    def export(self, cut: str, name: str = "bundle.tar") -> tuple[int, str, Path]:
        out = self.tmp / name
        code, output = self.cli(
            "export",
            "--service",
            SERVICE,
            "--as-of",
            cut,
            "--out",
            str(out),
            "--store",
            self.url,
            "--treeheads",
            str(self.treeheads),
        )
        return code, output, out

    def vkey(self) -> str:
        code, output = self.cli("vkey", "--service", SERVICE)
        assert code == 0, output
        return output.strip()

    def verify(self, bundle: Path, key: str | None = None) -> tuple[int, dict]:
        code, output = self.cli(
            "verify", "--bundle", str(bundle), "--vkey", key or self.vkey(), "--json"
        )
        return code, json.loads(output) if code in (0, 1) else {"output": output}


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Log]:
    made = Log(tmp_path)
    yield made
    made.app.close()


def _sealed_twice(log: Log) -> str:
    """3 events sealed, the cut, then 2 more sealed: returns the cut between them."""
    log.write(3)
    log.seal()
    cut = datetime.now(UTC).isoformat()
    log.write(2)
    log.seal()
    return cut


def test_cut_as_a_local_date_is_the_end_of_that_day_in_shanghai() -> None:
    assert parse_cut("2025-04-10") == datetime(2025, 4, 10, 15, 59, 59, 999999, UTC)
    assert parse_cut("2025-04-10T08:00:00+08:00") == datetime(2025, 4, 10, 0, 0, tzinfo=UTC)


def test_export_names_its_basis_and_is_byte_identical_in_any_time_zone(log: Log) -> None:
    cut = _sealed_twice(log)
    outs = []
    for zone, name in (("UTC", "a.tar"), ("Asia/Shanghai", "b.tar")):
        proc = shequ_cli(
            "audit",
            "export",
            service=SERVICE,
            as_of=cut,
            out=log.tmp / name,
            store=log.url,
            treeheads=log.treeheads,
            env=log.env(TZ=zone),
        )
        assert proc.returncode == 0, proc.stderr
        outs.append((log.tmp / name).read_bytes())
    assert outs[0] == outs[1]

    with tarfile.open(log.tmp / "a.tar") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == sorted(m.name for m in members)
        assert {(m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {
            (0o644, 0, 0, "", "", int(datetime.fromisoformat(cut).timestamp()))
        }
    files = read_bundle(log.tmp / "a.tar")
    manifest = json.loads(files["MANIFEST.json"])
    basis = manifest["basis"]
    assert (basis["tree_size"], basis["last_position"], basis["head"]["tree_size"]) == (3, 3, 3)
    assert files["events.jsonl"].count(b"\n") == 3
    assert {f["name"] for f in manifest["files"]} == set(files) - {"MANIFEST.json", "MANIFEST.sig"}
    assert all(
        hashlib.sha256(files[f["name"]]).hexdigest() == f["sha256"] for f in manifest["files"]
    )
    assert files["VERIFY.md"].decode().startswith("# 核验说明")

    code, _, later = log.export("2100-01-01", "later.tar.gz")  # the whole log, gzipped
    assert code == 0
    assert json.loads(read_bundle(later)["MANIFEST.json"])["basis"]["tree_size"] == 5


def test_an_unsealed_prefix_is_refused_for_auditors(log: Log) -> None:
    log.write(2)
    log.seal()
    log.write(1)  # recorded, not sealed
    code, output, out = log.export(datetime.now(UTC).isoformat())
    assert code == 1 and not out.exists()
    assert json.loads(output)["code"] == "basis.unsealed"


@pytest.fixture
def any_log(tmp_path: Path, store: Store) -> Iterator[Log]:
    made = Log(tmp_path, store)
    yield made
    made.app.close()


def test_seal_export_verify_offline_ok(any_log: Log) -> None:
    log = any_log
    cut = _sealed_twice(log)
    code, _, bundle = log.export(cut)
    assert code == 0
    key = log.vkey()
    log.app.close()
    if log.store.kind == "sqlite":
        log.store.path.unlink()  # type: ignore[union-attr]  # offline: no store at all
    proc = shequ_cli(
        "audit",
        "verify",
        bundle=bundle,
        vkey=key,
        env={"PATH": os.environ["PATH"], "HOME": str(log.tmp)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "核验通过" in proc.stdout


def _rewrite(bundle: Path, change: dict[str, bytes | None]) -> Path:
    files = read_bundle(bundle)
    for name, data in change.items():
        if data is None:
            del files[name]
        else:
            files[name] = data
    out = bundle.with_name("tampered.tar")
    write_tar(out, files, 0)
    return out


def test_tampered_bundles_are_caught(log: Log) -> None:
    log.write(3)
    log.seal()
    log.write(2)
    log.seal()
    code, _, bundle = log.export("2100-01-01")
    assert code == 0
    files = read_bundle(bundle)
    lines = files["events.jsonl"].split(b"\n")

    event = json.loads(lines[1])  # position 2
    event["state"] = base64.b64encode(
        base64.b64decode(event["state"]).replace(b"Aggregate", b"Aggregatf")
    ).decode()
    edited = b"\n".join([lines[0], json.dumps(event).encode(), *lines[2:]])
    code, report = log.verify(_rewrite(bundle, {"events.jsonl": edited}))
    assert (code, report["problem"], report["first_bad_position"]) == (1, "edited", 2)

    dropped = b"\n".join([*lines[:3], *lines[4:]])  # the line of position 4
    code, report = log.verify(_rewrite(bundle, {"events.jsonl": dropped}))
    assert (code, report["problem"], report["first_bad_position"]) == (1, "deleted", 4)

    small, big = "heads/000000000003.json", "heads/000000000005.json"
    code, report = log.verify(_rewrite(bundle, {small: files[big], big: files[small]}))
    assert (code, report["problem"]) == (1, "bad_signature")

    thief = Ed25519PrivateKey.generate()  # the bundle's own key swapped, manifest re-signed
    replaced = _resigned(
        bundle, thief, {"keys/registry.vkey": (vkey(ORIGIN, thief.public_key()) + "\n").encode()}
    )
    code, report = log.verify(replaced)
    assert (code, report["problem"]) == (1, "bad_signature")
    code, report = log.verify(replaced, vkey(ORIGIN, thief.public_key()))  # thief's own key
    assert (code, report["problem"]) == (1, "bad_signature")  # heads are not the thief's

    renderer = _rewrite(bundle, {"renderer.json": b"{}\n"})
    assert log.verify(renderer)[0] == 1


def test_unusable_input_exits_2(log: Log) -> None:
    log.write(1)
    log.seal()
    code, _, bundle = log.export("2100-01-01")
    (log.tmp / "junk.tar").write_bytes(b"not a tar")
    assert log.verify(log.tmp / "junk.tar")[0] == 2
    assert log.verify(bundle, "not-a-vkey")[0] == 2
    code, output = log.cli("verify", "--bundle", str(bundle))
    assert code == 2 and "--vkey" in output


def test_a_row_edited_in_the_store_before_export_is_named_by_the_offline_verify(
    any_log: Log,
) -> None:
    log = any_log
    log.write(4)
    log.seal()
    raw = RawEvents(log.store, "Registry")
    raw.set_state(3, bytes(raw.row(3)[3]).replace(b"Aggregate", b"Aggregatf"))
    code, _, bundle = log.export("2100-01-01", "edited.tar.gz")
    assert code == 0
    data = bundle.read_bytes()
    assert data[3] == 0 and data[4:8] == b"\0\0\0\0"  # gzip: no file name, mtime 0
    code, report = log.verify(bundle)
    assert (code, report["problem"], report["first_bad_position"]) == (1, "edited", 3)


def _resigned(
    bundle: Path,
    key: Ed25519PrivateKey,
    change: dict[str, bytes] | None = None,
    edit: Callable[[dict], None] | None = None,
) -> Path:
    """The bundle with files changed, its manifest updated (and edited) and signed again with
    ``key``: a thief's key, or the service's own as a faulty exporter would."""
    files = {**read_bundle(bundle), **(change or {})}
    manifest = json.loads(files["MANIFEST.json"])
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["name"]]).hexdigest()
        entry["size"] = len(files[entry["name"]])
    if edit is not None:
        edit(manifest)
    files["MANIFEST.json"] = (
        json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    )
    note = f"shequ.audit.bundle/1\n{ORIGIN}\n{hashlib.sha256(files['MANIFEST.json']).hexdigest()}\n"
    files["MANIFEST.sig"] = sign_note(note, ORIGIN, key).encode()
    return _rewrite(bundle, files)  # type: ignore[arg-type]


def test_the_basis_carries_an_rfc9162_consistency_proof_from_n_to_m(log: Log) -> None:
    log.write(3)
    cut = datetime.now(UTC).isoformat()
    log.write(3)
    log.seal()  # the first head after the cut is m = 6 > n = 3
    code, _, bundle = log.export(cut)
    assert code == 0
    basis = json.loads(read_bundle(bundle)["MANIFEST.json"])["basis"]
    assert (basis["tree_size"], basis["head"]["tree_size"]) == (3, 6)
    proof = [bytes.fromhex(h) for h in basis["consistency_proof"]]
    assert proof
    verify_consistency(
        3, 6, bytes.fromhex(basis["root"]), bytes.fromhex(basis["head"]["root"]), proof
    )
    assert log.verify(bundle)[0] == 0

    def wrong_proof(manifest: dict) -> None:
        manifest["basis"]["consistency_proof"][0] = "00" * 32

    own = load_or_create_key(log.keys / f"{SERVICE}.ed25519.pem")
    code, report = log.verify(_resigned(bundle, own, edit=wrong_proof))
    assert (code, report["problem"]) == (1, "leaf_log_mismatch")


def test_verify_and_export_show_progress_on_a_terminal_and_nothing_on_a_pipe(log: Log) -> None:
    """Issue 13 §6: a bar on standard error when it is a terminal; none in a pipe or a log,
    and the same output either way."""
    log.write(30)
    log.seal()
    cut = datetime.now(UTC).isoformat()
    verify = [
        *("audit", "verify", "--service", SERVICE, "--store", log.url),
        *("--treeheads", str(log.treeheads)),
    ]
    argv = [sys.executable, "-m", "shequ.cli", *verify]
    code, terminal, out = stderr_on_a_terminal(argv, log.env())
    assert code == 0, terminal
    assert "核验" in terminal and "事件" in terminal  # the bar: its title and its unit
    assert "30/30" in terminal  # the table's rows are its total
    piped = shequ_cli(*verify, env=log.env())
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout == out
    export = [
        *("audit", "export", "--service", SERVICE, "--as-of", cut),
        *("--store", log.url, "--treeheads", str(log.treeheads)),
    ]
    code, terminal, _ = stderr_on_a_terminal(
        [sys.executable, "-m", "shequ.cli", *export, "--out", str(log.tmp / "t.tar")], log.env()
    )
    assert code == 0, terminal
    assert "导出" in terminal and "30/30" in terminal
    piped = shequ_cli(*export, out=log.tmp / "p.tar", env=log.env())
    assert piped.returncode == 0 and piped.stderr == ""
    assert (log.tmp / "t.tar").read_bytes() == (log.tmp / "p.tar").read_bytes()
