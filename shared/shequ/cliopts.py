"""Options the ``shequ`` audit, report and operator commands take alike: which store, which
tree-head directory, which cut."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from shequ.config import treehead_dir

F = TypeVar("F", bound=Callable[..., Any])


def store_option(help: str = "store URL (default: SHEQU_<SERVICE>_STORE)") -> Callable[[F], F]:
    return click.option("--store", default=None, help=help)


def treeheads_option(
    help: str = "tree-head directory (default: SHEQU_TREEHEAD_DIR)",
) -> Callable[[F], F]:
    """``--treeheads DIR``, handed to the command as the directory itself: DIR, else
    SHEQU_TREEHEAD_DIR (var/treeheads)."""
    return click.option(
        "--treeheads",
        default=None,
        type=click.Path(path_type=Path),
        callback=lambda _ctx, _param, given: treehead_dir(given),
        help=help,
    )


def as_of_option() -> Callable[[F], F]:
    return click.option(
        "--as-of",
        "as_of",
        required=True,
        help="cut: a date (end of that day, Asia/Shanghai) or an instant with offset",
    )
