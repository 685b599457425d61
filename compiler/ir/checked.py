"""What the backends receive: a program that passed every check, with its facts."""

from __future__ import annotations

import attrs

from compiler.ir import nodes as ir
from compiler.ir.scope import Scope
from compiler.ir.types import Type


@attrs.frozen
class CheckedPolicy:
    program: ir.Program
    scope: Scope
    types: dict[str, Type]  # the type of every parameter, input, derived value and rule

    @property
    def policy(self) -> ir.Policy | None:
        return self.program.policy
