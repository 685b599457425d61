"""Random valid policies aimed at the money classes issue 14 found, from one integer seed.

    case = generate(seed)          # the policy text, scenarios over the same regions, a multi-period file
    bad = self_paying(seed)        # a policy whose fund pays itself: `pool check` must refuse it
    deep = deep_policy(shape, n)   # a policy of hundreds or thousands of terms, lets or nested 如果

tests/policygen.py covers the language's breadth (every construct, every spelling); this covers
where money goes wrong: allocations with mixed weights over counts chosen so exact remainders
tie, several 累计上限 retentions into one carried fund, long sums, let chains and nested 如果,
ratios of 28+ significant digits, amounts of 10²⁶ 元 and more, and per-region carried balances
over periods that leave a region out. A seed replays a case exactly (random.Random, no
Hypothesis), so a failure prints the one number needed to reproduce it.

What the generator knows about the money (which accounts are funds, which are carried, what each
cap is) goes into `Case.accounts` and `Case.caps`, for tests/fuzz/ledgercheck.py to check every
ledger without asking the compiler.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

REGIONS = ("甲市", "乙市", "丙市", "丁市")
TIE_COUNTS = ((1, 1, 1, 1), (1, 3, 3, 3), (3, 1, 3, 1), (7, 7, 1, 3), (1, 2, 4, 8))


@dataclass
class Cap:
    """`留存 rule = … 至 fund 累计上限 cap`: cap in 元, a literal or a global input times a factor."""

    rule: str
    fund: str
    literal: Decimal | None
    input: str | None = None
    factor: Decimal = Decimal(1)

    def value(self, scenario: dict[str, Any]) -> Decimal:
        if self.literal is not None:
            return self.literal
        assert self.input is not None
        return Decimal(scenario["global"][self.input]) * self.factor


@dataclass
class Case:
    seed: int
    source: str
    scenarios: list[dict[str, Any]]  # one period each, all over the same regions
    periods: dict[str, Any]  # {"periods": [...]} for pool simulate; a later period leaves a region out

    def all_listed(self) -> dict[str, Any]:
        """The same periods with the left-out region listed (its values from the period after),
        so balances carry through every period."""
        first, second, third = (dict(p) for p in self.periods["periods"])
        regions = set(first["regions"]) - set(second["regions"])
        second["regions"] = {**second["regions"], **{r: third["regions"][r] for r in regions}}
        return {"periods": [first, second, third]}

    funds: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # fund → (carried, per region)
    caps: list[Cap] = field(default_factory=list)
    features: set[str] = field(default_factory=set)

    def accounts(self, regions: list[str]) -> dict[str, bool]:
        """Every ledger account of a fund for these regions → carried (per-region funds are `名(地区)`)."""
        out: dict[str, bool] = {}
        for name, (carried, per_region) in self.funds.items():
            for acc in [f"{name}({r})" for r in regions] if per_region else [name]:
                out[acc] = carried
        return out


class _Policy:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decls: dict[str, str] = {}  # name → declaration line, declared on first use
        self.lets: list[str] = []
        self.funds: list[str] = []
        self.n = 0
        self.features: set[str] = set()

    def use(self, name: str, decl: str) -> str:
        self.decls.setdefault(name, decl)
        return name

    def income(self) -> str:
        return self.use(self.rng.choice(["收入", "前年收入", "结余"]), "")

    def ratio(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return f"{self.rng.choice([1, 5, 10, 12.5, 20, 33, 50, 66.5, 100])}%"
        if r < 0.75:  # beyond 28 significant digits: exact rationals must keep every one
            self.features.add("28+ digit ratios")
            digits = "".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(28, 34)))
            return self.rng.choice([f"0.{digits}", f"{digits[0]}.{digits[1:]}%", "0.499999999999999999999999999999%"])
        if r < 0.9:
            return self.use(
                "上解比例", f"参数 上解比例: 比例 = {self.rng.choice(['10%', '0.1000000000000000000000000000001'])}"
            )
        self.features.add("28+ digit ratios")
        return self.use("浮动比例", "输入 浮动比例: 比例")  # a scenario gives it with 30 digits

    def amount(self, depth: int = 0) -> str:
        """A non-negative per-region money expression."""
        kind = self.rng.randint(0, 7 if depth < 4 else 1)
        if kind == 0:
            return self.income()
        if kind == 1:
            return f"{self.income()} × {self.ratio()}"
        if kind == 2:
            return f"取大({self.amount(depth + 1)} - {self.amount(depth + 1)}, 0元)"
        if kind == 3:
            return f"取小({self.amount(depth + 1)}, {self.amount(depth + 1)})"
        if kind == 4:  # a long sum
            n = self.rng.choice([2, 3, 20, 60])
            if n > 10:
                self.features.add("long sums")
            return "(" + " + ".join(self.amount(depth + 2) for _ in range(n)) + ")"
        if kind == 5:  # nested 如果, in parentheses: an if binds looser than any operator
            levels = self.rng.choice([1, 2, 12])
            if levels > 2:
                self.features.add("nested 如果")
            out = self.amount(depth + 1)
            for _ in range(levels):
                out = f"(如果 {self.income()} > {self.income()} 则 {out} 否则 {self.income()} × {self.ratio()})"
            return out
        if kind == 6 and self.lets:
            return self.rng.choice(self.lets)
        return self.chain(depth)

    def chain(self, depth: int) -> str:
        """A chain of derived values, each the one before it plus a little."""
        length = self.rng.choice([1, 3, 30])
        if length > 3:
            self.features.add("let chains")
        prev = self.amount(depth + 2)
        for _ in range(length):
            self.n += 1
            name = f"派生{self.n}"
            self.decls[name] = f"令 {name} = {prev} + {self.income()} × 1%"
            prev = name
        self.lets.append(prev)
        return prev


def _weights(rng: random.Random) -> tuple[str, str]:
    """The `按` clause of an allocation: a single factor, or a mix whose weights add up to 100%."""
    if rng.random() < 0.25:
        return "按 人数", "single"
    w = rng.choice(["50%", "50%", "50%", "30%", "1%", "33.333333333333333333333333333%"])
    rest = {
        "50%": "50%",
        "30%": "70%",
        "1%": "99%",
        "33.333333333333333333333333333%": "66.666666666666666666666666667%",
    }[w]
    return f"按 {{ 人数: {w}, 老年人数: {rest} }}", "mixed"


def _money(rng: random.Random, extreme: bool) -> str:
    r = rng.random()
    if extreme and r < 0.5:
        fen = rng.randint(10**16, 10**17)  # up to 10¹⁵ 元, the most a scenario may give
    elif r < 0.2:
        fen = rng.randint(0, 1000)
    elif r < 0.4:  # the shape: three amounts a fen apart around a third of 10⁸ 元
        fen = 3_333_333_330 + rng.randint(0, 20)
    else:
        fen = rng.randint(0, 10**13)
    return f"{fen // 100}.{fen % 100:02d}"


def generate(seed: int) -> Case:
    rng = random.Random(seed)
    p = _Policy(rng)
    rules: list[str] = []
    funds: dict[str, tuple[bool, bool]] = {"调剂金": (False, False)}
    caps: list[Cap] = []
    src = '原文 "随机"'
    extreme = rng.random() < 0.05
    big = ""
    if extreme:  # scenarios stop at 10¹⁵ 元; a literal takes the ledger to 10²⁶ 元 and beyond
        p.features.add("amounts of 10²⁶ 元 and more")
        big = f" + {rng.randint(10**26, 10**28)}.{rng.randint(0, 99):02d}元"
    rules.append(f"上解 上解额 = {p.amount()}{big}  自 各地区  {src}")
    share = 0
    n_caps = rng.choice([0, 1, 2, 2, 3])
    if n_caps:
        funds["省级留存"] = (True, False)
        if n_caps > 1:
            p.features.add("several caps on one fund")
    for i in range(n_caps):
        pct = rng.choice([10, 20, 30, 50]) if share < 50 else 0
        share += pct
        if rng.random() < 0.5:
            cap = Cap(f"留存{i + 1}", "省级留存", Decimal(rng.choice([1000, 5000, 10**6, 10**9])))
            text = f"{cap.literal}元"
        else:
            p.use("上限额", "输入 上限额: 金额")
            factor = rng.choice([Decimal(1), Decimal("0.5")])
            cap = Cap(f"留存{i + 1}", "省级留存", None, "上限额", factor)
            text = "上限额" if factor == 1 else "上限额 × 50%"
        caps.append(cap)
        rules.append(f"留存 {cap.rule} = 全部 × {pct}%  至 省级留存  累计上限 {text}  {src}")
    clause, kind = _weights(rng)
    p.features.add(f"{kind}-weight allocation")
    rules.append(f"分配 分配额 = {'剩余' if n_caps else '全部'}  至 各地区  {clause}  {src}")
    p.use("人数", "输入 人数: 人数 每地区")
    if "老年人数" in clause:
        p.use("老年人数", "输入 老年人数: 人数 每地区")
    body = ["资金 调剂金 {\n    " + "\n    ".join(rules) + "\n  }"]
    if n_caps:
        short = rng.choice(["按比例", "挂账"])  # the reserve may hold less than asked (E421); no region set for 按顺序
        pay = f"补助 缺口补助 = 取小(缺口 × 1%, 1元)  至 各地区  不足时 {short}  {src}" if rng.random() < 0.5 else ""
        if pay:
            p.use("缺口", "输入 缺口: 金额 每地区")
        body.append(f"资金 省级留存 结转 {{ {pay} }}")
    if rng.random() < 0.6:  # a per-region carried balance, the one `pool simulate` must not lose
        funds["区县结余"] = (True, True)
        p.use("缺口", "输入 缺口: 金额 每地区")
        p.use("结余", "输入 结余: 金额 每地区")
        body.append(
            "资金 区县结余 每地区 结转 {\n"
            f"    上解 返还 = 结余 × 50%  自 各地区  {src}\n"
            f"    补助 动用 = 取小(缺口, 余额(区县结余))  至 各地区  {src}\n  }}"
        )
    if rng.random() < 0.4:
        funds["归集基金"] = (True, False)
        body.append(
            f"主体 省财政\n  资金 归集基金 结转 {{}}\n  转移 注资 = 合计({p.amount()}) × 1%  自 省财政  至 归集基金  {src}"
        )
    for name in ("收入", "前年收入", "结余"):
        if name in p.decls and not p.decls[name]:
            p.decls[name] = f"输入 {name}: 金额 每地区"
    decls = [d for d in p.decls.values() if d]
    source = (
        f"政策 随机{seed} {{\n  地区集 城市 {{ {'、'.join(REGIONS)} }}\n  地区 城市\n"
        + "".join(f"  {d}\n" for d in decls)
        + "".join(f"  {b}\n" for b in body)
        + "}\n"
    )
    regions = list(REGIONS[: rng.randint(2, 4)])
    scenarios = [_scenario(rng, p.decls, regions, funds, extreme) for _ in range(rng.randint(3, 9))]
    periods = _periods(rng, p.decls, funds)
    return Case(seed, source, scenarios, periods, funds, caps, p.features)


def _scenario(
    rng: random.Random, decls: dict[str, str], regions: list[str], funds: dict[str, tuple[bool, bool]], extreme: bool
) -> dict[str, Any]:
    tie = TIE_COUNTS[rng.randrange(len(TIE_COUNTS))]
    scale = 10 ** rng.randint(0, 6)
    # A scenario lists some of the policy's regions on purpose: it says so ("partial").
    out: dict[str, Any] = {
        "partial": True,
        "params": {},
        "global": {},
        "regions": {r: {} for r in regions},
        "state": {},
    }
    for name, decl in decls.items():
        if not decl.startswith("输入"):
            continue
        if name == "上限额":
            out["global"][name] = f"{rng.choice([0, 1000, 1600, 10**6, 10**9])}.00"
        elif name == "浮动比例":
            out["global"][name] = "0." + "".join(rng.choice("0123456789") for _ in range(30))
        elif name == "人数":  # equal counts in every region, as in the issue, or random ones
            for r in regions:
                out["regions"][r][name] = str(scale * 10 if rng.random() < 0.7 else rng.randint(0, 10**7))
        elif name == "老年人数":
            for i, r in enumerate(regions):
                out["regions"][r][name] = str(tie[i] * scale if rng.random() < 0.8 else rng.randint(0, 10**7))
        else:
            for r in regions:
                out["regions"][r][name] = _money(rng, extreme)

    def bal() -> str:  # at, just under and just over the caps' edges, or anywhere
        return f"{rng.choice([0, 400, 999, 1000, rng.randint(0, 10**9)])}.{rng.randint(0, 99):02d}"

    for name, (carried, per_region) in funds.items():
        if carried:
            out["state"][name] = {r: bal() for r in regions} if per_region else bal()
    return out


def _periods(rng: random.Random, decls: dict[str, str], funds: dict[str, tuple[bool, bool]]) -> dict[str, Any]:
    """Three periods; the second leaves out a region (with a per-region balance, if the policy has one)."""
    first = _scenario(rng, decls, list(REGIONS[:3]), funds, False)
    first["period"] = 2026
    if "区县结余" in first["state"]:
        first["state"]["区县结余"]["丙市"] = "3000.00"
    second = _scenario(rng, decls, ["甲市", "乙市"], funds, False)
    third = _scenario(rng, decls, list(REGIONS[:3]), funds, False)
    for k, s in ((2027, second), (2028, third)):
        s["period"] = k
        del s["state"]
    return {"periods": [first, second, third]}


# ---- policies that must be refused, and policies of pathological size


def self_paying(seed: int) -> tuple[str, str, str]:
    """A policy where a fund pays into itself, the same policy paying another fund instead (which
    checks clean, so a diagnostic on the first is about the self-payment), and which way."""
    rng = random.Random(seed)
    way = rng.choice(["transfer", "retain", "split", "loose"])
    fund = rng.choice(["调剂金", "留存金"])

    def policy(target: str) -> str:
        head = "政策 自付 {\n  地区集 城市 { 甲市、乙市 }\n  地区 城市\n  输入 收入: 金额 每地区\n  主体 省财政\n"
        other = "  资金 别的基金 结转 {}\n" if target != fund else ""
        collect = '上解 上解额 = 收入 × 10%  自 各地区  原文 "x"'
        if way == "transfer":
            body = f'  资金 {fund} {{\n    {collect}\n    转移 回流 = 全部  至 {target}  原文 "x"\n  }}\n'
        elif way == "retain":
            body = f'  资金 {fund} 结转 {{\n    {collect}\n    留存 回存 = 全部 × 50%  至 {target}  累计上限 1000元  原文 "x"\n  }}\n'
        elif way == "split":
            body = f'  资金 {fund} {{\n    {collect}\n    拆分 回拆 = 全部 {{ {target}: 50%, 省财政: 50% }}  原文 "x"\n  }}\n'
        else:
            body = f'  资金 {fund} 结转 {{ {collect} }}\n  转移 自转 = 100元  自 {fund}  至 {target}  原文 "x"\n'
        return head + other + body + "}\n"

    return policy(fund), policy("别的基金"), way


DEEP_SHAPES = ("sum", "chain", "if", "parens")


def deep_policy(shape: str, n: int) -> str:
    """One collect rule whose amount is n terms deep in one of four ways."""
    decls = ""
    if shape == "sum":
        expr = " + ".join(["收入 × 1%"] * n)
    elif shape == "chain":
        decls = "  令 值0 = 收入 × 1%\n" + "".join(f"  令 值{i} = 值{i - 1} + 1元\n" for i in range(1, n))
        expr = f"值{n - 1}"
    elif shape == "if":
        expr = "收入 × 1%"
        for i in range(n):
            expr = f"(如果 收入 > {i}元 则 {expr} 否则 1元)"
    else:
        expr = "(" * n + "收入 × 1%" + ")" * n
    return (
        "政策 深 {\n  地区集 城市 { 甲市、乙市 }\n  地区 城市\n  输入 收入: 金额 每地区\n"
        + decls
        + "  主体 省财政\n  资金 调剂金 {\n"
        + f'    上解 上解额 = {expr}  自 各地区  原文 "x"\n'
        + '    转移 转出 = 全部  至 省财政  原文 "x"\n  }\n}\n'
    )


def tie_case(seed: int) -> Case:
    """An allocation by mixed weights alone, over counts in small ratios (1:3:3, 7:7:1:3 …) and
    incomes around a third of 10⁸ 元 a fen apart: exact remainders that tie or nearly tie, where
    an engine that rounds a share before comparing hands the spare fen to the wrong region."""
    rng = random.Random(seed)
    n = rng.randint(3, 4)
    w = rng.choice([50, 50, 50, 25, 40])
    source = (
        f"政策 并列{seed} {{\n  地区集 城市 {{ {'、'.join(REGIONS)} }}\n  地区 城市\n"
        "  输入 收入: 金额 每地区\n  输入 人数: 人数 每地区\n  输入 老年人数: 人数 每地区\n"
        '  资金 调剂金 {\n    上解 上解额 = 收入  自 各地区  原文 "x"\n'
        f'    分配 分配额 = 全部  至 各地区  按 {{ 人数: {w}%, 老年人数: {100 - w}% }}  原文 "y"\n  }}\n}}\n'
    )
    regions = list(REGIONS[:n])
    scenarios = []
    for _ in range(rng.randint(3, 9)):
        tie = TIE_COUNTS[rng.randrange(len(TIE_COUNTS))]
        people = 10 ** rng.randint(3, 7)
        elderly = 10 ** rng.randint(2, 6)
        base = rng.choice([3_333_333_330, 1_000_000_000, 7, 142_857_142_857])
        scenarios.append(
            {
                "partial": True,
                "regions": {
                    r: {
                        "收入": f"{(base + rng.randint(0, 12)) // 100}.{(base + rng.randint(0, 12)) % 100:02d}",
                        "人数": str(people),
                        "老年人数": str(tie[i] * elderly),
                    }
                    for i, r in enumerate(regions)
                },
            }
        )
    return Case(
        seed,
        source,
        scenarios,
        {"periods": [scenarios[0], scenarios[1], scenarios[2]]},
        {"调剂金": (False, False)},
        [],
        {"tie-prone mixed weights"},
    )
