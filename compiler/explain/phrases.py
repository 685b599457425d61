"""Expressions and rules in plain words, generated from the IR (not copied from 原文).

Parameters with a value appear as the policy wrote the value (10%); open ones
by name, marked 待定 in the parameter table. Flooring at zero, caps and
conditions get the phrasing a drafter would use.
"""

from __future__ import annotations

from compiler.explain import numbers
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy

K = ir.RuleKind


class Phrases:
    def __init__(self, checked: CheckedPolicy, lang: str) -> None:
        self.checked = checked
        self.scope = checked.scope
        self.zh = lang == "zh"

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    # ---- expressions

    def param_text(self, name: str) -> str | None:
        d = self.scope.values.get(name)
        if isinstance(d, ir.ParamDecl) and isinstance(d.value, ir.Num):
            return d.value.text
        return None

    def expr(self, e: ir.Expr) -> str:
        match e:
            case ir.Num(kind=ir.NumKind.MONEY, value=amount) if not self.zh:
                return numbers.money(amount, "en")
            case ir.Num(text=text):
                return text
            case ir.BoolLit(value=b):
                return self.t("是" if b else "否", "yes" if b else "no")
            case ir.Name(name=n):
                return self.param_text(n) or n
            case ir.FundAll():
                return self.t("当年筹集的全部资金", "everything the fund takes in this year")
            case ir.FundRemaining():
                return self.t("本资金尚余的部分", "what the fund still holds")
            case ir.Neg(operand=a):
                return f"-{self.expr(a)}"
            case ir.Binary(op="*", left=a, right=b) if self._is_ratio(b):
                return self.t(f"{self.operand(a, '*')}的{self.expr(b)}", f"{self.expr(b)} of {self.operand(a, '*')}")
            case ir.Binary(op="*", left=a, right=b) if self._is_ratio(a):
                return self.t(f"{self.operand(b, '*')}的{self.expr(a)}", f"{self.expr(a)} of {self.operand(b, '*')}")
            case ir.Binary(op=op, left=a, right=b):
                word = {"+": ("加上", "plus"), "-": ("减去", "minus"), "*": ("乘以", "times"), "/": ("除以", "divided by")}[op]
                x, y = self.operand(a, op), self.operand(b, op, right=True)
                return f"{x}{word[0]}{y}" if self.zh else f"{x} {word[1]} {y}"
            case ir.Compare(op=op, left=a, right=b):
                word = {
                    "=": ("为", "is"), "!=": ("不为", "is not"), ">": ("大于", "exceeds"), ">=": ("不低于", "is at least"),
                    "<": ("低于", "is below"), "<=": ("不高于", "is at most"),
                }[op]  # fmt: skip
                return f"{self.expr(a)}{word[0]}{self.expr(b)}" if self.zh else f"{self.expr(a)} {word[1]} {self.expr(b)}"
            case ir.MemberOf(operand=a, members=ms):
                listed = self.t("、".join(m.text for m in ms), ", ".join(m.text for m in ms))
                return self.t(f"{self.expr(a)}为{listed}之一", f"{self.expr(a)} is one of {listed}")
            case ir.Logical(op="not", operands=(a,)):
                return self.t(f"未{self.expr(a)}" if isinstance(a, ir.Name) else f"并非{self.expr(a)}", f"not {self.expr(a)}")
            case ir.Logical(op=op, operands=ops):
                joiner = self.t("或" if op == "or" else "且", " or " if op == "or" else " and ")
                return joiner.join(self.expr(o) for o in ops)
            case ir.If(cond=c, then=a, else_=b):
                return self.t(f"{self.expr(c)}时为{self.expr(a)},否则为{self.expr(b)}", f"{self.expr(a)} if {self.expr(c)}, otherwise {self.expr(b)}")
            case ir.Match(subject=s, arms=arms):
                parts = []
                for arm in arms:
                    who = self.t("其他", "otherwise") if arm.patterns is None else self.t("、".join(p.text for p in arm.patterns), "/".join(p.text for p in arm.patterns))
                    parts.append(self.t(f"{who}为{self.expr(arm.body)}", f"{who}: {self.expr(arm.body)}"))
                return self.t(f"按{self.expr(s)}:" + ";".join(parts), f"by {self.expr(s)}: " + "; ".join(parts))
            case ir.Bands(subject=s, bands=bands, progressive=prog):
                parts = [self.band(band) for band in bands]
                head = self.t(f"按{self.expr(s)}{'累进' if prog else '分段'}计算", f"{'progressively ' if prog else ''}by bands of {self.expr(s)}")
                return self.t(f"{head}({';'.join(parts)})", f"{head} ({'; '.join(parts)})")
            case ir.Call():
                return self.call(e)
        raise AssertionError(e)

    def operand(self, e: ir.Expr, op: str, right: bool = False) -> str:
        """An operand inside arithmetic, bracketed where the prose would otherwise
        read with the wrong grouping (取小(a, b) × c is not “a, but no more than b × c”)."""
        tight = op in ("*", "/") or right
        if isinstance(e, ir.Call) and e.func.text in ("取小", "min", "取大", "max", "限定", "clamp"):
            args = [self.expr(x) for x in e.args]
            small = e.func.text in ("取小", "min")
            if e.func.text in ("限定", "clamp"):
                return self.t(f"({self.expr(e)})", f"({self.expr(e)})")
            return self.t("、".join(args) + ("中的较小者" if small else "中的较大者"),
                          ("the smaller of " if small else "the larger of ") + " and ".join(args))  # fmt: skip
        if isinstance(e, ir.If) or (tight and isinstance(e, ir.Binary) and e.op in ("+", "-")):
            return f"({self.expr(e)})"
        return self.expr(e)

    def band(self, band: ir.Band) -> str:
        low = self.expr(band.lower)
        if band.upper is None:
            span = self.t(f"{low}以上", f"{low} and above")
        else:
            span = self.t(f"{low}至{self.expr(band.upper)}", f"{low} to {self.expr(band.upper)}")
        return f"{span}:{self.expr(band.value)}" if self.zh else f"{span}: {self.expr(band.value)}"

    def _is_ratio(self, e: ir.Expr) -> bool:
        if isinstance(e, ir.Num):
            return e.kind is ir.NumKind.PERCENT
        if isinstance(e, ir.Name) and e.name in self.checked.types:
            return self.checked.types[e.name].base.value == "ratio"
        return False

    def call(self, e: ir.Call) -> str:
        fn = functions.lookup(e.func.text)
        assert fn is not None
        a = [self.expr(x) for x in e.args]
        zero = [isinstance(x, ir.Num) and x.value == 0 for x in e.args]
        if fn.id == "max" and len(a) == 2 and any(zero):
            other = a[zero.index(False)] if False in zero else a[0]
            return self.t(f"{other},不低于零", f"{other}, but not below zero")
        if fn.id == "max":
            return self.t("、".join(a) + "中的较大者", "the larger of " + " and ".join(a))
        if fn.id == "min" and len(a) == 2:
            return self.t(f"{a[0]},但不超过{a[1]}", f"{a[0]}, but no more than {a[1]}")
        if fn.id == "min":
            return self.t("、".join(a) + "中的较小者", "the smaller of " + " and ".join(a))
        if fn.id == "clamp":
            return self.t(f"{a[0]},限定在{a[1]}至{a[2]}之间", f"{a[0]}, kept between {a[1]} and {a[2]}")
        if fn.id == "sum":
            return self.t(f"各地区{a[0]}之和", f"the total {a[0]} of all regions")
        if fn.id == "mean":
            return self.t(f"各地区{a[0]}的平均值", f"the average {a[0]} of the regions")
        if fn.id == "share":
            return self.t(f"{a[0]}占各地区合计的比例", f"the region's share of total {a[0]}")
        if fn.id == "count":
            return self.t(f"{a[0]}的地区个数", f"the number of regions where {a[0]}")
        return self.t(f"{a[0]}的期初余额", f"the opening balance of {a[0]}")

    # ---- rules

    def party(self, ref: ir.PartyRef | None, default: str) -> str:
        if ref is None:
            return default
        return self.t("各地区", "each region") if ref.name is None else ref.name.text

    def rule(self, r: ir.Rule) -> str:
        fund = r.fund.text if r.fund else ""
        each = self.t("各地区", "each region")
        amount = self.expr(r.amount)
        # A long amount reads better after the verb: 向…上解,金额为:…
        long = len(amount) > 24
        cond = self.t(f"{self.expr(r.cond)}时,", f"Where {self.expr(r.cond)}, ") if r.cond is not None else ""
        match r.kind:
            case K.COLLECT:
                src = self.party(r.source, each)
                if r.cond is not None and (r.source is None or r.source.name is None):
                    cond, src = "", self.t(f"{self.expr(r.cond)}的地区", f"each region where {self.expr(r.cond)}")
                verb = self.t(f"向{fund}上解,金额为{amount}" if long else f"向{fund}上解{amount}", f"pays {amount} into {fund}")
                text = f"{cond}{src}{verb}" if self.zh else f"{cond}{src} {verb}"
            case K.ALLOCATE:
                text = self.t(f"{fund}{amount}按{self.weights(r)}分配给{self.party(r.dest, each)}",
                              f"{fund} allocates {amount} to {self.party(r.dest, each)} by {self.weights(r)}")  # fmt: skip
            case K.RETAIN:
                dest = self.party(r.dest, "")
                text = self.t(f"{fund}将{amount}留存至{dest}", f"{fund} retains {amount} in {dest}")
                if r.cumulative_cap is not None:
                    cap = self.expr(r.cumulative_cap)
                    text += self.t(f";{dest}余额达到{cap}后不再留存", f"; once {dest} holds {cap}, nothing more is retained")
            case K.PAY:
                text = self.t(f"{cond}{fund}向{self.party(r.dest, each)}补助{amount}", f"{cond}{fund} pays {self.party(r.dest, each)} {amount}")
            case K.TRANSFER:
                src, dst = self.party(r.source, fund), self.party(r.dest, each)
                text = self.t(f"{cond}由{src}向{dst}转移{amount}", f"{cond}{src} pays {dst} {amount}")
            case K.SPLIT:
                shares = self.t("、".join(f"{self.party(s.party, '')}{self.expr(s.ratio)}" for s in r.shares),
                                ", ".join(f"{self.expr(s.ratio)} to {self.party(s.party, '')}" for s in r.shares))  # fmt: skip
                text = self.t(f"{cond}{amount}按比例拆分:{shares}", f"{cond}{amount} is split: {shares}")
            case K.COVER:
                tiers = []
                for i, tier in enumerate(r.tiers, 1):
                    payers = self.t("、".join(f"{self.party(p.party, '')}{self.expr(p.share) if p.share else ''}" for p in tier.payers),
                                    ", ".join(f"{self.party(p.party, '')} {self.expr(p.share) if p.share else ''}".strip() for p in tier.payers))  # fmt: skip
                    cap = self.t(f",以{self.expr(tier.cap)}为限", f", up to {self.expr(tier.cap)}") if tier.cap is not None else ""
                    if tier.total_cap is not None:
                        cap += self.t(f",各地区合计以{self.expr(tier.total_cap)}为限(不足时按各地区尚未弥补的缺口比例分摊)",
                                      f", up to {self.expr(tier.total_cap)} for all regions together (shared in proportion to what each still lacks)")  # fmt: skip
                    tiers.append(self.t(f"第{i}层由{payers}承担{cap}", f"tier {i}: {payers}{cap}"))
                text = self.t(f"{cond}{amount}依次弥补:" + ";".join(tiers), f"{cond}{amount} is covered in turn: " + "; ".join(tiers))
        if r.cap is not None:
            text += self.t(f",但不超过{self.expr(r.cap)}", f", but no more than {self.expr(r.cap)}")
        for x in r.exceptions:
            text += self.t(f";{self.expr(x.cond)}的,为{self.expr(x.value)}", f"; where {self.expr(x.cond)}, {self.expr(x.value)}")
        return text + "。" if self.zh else text[:1].upper() + text[1:] + "."

    def weights(self, r: ir.Rule) -> str:
        if r.single_weight is not None:
            return self.expr(r.single_weight)
        parts = [self.t(f"{self.expr(w.factor)}(权重{self.expr(w.weight)})", f"{self.expr(w.factor)} (weight {self.expr(w.weight)})") for w in r.weights]
        return self.t("、".join(parts), ", ".join(parts))

    def let(self, d: ir.LetDecl) -> str:
        return self.t(f"{d.name.text}为{self.expr(d.expr)}。", f"{d.name.text} is {self.expr(d.expr)}.")
