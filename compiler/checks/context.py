"""What the checks share: the symbol table, and facts computed once (types).

The IR stays frozen; facts derived from it live here, keyed by declaration name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import attrs

from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import nodes as ir
from compiler.ir.types import Type
from compiler.ir.scope import Scope, ValueDecl, build_scope
from compiler.messages import Text
from compiler.source import Span


KIND_TEXT = {
    "value": Text("名称", "name"),
    "function": Text("函数", "function"),
    "type": Text("类型", "type"),
    "party": Text("主体或资金", "party or fund"),
    "regionset": Text("地区集", "region set"),
    "region": Text("地区", "region"),
    "fund": Text("资金", "fund"),
}


@attrs.define
class Context:
    program: ir.Program
    scope: Scope
    # Facts filled by the type pass and read by later passes.
    types: dict[str, Type] = attrs.Factory(dict)
    # Declarations whose checks failed: later passes skip them to avoid noise.
    broken: set[str] = attrs.Factory(set)

    @property
    def policy(self) -> ir.Policy | None:
        return self.program.policy


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return found[0] if found else None


def undefined(kind: str, name: str, span: Span, candidates: Iterable[str]) -> Diagnostic:
    s = suggest(name, candidates)
    hint = note("did-you-mean", suggestion=s) if s else None
    return diag("E201", span, hint=hint, kind=KIND_TEXT[kind], name=name)




__all__ = ["Context", "Scope", "ValueDecl", "build_scope", "suggest", "undefined"]
