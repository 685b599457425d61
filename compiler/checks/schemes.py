"""专户之间不调剂: no rule moves money between the schemes' accounts (E446).

A fund written `每险种` keeps one account per scheme (compiler/schemes.py copies it, and
each rule reading it, once per scheme). A rule crosses schemes when

1. it names accounts of two different schemes, or one account of a scheme other than the
   one its copy runs for (统筹基金(居民医保) in 职工医保's copy) — a direct transfer, or a
   split or cover whose shares or tiers mix schemes;
2. money paid out of one scheme's account goes into a fund not kept per scheme: every
   scheme's account would pay into that one account, and their money would mix there.

A fund not kept per scheme may pay into every scheme's account (a fiscal subsidy, say);
regions and parties may pay and be paid by any scheme's account.
"""

from __future__ import annotations

from compiler.checks.context import Context
from compiler.diagnostics import Diagnostic, diag, note
from compiler.ir import nodes as ir
from compiler.ir.nodes import RuleKind as K
from compiler.ir.scope import Scope, account
from compiler.messages import Text

_HOW = {
    "direct": Text("从“{a}”付款到“{b}”", "pays from ‘{a}’ into ‘{b}’"),
    "mixed": Text("同时进出“{a}”和“{b}”", "moves money of both ‘{a}’ and ‘{b}’"),
    "pooled": Text(
        "把“{a}”的钱付入不按险种分设的“{b}”,各险种的钱会在那里混合",
        "pays ‘{a}’'s money into ‘{b}’, which is not kept per scheme: every scheme's money would mix there",
    ),
}


def check(ctx: Context) -> list[Diagnostic]:
    scope = ctx.scope
    if not any(f.scheme_copy is not None for f in scope.funds.values()):
        return []
    out: list[Diagnostic] = []
    seen: set[object] = set()
    for r in scope.rules:
        crossing = _crossing(scope, r)
        if crossing is None or r.name.span in seen:
            continue
        seen.add(r.name.span)  # one report for a rule, not one for each scheme's copy
        how, a, b = crossing
        text = _HOW[how]
        out.append(
            diag(
                "E446",
                r.name.span,
                hint=note("schemes-ring-fenced"),
                rule=r.scheme_copy.base if r.scheme_copy is not None else r.name.text,
                how=Text(text.zh.format(a=a, b=b), text.en.format(a=a, b=b)),
            )
        )
    return out


def _scheme(scope: Scope, name: str | None) -> str | None:
    fund = scope.funds.get(name) if name is not None else None
    return fund.scheme_copy.scheme if fund is not None and fund.scheme_copy is not None else None


def _name(ref: ir.PartyRef | None) -> str | None:
    return ref.name.text if ref is not None and ref.name is not None else None


def _flows(r: ir.Rule) -> list[tuple[str | None, str | None]]:
    """(payer, payee) pairs by name; None where a party is each region or an entity."""
    own = r.fund.text if r.fund is not None else None
    if r.kind is K.COLLECT:
        return [(_name(r.source), _name(r.dest) or own)]
    if r.kind is K.COVER:
        return [(_name(p.party), _name(r.dest)) for t in r.tiers for p in t.payers]
    payer = _name(r.source) or own
    if r.kind is K.SPLIT:
        return [(payer, _name(s.party)) for s in r.shares]
    return [(payer, _name(r.dest))]


def _crossing(scope: Scope, r: ir.Rule) -> tuple[str, str, str] | None:
    """How the rule crosses schemes (direct, mixed, pooled) and the two accounts, if it does."""
    runs_for = r.scheme_copy.scheme if r.scheme_copy is not None else None
    named: dict[str, str] = {}  # scheme → the first account of it the rule names
    for payer, payee in _flows(r):
        a, b = _scheme(scope, payer), _scheme(scope, payee)
        if payer is not None and payee is not None and a is not None and b is not None and a != b:
            return ("direct", payer, payee)
        if payer is not None and a is not None and payee in scope.funds and b is None:
            assert payee is not None
            return ("pooled", payer, payee)
        for end, s in ((payer, a), (payee, b)):
            if end is None or s is None:
                continue
            if runs_for is not None and s != runs_for:
                return ("mixed", account(r.fund.text, runs_for) if r.fund else runs_for, end)
            other = next((acct for t, acct in named.items() if t != s), None)
            if other is not None:
                return ("mixed", other, end)
            named.setdefault(s, end)
    return None
