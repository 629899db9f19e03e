"""Reading a rendered report back as text (``shequ.reports``' five formats), for the tests
that look for what a report shows or must never show."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def report_text(fmt: str, data: bytes, folder: Path) -> str:
    """The text of a report in ``fmt`` (xlsx: every cell; pdf: ``pdftotext``, through a file
    in ``folder``; json, csv, html: the bytes as UTF-8)."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data))
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if fmt == "pdf":
        path = folder / "sweep.pdf"
        path.write_bytes(data)
        run = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
        return run.stdout.decode("utf-8")
    return data.decode("utf-8-sig")


def edit_stored_state(db: Path, where: str, old: str, new: str) -> int:
    """Edit one stored event's state in a service's SQLite file behind the log's back (the
    first row matching ``where`` whose state holds ``old``; ``old`` becomes ``new``), as a
    tamperer would after sealing; its position."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        position: int = connection.execute(
            f"SELECT rowid FROM stored_events WHERE {where} AND instr(CAST(state AS TEXT), ?)",
            (old,),
        ).fetchone()[0]
        connection.execute(
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), ?, ?) AS BLOB) "
            "WHERE rowid = ?",
            (old, new, position),
        )
    return position


# renders a report in each format in a fresh interpreter (its TZ taken at start) and prints
# each file's SHA-256
_IN_ZONE = """
import hashlib, json, os, sys
from click.testing import CliRunner
from shequ.cli import main
args = json.loads(sys.argv[1])
out = {}
for fmt in args["formats"]:
    path = args["out"] + "." + fmt
    r = CliRunner().invoke(main, args["args"] + ["--format", fmt, "-o", path])
    assert r.exit_code == 0, (r.output, repr(r.exception))
    out[fmt] = hashlib.sha256(open(path, "rb").read()).hexdigest()
print(json.dumps(out))
"""


def digests_in_zone(
    zone: str, args: list[str], out: Path, formats: Sequence[str], env: Mapping[str, str]
) -> dict[str, str]:
    """The SHA-256 of the report ``args`` (``shequ`` arguments without ``--format`` and
    ``-o``) rendered in each of ``formats`` to ``out``.<fmt> by another process whose time
    zone is ``zone``, the rest of its environment ``env``."""
    spec = json.dumps({"args": args, "out": str(out), "formats": list(formats)})
    run = subprocess.run(
        [sys.executable, "-c", _IN_ZONE, spec],
        env={**env, "TZ": zone},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
