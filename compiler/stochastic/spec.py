"""Stochastic scenario files: a base period, a number of years, growth distributions.

    base: ningbo_2022.json          # a scenario file (relative to this one), or its fields inline
    years: 10                       # years simulated after the base period
    growth:
      基金支出:
        normal: {mean: "8%", sd: "3%"}        # every region, every year: one draw a year for all
        independent: true                     # optional: each region draws its own
        regions: {奉化区: {uniform: {low: "0%", high: "20%"}}}
        years: {2025: {normal: {mean: "15%", sd: "5%"}}}

Read through scenario.py's composer and reader (compiler/docread.py beneath), so the base
period is checked exactly as `pool run` checks it, and every bad field is named with its position.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import yaml

from compiler import docread
from compiler.docread import text_of
from compiler.evaluate import EvaluationFailed
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import UNITS, label, sub_name
from compiler.ir.types import Base
from compiler.scenario import Document, Scenario, ScenarioError, ScenarioReader, compose, load

_OWN = {"base", "years", "growth"}
_MAX_YEARS = 100


@attrs.frozen
class Dist:
    """A growth rate's distribution, in float: randomness is float, money never is."""

    kind: str  # "normal" (a = mean, b = sd) or "uniform" (a = low, b = high)
    a: float
    b: float
    text: str  # as written, for people: normal(8%, 3%)


@attrs.frozen
class RegionGrowth:
    dist: Dist | None
    years: dict[int, Dist]


@attrs.frozen
class Growth:
    input: str
    per_region: bool
    dist: Dist | None
    independent: bool
    years: dict[int, Dist]
    regions: dict[str, RegionGrowth]
    like: str | None = None  # grows by the very rates drawn for this other input

    def resolve(self, region: str | None, year: int) -> tuple[Dist, tuple[object, ...]] | None:
        """The distribution for one region and year, and the key of its draw: regions
        sharing a key share a draw. Most specific first: region-year, region, year, input."""
        r = self.regions.get(region) if region is not None else None
        own = None if region is None or not self.independent else region
        for dist, key in (
            (r.years.get(year) if r else None, ("r", region, year)),
            (r.dist if r else None, ("r", region, year)),
            (self.years.get(year), ("y", year, own)),
            (self.dist, ("*", year, own)),
        ):
            if dist is not None:
                return dist, (self.input, *key)
        return None


@attrs.frozen
class Plan:
    file: str
    base: Scenario
    base_period: int
    years: int
    growth: tuple[Growth, ...]

    @property
    def periods(self) -> list[int]:
        return [self.base_period + i for i in range(self.years + 1)]


def load_plan(path: str | Document, checked: CheckedPolicy) -> Plan:
    """The plan of a stochastic scenario; EvaluationFailed (exit 2) naming every bad field.
    A Document (sent to `pool serve`) gives its base period inline: `base` names a file."""
    shown = path.name if isinstance(path, Document) else Path(path).as_posix()
    root, errors = compose(path)
    if root is None:
        raise _failed(errors, shown)
    r = ScenarioReader(checked)
    fields = {key: (k, v) for key, k, v in r.mapping(root, "")}
    if r.errors:
        raise _failed(r.errors, shown)
    if "growth" not in fields:
        r.error(
            root,
            "growth",
            "随机情景须给出 growth(各输入的增长率分布)",
            "a stochastic scenario gives `growth` (each input's growth distribution)",
        )
    years = _years(r, fields["years"][1]) if "years" in fields else None
    if "years" not in fields:
        r.error(root, "years", "须给出模拟的年数(基期之后)", "give the number of years simulated after the base period")
    base: Scenario | None = None
    base_file = shown
    if "base" in fields:
        for key in fields.keys() - _OWN:
            r.error(
                fields[key][0],
                key,
                "已用 base 引用基期文件,不能再写基期字段",
                "the base period comes from `base`: this field cannot be given as well",
            )
        base_node = fields["base"][1]
        if not text_of(base_node):
            r.error(base_node, "base", "应为基期情景文件的路径", "expected the path of the base scenario file")
        elif isinstance(path, Document):
            r.error(
                base_node,
                "base",
                "这里不能引用文件,请直接写出基期的字段",
                "no file can be named here: give the base period's fields inline",
            )
        else:
            base_path = Path(path).parent / str(base_node.value)
            base_file = base_path.as_posix()
            base, base_errors = load(base_path, checked)
            if base is None:
                raise _failed(base_errors, base_file)
    else:
        assert isinstance(root, yaml.MappingNode), "read as a mapping above, or failed"
        base = r.read(docread.without(root, _OWN), shown)
    if base is not None and base.period is None:
        r.error(
            fields.get("base", (root, root))[1],
            "period",
            "基期须给出 period(年份)",
            "the base period needs a `period` (a year)",
        )
    growth: tuple[Growth, ...] = ()
    if base is not None and base.period is not None and years is not None:
        _effective(r, fields["years"][1], checked, base.period + years)
        if "growth" in fields:  # read even when other fields are wrong, to report everything at once
            growth = _GrowthReader(r, checked, base, base.period, years).read(fields["growth"][1])
    if r.errors or base is None or base.period is None or years is None:
        raise _failed(r.errors, shown)
    return Plan(shown, base, base.period, years, growth)


