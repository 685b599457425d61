"""Generic traversal of IR expressions and of the expressions a declaration holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs

from compiler.ir import nodes as ir


def children(e: ir.Expr) -> tuple[ir.Expr, ...]:
    match e:
        case ir.Call(args=args, where=where):
            return args if where is None else (*args, where)
        case ir.Binary(left=a, right=b) | ir.Compare(left=a, right=b):
            return (a, b)
        case ir.Neg(operand=a) | ir.MemberOf(operand=a):
            return (a,)
        case ir.Logical(operands=ops):
            return ops
        case ir.If(cond=c, then=t, else_=f):
            return (c, t, f)
        case ir.Match(subject=s, arms=arms):
            return (s, *(a.body for a in arms))
        case ir.Schedule(entries=entries):
            return tuple(x.value for x in entries)
        case ir.Bands(subject=s, bands=bands):
            out: list[ir.Expr] = [s]
            for band in bands:
                out += [band.lower, *([band.upper] if band.upper is not None else []), band.value]
            return tuple(out)
    return ()


def walk(e: ir.Expr) -> Iterator[ir.Expr]:
    """Every subexpression, parents before children."""
    stack = [e]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed(children(cur)))


def rule_exprs(r: ir.Rule) -> Iterator[ir.Expr]:
    yield r.amount
    for opt in (r.single_weight, r.cond, r.cap, r.cumulative_cap):
        if opt is not None:
            yield opt
    for w in r.weights:
        yield w.factor
        yield w.weight
    for x in r.exceptions:
        yield x.cond
        yield x.value
    for s in r.shares:
        yield s.ratio
    for t in r.tiers:
        for p in t.payers:
            if p.share is not None:
                yield p.share
        for cap in (t.cap, t.total_cap):
            if cap is not None:
                yield cap


def decl_exprs(d: ir.Decl) -> Iterator[ir.Expr]:
    """The expressions of a declaration that the policy computes with (not examples)."""
    match d:
        case ir.ParamDecl():
            if d.value is not None:
                yield d.value
            for b in d.bounds:
                yield b.expr
        case ir.InputDecl(default=default) if default is not None:
            yield default
        case ir.LetDecl():
            yield d.expr
        case ir.Constraint():
            yield d.cond
        case ir.Rule():
            yield from rule_exprs(d)
        case ir.FundDecl():
            for r in d.rules:
                yield from rule_exprs(r)


def all_rules(decls: tuple[ir.Decl, ...]) -> Iterator[ir.Rule]:
    for d in decls:
        if isinstance(d, ir.Rule):
            yield d
        elif isinstance(d, ir.FundDecl):
            yield from d.rules


Decls = tuple[ir.Decl, ...]


def map_decls(program: ir.Program, f: Callable[[Decls], Decls]) -> ir.Program:
    """The program with `f` applied to the declarations of every module and of its policy:
    how the passes before the checks (months, schemes) rewrite a whole program."""

    def module(m: ir.Module) -> ir.Module:
        p = m.policy
        return attrs.evolve(m, decls=f(m.decls), policy=attrs.evolve(p, decls=f(p.decls)) if p is not None else None)

    return ir.Program(module(program.main), tuple(module(m) for m in program.modules))
