"""Warnings and notes: unused declarations, rules without their clause, open parameters."""

from __future__ import annotations

from compiler.checks.context import Context
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import nodes as ir
from compiler.ir.history import parse_history
from compiler.ir.scope import PartyLike, ValueDecl
from compiler.ir.walk import decl_exprs, walk
from compiler.messages import Text

_KINDS: dict[type, Text] = {
    k: Text(*ir.DECL_WORDS[k]) for k in (ir.ParamDecl, ir.InputDecl, ir.LetDecl, ir.PartyDecl, ir.EnumDecl, ir.FundDecl)
}


def _used(ctx: Context) -> set[str]:
    used: set[str] = set()
    for _m, d in ctx.program.all_decls():
        for top in decl_exprs(d):
            used.update(e.name for e in walk(top) if isinstance(e, ir.Name))
        if isinstance(d, (ir.ParamDecl, ir.InputDecl)) or (isinstance(d, ir.LetDecl) and d.type):
            assert d.type is not None
            used.add(d.type.name.text)
    for r in ctx.scope.rules:
        if r.fund is not None:
            used.add(r.fund.text)
        parties = [r.source, r.dest, *(s.party for s in r.shares), *(p.party for t in r.tiers for p in t.payers)]
        used.update(p.name.text for p in parties if p is not None and p.name is not None)
    # An input read only through its earlier years (平均(征缴收入 前3年)) is used.
    used |= {h[0] for n in used if (h := parse_history(n)) is not None}
    return used


def check_unused(ctx: Context) -> list[Diagnostic]:
    used = _used(ctx)
    out: list[Diagnostic] = []
    main = ctx.scope.main_file
    named: list[tuple[str, ValueDecl | PartyLike | ir.EnumDecl]] = [
        *ctx.scope.values.items(),
        *ctx.scope.parties.items(),
        *ctx.scope.enums.items(),
    ]
    for name, d in named:
        kind = _KINDS.get(type(d))
        # Imported modules offer declarations; only the policy's own must be used.
        implicit = isinstance(d, (ir.InputDecl, ir.EnumDecl)) and d.implicit
        if kind is None or name in used or d.name.span.file != main or implicit:
            continue
        if isinstance(d, ir.EnumDecl) and ctx.policy is None:
            continue  # a module without a policy offers its enumerations to importers
        out.append(diag("W501", d.name.span, kind=kind, name=name))
    return out


def check_quotes(ctx: Context) -> list[Diagnostic]:
    return [
        diag("W502", r.name.span, name=r.name.text)
        for r in ctx.scope.rules
        if r.literate.quote is None and r.name.span.file == ctx.scope.main_file
    ]


def check_open(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for d in ctx.scope.values.values():
        if isinstance(d, ir.ParamDecl) and d.value is None:
            quote = d.literate.quote
            hint = note("open-clause", quote=quote.value) if quote else None
            out.append(diag("I601", d.name.span, hint=hint, name=d.name.text))
    return out


def open_parameters(ctx: Context) -> list[ir.ParamDecl]:
    return [d for d in ctx.scope.values.values() if isinstance(d, ir.ParamDecl) and d.value is None]
