"""Click commands for operators (added to ``shequ`` in shequ.cli)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from shequ.cliopts import store_option, treeheads_option
from shequ.config import SERVICES, amqp_uri

OPERATOR = {"role": "system"}


def _actor() -> dict[str, Any]:
    return {"person_id": f"operator:{os.environ.get('USER', 'ops')}", **OPERATOR}


def _call(service: str, method: str, payload: dict[str, Any], timeout: float = 30) -> Any:
    from shequ.client import rpc_call

    return rpc_call(service, method, payload, timeout)


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.command()
@click.option("--timeout", default=3.0, show_default=True, help="seconds per health call")
@click.option("--json", "as_json", is_flag=True)
@click.option("--service", "services", multiple=True, help="only these (default: built ones)")
def status(timeout: float, as_json: bool, services: tuple[str, ...]) -> None:
    """Each built service up/down, relay lag, consumer lag, dead letters, events not yet
    sealed (and the oldest one's age), the seal interval. Exit 1 if any is down or not
    ready, or raises an audit alarm."""
    from shequ.ops.deadletters import queue_depth
    from shequ.ops.status import built_services, collect, render

    report = collect(
        list(services) or built_services(),
        lambda s: _call(s, "health", {}, timeout),
        lambda: queue_depth(amqp_uri()),
    )
    click.echo(
        json.dumps(report, ensure_ascii=False, indent=2, default=str) if as_json else render(report)
    )
    sys.exit(0 if report["ok"] else 1)


@click.group()
def deadletters() -> None:
    """Inspect and replay messages consumers could not handle (queue shequ.deadletters)."""


@deadletters.command("list")
@click.option("--limit", default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def dl_list(limit: int, as_json: bool) -> None:
    """List dead letters without consuming them."""
    from shequ.ops.deadletters import list_letters

    letters = list_letters(amqp_uri(), limit)
    if as_json:
        _echo([{"id": x["id"], "headers": x["headers"], "error": x.get("error")} for x in letters])
        return
    for x in letters:
        error = x.get("error") or {}
        click.echo(
            f"{x['id']}\t{x['headers'].get('failed_at', '')}\t"
            f"{error.get('code')}: {str(error.get('message', ''))[:80]}"
        )
    click.echo(f"{len(letters)} dead letter(s)")


@deadletters.command("show")
@click.argument("ident")
def dl_show(ident: str) -> None:
    """Show one dead letter: headers, error and the original envelope."""
    from shequ.ops.deadletters import show_letter

    letter = show_letter(amqp_uri(), ident)
    if letter is None:
        raise click.ClickException(f"no dead letter {ident}")
    _echo(letter)


@deadletters.command("replay")
@click.argument("ident")
def dl_replay(ident: str) -> None:
    """Hand letter IDENT back to its consumer, which applies it once (idempotent)."""
    from shequ.ops.deadletters import replay_letter

    result = replay_letter(amqp_uri(), ident, _actor(), _call)
    _echo(result)
    sys.exit(0 if result.get("outcome") in ("applied", "already_replayed", "ignored") else 1)


def _store(service: str, store: str | None) -> Any:
    from shequ.client import store_for

    return store_for(service, store)


@contextmanager
def _backup_refused() -> Iterator[None]:
    """A backup's or restore's refusal (BackupError), said as the command's error."""
    from shequ.ops.backup import BackupError

    try:
        yield
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option("--service", required=True, type=click.Choice(SERVICES))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="archive path (default: shequ-<service>-<UTC time>.tar.gz)",
)
@store_option()
@treeheads_option()
def backup(service: str, output: Path | None, store: str | None, treeheads: Path) -> None:
    """Back up SERVICE's database and tree heads into one archive."""
    from datetime import UTC, datetime

    from shequ.ops.backup import backup as do_backup

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output or Path(f"shequ-{service}-{stamp}.tar.gz")
    with _backup_refused():
        manifest = do_backup(service, _store(service, store), treeheads, output)
    click.echo(f"wrote {output}: {json.dumps(manifest)}")


@click.command()
@click.option("--service", required=True, type=click.Choice(SERVICES))
@click.argument("archive", type=click.Path(path_type=Path, exists=True))
@store_option("target store (default: SHEQU_<SERVICE>_STORE)")
@treeheads_option("target tree-head directory (default: SHEQU_TREEHEAD_DIR)")
@click.option("--force", is_flag=True, help="replace existing tree heads / SQLite file")
def restore(service: str, archive: Path, store: str | None, treeheads: Path, force: bool) -> None:
    """Restore SERVICE from ARCHIVE; then run `shequ audit verify --service SERVICE`."""
    from shequ.ops.backup import restore as do_restore

    with _backup_refused():
        manifest = do_restore(service, archive, _store(service, store), treeheads, force)
    click.echo(
        f"restored {service} from {archive} (made {manifest['created_at']}); "
        f"now run: shequ audit verify --service {service}"
    )
