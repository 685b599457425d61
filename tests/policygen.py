"""Random policies that are valid by construction, and scenarios for them.

    from policygen import policies, scenarios
    @given(policies())            # the source text of a policy that checks clean
    @given(st.data()) … data.draw(scenarios(source))   # a scenario dict (the JSON shape)

A policy is built top-down: each rule asks for the values it needs (a money
amount per region, a weight, a condition) and those are declared on demand, so
every declaration is used and nothing warns. Keywords are drawn per word in
Chinese or English, punctuation in ASCII or full width, so the same policy shape
appears in many spellings. Covered: region sets, enums, params (fixed, bounded,
open, authority), inputs (per region, global, signed, default), lets, if, match,
bands, progressive, max/min/sum/balance, collect (when, cap), allocate (single
and mixed weights), retain with a cumulative cap, pay with exclusive exceptions,
transfer, split, cover waterfalls (per-region and total caps), carried funds,
parties, 原文/条款, timelines and task tables.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

# Words names are built from: none starts with the first character of a keyword,
# so a name can follow a keyword clause anywhere without being read as one.
_ROOTS = (
    "征收",
    "基数",
    "收入",
    "缺口",
    "人员",
    "得分",
    "费用",
    "额度",
    "甲类",
    "乙类",
    "丙项",
    "丁项",
    "戊项",
    "医疗",
    "费率",
    "系数",
    "基金",
    "儿童",
    "老年",
    "职工",
    "Ａ类",
    "Ｂ项",
    "income",
    "base",
    "gap",
    "score",
)
_DIGITS = "〇一二三四五六七八九"
_TEXT = "以上年度统筹基金征缴收入为基数每年按不低于的比例上解至省级汇集形成调剂金(一)、,;:“”《》 abcXYZ0123%"


def _serial(n: int) -> str:
    return "".join(_DIGITS[int(c)] for c in str(n))


class _Gen:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.en = draw(st.floats(0, 1))  # the chance a keyword is written in English
        self.wide = draw(st.floats(0, 1))  # the chance punctuation is full width
        self.n = 0
        self.lines: list[str] = []  # declarations at policy level, in order
        self.money: list[str] = []  # per-region money inputs and lets, non-negative
        self.ratios: list[str] = []  # global ratio params in [0, 100%]
        self.counts: list[str] = []
        self.bools: list[str] = []
        self.enums: list[tuple[str, list[str]]] = []  # enum input, its members
        self.signed: list[str] = []  # signed per-region ratio inputs (growth rates)
        self.parties: list[str] = []
        self.region_parties: list[str] = []
        self.carried: list[str] = []  # carried global funds, declared at the end
        self.carried_rules: dict[str, list[str]] = {}
        self.rules: list[str] = []
        self.depth = 0

    # ---- spelling

    def coin(self, p: float = 0.5) -> bool:
        return bool(self.draw(st.floats(0, 1)) < p)

    def kw(self, zh: str, en: str) -> str:
        return en if self.draw(st.floats(0, 1)) < self.en else zh

    def p(self, ascii_: str, *wide: str) -> str:
        return self.draw(st.sampled_from(wide)) if self.draw(st.floats(0, 1)) < self.wide else ascii_

    def colon(self) -> str:
        return self.p(":", "：")

    def comma(self) -> str:
        return self.p(",", "，")

    def braces(self) -> tuple[str, str]:
        return (self.p("{", "｛"), self.p("}", "｝")) if self.draw(st.booleans()) else ("{", "}")

    def pct(self, n: int) -> str:
        return f"{n}{self.p('%', '％')}"

    def name(self) -> str:
        self.n += 1
        return self.draw(st.sampled_from(_ROOTS)) + _serial(self.n)

    def text(self) -> str:
        body = self.draw(st.text(alphabet=_TEXT, min_size=1, max_size=30)).replace("“", "").replace("”", "")
        return self.draw(st.sampled_from([f'"{body}"', f"“{body}”", f"「{body}」"]))

    def meta(self, always: bool = False) -> str:
        out = []
        if always or self.draw(st.booleans()):
            out.append(f"{self.kw('原文', 'quote')} {self.text()}")
        if self.draw(st.booleans()):
            out.append(f"{self.kw('条款', 'section')} {self.text()}")
        return "  ".join(out)

    def per_region(self) -> str:
        return self.kw("每地区", "per region")

    def each_region(self) -> str:
        return self.kw("各地区", "each region")

    # ---- declarations on demand

    def declare(self, line: str) -> None:
        self.lines.append(line + (self.p(";", "；") if self.draw(st.integers(0, 5)) == 0 else ""))

    def typ(self, zh: str, en: str) -> str:
        return self.kw(zh, en)

    def money_input(self) -> str:
        if self.money and self.coin(2 / 3):
            return self.draw(st.sampled_from(self.money))
        n = self.name()
        default = f"  {self.kw('默认', 'default')} 0元" if self.draw(st.integers(0, 4)) == 0 else ""
        self.declare(
            f"{self.kw('输入', 'input')} {n}{self.colon()} {self.typ('金额', 'money')} {self.per_region()}{default}  "
            f"{self.meta()}"
        )
        self.money.append(n)
        return n

    def ratio(self) -> str:
        choice = self.draw(st.integers(0, 3))
        if choice == 0:
            return self.pct(self.draw(st.integers(0, 100)))
        if self.ratios and choice == 1:
            return self.draw(st.sampled_from(self.ratios))
        n = self.name()
        if self.draw(st.booleans()):
            v = self.draw(st.integers(0, 100))
            lo, hi = self.draw(st.integers(0, v)), self.draw(st.integers(v, 100))
            bounds = [f"{self.kw('不低于', 'min')} {self.pct(lo)}"] * self.draw(st.booleans())
            bounds += [f"{self.kw('不高于', 'max')} {self.pct(hi)}"] * self.draw(st.booleans())
            value = f"= {self.pct(v)}  " + "  ".join(bounds)
        else:
            value = f"{self.kw('待定', 'open')}  {self.kw('不高于', 'max')} {self.pct(100)}"
        auth = f"  {self.kw('授权', 'authority')} 省医保局、{self.text()}" if self.draw(st.integers(0, 3)) == 0 else ""
        self.declare(
            f"{self.kw('参数', 'param')} {n}{self.colon()} {self.typ('比例', 'ratio')} {value}{auth}  {self.meta()}"
        )
        self.ratios.append(n)
        return n

    def count(self) -> str:
        if self.counts and self.coin():
            return self.draw(st.sampled_from(self.counts))
        n = self.name()
        kind = self.draw(st.sampled_from([("人数", "count"), ("数值", "number")]))
        self.declare(
            f"{self.kw('输入', 'input')} {n}{self.colon()} {self.typ(*kind)} {self.per_region()}  {self.meta()}"
        )
        self.counts.append(n)
        return n

    def enum(self) -> tuple[str, list[str]]:
        if self.enums and self.coin():
            return self.draw(st.sampled_from(self.enums))
        e, n = self.name(), self.name()
        members = [self.name() for _ in range(self.draw(st.integers(2, 4)))]
        sep = self.draw(st.sampled_from(["、", self.comma() + " "]))
        lb, rb = self.braces()
        self.declare(f"{self.kw('枚举', 'enum')} {e} {lb} {sep.join(members)} {rb}  {self.meta()}")
        default = f"  {self.kw('默认', 'default')} {members[0]}" if self.draw(st.booleans()) else ""
        self.declare(f"{self.kw('输入', 'input')} {n}{self.colon()} {e} {self.per_region()}{default}  {self.meta()}")
        self.enums.append((n, members))
        return n, members

    def party(self, per_region: bool) -> str:
        pool = self.region_parties if per_region else self.parties
        if pool and self.coin():
            return self.draw(st.sampled_from(pool))
        n = self.name()
        self.declare(f"{self.kw('主体', 'party')} {n}{' ' + self.per_region() if per_region else ''}  {self.meta()}")
        pool.append(n)
        return n

    # ---- expressions

    def cond(self) -> str:
        kind = self.draw(st.integers(0, 6 if self.depth < 2 else 3))
        if kind == 0:
            if not self.bools or self.draw(st.booleans()):
                n = self.name()
                default = f"  {self.kw('默认', 'default')} {self.kw('否', 'false')}" if self.draw(st.booleans()) else ""
                self.declare(
                    f"{self.kw('输入', 'input')} {n}{self.colon()} {self.typ('布尔', 'bool')} "
                    f"{self.per_region()}{default}  {self.meta()}"
                )
                self.bools.append(n)
                return n
            return self.draw(st.sampled_from(self.bools))
        if kind == 1:
            e, members = self.enum()
            if self.draw(st.booleans()):
                return f"{e} {self.p('=', '＝')} {members[0]}"
            lb, rb = self.braces()
            return f"{e} {self.kw('属于', 'in')} {lb}{'、'.join(members[1:])}{rb}"
        if kind == 2:
            op = self.draw(st.sampled_from([">", ">=", "<", "≥", "≤", "＞", "!=", "≠"]))
            return f"{self.money_input()} {op} {self.money_input()}"
        if kind == 3:
            if not self.signed or self.draw(st.booleans()):
                n = self.name()
                self.declare(
                    f"{self.kw('输入', 'input')} {n}{self.colon()} {self.typ('比例', 'ratio')} {self.per_region()} "
                    f"{self.kw('可为负', 'signed')}  {self.meta()}"
                )
                self.signed.append(n)
                return f"{n} > {self.ratio()}"
            return f"{self.draw(st.sampled_from(self.signed))} > {self.ratio()}"
        self.depth += 1
        try:
            if kind == 4:
                return f"{self.kw('非', 'not')} {self.cond()}"
            word = self.kw("且", "and") if kind == 5 else self.kw("或", "or")
            return f"{self.paren(self.cond())} {word} {self.paren(self.cond())}"
        finally:
            self.depth -= 1

    def paren(self, e: str) -> str:
        return f"{self.p('(', '（')}{e}{self.p(')', '）')}"

    def mul(self) -> str:
        return self.p("×", "*", "＊")

    def amount(self) -> str:
        """A non-negative per-region money expression."""
        kind = self.draw(st.integers(0, 9 if self.depth < 2 else 1))
        if kind == 0:
            return self.money_input()
        if kind == 1:
            return f"{self.money_input()} {self.mul()} {self.ratio()}"
        self.depth += 1
        try:
            return self._compound(kind)
        finally:
            self.depth -= 1

    def _compound(self, kind: int) -> str:
        if kind == 2:
            sub = self.p("-", "－", "−")
            head = f"{self.kw('取大', 'max')}{self.p('(', '（')}{self.amount()} {sub} {self.amount()}"
            return f"{head}{self.comma()} 0元{self.p(')', '）')}"
        if kind == 3:
            return f"{self.kw('取小', 'min')}({self.amount()}{self.comma()} {self.amount()})"
        if kind == 4:
            return f"{self.paren(self.amount())} {self.p('+', '＋')} {self.amount()}"
        if kind == 5:
            # In parentheses: `a - 如果 …` does not parse, an if binds looser than any operator.
            return self.paren(
                f"{self.kw('如果', 'if')} {self.cond()} {self.kw('则', 'then')} {self.amount()} {self.kw('否则', 'else')} "
                f"{self.amount()}"
            )
        if kind == 6:
            e, members = self.enum()
            arrow = self.p("=>", "→", "⇒")
            lb, rb = self.braces()
            arms = [f"{members[0]} {arrow} {self.amount()}"]
            if self.draw(st.booleans()):
                arms.append(f"{self.kw('其他', 'otherwise')} {arrow} {self.amount()}")
            else:
                arms.append(f"{self.draw(st.sampled_from(['|', '、'])).join(members[1:])} {arrow} {self.amount()}")
            return f"{self.kw('匹配', 'match')} {e} {lb} {'  '.join(arms)} {rb}"
        if kind == 7:  # progressive: each band's rate on the part of the amount inside it
            edges = sorted(set(self.draw(st.lists(st.integers(1, 5000), min_size=1, max_size=3))))
            return self.bands(
                self.kw("累进", "progressive"), self.amount(), [f"{e}万元" for e in edges], "0元", self.ratio
            )
        if kind == 8:  # bands over a rate that is not negative: the first band starts at 0%
            edges = sorted(set(self.draw(st.lists(st.integers(1, 100), min_size=1, max_size=3))))
            n = self.name()
            self.declare(
                f"{self.kw('输入', 'input')} {n}{self.colon()} {self.typ('比例', 'ratio')} {self.per_region()}  "
                f"{self.meta()}"
            )
            return self.bands(self.kw("分段", "bands"), n, [self.pct(e) for e in edges], self.pct(0), self.amount)
        n = self.name()  # a derived value
        self.declare(f"{self.kw('令', 'let')} {n} {self.p('=', '＝')} {self.amount()}  {self.meta()}")
        self.money.append(n)
        return n

    def bands(self, word: str, x: str, edges: list[str], low: str, value: Any) -> str:
        arrow = self.p("=>", "→", "⇒")
        lb, rb = self.braces()
        rows, lo = [], low
        for e in edges:
            rows.append(f"{lo} {self.kw('至', 'to')} {e} {arrow} {value()}")
            lo = e
        rows.append(f"from {lo} {arrow} {value()}" if self.draw(st.booleans()) else f"{lo} 以上 {arrow} {value()}")
        sep = self.draw(st.sampled_from(["\n      ", self.comma() + " ", "; "]))
        return f"{word} {x} {lb} {sep.join(rows)} {rb}"

    # ---- rules and funds

    def rule(self, kind: tuple[str, str], amount: str, *clauses: str) -> str:
        n = self.name()
        self.rules.append(n)
        body = "  ".join(c for c in clauses if c)
        return f"{self.kw(*kind)} {n} {self.p('=', '＝')} {amount}  {body}  {self.meta(always=True)}"

    def weights(self) -> str:
        if self.draw(st.booleans()):
            return self.count()
        a, b = self.count(), self.count()
        lb, rb = self.braces()
        if self.draw(st.booleans()):
            w = self.draw(st.integers(0, 100))
            return f"{lb} {a}{self.colon()} {self.pct(w)}{self.comma()} {b}{self.colon()} {self.pct(100 - w)} {rb}"
        n = self.name()
        self.declare(
            f"{self.kw('参数', 'param')} {n}{self.colon()} {self.typ('比例', 'ratio')} {self.kw('待定', 'open')}  "
            f"{self.kw('不高于', 'max')} {self.pct(100)}  {self.meta()}"
        )
        return f"{lb} {a}{self.colon()} {n}{self.comma()} {b}{self.colon()} {self.pct(100)} - {n} {rb}"

    def reserve(self) -> str:
        """A carried global fund, declared at the end of the policy."""
        if self.carried and self.coin():
            return self.draw(st.sampled_from(self.carried))
        n = self.name()
        self.carried.append(n)
        self.carried_rules[n] = []
        return n

    def fund(self, rules: list[str], carried: bool = False, name: str | None = None) -> None:
        lb, rb = self.braces()
        word, named = self.kw("资金", "fund"), name or self.name()  # drawn in the order they are written
        kept = " " + self.kw("结转", "carried") if carried else ""
        head = f"{word} {named}{kept}  {self.meta()}"
        self.lines.append(f"{head} {lb}\n" + "".join(f"    {r}\n" for r in rules) + f"  {rb}")

    def pooled(self) -> None:
        """A fund that is not carried: what it collects, it passes on in full."""
        frm, to = self.kw("自", "from"), self.kw("至", "to")
        rules = []
        for _ in range(self.draw(st.integers(1, 2))):
            when = f"{self.kw('当', 'when')} {self.cond()}" if self.draw(st.integers(0, 2)) == 0 else ""
            cap = f"{self.kw('上限', 'cap')} {self.amount()}" if self.draw(st.integers(0, 3)) == 0 else ""
            rules.append(self.rule(("上解", "collect"), self.amount(), f"{frm} {self.each_region()}", when, cap))
        everything, rest = self.kw("全部", "all"), self.kw("剩余", "remaining")
        by = self.kw("按", "by")
        kind = self.draw(st.integers(0, 4))
        if kind == 0:
            rules.append(
                self.rule(("分配", "allocate"), everything, f"{to} {self.each_region()}", f"{by} {self.weights()}")
            )
        elif kind == 1:
            w = self.draw(st.integers(0, 100))
            lb, rb = self.braces()
            # A fund's 全部 is one global sum: its shares go to parties and funds, not to each region (E438).
            first = self.party(False)
            second = self.reserve() if self.draw(st.booleans()) else self.party(False)
            if second == first:
                second = self.reserve()
            shares = [f"{first}{self.colon()} {self.pct(w)}", f"{second}{self.colon()} {self.pct(100 - w)}"]
            rules.append(self.rule(("拆分", "split"), everything, f"{lb} {(self.comma() + ' ').join(shares)} {rb}"))
        elif kind == 2:
            rules.append(self.rule(("转移", "transfer"), everything, f"{to} {self.party(False)}"))
        elif kind == 3:
            cum = self.kw("累计上限", "cumulative cap")
            cap = f"{cum} {self.kw('合计', 'sum')}({self.money_input()}) {self.mul()} {self.ratio()}"
            rules.append(
                self.rule(
                    ("留存", "retain"), f"{everything} {self.mul()} {self.ratio()}", f"{to} {self.reserve()}", cap
                )
            )
            rules.append(self.rule(("分配", "allocate"), rest, f"{to} {self.each_region()}", f"{by} {self.weights()}"))
        else:
            rules.append(
                self.rule(
                    ("分配", "allocate"),
                    f"{everything} {self.mul()} {self.ratio()}",
                    f"{to} {self.each_region()}",
                    f"{by} {self.weights()}",
                )
            )
            rules.append(self.rule(("分配", "allocate"), rest, f"{to} {self.each_region()}", f"{by} {self.weights()}"))
        self.fund(rules)

    def pay(self) -> None:
        """A pay rule in a carried fund, with exceptions that cannot both apply."""
        k = self.reserve()
        clauses = [f"{self.kw('至', 'to')} {self.each_region()}"]
        if self.draw(st.integers(0, 3)) == 0:
            clauses.append(f"{self.kw('上限', 'cap')} {self.amount()}")
        # A carried fund may hold less than the rule asks: the policy must say what then (E421).
        form = self.draw(st.sampled_from([("按比例", "prorata"), ("按顺序", "ordered"), ("挂账", "claim")]))
        clauses.append(f"{self.kw('不足时', 'shortfall')} {self.kw(*form)}")
        text = self.rule(("补助", "pay"), self.amount(), *clauses)
        if self.draw(st.booleans()):
            e, members = self.enum()
            arrow = self.p("=>", "→", "⇒")
            text += f"\n      {self.kw('例外', 'except')} {e} = {members[0]} {arrow} 0元  {self.meta()}"
            if self.draw(st.booleans()):
                lb, rb = self.braces()
                cond = f"{self.kw('例外', 'except')} {e} {self.kw('属于', 'in')} {lb}{'、'.join(members[1:])}{rb}"
                text += f"\n      {cond} {arrow} {self.amount()}  {self.meta()}"
        self.carried_rules[k].append(text)

    def cover(self) -> None:
        """A waterfall: each tier but the last capped, the last one open."""
        frm = self.kw("由", "from")
        tiers = []
        for last in [False] * self.draw(st.integers(0, 2)) + [True]:
            kind = self.draw(st.integers(0, 3))
            if kind == 0:
                payers = self.each_region()
            elif kind == 1:
                payers = self.party(self.draw(st.booleans()))
            elif kind == 2 and not last:
                k = self.reserve()
                payers = k
                tiers.append(
                    f"{self.kw('层', 'tier')} {self.name()}{self.colon()} {frm} {payers}  "
                    f"{self.kw('合计上限', 'total cap')} {self.kw('余额', 'balance')}({k})  {self.meta()}"
                )
                continue
            else:
                w = self.draw(st.integers(0, 100))
                payers = f"{self.party(False)} {self.pct(w)}{self.comma()} {self.party(True)} {self.pct(100 - w)}"
            cap = "" if last else f"{self.kw('上限', 'cap')} {self.amount()}"
            tiers.append(f"{self.kw('层', 'tier')} {self.name()}{self.colon()} {frm} {payers}  {cap}  {self.meta()}")
        lb, rb = self.braces()
        body = f"{lb}\n" + "".join(f"      {t}\n" for t in tiers) + f"    {rb}"
        self.declare(self.rule(("弥补", "cover"), self.amount(), f"{self.kw('至', 'to')} {self.each_region()}", body))

    def loose(self) -> None:
        """A transfer or split outside any fund."""
        frm, to = self.kw("自", "from"), self.kw("至", "to")
        if self.draw(st.booleans()):
            self.declare(
                self.rule(
                    ("转移", "transfer"), self.amount(), f"{frm} {self.party(True)}", f"{to} {self.each_region()}"
                )
            )
            return
        w = self.draw(st.integers(0, 100))
        lb, rb = self.braces()
        target = self.reserve() if self.draw(st.booleans()) else self.party(False)
        shares = (
            f"{target}{self.colon()} {self.pct(w)}{self.comma()} {self.each_region()}{self.colon()} {self.pct(100 - w)}"
        )
        self.declare(self.rule(("拆分", "split"), self.amount(), f"{frm} {self.each_region()}", f"{lb} {shares} {rb}"))

    def schedule(self) -> None:
        lb, rb = self.braces()
        rows = []
        for _ in range(self.draw(st.integers(1, 3))):
            when = self.draw(
                st.sampled_from(["2025年6月底", "2026-03-31", "2026年", "每月25日", "次年3月底", "每季度首月15日"])
            )
            by = f" {self.kw('前', 'by')}" if not when.startswith(("每", "次")) and self.draw(st.booleans()) else ""
            rows.append(f"{when}{by}{self.colon()} {self.text()}  {self.kw('责任', 'owners')} 省医保局、{self.text()}")
        self.lines.append(f"{self.kw('时间表', 'timeline')} {lb}\n" + "".join(f"    {r}\n" for r in rows) + f"  {rb}")
        tasks = []
        for i in range(self.draw(st.integers(0, 2))):
            deadline = self.draw(st.sampled_from(["2025年底", self.kw("持续推进", "ongoing")]))
            tasks.append(f"{self.kw('任务', 'task')} {i + 1} {self.text()}  {self.kw('时限', 'deadline')} {deadline}")
        if tasks:
            self.lines.append(f"{self.kw('任务表', 'tasks')} {lb}\n" + "".join(f"    {t}\n" for t in tasks) + f"  {rb}")


@st.composite
def policies(draw: st.DrawFn) -> str:
    """The source text of a policy that checks clean (no errors, no warnings)."""
    g = _Gen(draw)
    makers = [g.pooled, g.pay, g.cover, g.loose]
    for maker in draw(st.lists(st.sampled_from(makers), min_size=1, max_size=5)):
        maker()
    for k in g.carried:
        g.fund(g.carried_rules[k], carried=True, name=k)
    if draw(st.booleans()):
        g.schedule()
    regionset = g.name()
    regions = [g.name() for _ in range(draw(st.integers(1, 4)))]
    lb, rb = g.braces()
    head = [
        f"{g.kw('地区集', 'regionset')} {regionset} {lb} {'、'.join(regions)} {rb}  {g.meta()}",
        f"{g.kw('地区', 'regions')} {regionset}",
    ]
    if draw(st.booleans()):
        head.insert(0, f"{g.kw('依据', 'basis')} {g.text()}")
    if draw(st.booleans()):
        head.append(f"{g.kw('生效', 'effective')} 2025年1月1日 {g.kw('至', 'until')} 2030年底")
    if draw(st.booleans()):
        head.append(f"{g.kw('层级', 'level')} 省级")
    if draw(st.booleans()):
        head.append(f"{g.kw('险种', 'schemes')} 居民医保、职工医保")
    body = "".join(f"  {line}\n" for line in head + g.lines)
    comment = "# 随机生成的政策 generated\n" if draw(st.booleans()) else ""
    return f"{comment}{g.kw('政策', 'policy')} {g.name()} {lb}\n{body}{rb}\n"


_CHECKED: dict[str, Any] = {}


def check_source(source: str) -> Any:
    """The CheckedPolicy of a source text (cached); AssertionError if it does not check clean."""
    if source not in _CHECKED:
        from compiler.driver import check_file

        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "generated.pool"
            path.write_text(source, encoding="utf-8")
            result = check_file(path)
        loud = [x.message("en") for x in result.diagnostics if x.severity.name != "NOTE"]  # notes list open params
        assert result.policy is not None and not loud, loud
        if len(_CHECKED) > 256:
            _CHECKED.clear()
        _CHECKED[source] = result.policy
    return _CHECKED[source]


def _value(draw: st.DrawFn, t: Any, signed: bool, enums: dict[str, list[str]], high: Any = None) -> Any:
    """A value of a type as a scenario file writes it: decimal strings, booleans, member names."""
    from compiler.ir.types import Base

    if t.base is Base.MONEY:
        fen = draw(st.one_of(st.integers(0, 10**6), st.integers(0, 2 * 10**11)))
        return ("-" if signed and draw(st.booleans()) and fen else "") + f"{fen // 100}.{fen % 100:02d}"
    if t.base is Base.RATIO:
        top = int(high * 10_000) if high is not None else 10_000
        bp = draw(st.integers(-10_000 if signed else 0, top))
        return f"{bp / 100:.2f}%" if draw(st.booleans()) else str(bp / 10_000)
    if t.base in (Base.COUNT, Base.NUMBER):
        return str(draw(st.integers(0 if t.base is Base.NUMBER else 1, 10_000_000)))
    if t.base is Base.BOOL:
        return draw(st.booleans())
    return draw(st.sampled_from(enums[t.enum]))


@st.composite
def scenarios(draw: st.DrawFn, source: str) -> dict[str, Any]:
    """A scenario for a policy, as the dict a JSON scenario file holds (`pool run POLICY FILE`).

    Every open parameter, and sometimes a bounded one, is set within its bounds; every input is
    given for every region drawn; every carried fund gets an opening balance.
    """
    from compiler.ir import nodes as ir

    checked = check_source(source)
    scope = checked.scope
    enums = {n: [m.text for m in e.members] for n, e in scope.enums.items()}
    known = [r.text for r in scope.regions(checked.policy)] or ["甲地", "乙地"]
    regions = draw(st.lists(st.sampled_from(known), min_size=1, max_size=4, unique=True))
    # Often a subset of the region set, on purpose: the scenario says so.
    out: dict[str, Any] = {
        "partial": True,
        "params": {},
        "global": {},
        "regions": {r: {} for r in regions},
        "state": {},
    }
    for name, d in scope.values.items():
        t = checked.types[name]
        if isinstance(d, ir.ParamDecl) and (d.value is None or (d.bounds and draw(st.booleans()))):
            low = next(
                (b.expr.value for b in d.bounds if b.kind is ir.BoundKind.MIN and isinstance(b.expr, ir.Num)), None
            )
            high = next(
                (b.expr.value for b in d.bounds if b.kind is ir.BoundKind.MAX and isinstance(b.expr, ir.Num)), None
            )
            v = _value(draw, t, False, enums, high)
            if low is not None and not isinstance(v, bool):
                v = str(max(low, _num(v)))
            out["params"][name] = v
        elif isinstance(d, ir.InputDecl) and not d.implicit:
            if t.per_region:
                for r in regions:
                    out["regions"][r][name] = _value(draw, t, d.signed, enums)
            else:
                out["global"][name] = _value(draw, t, d.signed, enums)
    for f in scope.funds.values():
        if f.carried and f.per_region:
            out["state"][f.name.text] = {r: _value(draw, _money(), False, enums) for r in regions}
        elif f.carried:
            out["state"][f.name.text] = _value(draw, _money(), False, enums)
    return out


def _num(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def _money() -> Any:
    from compiler.ir.types import Base, Type

    return Type(Base.MONEY)
