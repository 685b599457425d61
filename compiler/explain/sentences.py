"""Each rule as a sentence a bureau would write: subject, verb, object, conditions first.

The verb follows who pays whom: persons and employers 缴纳; governments and regions
上解 to an upward fund; a fund 分配/拨付/补助 to regions and institutions; a government
承担 or 补足 a shortfall; a returned prepayment is 冲抵. No rule-kind tags.
"""

from __future__ import annotations

from compiler.explain import words
from compiler.explain.phrases import Phrases
from compiler.ir import nodes as ir
from compiler.ir.regional import regional
from compiler.plan import Endpoint, plan_of

K = ir.RuleKind


class Sentences:
    def __init__(self, p: Phrases) -> None:
        self.p = p
        self.zh = p.zh

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def party(self, ref: ir.PartyRef | None, default: str) -> str:
        if ref is None:
            return default
        kind = self.p.scope.each_entity(ref)
        if kind is not None:
            return kind if words.is_person(kind) else self.t(f"各{kind}", f"each {kind}")
        return self.p.each if ref.name is None else ref.name.text

    def noun(self, r: ir.Rule) -> str:
        """Who pays, one by one, in a rule paid by each region or each entity of a kind."""
        return self.p.scope.each_entity(r.source) or self.p.noun

    def each_pays(self, r: ir.Rule) -> bool:
        """Whether the payer is each region or each entity (its condition then reads as who)."""
        return r.source is None or r.source.name is None or self.p.scope.each_entity(r.source) is not None

    def cond(self, e: ir.Expr) -> str:
        """A condition as the text states it: a yes/no derived value is spelt out when it is
        itself a test (未完成征缴目标或…), kept by name when its name reads as one."""
        if isinstance(e, ir.Name):
            d = self.p.scope.values.get(e.name)
            if isinstance(d, ir.LetDecl) and isinstance(d.expr, ir.Logical) and d.expr.op in ("or", "not"):
                return self.p.expr(d.expr)
        return self.p.expr(e)

    def constraint(self, c: ir.Constraint) -> str:
        """本政策要求：单位部分 + 个人部分 + 财政补助不低于100元. The values are named as written
        (not folded into their figures): the requirement is on them, whatever they are set to."""
        text = self.p.checked.text_of
        per_region = regional(self.p.checked, c.cond)

        def said(e: ir.Expr) -> str:
            match e:
                case ir.Compare(op=op, left=a, right=b):
                    cmp = _CMP_ZH if self.zh else _CMP_EN
                    return f"{' '.join(text(a.span).split())}{cmp[op]}{' '.join(text(b.span).split())}"
                case ir.Logical(op="and", operands=ops):
                    return self.t("，且", "; and ").join(said(o) for o in ops)
            return " ".join(text(e.span).split())

        body = said(c.cond)
        if per_region:
            return self.t(f"本政策要求：各地区{body}", f"The policy requires, in every region: {body}")
        return self.t(f"本政策要求：{body}", f"The policy requires: {body}")

    def rule(self, r: ir.Rule) -> str:
        text = self._rule(r)
        refused = [x.cond for x in r.exceptions if self.p.is_zero(x.value)]
        if refused:
            text += self.t(
                f"；但{self.either(refused)}的，不予{self.verb(r)}", f"; but nothing where {self.either(refused)}"
            )
        for x in r.exceptions:
            if not self.p.is_zero(x.value):
                text += self.t(
                    f"；{self.p.expr(x.cond)}的，为{self.p.expr(x.value)}",
                    f"; where {self.p.expr(x.cond)}, {self.p.expr(x.value)}",
                )
        return text + "。" if self.zh else text[:1].upper() + text[1:] + "."

    def either(self, conds: list[ir.Expr]) -> str:
        """Several exceptions with one result read as one: 缺口原因为A、B或C."""
        subjects = {c.operand.name for c in conds if isinstance(c, ir.MemberOf) and isinstance(c.operand, ir.Name)}
        if len(subjects) == 1 and all(isinstance(c, ir.MemberOf) for c in conds):
            members = [m.text for c in conds if isinstance(c, ir.MemberOf) for m in c.members]
            listed = "、".join(members[:-1]) + "或" + members[-1] if len(members) > 1 else members[0]
            subject = subjects.pop()
            return self.t(f"{subject}为{listed}", f"{subject} is {' or '.join(members)}")
        return self.t("，或".join(self.p.expr(c) for c in conds), " or ".join(self.p.expr(c) for c in conds))

    def verb(self, r: ir.Rule) -> str:
        name = r.name.text
        src = self.party(r.source, r.fund.text if r.fund else "")
        if "冲抵" in name:
            return "冲抵"
        if r.kind in (K.COLLECT, K.TRANSFER):
            payer = self.noun(r) if r.source is not None and self.each_pays(r) else src
            if words.is_person(payer):
                return "缴纳"
            if r.kind is K.COLLECT:
                return "上解"
        if r.kind is K.PAY:
            return "补助" if any(k in name for k in ("补助", "调剂", "缺口", "分担")) else "拨付"
        if r.kind is K.ALLOCATE:
            return "分配"
        if r.kind is K.RETAIN:
            return "留存"
        if r.kind is K.COVER:
            return "弥补"
        if "上划" in name:
            return "上划"
        if "补足" in name:
            return "补足"
        return "承担" if words.is_government(src) else "划转"

    def _rule(self, r: ir.Rule) -> str:
        return self._rule_body(r) + self.shortfall(r) + self.instalments(r)

    def instalments(self, r: ir.Rule) -> str:
        """分4期: when the amount falls due, said after the rule."""
        if r.instalments is None:
            return ""
        n, held = r.instalments.parts, r.instalments.holdback
        when = {
            1: ("于年底一次", "at the year's end"),
            2: ("分2期，于6月底和12月底", "in 2 parts, at the ends of June and December"),
            4: ("分4期，于每季度末", "in 4 parts, at the end of each quarter"),
            12: ("按月分12期，于每月末", "in 12 monthly parts, at each month's end"),
        }.get(n, (f"分{n}期，每{12 // n}个月末", f"in {n} parts, every {12 // n} months"))
        if not held:
            return self.t(f"；{when[0]}支付", f"; due {when[1]}")
        share = f"{held * 100:f}".rstrip("0").rstrip(".") + "%"
        rest = f"{(1 - held) * 100:f}".rstrip("0").rstrip(".") + "%"
        return self.t(
            f"；其中{rest}{when[0]}支付，{share}预留至年终清算时支付",
            f"; {rest} due {when[1]}, {share} held back to the year-end settlement",
        )

    def shortfall(self, r: ir.Rule) -> str:
        """不足时: what happens when the paying fund holds less than asked, said after the rule."""
        if r.shortfall is None:
            return ""
        fund = r.fund.text if r.fund else ""
        kind = r.shortfall.kind
        if self.zh:
            return {
                ir.ShortfallKind.PRO_RATA: f"；{fund}不足以全额支付时，按应付金额的比例支付",
                ir.ShortfallKind.IN_ORDER: f"；{fund}不足以全额支付时，按地区排列的先后逐一足额支付，直到资金用尽",
                ir.ShortfallKind.CLAIM: f"；{fund}不足以全额支付时，按应付金额的比例支付，未付部分挂账，下期与当期应付一并支付",
            }[kind]
        return {
            ir.ShortfallKind.PRO_RATA: f"; when {fund} cannot pay in full, it pays in proportion to the amounts due",
            ir.ShortfallKind.IN_ORDER: f"; when {fund} cannot pay in full, it pays region by region in the listed "
            "order until it is empty",
            ir.ShortfallKind.CLAIM: f"; when {fund} cannot pay in full, it pays in proportion and carries the rest as "
            "a claim paid with next period's",
        }[kind]

    def _rule_body(self, r: ir.Rule) -> str:
        p = self.p
        fund = r.fund.text if r.fund else ""
        verb = self.verb(r)
        amount, lead = self.amount(r)
        if not self.zh:
            return self._english(r, amount, lead)
        match r.kind:
            case K.COLLECT:
                src = self.party(r.source, p.each)
                noun = self.noun(r)
                if r.cond is not None and self.each_pays(r):
                    subject, lead = (
                        (
                            f"{self.cond(r.cond)}的{noun}"
                            if not isinstance(r.cond, ir.Name)
                            or self.cond(r.cond) != r.cond.name
                            or not words.is_person(noun)
                            else self.cond(r.cond)
                        ),
                        lead,
                    )
                else:
                    subject = src
                    lead = (f"{self.cond(r.cond)}时，" if r.cond is not None else "") + lead
                if verb == "冲抵":
                    return f"{lead}{subject}已领取的{amount}在年终清算时予以冲抵，归还{fund}"
                by_year = self.by_year(r)
                if verb == "缴纳":
                    if by_year:
                        return f"{lead}{subject}按{by_year[0]}缴纳{r.name.text}，计入{fund}，{by_year[1]}"
                    return f"{lead}{subject}按{amount}缴纳{r.name.text}，计入{fund}"
                if by_year:
                    return f"{lead}{subject}按{by_year[0]}向{fund}上解，{by_year[1]}"
                return f"{lead}{subject}向{fund}上解{amount}"
            case K.ALLOCATE:
                dest = self.party(r.dest, p.each)
                if r.single_weight is not None:
                    return f"{lead}{fund}{amount}，按{p.expr(r.single_weight)}分配给{dest}"
                factors = "、".join(p.expr(w.factor) for w in r.weights)
                ws = "、".join(p.expr(w.weight) for w in r.weights)
                return f"{lead}{fund}{amount}，按{factors}分配给{dest}，权重分别为{ws}"
            case K.RETAIN:
                dest = self.party(r.dest, "")
                text = f"{lead}{fund}将{amount}转入{dest}"
                if r.cumulative_cap is not None:
                    text += f"；{dest}累计达到{p.expr(r.cumulative_cap)}后不再留存"
                return text
            case K.TRANSFER:
                src, dest = self.party(r.source, fund), self.party(r.dest, p.each)
                cond = f"{self.cond(r.cond)}时，" if r.cond is not None else ""
                if verb == "缴纳":
                    return f"{lead}{cond}{src}按{amount}缴纳{r.name.text}，计入{dest}"
                if (
                    words.is_government(src)
                    and r.dest is not None
                    and r.dest.name is not None
                    and dest in p.scope.funds
                ):
                    # Money a government puts into a fund is a subsidy it pays in, not a shortfall it bears.
                    into = "补助" if "补助" in r.name.text else "拨付"
                    return f"{lead}{cond}{src}向{dest}{into}{amount}"
                if words.is_government(src):
                    part = "的部分" if isinstance(r.amount, ir.Binary) and r.amount.op == "-" else ""
                    return f"{lead}{cond}{dest}的{amount}{part}，由{src}{verb}"
                by_year = self.by_year(r)
                if by_year:
                    return f"{lead}{cond}由{src}按{by_year[0]}向{dest}{verb}，{by_year[1]}"
                return f"{lead}{cond}由{src}向{dest}{verb}{amount}"
            case K.SPLIT:
                src = self.party(r.source, fund)
                cond = f"{self.cond(r.cond)}时，" if r.cond is not None else ""
                parts = []
                for s in r.shares:
                    to = self.party(s.party, "")
                    ref = s.party.name.text if s.party.name else ""
                    back = ref in p.scope.funds and p.scope.funds[ref].per_region
                    parts.append(f"{p.expr(s.ratio)}{'返还' if back else '转入'}{to}")
                return f"{lead}{cond}{src}的{amount}，" + "，".join(parts)
            case K.COVER:
                dest = self.party(r.dest, p.each)
                cond = f"{self.cond(r.cond)}时，" if r.cond is not None else ""
                tiers = [self.tier(i, len(r.tiers), t, fund) for i, t in enumerate(r.tiers)]
                rest = "；仍未弥补的部分，原文未规定由谁承担" if r.unassigned is not None else ""
                return f"{lead}{cond}{dest}的{amount}，" + "；".join(tiers) + rest
            case _:  # 补助, and any kind that moves one amount from payer to payee: as the plan resolves them
                payer, payee = self.ends(r)
                cond = f"{self.cond(r.cond)}的，" if r.cond is not None else ""
                return f"{lead}{cond}{payer}向{payee}{verb}{amount}"

    def tier(self, i: int, n: int, t: ir.Tier, fund: str = "") -> str:
        p = self.p
        names = [self.party(x.party, "") for x in t.payers]
        shares = [p.expr(x.share) if x.share is not None else "" for x in t.payers]
        if len(names) == 1:
            who = f"由{names[0]}" + ("承担" if i else "弥补") if not shares[0] else f"由{names[0]}承担{shares[0]}"
        elif len(set(shares)) == 1 and shares[0]:
            who = f"由{'、'.join(names)}各承担{shares[0]}"
        else:
            who = "由" + "、".join(f"{a}承担{s}" if s else a for a, s in zip(names, shares))
        limits = []
        if t.cap is not None:
            limits.append(f"以{p.expr(t.cap)}为限")
        if t.total_cap is not None:
            cap = p.expr(t.total_cap).replace("余下的资金", f"{fund}现有资金") if fund else p.expr(t.total_cap)
            limits.append(f"合计以{cap}为限，不足时按各{p.noun}缺口比例分摊")
        lead = "先" if i == 0 else ("仍不足的，" if i == n - 1 and n > 2 else "不足的，")
        return f"{lead}{who}" + (f"（{'，'.join(limits)}）" if limits else "")

    def by_year(self, r: ir.Rule) -> tuple[str, str] | None:
        """A rule whose rate is set 按年度: (the base, the schedule as a clause after the rule), so the
        sentence reads 按上解基数向调剂金上解，征收比例实施第1年为4%，第2年起为3%, not 上解上解基数的实施….
        In English: (the share of the base, the schedule)."""
        got = self.p.scheduled(r.amount) if r.cap is None else None
        if got is None:
            return None
        base, label, schedule = got
        if self.zh:
            return self.p.operand(base, "*"), f"{label or '比例'}{schedule}"
        return f"{label or 'a share'} of {self.p.operand(base, '*')}", f"{label or 'the share'} is {schedule}"

    def amount(self, r: ir.Rule) -> tuple[str, str]:
        """The amount in words, and a leading clause for a branch written into it
        (如果 … 则 … 否则 0 reads as a condition before the consequence)."""
        e = r.amount
        if isinstance(e, ir.If) and self.p.is_zero(e.else_):
            return self.p.expr(e.then), self.t(f"{self.cond(e.cond)}的，", f"where {self.p.expr(e.cond)}, ")
        if isinstance(e, ir.If):
            return self.t(
                f"{self.p.expr(e.else_)}（{self.cond(e.cond)}的，为{self.p.expr(e.then)}）",
                f"{self.p.expr(e.else_)} ({self.p.expr(e.then)} where {self.p.expr(e.cond)})",
            ), ""
        amount = self.p.expr(e)
        if r.cap is not None:
            amount += self.t(f"，但不超过{self.p.expr(r.cap)}", f", but no more than {self.p.expr(r.cap)}")
        return amount, ""

    def _english(self, r: ir.Rule, amount: str, lead: str) -> str:
        p = self.p
        fund = r.fund.text if r.fund else ""
        src, dest = self.party(r.source, fund or p.each), self.party(r.dest, p.each)
        cond = f"where {p.expr(r.cond)}, " if r.cond is not None else ""
        match r.kind:
            case K.COLLECT:
                by_year = self.by_year(r)
                if by_year:
                    return f"{lead}{cond}{src} pays {by_year[0]} into {fund}; {by_year[1]}"
                return f"{lead}{cond}{src} pays {amount} into {fund}"
            case K.ALLOCATE:
                by = (
                    p.expr(r.single_weight)
                    if r.single_weight is not None
                    else ", ".join(f"{p.expr(w.factor)} (weight {p.expr(w.weight)})" for w in r.weights)
                )
                return f"{lead}{fund} allocates {amount} to {dest} by {by}"
            case K.RETAIN:
                text = f"{lead}{fund} retains {amount} in {dest}"
                if r.cumulative_cap is not None:
                    text += f"; once {dest} holds {p.expr(r.cumulative_cap)}, nothing more is retained"
                return text
            case K.SPLIT:
                return f"{lead}{cond}{amount} is split: " + ", ".join(
                    f"{p.expr(s.ratio)} to {self.party(s.party, '')}" for s in r.shares
                )
            case K.COVER:
                tiers = []
                for i, t in enumerate(r.tiers, 1):
                    payers = ", ".join(
                        f"{self.party(x.party, '')} {p.expr(x.share) if x.share else ''}".strip() for x in t.payers
                    )
                    cap = f", up to {p.expr(t.cap)}" if t.cap is not None else ""
                    if t.total_cap is not None:
                        cap += f", up to {p.expr(t.total_cap)} for all regions together"
                    tiers.append(f"{'first' if i == 1 else 'then'} {payers}{cap}")
                rest = "; the text does not say who bears what is still uncovered" if r.unassigned is not None else ""
                return f"{lead}{cond}{dest}'s {amount} is covered in turn: " + "; ".join(tiers) + rest
            case _:  # pay, transfer, and any kind that moves one amount from payer to payee
                payer, payee = self.ends(r)
                return f"{lead}{cond}{payer} pays {payee} {amount}"

    def ends(self, r: ir.Rule) -> tuple[str, str]:
        """Who pays and who receives, as the plan resolves them (各地区 for the regions)."""
        plan = plan_of(self.p.checked).rule(r.name.text)

        def who(e: Endpoint | None) -> str:
            if e is not None and e.entity is not None:
                return self.t(f"各{e.entity}", f"each {e.entity}")
            return "" if e is None else self.p.each if e.name is None else e.name

        return who(plan.payer), who(plan.payee)

    def let(self, d: ir.LetDecl) -> str:
        body = self.p.expr(d.expr)
        return self.t(f"{body}。", f"{body}.")


_CMP_ZH = {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于", "=": "等于", "!=": "不等于"}
_CMP_EN = {
    ">=": " is at least ",
    "<=": " is at most ",
    ">": " exceeds ",
    "<": " is below ",
    "=": " equals ",
    "!=": " is not ",
}
