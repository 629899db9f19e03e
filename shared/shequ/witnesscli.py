"""``shequ witness``: run a tlog-witness for another party's logs (AUDIT.md A6, ADR 0041).

shequ witness keygen --name witness.sanzi.example/jiaohe --key /etc/witness/key.pem
shequ witness serve --key /etc/witness/key.pem --origins logs.txt --state /var/lib/witness
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click


def vkey_path(key: Path) -> Path:
    """Where keygen writes the witness's vkey: beside the key, ``<key>.vkey``."""
    return key.with_name(key.name + ".vkey")


@click.group()
def witness() -> None:
    """A witness that cosigns other parties' checkpoints (C2SP tlog-witness)."""


@witness.command("keygen")
@click.option("--name", required=True, help="the witness's key name, a schema-less URL")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path))
def keygen(name: str, key_path: Path) -> None:
    """Write a new Ed25519 witness key (PEM, mode 0600, never overwritten) and its vkey
    (type 0x04) beside it as KEY.vkey; print the vkey for the logs' witness_policy."""
    from shequ.audit.notes import COSIGNATURE, valid_key_name, vkey
    from shequ.audit.treeheads import atomic_write, load_or_create_key

    if key_path.exists():
        raise click.ClickException(f"{key_path} exists: a key is never overwritten")
    if not valid_key_name(name):
        raise click.ClickException(f"--name {name!r}: no spaces or '+'")
    text = vkey(name, load_or_create_key(key_path).public_key(), COSIGNATURE)
    atomic_write(vkey_path(key_path), (text + "\n").encode("ascii"))
    click.echo(text)


@witness.command("serve")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--origins",
    required=True,
    type=click.Path(path_type=Path, exists=True),
    help="the logs witnessed: one log vkey a line (shequ audit vkey --service …)",
)
@click.option("--state", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--listen", default="127.0.0.1:7380", show_default=True, help="HOST:PORT")
@click.option("--name", default=None, help="key name [default: the name in KEY.vkey]")
def serve(key_path: Path, origins: Path, state: Path, listen: str, name: str | None) -> None:
    """Serve POST /add-checkpoint until stopped (Ctrl-C, SIGTERM)."""
    from shequ.audit.cosign import witness_verifier
    from shequ.audit.notes import COSIGNATURE, NoteError, vkey
    from shequ.audit.treeheads import load_or_create_key
    from shequ.audit.witness import Witness, WitnessServer, WitnessState, load_logs

    key = load_or_create_key(key_path)
    try:
        if name is None:
            name = witness_verifier(vkey_path(key_path).read_text(encoding="ascii")).name
        own = vkey(name, key.public_key(), COSIGNATURE)
        logs = load_logs(origins)
    except (OSError, NoteError) as exc:
        raise click.ClickException(f"{exc} (keygen writes KEY.vkey; or give --name)") from None
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise click.ClickException(f"--listen HOST:PORT, not {listen!r}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = WitnessServer(
        (host or "127.0.0.1", int(port)), Witness(name, key, logs, WitnessState(state))
    )
    click.echo(f"witness {own}")
    click.echo(f"listening on http://{host or '127.0.0.1'}:{server.server_port}/add-checkpoint")
    click.echo(f"logs: {', '.join(sorted(logs)) or '(none)'}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
