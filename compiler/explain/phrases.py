"""Expressions in plain words, generated from the IR (not copied from 原文).

Parameters with a value appear as their value (10%), open ones by name with 待定;
arithmetic on constants is shown as the interpreter's result (100% − 80% → 20%);
flooring at zero, caps and conditions get the phrasing a drafter would use, and no
built-in function name (取大/取小) ever reaches the prose.
"""

from __future__ import annotations

from fractions import Fraction

from compiler.explain import words, years
from compiler.interpreter.values import Env, EvalError, Values
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.prose import constant
from compiler.ir.subperiods import MONTH_NUMBER
from compiler.ir.types import Base
from compiler.ir.walk import walk
from compiler.plan import plan_of


def _no_rules(rule: ir.Rule, region: object) -> Fraction:
    raise EvalError("not-fixed")


class Phrases:
    def __init__(self, checked: CheckedPolicy, lang: str) -> None:
        self.checked = checked
        self.scope = checked.scope
        self.zh = lang == "zh"
        self.lang = lang
        self.noun = words.region_noun(checked.policy, self.zh)
        self.each = f"各{self.noun}" if self.zh else "each region"
        # The interpreter, with no inputs: it evaluates what the policy itself fixes.
        self._fixed = Values(checked, Env([], {}, {}, {}), _no_rules)
        self._values: dict[str, object] = dict(self.scope.values)
        self._phrased: dict[int, tuple[ir.Expr, str]] = {}

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    # ---- values the policy fixes

    def fixed(self, e: ir.Expr) -> str | None:
        """The value of a constant expression, shown as a value: 20%, 5000万元."""
        if isinstance(e, ir.Num):
            return None
        if not all(
            not isinstance(x, ir.Name) or x.name not in self.scope.values or constant(self._values, x.name)
            for x in walk(e)
        ):
            return None
        if any(isinstance(x, (ir.FundAll, ir.FundRemaining, ir.Call)) for x in walk(e)):
            return None
        try:
            v = self._fixed.expr(e, None)
        except (EvalError, ZeroDivisionError, KeyError, AssertionError):
            return None
        return self.show(v, self.base(e))

    def show(self, v: object, base: Base | None) -> str:
        if isinstance(v, bool):
            return self.t("是" if v else "否", "yes" if v else "no")
        if isinstance(v, Fraction):
            if base is Base.MONEY:
                return words.money(v, self.lang)
            if base is Base.RATIO:
                return words.percent(v)
            if base is Base.COUNT:
                return words.count(v, self.lang)
            if base is Base.MONTHS:
                return words.months(v, self.lang)
            return words.plain(v)
        return str(v)

    def base(self, e: ir.Expr) -> Base | None:
        if isinstance(e, ir.Num):
            kinds = {ir.NumKind.MONEY: Base.MONEY, ir.NumKind.PERCENT: Base.RATIO, ir.NumKind.MONTHS: Base.MONTHS}
            return kinds.get(e.kind)
        if isinstance(e, ir.Name) and e.name in self.checked.types:
            return self.checked.types[e.name].base
        if isinstance(e, ir.Call):
            fn = functions.lookup(e.func.text)
            if fn is not None and fn.id == "share":
                return Base.RATIO
            if fn is not None and fn.id == "count":
                return Base.NUMBER
            if fn is not None and fn.id == "balance":
                return Base.MONEY
            return self.base(e.args[0]) if e.args else None
        if isinstance(e, ir.FundAll | ir.FundRemaining):
            return Base.MONEY
        if isinstance(e, ir.If):
            return self.base(e.then) or self.base(e.else_)
        if isinstance(e, ir.Bands) and e.bands:
            return self.base(e.bands[0].value)
        if isinstance(e, ir.Match) and e.arms:
            return self.base(e.arms[0].body)
        if isinstance(e, ir.Binary):
            a, b = self.base(e.left), self.base(e.right)
            if e.op in ("+", "-"):
                return a or b
            if e.op == "*":
                return Base.MONEY if Base.MONEY in (a, b) else a if a is b else (a if b is Base.RATIO else b)
            return Base.RATIO if a is b else a
        return None

    def _open(self, n: str) -> bool:
        d = self.scope.values.get(n)
        return isinstance(d, ir.ParamDecl) and d.value is None

    def is_ratio(self, e: ir.Expr) -> bool:
        return self.base(e) is Base.RATIO

    def is_zero(self, e: ir.Expr) -> bool:
        return isinstance(e, ir.Num) and e.value == 0

    # ---- expressions

    def name(self, n: str) -> str:
        d = self.scope.values.get(n)
        if isinstance(d, ir.ParamDecl):
            if d.value is None:
                return self.t(f"{n}（待定）", f"{n} (open)")
            return self.fixed(d.value) or (d.value.text if isinstance(d.value, ir.Num) else self.expr(d.value))
        if isinstance(d, ir.LetDecl) and constant(self._values, n):
            got = self.fixed(ir.Name(n, d.name.span))
            if got is not None:
                return got
        return years.history(n, self.zh) or n  # 上年征缴收入, not 征缴收入(前1年)

    def expr(self, e: ir.Expr) -> str:
        # Each phrase builds its Chinese and English forms, so without this every level of a
        # nested 如果 would phrase its branches twice: 2^depth (20 levels took 17 s).
        key = id(e)
        if key not in self._phrased:
            self._phrased[key] = (e, self._expr(e))  # the node kept alive, so its id stays its own
        return self._phrased[key][1]

    def _expr(self, e: ir.Expr) -> str:
        written = e.written if isinstance(e, (ir.If, ir.Binary)) else None
        if isinstance(written, ir.Schedule):
            return self.schedule(written)
        if isinstance(e, ir.Call) and e.window is not None:  # as written: 合计(费用 全年), not lowered
            written = e
        if isinstance(written, ir.Call) and written.window is not None:
            return years.window(written, self.expr(written.args[0]), _fn_id(written) == "mean", self.zh)
        folded = self.fixed(e) if isinstance(e, ir.Binary) else None
        if folded is not None:
            return folded
        match e:
            case ir.Num(kind=ir.NumKind.MONEY, value=amount):
                return words.money(Fraction(amount), self.lang)
            case ir.Num(text=text):
                return text
            case ir.BoolLit(value=b):
                return self.t("是" if b else "否", "yes" if b else "no")
            case ir.Name(name=n) if n == MONTH_NUMBER and n not in self.scope.values:
                return self.t("截至当月的月数", "the months to date")
            case ir.Name(name=n):
                return self.name(n)
            case ir.FundAll():
                return self.t("当年筹集的全部资金", "everything it takes in this year")
            case ir.FundRemaining():
                return self.t("余下的资金", "what it still holds")
            case ir.Neg(operand=a):
                return f"−{self.expr(a)}"
            case ir.Binary(
                op="/", left=ir.Binary(op="*", left=a, right=ir.Name(name=m)), right=ir.Num(value=twelve)
            ) if (
                m == MONTH_NUMBER and twelve == 12 and m not in self.scope.values
            ):  # 预算 × 月份 ÷ 12: the budget's progress to date
                return self.t(f"{self.operand(a, '*')}按月均摊至当月的累计数", f"{self.expr(a)} spread evenly to date")
            case ir.Binary(op="*") if self.scheduled(e) is not None:
                base, label, by_year = self.scheduled(e) or (e, None, "")
                return self.t(
                    f"{self.operand(base, '*')}的{label or '一定比例'}（{by_year}）",
                    f"{label or 'a share'} of {self.operand(base, '*')} ({by_year})",
                )
            case ir.Binary(op="*", left=a, right=ir.Call() as c) if _fn_id(c) == "share":
                return self.t(
                    f"{self.operand(a, '*')}按{self.expr(c.args[0])}的占比分摊",
                    f"{self.operand(a, '*')} shared by {self.expr(c.args[0])}",
                )
            case ir.Binary(op="*", left=a, right=ir.Name(name=n)) if (
                self._open(n) and self.is_ratio(e.right) and not self.is_ratio(a)
            ):
                return self.t(
                    f"{self.operand(a, '*')}的一定比例（{n}，待定）", f"a share of {self.operand(a, '*')} ({n}, open)"
                )
            case ir.Binary(op="*", left=a, right=b) if self.is_ratio(b) and not self.is_ratio(a):
                return self.t(
                    f"{self.operand(a, '*')}的{self.operand(b, '*')}", f"{self.expr(b)} of {self.operand(a, '*')}"
                )
            case ir.Binary(op="*", left=a, right=b) if self.is_ratio(a) and not self.is_ratio(b):
                return self.t(
                    f"{self.operand(b, '*')}的{self.operand(a, '*')}", f"{self.expr(a)} of {self.operand(b, '*')}"
                )
            case ir.Binary(op="*", left=a, right=ir.Num(kind=ir.NumKind.NUMBER) as n):
                return self.t(f"{self.operand(a, '*')}的{n.text}倍", f"{n.text} times {self.operand(a, '*')}")
            case ir.Binary(op=op, left=a, right=b):
                word = {
                    "+": ("加上", "plus"),
                    "-": ("减去", "minus"),
                    "*": ("乘以", "times"),
                    "/": ("除以", "divided by"),
                }[op]
                x, y = self.operand(a, op), self.operand(b, op, right=True)
                return f"{x}{word[0]}{y}" if self.zh else f"{x} {word[1]} {y}"
            case ir.Compare(op=op, left=a, right=b):
                return self.compare(op, a, b)
            case ir.MemberOf(operand=a, members=ms):
                listed = self.t(_or([m.text for m in ms]), " or ".join(m.text for m in ms))
                return self.t(f"{self.expr(a)}为{listed}", f"{self.expr(a)} is {listed}")
            case ir.Logical(op="not", operands=(a,)):
                if isinstance(a, ir.Name) and "已" in a.name:
                    return self.t(a.name.replace("已", "未", 1), f"not {a.name}")  # 缴费年限已满 → 缴费年限未满
                return self.t(
                    f"未{self.expr(a)}" if isinstance(a, ir.Name) else f"并非{self.expr(a)}", f"not {self.expr(a)}"
                )
            case ir.Logical(op=op, operands=ops):
                joiner = self.t("或" if op == "or" else "且", " or " if op == "or" else " and ")
                return joiner.join(self.expr(o) for o in ops)
            case ir.If(cond=c, then=a, else_=b) if self.is_zero(b):
                return self.t(
                    f"{self.expr(c)}时为{self.expr(a)}，否则为零",
                    f"{self.expr(a)} where {self.expr(c)}, otherwise zero",
                )
            case ir.If(cond=c, then=a, else_=b):
                return self.t(
                    f"{self.expr(c)}时为{self.expr(a)}，否则为{self.expr(b)}",
                    f"{self.expr(a)} if {self.expr(c)}, otherwise {self.expr(b)}",
                )
            case ir.Match(subject=s, arms=arms):
                parts = []
                for arm in arms:
                    who = (
                        self.t("其他情形", "otherwise")
                        if arm.patterns is None
                        else self.t(_or([p.text for p in arm.patterns]), "/".join(p.text for p in arm.patterns))
                    )
                    parts.append(self.t(f"{who}为{self.expr(arm.body)}", f"{who}: {self.expr(arm.body)}"))
                return self.t(f"按{self.expr(s)}确定：" + "；".join(parts), f"by {self.expr(s)}: " + "; ".join(parts))
            case ir.Bands(subject=s, bands=bands, progressive=prog):
                parts = [self.band(band) for band in bands]
                head = self.t(
                    f"按{self.expr(s)}{'分档累进' if prog else '分档'}确定",
                    f"{'progressively ' if prog else ''}by bands of {self.expr(s)}",
                )
                return self.t(f"{head}（{'；'.join(parts)}）", f"{head} ({'; '.join(parts)})")
            case ir.Call():
                return self.call(e)
        raise AssertionError(e)

    def compare(self, op: str, a: ir.Expr, b: ir.Expr) -> str:
        if not self.zh:
            return self._compare(op, a, b)
        if self.is_zero(b) and op in (">", "<"):
            return f"{self.expr(a)}{'大于零' if op == '>' else '小于零'}"
        return self._compare(op, a, b)

    def side(self, e: ir.Expr, other: ir.Expr) -> str:
        """An operand of a comparison: a plain number next to a number of months is months (低于1个月)."""
        if isinstance(e, ir.Num) and e.kind is ir.NumKind.NUMBER and self.base(other) is Base.MONTHS:
            return words.months(Fraction(e.value), self.lang)
        return self.expr(e)

    def _compare(self, op: str, a: ir.Expr, b: ir.Expr) -> str:
        if not self.zh:
            word = {
                "=": "is",
                "!=": "is not",
                ">": "exceeds",
                ">=": "is at least",
                "<": "is below",
                "<=": "is at most",
            }[op]
            return f"{self.side(a, b)} {word} {self.side(b, a)}"
        word = {"=": "为", "!=": "不是", ">": "超过", ">=": "达到", "<": "低于", "<=": "不超过"}[op]
        return f"{self.side(a, b)}{word}{self.side(b, a)}"

    def operand(self, e: ir.Expr, op: str, right: bool = False) -> str:
        """An operand inside arithmetic, bracketed where the prose would otherwise read wrongly."""
        tight = op in ("*", "/") or right
        if isinstance(e, ir.Call):
            fn = functions.lookup(e.func.text)
            if fn is not None and fn.id == "min" and len(e.args) == 2:
                return self.t(
                    f"{self.expr(e.args[0])}（以{self.expr(e.args[1])}为限）",
                    f"{self.expr(e.args[0])} (up to {self.expr(e.args[1])})",
                )
            if fn is not None and fn.id == "max" and len(e.args) == 2 and self.is_zero(e.args[1]):
                return self.t(f"{self.expr(e.args[0])}（为负时按零计）", f"{self.expr(e.args[0])} (zero if negative)")
            if fn is not None and fn.id in ("max", "min", "clamp"):
                return self.t(f"（{self.expr(e)}）", f"({self.expr(e)})")
        if self.fixed(e) is not None:
            return self.expr(e)
        if isinstance(e, ir.If) or (tight and isinstance(e, ir.Binary) and e.op in ("+", "-")):
            return self.t(f"（{self.expr(e)}）", f"({self.expr(e)})")
        return self.expr(e)

    def band(self, band: ir.Band) -> str:
        low = self.edge(band.lower, band.lower_mark)
        if band.upper is None:
            if band.lower_mark is False:  # 10%(不含) 以上: 超过10%
                x = self.expr(band.lower)
                span = self.t(f"超过{x}", f"above {x}")
            else:
                span = self.t(f"{low}以上", f"{low} and above")
        elif band.upper_mark is not None and isinstance(band.lower, ir.Num) and band.lower.value == 0:
            high = self.edge(band.upper, band.upper_mark)  # 0% 至 5%(含): 5%以内（含5%）
            span = self.t(f"{self.expr(band.upper)}以内{high[len(self.expr(band.upper)) :]}", f"up to {high}")
        else:
            high = self.edge(band.upper, band.upper_mark)
            if band.lower_mark is False:  # 5%(不含) 至 10%(含): 超过5%至10%（含10%）
                low = self.t(f"超过{self.expr(band.lower)}", f"above {self.expr(band.lower)}")
            span = self.t(f"{low}至{high}", f"{low} to {high}")
        return self.t(f"{span}的部分按{self.expr(band.value)}", f"{span}: {self.expr(band.value)}")

    def edge(self, e: ir.Expr, mark: bool | None) -> str:
        """A band's edge, saying 含/不含 where the policy marks it: 5%（含5%）."""
        x = self.expr(e)
        if mark is None:
            return x
        return self.t(f"{x}（{'含' if mark else '不含'}{x}）", f"{x} ({'inclusive' if mark else 'exclusive'})")

    def call(self, e: ir.Call) -> str:
        fn = functions.lookup(e.func.text)
        assert fn is not None
        a = [self.expr(x) for x in e.args]
        zero = [self.is_zero(x) for x in e.args]
        if fn.id == "max" and len(a) == 2 and any(zero):
            other = a[zero.index(False)] if False in zero else a[0]
            return self.t(f"{other}，为负时按零计", f"{other}, but not below zero")
        if fn.id == "max":
            return self.t("、".join(a) + "中的较大者", "the larger of " + " and ".join(a))
        if fn.id == "min" and len(a) == 2:
            return self.t(f"{a[0]}，但不超过{a[1]}", f"{a[0]}, but no more than {a[1]}")
        if fn.id == "min":
            return self.t("、".join(a) + "中的较小者", "the smaller of " + " and ".join(a))
        if fn.id == "clamp":
            return self.t(
                f"{a[0]}，低于{a[1]}的按{a[1]}、高于{a[2]}的按{a[2]}", f"{a[0]}, kept between {a[1]} and {a[2]}"
            )
        kind = plan_of(self.checked).aggregates.get(e)
        if kind is not None:
            return self.over_entities(e, fn.id, kind, a[0])
        if fn.id == "to_date":  # 累计(费用): compiler/months.py
            return self.t(f"年初至当月累计的{a[0]}", f"{a[0]} from January to this month")
        if fn.id == "before":
            return self.t(f"此前各月的{a[0]}之和", f"{a[0]} of the months before this one")
        if fn.id == "sum":
            return self.t(f"{self.each}{a[0]}之和", f"the total {a[0]} of all regions")
        if fn.id == "mean":
            return self.t(f"{self.each}{a[0]}的平均值", f"the average {a[0]} of the regions")
        if fn.id == "share":
            return self.t(f"{a[0]}占{self.each}合计的比例", f"the region's share of total {a[0]}")
        if fn.id == "count":
            return self.t(f"{a[0]}的{self.noun}个数", f"the number of regions where {a[0]}")
        return self.t(f"{a[0]}的期初余额", f"the opening balance of {a[0]}")

    def over_entities(self, e: ir.Call, fn: str, kind: str, arg: str) -> str:
        """合计(缴费基数 按 用人单位 当 在职) → 本单位在职参保人员的缴费基数之和."""
        who = kind if e.where is None else self.t(f"{self.expr(e.where)}的{kind}", f"{kind} where {self.expr(e.where)}")
        group = e.group.text if e.group is not None else None
        scope_zh = "" if group is None else ("本地区" if group == "地区" else f"本{group}")
        scope_en = "" if group is None else (" in the region" if group == "地区" else f" of the {group}")
        if fn == "count":
            return self.t(f"{scope_zh}{who}中{arg}的人数", f"the number of {who}{scope_en} where {arg}")
        if fn == "mean":
            return self.t(f"{scope_zh}{who}{arg}的平均值", f"the average {arg} of {who}{scope_en}")
        return self.t(f"{scope_zh}{who}{arg}之和", f"the total {arg} of {who}{scope_en}")

    def schedule(self, e: ir.Schedule) -> str:
        return years.schedule(e, self.expr, self.zh)

    def scheduled(self, e: ir.Expr) -> tuple[ir.Expr, str | None, str] | None:
        """基数 × a ratio set 按年度: (基数, what the ratio is called, its schedule), so that a sentence
        says the schedule after the rule (按上解基数上解，征收比例实施第1年为4%，第2年起为3%)."""
        if not isinstance(e, ir.Binary) or e.op != "*":
            return None
        for x, other in ((e.right, e.left), (e.left, e.right)):
            label = None
            if isinstance(x, ir.Name) and isinstance(self.scope.values.get(x.name), ir.ParamDecl):
                d = self.scope.values[x.name]
                assert isinstance(d, ir.ParamDecl)
                label, x = x.name, d.value if d.value is not None else x
            s = years.written_schedule(x)
            if s is not None and self.is_ratio(x) and not self.is_ratio(other):
                return other, label, self.schedule(s)
        return None


def _fn_id(call: ir.Call) -> str:
    fn = functions.lookup(call.func.text)
    return fn.id if fn is not None else ""


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "或" + items[-1]
