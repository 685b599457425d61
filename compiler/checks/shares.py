"""Do weights and shares add up to exactly 100%? (E402, E439, W503)

Each part is read as an exact linear form over the parameters (checks/linear.py), so open
parameters can be proved to add up (p + (100% − p)). Shares written as 如果 … 则 … 否则 …
over the same conditions (a split that is 40/60 where a region meets its target and 100/0
where it does not) are proved branch by branch: each combination of the conditions must add
up to 100% on its own, and the diagnostic names the branch that does not.
"""

from __future__ import annotations

from fractions import Fraction

from compiler.checks.context import Context
from compiler.checks.linear import Linear, constant_of, linear, show
from compiler.diagnostics import Diagnostic, diag, label, note
from compiler.ir import nodes as ir
from compiler.messages import Text
from compiler.source import Span

ONE = Fraction(1)

# A branch: the conditions taken on the way to it, each with whether it holds.
Path = tuple[tuple[ir.Expr, bool], ...]


def check_shares(ctx: Context) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for r in ctx.scope.rules:
        if r.weights:
            span = r.weights[0].span.to(r.weights[-1].span)
            out += sum_to_one(ctx, [w.weight for w in r.weights], span, Text("分配权重", "allocation weights"))
        if r.shares:
            span = r.shares[0].span.to(r.shares[-1].span)
            out += sum_to_one(ctx, [s.ratio for s in r.shares], span, Text("拆分份额", "split shares"))
        for t in r.tiers:
            shares = [p.share for p in t.payers]
            if len(shares) == 1 and shares[0] is None:
                continue
            missing = [p for p in t.payers if p.share is None]
            if missing:
                out += [diag("E439", p.span) for p in missing]
                continue
            out += sum_to_one(
                ctx,
                [s for s in shares if s is not None],
                t.span,
                Text("本层各方承担比例", "payers' shares in this tier"),
            )
    return out


def sum_to_one(ctx: Context, parts: list[ir.Expr], span: Span, what: Text) -> list[Diagnostic]:
    """E402 where the parts (in some branch) do not add up to exactly 100%; W503 where that
    cannot be read statically."""
    leaves = branches(parts, ())
    if leaves is None or len(leaves) == 1:
        return _sum(ctx, parts, span, what)
    sums = [(path, _total(ctx, ps)) for path, ps in leaves]
    if any(total is None for _path, total in sums):
        return [diag("W503", span, what=Text(f"{what.zh}之和为100%", f"the {what.en} add up to 100%"))]
    out: list[Diagnostic] = []
    for path, total in sums:
        assert total is not None
        if constant_of(total) == ONE or _accepted(ctx, total):
            continue
        named = Text(f"{_when(path, 'zh')}的{what.zh}", f"{what.en} {_when(path, 'en')}")
        labels = [label(c.span, "share-branch") for c, _holds in path]
        hint = note("complement") if constant_of(total) is None else None
        out.append(diag("E402", span, labels, hint, what=named, total=show(total)))
    return out


def branches(parts: list[ir.Expr], path: Path) -> list[tuple[Path, list[ir.Expr]]] | None:
    """The combinations of the conditions the parts choose by, each with the parts it gives;
    None where two parts choose by different conditions at once (not proved branch by branch)."""
    conds = [p.cond for p in parts if isinstance(p, ir.If)]
    if not conds:
        return [(path, parts)]
    c = conds[0]
    if any(x != c for x in conds):
        return None
    then = branches([p.then if isinstance(p, ir.If) else p for p in parts], (*path, (c, True)))
    else_ = branches([p.else_ if isinstance(p, ir.If) else p for p in parts], (*path, (c, False)))
    if then is None or else_ is None:
        return None
    return then + else_


def _when(path: Path, lang: str) -> str:
    """“达标”成立、“超支”不成立时 / where ‘达标’ is true and ‘超支’ is false."""
    if lang == "zh":
        return "、".join(f"{_cond(c, lang)}{'成立' if holds else '不成立'}" for c, holds in path) + "时"
    return "where " + " and ".join(f"{_cond(c, lang)} is {'true' if holds else 'false'}" for c, holds in path)


def _cond(c: ir.Expr, lang: str) -> str:
    if isinstance(c, ir.Name):
        return f"“{c.name}”" if lang == "zh" else f"‘{c.name}’"
    where = f"{c.span.line}:{c.span.column}"
    return f"第{where}处的条件" if lang == "zh" else f"the condition at {where}"


def _total(ctx: Context, parts: list[ir.Expr]) -> Linear | None:
    total: Linear = {"": Fraction(0)}
    for p in parts:
        form = linear(p, ctx)
        if form is None:
            return None
        for k, c in form.items():
            total[k] = total.get(k, Fraction(0)) + c
    return total


def _accepted(ctx: Context, total: Linear) -> bool:
    return constant_of(total) is None and _stated(ctx, {**total, "": total.get("", Fraction(0)) - ONE})


def _sum(ctx: Context, parts: list[ir.Expr], span: Span, what: Text) -> list[Diagnostic]:
    total = _total(ctx, parts)
    if total is None:
        return [diag("W503", span, what=Text(f"{what.zh}之和为100%", f"the {what.en} add up to 100%"))]
    value = constant_of(total)
    if value == ONE or _accepted(ctx, total):
        return []
    hint = note("complement") if value is None else None
    return [diag("E402", span, hint=hint, what=what, total=show(total))]


def _stated(ctx: Context, zero: Linear) -> bool:
    """Whether a 约束 says `zero` is zero (人数权重 + 年龄权重 = 100%): every scenario is checked
    against it before settling, so weights that are open parameters each still add up exactly."""
    for c in ctx.scope.constraints:
        conds = c.cond.operands if isinstance(c.cond, ir.Logical) and c.cond.op == "and" else (c.cond,)
        for cond in conds:
            if not (isinstance(cond, ir.Compare) and cond.op == "="):
                continue
            left, right = linear(cond.left, ctx), linear(cond.right, ctx)
            if left is None or right is None:
                continue
            diff = dict(left)
            for k, v in right.items():
                diff[k] = diff.get(k, Fraction(0)) - v
            keys = {k for k, v in (*diff.items(), *zero.items()) if v != 0}
            pivot = next((k for k in sorted(keys) if diff.get(k, 0) != 0), None)
            if pivot is None:
                continue
            scale = zero.get(pivot, Fraction(0)) / diff[pivot]
            if scale != 0 and all(zero.get(k, Fraction(0)) == scale * diff.get(k, Fraction(0)) for k in keys):
                return True
    return False
