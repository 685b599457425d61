"""One sentence for a fund, for 主要内容: who pays in and how much, where the money goes."""

from __future__ import annotations

from compiler.explain import words
from compiler.explain.sentences import Sentences
from compiler.ir import nodes as ir

K = ir.RuleKind


def headline(s: Sentences, rules: list[ir.Rule], fund: str | None) -> str:
    """One sentence for a fund: who pays in and how much, where the money goes."""
    p = s.p
    if fund is None or not s.zh:
        return s.rule(rules[0]) if len(rules) == 1 or not s.zh else s.rule(rules[0])[:-1] + "；" + s.rule(rules[1])
    parts = []
    for r in rules:
        v = s.verb(r)
        amount, lead = s.amount(r)
        short = amount if len(amount) <= 24 else ""
        if v == "冲抵":
            parts.append(f"年终清算时以{p.expr(r.amount)}冲抵")
        elif r.kind is K.COLLECT:
            who = s.party(r.source, p.each)
            noun = s.noun(r)
            if r.cond is not None and s.each_pays(r):
                cond = s.cond(r.cond)
                who = (
                    (f"{cond}的{noun}" if not words.is_person(noun) else cond)
                    if len(cond) <= 12
                    else (noun if words.is_person(noun) else f"符合条件的{noun}")
                )
            short = amount if len(amount) <= 16 else ""
            by_year = s.by_year(r)
            if by_year and not lead:
                parts.append(f"{who}按{by_year[0]}{v}，{by_year[1]}")
            elif v == "缴纳":
                parts.append(f"{who}按{short}缴纳{_written(r)}" if short else f"{who}缴纳{_written(r)}")
            else:
                parts.append(f"{lead}{who}{v}{short or _written(r)}")
        elif r.kind is K.ALLOCATE:
            how = (
                p.expr(r.single_weight)
                if r.single_weight is not None
                else "、".join(p.expr(w.factor) for w in r.weights)
            )
            parts.append(
                f"{'全部' if isinstance(r.amount, ir.FundAll) else '余下资金'}按{how}分配给{s.party(r.dest, p.each)}"
            )
        elif r.kind is K.RETAIN:
            parts.append(f"{_ratio_of(s, r.amount)}转入{s.party(r.dest, '')}")
        elif r.kind is K.PAY:
            parts.append(f"向{s.party(r.dest, p.each)}{v}{amount if len(amount) <= 14 and not lead else _written(r)}")
        elif r.kind is K.COVER:
            first = s.party(r.tiers[0].payers[0].party, "") if r.tiers and r.tiers[0].payers else ""
            parts.append(
                f"{s.party(r.dest, p.each)}的{amount}先由{first}弥补，不足部分按{len(r.tiers) - 1}个层次分担"
                if len(r.tiers) > 1
                else f"弥补{amount}"
            )
        elif r.kind is K.SPLIT:
            parts.append(f"{amount}按比例划分")
        else:
            parts.append(f"向{s.party(r.dest, p.each)}{v}{short or _written(r)}")
    return f"{fund}：" + "；".join(_merge(dict.fromkeys(parts))) + "。"


def _written(r: ir.Rule) -> str:
    """The rule as the drafter named it: 预结算 for its months' copies (按月)."""
    return r.sub_copy.base if r.sub_copy is not None else r.name.text


def _ratio_of(s: Sentences, e: ir.Expr) -> str:
    if isinstance(e, ir.Binary) and e.op == "*" and s.p.is_ratio(e.right):
        return s.p.expr(e.right)
    return "部分资金"


def _merge(parts: dict[str, None]) -> list[str]:
    """向各医共体拨付预付金；向各医共体拨付特例单议支付额 → 向各医共体拨付预付金、特例单议支付额."""
    out: list[str] = []
    for part in parts:
        head = part[: part.find("拨付") + 2] if part.startswith("向") and "拨付" in part else None
        if head and out and out[-1].startswith(head):
            out[-1] += "、" + part[len(head) :]
        else:
            out.append(part)
    return out
