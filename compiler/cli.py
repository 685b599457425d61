"""The `pool` command line.

Exit codes: 0 clean (warnings allowed unless --strict), 1 diagnostics, 2 usage or I/O;
`pool diff` follows diff(1) instead: 0 no changes, 1 changes, 2 cannot compare.
Each command lives in its own module under `compiler.commands` and is imported only
when it runs (or when `--help` lists it), and commands import heavy modules inside
their bodies, so `pool --help` starts fast.
"""

from __future__ import annotations

import importlib

import click

# command name → "module:attribute", in the order `pool --help` lists them.
COMMANDS = {
    "check": "compiler.commands.check:check",
    "compile": "compiler.commands.compile:compile_cmd",
    "run": "compiler.commands.run:run",
    "simulate": "compiler.commands.simulate:simulate",
    "schema": "compiler.commands.schema:schema",
    "explain": "compiler.commands.explain:explain",
    "test": "compiler.commands.test:test_cmd",
    "fmt": "compiler.commands.fmt:fmt",
    "diff": "compiler.commands.diff:diff_cmd",
    "graph": "compiler.commands.graph:graph",
    "serve": "compiler.commands.serve:serve",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported by name on first use."""

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
