"""``shequ report affairs|assessment|finance``: a disclosure report as of a cut, from the store
(read-only) or from a verified export bundle; prints the output's SHA-256 and its bases.

The affairs report also folds finance's log as of the same cut (its grants section):
``--finance-store`` (default SHEQU_FINANCE_STORE), or ``--finance-bundle`` with
``--finance-vkey`` beside ``--bundle``; without one, the section says finance's log is not
there."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click

from shequ import progress
from shequ.cliopts import as_of_option, store_option, treeheads_option
from shequ.reports.render import FORMATS
from shequ.reports.run import FOLDS, Prefix


@click.command("report")
@click.argument("report", type=click.Choice(sorted(FOLDS)))
@click.option("--community", default=None, help="the community: its id or name")
@click.option("--village", default=None, help="the village: its id or name")
@click.option("--period", required=True, help="2026Q1 (a quarter), 2026-03 (a month), 2026")
@as_of_option()
@click.option("--format", "fmt", default="json", type=click.Choice(FORMATS), show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@store_option()
@treeheads_option()
@click.option(
    "--bundle",
    default=None,
    type=click.Path(path_type=Path),
    help="fold an export bundle instead of the store (verified first, with --vkey)",
)
@click.option("--vkey", "vkey_text", default=None, help="the log's verifier key (with --bundle)")
@click.option("--finance-store", help="finance's store (affairs; default SHEQU_FINANCE_STORE)")
@click.option(
    "--finance-bundle", type=click.Path(path_type=Path), help="finance's bundle, same cut"
)
@click.option("--finance-vkey", help="finance's verifier key (with --finance-bundle)")
def report(  # noqa: PLR0913, PLR0917 - one parameter per click option
    report: str,
    community: str | None,
    village: str | None,
    period: str,
    as_of: str,
    fmt: str,
    output: Path,
    store: str | None,
    treeheads: Path,
    bundle: Path | None,
    vkey_text: str | None,
    finance_store: str | None,
    finance_bundle: Path | None,
    finance_vkey: str | None,
) -> None:
    """Fold SERVICE's sealed events up to the cut into the REPORT of a community or village
    for a period, in one of json, csv, xlsx, pdf, html; byte-identical on every run.

    Exit 0 written; 1 refused (basis.unsealed, unknown subject, bad period); 2 unusable input.
    """
    from shequ.audit.bundle import BundleError, parse_cut
    from shequ.audit.notes import NoteError
    from shequ.client import store_for
    from shequ.errors import ShequError
    from shequ.reports.render import render, renderer_profile
    from shequ.reports.run import (
        build,
        parts_from_store,
        parts_of,
        prefix_from_bundle,
        prefix_from_store,
    )
    from shequ.reports.scope import Scope, parse_period

    if (community is None) == (village is None):
        raise click.UsageError("give one of --community or --village")
    service = FOLDS[report][0]
    try:
        cut = parse_cut(as_of)
        scope = Scope(
            "village" if village else "community",
            village or community or "",
            parse_period(period),
            cut.isoformat(),
        )
        with progress.shown(f"{report} 报表 / report"):
            parts: dict[str, Prefix | None]
            if bundle is None:
                prefix = prefix_from_store(service, store_for(service, store), treeheads, cut)
                parts = parts_from_store(
                    report, lambda other: store_for(other, finance_store), treeheads, cut
                )
            else:  # finance's bundle beside casework's, for affairs; none given: said so
                if not vkey_text:
                    raise BundleError("--bundle needs --vkey (the log's verifier key)")
                prefix = prefix_from_bundle(bundle, vkey_text, service, cut)
                if finance_bundle is not None and not finance_vkey:
                    raise BundleError("--finance-bundle needs --finance-vkey")
                parts = {
                    other: None
                    if finance_bundle is None
                    else prefix_from_bundle(finance_bundle, finance_vkey or "", other, cut)
                    for other in parts_of(report)
                }
            profile = renderer_profile()
            data = render(build(report, scope, prefix, parts), fmt, profile)
    except ShequError as exc:
        click.echo(json.dumps({"error": exc.to_dict()}, ensure_ascii=False), err=True)
        sys.exit(1)
    except (BundleError, NoteError, OSError) as exc:
        click.echo(f"无法生成报表（输入不可用）：{exc} / cannot report: {exc}", err=True)
        sys.exit(2)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    basis = prefix.basis
    click.echo(
        json.dumps(
            {
                "written": str(output),
                "sha256": hashlib.sha256(data).hexdigest(),
                "basis": {
                    "service": basis["service"],
                    "tree_size": basis["tree_size"],
                    "root": basis["root"],
                    "head": basis["head"]["tree_size"],
                },
                "parts": {
                    other: None
                    if given is None
                    else {"tree_size": given.basis["tree_size"], "root": given.basis["root"]}
                    for other, given in parts.items()
                },
                "renderer": profile,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
    )
