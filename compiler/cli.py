"""The `pool` command line.

Exit codes: 0 clean (warnings allowed unless --strict), 1 diagnostics, 2 usage or I/O;
`pool diff` follows diff(1) instead: 0 no changes, 1 changes, 2 cannot compare.
Each command lives in its own module under `compiler.commands` and is imported only
when it runs (or when `--help` lists it), and commands import heavy modules inside
their bodies, so `pool --help` starts fast.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

import click

from compiler.limits import allow_deep_recursion

# command name → "module:attribute", in the order `pool --help` lists them.
COMMANDS = {
    "new": "compiler.commands.new:new",
    "check": "compiler.commands.check:check",
    "compile": "compiler.commands.compile:compile_cmd",
    "run": "compiler.commands.run:run",
    "simulate": "compiler.commands.simulate:simulate",
    "schema": "compiler.commands.schema:schema",
    "template": "compiler.commands.template:template",
    "explain": "compiler.commands.explain:explain",
    "test": "compiler.commands.test:test_cmd",
    "fmt": "compiler.commands.fmt:fmt",
    "diff": "compiler.commands.diff:diff_cmd",
    "graph": "compiler.commands.graph:graph",
    "lsp": "compiler.commands.lsp:lsp",
    "serve": "compiler.commands.serve:serve",
}


def _stdout_failed(e: OSError) -> NoReturn:
    """stdout is full, closed or gone (`> /dev/full`, a closed pipe): say so, exit 2, and
    point stdout at /dev/null so Python's final flush cannot print a traceback."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    argv = sys.argv[1:]
    english = "--lang=en" in argv or any(a == "--lang" and b == "en" for a, b in zip(argv, argv[1:]))
    with contextlib.suppress(OSError, ValueError):
        said = "cannot write the output" if english else "无法写出结果"
        sys.stderr.write(f"pool: {said}: {e.strerror or e}\n")
    sys.exit(2)


class LazyGroup(click.Group):
    """A group whose subcommands are imported by name on first use."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        allow_deep_recursion()  # what the checks admit, every command can handle: compiler/limits.py
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                if sys.stdout is not None:
                    sys.stdout.flush()  # a full disk shows here, not at interpreter exit
        except OSError as e:
            _stdout_failed(e)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pool-lang", prog_name="pool")
def main() -> None:
    """pool: 基本医疗保险统筹政策的声明式语言与编译器。

    Check, compile and explain medical-insurance fund pooling policies.
    """


if __name__ == "__main__":  # pragma: no cover
    main()
