"""`pool lsp`: the language server, for editors (VS Code, Neovim, Emacs …)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option(
    "--stdio", is_flag=True, help="Talk over standard input and output (the default; accepted for editors that pass it)"
)
def lsp(stdio: bool) -> None:
    """Run the language server over stdio / 启动编辑器语言服务。

    Diagnostics as `pool check` gives them, hover, go to definition, references,
    completion, outline, formatting, quick fixes and rename (docs/editors.md).
    """
    try:
        from compiler.lsp.features import serve
    except ImportError as e:
        click.echo(f"pool lsp 需要安装 pygls:pip install 'pool-lang[lsp]'({e.name})", err=True)
        click.echo(f"pool lsp needs pygls: pip install 'pool-lang[lsp]' ({e.name})", err=True)
        sys.exit(2)
    serve()
