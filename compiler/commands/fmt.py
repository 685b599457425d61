"""`pool fmt`."""

from __future__ import annotations

import sys

import click


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def fmt(paths: tuple[str, ...]) -> None:
    """Lay out policies canonically / 统一政策文件格式。"""
    click.echo("pool fmt: not yet available", err=True)
    sys.exit(2)