def is_stochastic(path: str) -> bool:
    """Whether a scenario file is stochastic (has `growth`, `years` or `base`), so that
    `pool simulate` without --draws can say what to do instead of 'unknown field'."""
    root, _ = compose(path)
    return root is not None and docread.has_key(root, _OWN)


def _failed(errors: list[ScenarioError], file: str) -> EvaluationFailed:
    errors = sorted(errors, key=lambda e: (e.line, e.column))  # in file order, as people read it
    zh, en = ("".join(e.render(file, lang) + "\n" for e in errors) for lang in ("zh", "en"))
    return EvaluationFailed(2, zh, en)


def _years(r: ScenarioReader, node: yaml.Node) -> int | None:
    text = text_of(node)
    if not text.isdigit() or not 1 <= int(text) <= _MAX_YEARS:
        r.error(node, "years", f"应为 1 到 {_MAX_YEARS} 之间的整数", f"expected a whole number from 1 to {_MAX_YEARS}")
        return None
    return int(text)


def _effective(r: ScenarioReader, node: yaml.Node, checked: CheckedPolicy, last: int) -> None:
    policy = checked.policy
    end = policy.header.effective_to.value.year if policy is not None and policy.header.effective_to else None
    if end is not None and last > end:
        r.error(
            node,
            "years",
            f"模拟到{last}年,超出政策生效期(至{end}年)",
            f"runs to {last}, past the policy's effective period (to {end})",
        )


