"""Backup and restore of one service: its database and its tree-head directory in one archive.

Archive (tar.gz)::

    manifest.json                 service, store kind, created_at, event count, tree sizes
    database.dump                 PostgreSQL: pg_dump --format=custom (restored with pg_restore)
    database.sqlite               SQLite: a consistent copy made with the sqlite3 backup API
    treeheads/<service>/...       leaves.log, heads/*.json, signing-key.pub.pem

The private signing key is NOT in the archive (it lives in SHEQU_KEY_DIR / a Secret; back it up
separately). After a restore, ``shequ audit verify --service NAME`` checks the restored log
against the restored signed heads.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shequ.store import Store

FORMAT = 1


class BackupError(RuntimeError):
    pass


def libpq_url(store: Store) -> str:
    auth = quote(store.user, safe="") + (
        f":{quote(store.password, safe='')}" if store.password else ""
    )
    return f"postgresql://{auth}@{store.host}:{store.port}/{quote(store.dbname, safe='')}"


def _run(argv: list[str]) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(f"{argv[0]} is not on PATH (install the PostgreSQL client tools)")
    done = subprocess.run([tool, *argv[1:]], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")


def backup(service: str, store: Store, treehead_dir: Path, output: Path) -> dict[str, Any]:
    """Write the archive of ``service`` to ``output``; returns the manifest."""
    service_heads = treehead_dir / service
    with tempfile.TemporaryDirectory(prefix="shequ-backup-") as tmp:
        work = Path(tmp)
        if store.kind == "postgres":
            dump = work / "database.dump"
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={dump}",
                    f"--dbname={libpq_url(store)}",
                ]
            )
        else:
            assert store.path is not None
            if not store.path.is_file():
                raise BackupError(f"no SQLite database at {store.path}")
            dump = work / "database.sqlite"
            source = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
            target = sqlite3.connect(dump)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        heads = sorted((service_heads / "heads").glob("*.json")) if service_heads.is_dir() else []
        manifest = {
            "format": FORMAT,
            "service": service,
            "store_kind": store.kind,
            "created_at": datetime.now(UTC).isoformat(),
            "database": dump.name,
            "tree_heads": len(heads),
            "latest_tree_size": int(heads[-1].stem) if heads else 0,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            if service_heads.is_dir():
                for path in sorted(service_heads.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        tar.add(
                            path, arcname=f"treeheads/{service}/{path.relative_to(service_heads)}"
                        )
        os.replace(partial, output)
    return manifest


def restore(
    service: str, archive: Path, store: Store, treehead_dir: Path, force: bool = False
) -> dict[str, Any]:
    """Restore ``archive`` into ``store`` (an existing, empty PostgreSQL database or a new
    SQLite path) and ``treehead_dir/<service>``. Refuses to overwrite existing tree heads or a
    non-empty SQLite file unless ``force``."""
    with tempfile.TemporaryDirectory(prefix="shequ-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest.get("service") != service:
            raise BackupError(f"{archive} holds {manifest.get('service')!r}, not {service!r}")
        if manifest.get("store_kind") != store.kind:
            raise BackupError(
                f"{archive} holds a {manifest.get('store_kind')} database; the "
                f"target store is {store.kind}"
            )
        target_heads = treehead_dir / service
        if target_heads.exists() and any(target_heads.iterdir()) and not force:
            raise BackupError(f"{target_heads} is not empty; move it away or use --force")
        if store.kind == "postgres":
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--clean",
                    "--if-exists",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={libpq_url(store)}",
                    str(work / "database.dump"),
                ]
            )
        else:
            assert store.path is not None
            if store.path.exists() and store.path.stat().st_size and not force:
                raise BackupError(f"{store.path} exists; move it away or use --force")
            store.path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(work / "database.sqlite")
            target = sqlite3.connect(store.path)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        extracted = work / "treeheads" / service
        if target_heads.exists() and force:
            shutil.rmtree(target_heads)
        if extracted.is_dir():
            shutil.copytree(extracted, target_heads)
        else:
            target_heads.mkdir(parents=True, exist_ok=True)
    return manifest
