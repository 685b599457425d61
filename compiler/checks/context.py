"""What the checks share: the symbol table, and facts computed once (types).

The IR stays frozen; facts derived from it live here, keyed by declaration name.
A pass records in `facts` what it has established of the whole program; a pass
that reasons on top of such facts declares them as its needs (compiler.checks.PASSES).
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable

import attrs

from compiler.diagnostics import Diagnostic, diag, label, note
from compiler.ir import nodes as ir
from compiler.ir.scope import Conflict, Scope, ValueDecl, build_scope
from compiler.ir.types import Type
from compiler.messages import Severity, Text
from compiler.source import Span

KIND_TEXT = {
    "value": Text("名称", "name"),
    "function": Text("函数", "function"),
    "type": Text("类型", "type"),
    "party": Text("主体或资金", "party or fund"),
    "regionset": Text("地区集", "region set"),
    "region": Text("地区", "region"),
    "fund": Text("资金", "fund"),
    "entity": Text("实体类别", "entity kind"),
    "member": Text("地区或实体", "region or entity"),
    "part": Text("层或承担方", "tier or payer"),
}


class Fact(enum.Enum):
    """What a pass can establish of a whole program."""

    NAMES_RESOLVED = "every name is declared once and refers to something"
    TYPES_AGREE = "every value has a type and its units agree"
    ACYCLIC = "no value depends on itself"
    WITHIN_LIMITS = "nesting and chains of derived values stay within the limits"


@attrs.define
class Context:
    program: ir.Program
    scope: Scope
    # Names the scope could not take (declared twice): the resolve pass reports them.
    conflicts: list[Conflict] = attrs.Factory(list)
    # What the passes run so far have established (see Fact).
    facts: set[Fact] = attrs.Factory(set)
    # Facts filled by the type pass and read by later passes.
    types: dict[str, Type] = attrs.Factory(dict)
    # Declarations whose checks failed: later passes skip them to avoid noise.
    broken: set[str] = attrs.Factory(set)

    @property
    def policy(self) -> ir.Policy | None:
        return self.program.policy

    def establish(self, fact: Fact, found: list[Diagnostic]) -> list[Diagnostic]:
        """Record `fact` if the pass that set out to establish it found no error; return what it found."""
        if not any(d.severity is Severity.ERROR for d in found):
            self.facts.add(fact)
        return found


@attrs.frozen
class Pass:
    """A check over the whole program, and the facts it needs before it can say anything useful
    (a pass reasoning about values is noise over a misspelt name or a unit error)."""

    run: Callable[[Context], list[Diagnostic]]
    needs: frozenset[Fact] = frozenset()


def conflict(c: Conflict) -> Diagnostic:
    if c.member_of is not None:
        return diag(
            "E213",
            c.span,
            labels=[label(c.first, "member-here", name=c.name)],
            hint=note("rename-clash"),
            name=c.name,
            enum=c.member_of,
        )
    return diag("E202", c.span, labels=[label(c.first, "first-defined")], name=c.name)


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return found[0] if found else None


def undefined(kind: str, name: str, span: Span, candidates: Iterable[str]) -> Diagnostic:
    s = suggest(name, candidates)
    hint = note("did-you-mean", suggestion=s) if s else None
    return diag("E201", span, hint=hint, kind=KIND_TEXT[kind], name=name)


__all__ = ["Context", "Fact", "Pass", "Scope", "ValueDecl", "build_scope", "conflict", "suggest", "undefined"]
