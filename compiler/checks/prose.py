"""References in the drafters' prose (`说明`, `解读`): each `{{…}}` must name something
the explainer can fill with a computed value, so prose and numbers cannot drift apart."""

from __future__ import annotations

from compiler.checks.context import Context, suggest
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import nodes as ir
from compiler.ir.prose import constant, prose_strings, refs, span_of
from compiler.messages import Text

_WHY = {
    "input": Text(
        "它是输入,取值由情景给出;可引用某个算例中的值,如 {{{{例标签:{name}}}}}",
        "it is an input a scenario supplies; refer to its value in an example, e.g. {{{{label: {name}}}}}",
    ),
    "open": Text("它是待定参数,政策没有给出取值", "it is an open parameter: the policy gives it no value"),
    "varies": Text(
        "它的值取决于输入;可引用某个算例中的值,如 {{{{例标签:{name}}}}}",
        "its value depends on inputs; refer to its value in an example, e.g. {{{{label: {name}}}}}",
    ),
    "region": Text(
        "它按地区取值,须写明地区,如 {{{{{example}:{name}:地区}}}}",
        "it varies by region: name the region, e.g. {{{{{example}: {name}: region}}}}",
    ),
}


def check(ctx: Context) -> list[Diagnostic]:
    policy = ctx.policy
    if policy is None:
        return []
    values = ctx.scope.values
    names = [*values, *ctx.scope.funds]
    examples = {d.label.value: d for d in policy.decls if isinstance(d, ir.Example)}
    regions = {r.text for r in ctx.scope.regions(policy)}
    out: list[Diagnostic] = []
    for s in prose_strings(policy):
        for ref in refs(s.value):
            span = span_of(s, ref)
            if ref.name not in values and ref.name not in ctx.scope.funds:
                s_ = suggest(ref.name, names)
                out.append(
                    diag(
                        "E260",
                        span,
                        hint=note("did-you-mean", suggestion=s_) if s_ else None,
                        kind=Text("名称", "name"),
                        name=ref.name,
                    )
                )
            elif ref.example is None:
                d = values.get(ref.name)
                if not constant(dict(values), ref.name):
                    why = (
                        "input" if isinstance(d, ir.InputDecl) else "open" if isinstance(d, ir.ParamDecl) else "varies"
                    )
                    out.append(diag("E261", span, name=ref.name, why=_why(why, name=ref.name, example="")))
            elif ref.example not in examples:
                s_ = suggest(ref.example, examples)
                out.append(
                    diag(
                        "E260",
                        span,
                        hint=note("did-you-mean", suggestion=s_) if s_ else None,
                        kind=Text("算例", "example"),
                        name=ref.example,
                    )
                )
            elif ref.region is not None and regions and ref.region not in regions:
                s_ = suggest(ref.region, regions)
                out.append(
                    diag(
                        "E260",
                        span,
                        hint=note("did-you-mean", suggestion=s_) if s_ else None,
                        kind=Text("地区", "region"),
                        name=ref.region,
                    )
                )
            elif ref.region is None and _per_region(ctx, ref.name):
                out.append(diag("E261", span, name=ref.name, why=_why("region", name=ref.name, example=ref.example)))
    return out


def _per_region(ctx: Context, name: str) -> bool:
    if name in ctx.scope.funds:
        return ctx.scope.funds[name].per_region
    t = ctx.types.get(name)
    return t is not None and t.per_region


def _why(key: str, **args: str) -> Text:
    t = _WHY[key]
    return Text(t.zh.format(**args), t.en.format(**args))