class _GrowthReader:
    def __init__(self, r: ScenarioReader, checked: CheckedPolicy, base: Scenario, first: int, years: int) -> None:
        self.r, self.checked, self.base = r, checked, base
        self.simulated = range(first + 1, first + years + 1)

    def read(self, node: yaml.Node) -> tuple[Growth, ...]:
        out: list[Growth] = []
        items = self.r.mapping(node, "growth")
        if isinstance(node, yaml.MappingNode) and not items:
            self.r.error(
                node, "growth", "至少给出一个输入的增长率分布", "give at least one input's growth distribution"
            )
        nodes: dict[str, yaml.Node] = {}
        months = self.r.per_month.units
        for name, kn, vn in items:
            unit = months.get(name)
            first = sub_name(name, label(unit, 1)) if unit is not None else name
            g = self.one(first, kn, vn)
            if g is None:
                continue
            if g.like is not None and g.like in months:  # like: 费用, a monthly input: its first month's draw
                g = attrs.evolve(g, like=sub_name(g.like, label(months[g.like], 1)))
            out.append(g)
            nodes[first] = vn
            if unit is not None:  # a year's months grow by one draw: each like the first month
                for i in range(2, UNITS[unit] + 1):
                    copy = sub_name(name, label(unit, i))
                    out.append(Growth(copy, g.per_region, None, False, {}, {}, g.like or first))
                    nodes[copy] = vn
        by_name = {g.input: g for g in out}
        for g in out:
            if g.like is not None:
                self.check_like(g, by_name.get(g.like), nodes[g.input])
        return tuple(out)

    def check_like(self, g: Growth, source: Growth | None, node: yaml.Node) -> None:
        field = f"growth.{g.input}.like"
        if source is None or source.like is not None:
            self.r.error(
                node,
                field,
                "应为 growth 中另一个给出分布的输入",
                "expected another input under growth that has a distribution",
            )
        elif not g.per_region and source.per_region and (source.independent or source.regions):
            self.r.error(
                node,
                field,
                f"{source.input}各地区的增长率不同,全局输入无从跟随",
                f"{source.input} grows differently by region: a global input cannot follow it",
            )

    def one(self, name: str, kn: yaml.Node, vn: yaml.Node) -> Growth | None:
        field = f"growth.{name}"
        decl = self.r.scope.values.get(name)
        t = self.checked.types.get(name)
        if not isinstance(decl, ir.InputDecl) or t is None:
            self.r.error(kn, field, "不是输入", "is not an input")
            return None
        if t.base not in (Base.MONEY, Base.COUNT):
            self.r.error(kn, field, "只有金额和人数输入可以按增长率变化", "only money and count inputs can grow")
            return None
        if name not in self.base.inputs:
            self.r.error(
                kn,
                field,
                "基期没有给出这一输入,无从增长",
                "is not given in the base period, so there is nothing to grow",
            )
            return None
        before = len(self.r.errors)
        fields = self.fields(vn, field, {"normal", "uniform", "independent", "regions", "years", "like"})
        if "like" in fields:
            like = fields["like"]
            for other in fields.keys() - {"like"}:
                self.r.error(
                    like,
                    f"{field}.{other}",
                    "已用 like 跟随另一输入,不能再给分布",
                    "follows another input by `like`: it takes no distribution of its own",
                )
            return Growth(name, t.per_region, None, False, {}, {}, text_of(like))
        dist = self.dist(fields, field)
        independent = False
        if "independent" in fields:
            node = fields["independent"]
            text = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
            if text not in ("true", "false"):
                self.r.error(node, f"{field}.independent", "应为 true 或 false", "expected true or false")
            elif not t.per_region:
                self.r.error(
                    node,
                    f"{field}.independent",
                    "全局输入只有一个值,无所谓各地区独立",
                    "a global input has one value: there are no regions to draw for",
                )
            independent = text == "true"
        years = self.year_dists(fields.get("years"), field)
        regions: dict[str, RegionGrowth] = {}
        if "regions" in fields:
            if not t.per_region:
                self.r.error(
                    fields["regions"],
                    f"{field}.regions",
                    "全局输入不能按地区给出分布",
                    "a global input cannot take a distribution per region",
                )
            for region, rk, rv in self.r.mapping(fields["regions"], f"{field}.regions"):
                rf = f"{field}.regions.{region}"
                if region not in self.base.regions:
                    self.r.error(rk, rf, "不是基期情景的地区", "is not one of the base period's regions")
                    continue
                sub = self.fields(rv, rf, {"normal", "uniform", "years"})
                regions[region] = RegionGrowth(self.dist(sub, rf), self.year_dists(sub.get("years"), rf))
        g = Growth(name, t.per_region, dist, independent, years, regions)
        if len(self.r.errors) > before:
            return None  # a region or year left uncovered by a rejected distribution is not news
        places: list[str | None] = list(self.base.regions) if t.per_region else [None]
        for place in places:
            for year in self.simulated:
                if g.resolve(place, year) is None:
                    where = (f"{place}{year}年", f"{place} in {year}") if place else (f"{year}年", f"{year}")
                    self.r.error(vn, field, f"没有适用于{where[0]}的分布", f"no distribution applies to {where[1]}")
                    return None
        return g

    def fields(self, node: yaml.Node, field: str, known: set[str]) -> dict[str, yaml.Node]:
        out: dict[str, yaml.Node] = {}
        for key, k, v in self.r.mapping(node, field):
            if key not in known:
                self.r.unknown(k, f"{field}.{key}", sorted(known))
            else:
                out[key] = v
        if "normal" in out and "uniform" in out:
            self.r.error(
                out["uniform"], f"{field}.uniform", "normal 与 uniform 只能给一个", "give normal or uniform, not both"
            )
        return out

    def year_dists(self, node: yaml.Node | None, field: str) -> dict[int, Dist]:
        out: dict[int, Dist] = {}
        if node is None:
            return out
        for key, k, v in self.r.mapping(node, f"{field}.years"):
            yf = f"{field}.years.{key}"
            if not key.isdigit() or int(key) not in self.simulated:
                span = f"{self.simulated.start}–{self.simulated.stop - 1}"
                self.r.error(k, yf, f"应为模拟的年份之一({span})", f"expected one of the simulated years ({span})")
                continue
            sub = self.fields(v, yf, {"normal", "uniform"})
            d = self.dist(sub, yf)
            if not sub.keys() & {"normal", "uniform"}:
                self.r.error(v, yf, "应给出 normal 或 uniform", "give normal or uniform")
            elif d is not None:
                out[int(key)] = d
        return out

    def dist(self, fields: dict[str, yaml.Node], field: str) -> Dist | None:
        kind = "normal" if "normal" in fields else "uniform" if "uniform" in fields else None
        if kind is None:
            return None
        names = ("mean", "sd") if kind == "normal" else ("low", "high")
        f = f"{field}.{kind}"
        got = {k: v for k, _, v in self.r.mapping(fields[kind], f)}
        for key in got.keys() - set(names):
            self.r.unknown(fields[kind], f"{f}.{key}", names)
        a, b = (self.rate(got.get(n), f"{f}.{n}", fields[kind]) for n in names)
        if a is None or b is None:
            return None
        if kind == "normal" and b < 0:
            self.r.error(got["sd"], f"{f}.sd", "标准差不能为负", "a standard deviation cannot be negative")
            return None
        if kind == "uniform" and b < a:
            self.r.error(got["high"], f"{f}.high", "上限不能低于下限", "high cannot be below low")
            return None
        if a <= -1:
            self.r.error(got[names[0]], f"{f}.{names[0]}", "增长率须高于 -100%", "a growth rate must be above -100%")
            return None
        show = f"{kind}({_pct(a)}, {_pct(b)})"
        return Dist(kind, float(a), float(b), show)

    def rate(self, node: yaml.Node | None, field: str, parent: yaml.Node) -> Decimal | None:
        if node is None:
            self.r.error(parent, field, "缺少这一字段", "is missing")
            return None
        text = text_of(node)
        digits, percent = docread.percent(text)
        d = docread.decimal(digits)
        if d is None:
            self.r.error(
                node, field, f"“{text}”不是比例(如 8% 或 0.08)", f"‘{text}’ is not a ratio (such as 8% or 0.08)"
            )
            return None
        if not d.is_finite() or abs(d) > (1000 if percent else 10):
            self.r.error(node, field, f"“{text}”超出可处理的范围(±1000%)", f"‘{text}’ is out of range (±1000%)")
            return None
        return d / 100 if percent else d


def _pct(d: Decimal) -> str:
    return f"{(d * 100).normalize():f}%"
