"""Scenario files: the data a policy is evaluated on (docs/evaluation.md, "Scenario files";
spreadsheets are read into the same tree by compiler/sheets, docs/spreadsheets.md).

JSON or YAML, composed by compiler/docread.py so every value keeps its line and
column, and every number is taken from its source text (money never passes
through a float). Anything wrong is reported with the field's path and position;
nothing is evaluated from a scenario that has errors. ScenarioReader is the reader
on top: stochastic scenarios and case files use it for the scenarios they hold.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import yaml

from compiler import docread
from compiler.docread import Composed, FieldError, Reader, text_of
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.constants import fold
from compiler.ir.scope import account
from compiler.ir.types import Base, Type
from compiler.ir.walk import decl_exprs, walk
from compiler.messages import Text
from compiler.plan import plan_of
from compiler.readings import choices, uses_regions_together
from compiler.runtime import NO_ENTITIES, Entities, shift, to_decimal
from compiler.scenario_entities import EntityTables
from compiler.scenario_history import Years
from compiler.scenario_months import MonthValues
from compiler.scenario_schemes import SchemeValues
from compiler.sheets.amounts import plain_number
from compiler.sheets.problems import SheetError
from compiler.sheets.read import compose as compose_scenario
from compiler.sheets.read import is_spreadsheet

Value = Decimal | bool | str
Supplied = Value | dict[str, Value]  # one value, or one per region
# A scenario is a period's data for a few thousand regions at most (China has under 3,000
# county-level regions): a few megabytes. PyYAML composes about 0.2 MB a second, with
# nodes ~50 times the text, so a larger file is refused before it is read, not ground through.
MAX_BYTES = 8 * 1024 * 1024
_WHAT = Text("一期的情景数据(请拆成几个文件)", "one period's scenario (split it)")
_TOP = {
    "period",
    "scheme",
    "schemes",
    "params",
    "global",
    "regions",
    "entities",
    "history",
    "state",
    "readings",
    "partial",
    "description",
}
ScenarioError = FieldError  # what is wrong with a scenario's field, and where
_MONTHS_UNIT = re.compile(r"\s*(个月|months?)$")  # a number of months may carry its unit


@attrs.frozen
class Document:
    """A scenario given as text, not as a file (`pool serve` receives it in a request).
    Wherever a scenario path is taken, a Document may stand; `name` is shown in messages."""

    name: str
    text: str

    def __str__(self) -> str:
        return self.name


Source = str | Path | Document


@attrs.frozen
class Scenario:
    file: str
    period: int | None
    scheme: str | None
    regions: tuple[str, ...]
    params: dict[str, Value | dict[str, Value]]
    inputs: dict[str, Value | dict[str, Value]]
    state: dict[str, Decimal]
    readings: dict[str, str] = attrs.field(factory=dict)  # choice → option, as the scenario asks
    # With "partial": true, the policy's regions the scenario leaves out: totals over the
    # region set then cover only the regions listed.
    missing: tuple[str, ...] = ()
    # What the case is, in words, by language ("zh", "en"): the explainer names the case by it
    # where it prices readings. A plain string serves every language.
    description: dict[str, str] = attrs.field(factory=dict)
    # Persons, employers, institutions (compiler/scenario_entities.py); their inputs are in
    # `inputs`, by entity id.
    entities: Entities = NO_ENTITIES


class ScenarioReader(Reader):
    """Reads composed scenarios against a checked policy; `errors` collects what is wrong."""

    def __init__(self, checked: CheckedPolicy) -> None:
        super().__init__()
        self.checked = checked
        self.scope = checked.scope
        self.given: set[tuple[str, str]] = set()
        self.earlier: dict[int, dict[str, Value | dict[str, Value]]] = {}  # inputs of the periods read before
        self.per_scheme = SchemeValues(self, checked)  # 每险种: values given per scheme
        self.per_month = MonthValues(self, checked)  # 每月: a year's values as a list

    # ---- values

    def value(self, node: yaml.Node, field: str, t: Type, decl: object) -> Value | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.error(node, field, f"应为{t.scalar().describe('zh')}", f"expected {t.scalar().describe('en')}")
            return None
        text = str(node.value).strip()
        if len(text) > docread.LONGEST:  # no value is this long; do not echo megabytes back, nor parse them
            self.error(node, field, f"值过长({len(text)} 个字符)", f"the value is too long ({len(text)} characters)")
            return None
        if t.base is Base.BOOL:
            truth = docread.boolean(text)
            if truth is not None:
                return truth
            self.error(node, field, f"“{text}”不是布尔值(是/否、true/false)", f"‘{text}’ is not a boolean (true/false)")
            return None
        if t.base is Base.ENUM:
            assert t.enum is not None
            members = [m.text for m in self.scope.enums[t.enum].members]
            if text not in members:
                self.error(
                    node,
                    field,
                    f"“{text}”不是{t.enum}的成员({'、'.join(members)})",
                    f"‘{text}’ is not one of {t.enum}: {', '.join(members)}",
                )
                return None
            return text
        if not t.numeric:
            return text
        return self.number(node, field, text, t, decl)

    def number(self, node: yaml.Node, field: str, text: str, t: Type, decl: object) -> Decimal | None:
        text = plain_number(text, t.base)  # 48.2亿元, 4,820,000,000.00 → plain digits
        digits, percent = docread.percent(text) if t.base is Base.RATIO else (text, False)
        if t.base is Base.MONTHS:  # "3个月", "3 months" as well as "3"
            digits = _MONTHS_UNIT.sub("", digits)
        d = docread.decimal(digits)
        if d is None:
            self.error(node, field, f"“{text}”不是数字", f"‘{text}’ is not a number")
            return None
        if not d.is_finite():
            self.error(node, field, f"“{text}”不是有限的数", f"‘{text}’ is not a finite number")
            return None
        if abs(d.adjusted()) > 15:
            self.error(node, field, f"“{text}”超出可处理的范围", f"‘{text}’ is out of range")
            return None
        if percent:
            d = shift(d, -2)
        signed = isinstance(decl, ir.InputDecl) and decl.signed
        if d < 0 and not signed:
            self.error(node, field, f"不能为负:{text}", f"cannot be negative: {text}")
            return None
        if t.base is Base.MONEY and d != d.quantize(Decimal("0.01")):
            self.error(
                node, field, f"金额最多两位小数(到分):{text}", f"money has at most two decimal places (fen): {text}"
            )
            return None
        if t.base is Base.COUNT and d != d.to_integral_value():
            self.error(node, field, f"人数须为整数:{text}", f"a count must be a whole number: {text}")
            return None
        if isinstance(decl, ir.ParamDecl):
            for b in decl.bounds:
                limit = fold(b.expr, self.scope.values)
                if limit is None:
                    continue
                low = b.kind is ir.BoundKind.MIN
                if (low and d < limit) or (not low and d > limit):
                    word = ("不低于", "at least") if low else ("不高于", "at most")
                    shown = _show(b.expr, limit, t)
                    self.error(
                        node,
                        field,
                        f"{text} 超出范围:须{word[0]} {shown}",
                        f"{text} is out of range: must be {word[1]} {shown}",
                    )
                    return None
        return d

    # ---- sections

    def read(self, root: yaml.Node, file: str) -> Scenario | None:
        period: int | None = None
        scheme: str | None = None
        params: dict[str, Value | dict[str, Value]] = {}
        inputs: dict[str, Value | dict[str, Value]] = {}
        state: dict[str, Decimal] = {}
        regions: list[str] = []
        state_nodes: yaml.Node | None = None  # read after regions, which it may name
        regions_node: yaml.Node | None = None
        readings: dict[str, str] = {}
        entity_node: yaml.Node | None = None
        history_node: yaml.Node | None = None
        entities = NO_ENTITIES
        partial: bool | None = None
        description: dict[str, str] = {}
        policy = self.checked.policy
        for key, k, v in self.mapping(root, ""):
            if key not in _TOP:
                self.unknown(k, key, sorted(_TOP))
            elif key == "period":
                period = self.period(v, policy)
            elif key == "scheme":
                scheme = self.scheme(v, policy)
            elif key == "params":
                for name, kn, vn in self.per_month.expand(self.mapping(v, "params"), "params"):
                    self.param(name, kn, vn, params)
            elif key == "schemes":
                self.per_scheme.section(v, lambda n, kn, vn, r, f: self.input(n, kn, vn, inputs, r, f))
            elif key == "global":
                for name, kn, vn in self.per_month.expand(self.mapping(v, "global"), "global"):
                    self.input(name, kn, vn, inputs, None)
            elif key == "regions":
                regions, regions_node = self.regions(v, inputs), v
            elif key == "state":
                state_nodes = v
            elif key == "entities":
                entity_node = v
            elif key == "history":
                history_node = v
            elif key == "readings":
                self.readings(v, readings)
            elif key == "partial":
                got = self.value(v, "partial", Type(Base.BOOL), None)
                partial = got if isinstance(got, bool) else None
            elif key == "description":
                description = self.description(v)
        if entity_node is not None:
            known = [r.text for r in self.scope.regions(policy)]
            entities, named = EntityTables(self, self.checked, self.value).read(entity_node, regions, known, inputs)
            if not regions:
                regions = named  # a scenario listing only entities: the regions they are in
        if state_nodes is not None:
            self.state(state_nodes, state, regions, entities)
        regional = next(
            (
                n
                for n, d in self.scope.values.items()
                if isinstance(d, ir.InputDecl)
                and self.checked.types[n].per_region
                and self.checked.types[n].entity is None
            ),
            None,
        )
        if regional is not None and not regions and not self.errors:
            where = regions_node if regions_node is not None else root
            self.error(
                where,
                "regions",
                f"没有列出任何地区;本政策按地区计算(如“{regional}”),请在 regions 下逐个列出",
                f"lists no region; the policy computes per region (‘{regional}’, …): list each region under `regions`",
            )
        scheme_input = next(
            (
                n
                for n, d in self.scope.values.items()
                if isinstance(d, ir.InputDecl) and d.implicit and d.type.name.text == n  # 险种: its own enumeration
            ),
            None,
        )
        Years(self, self.checked, self.input, self.per_month.expand).fill(
            root, history_node, period, regions, inputs, self.earlier
        )
        if scheme is not None and scheme_input is not None:
            inputs[scheme_input] = scheme  # rules may read 险种
        elif scheme_input is not None and scheme_input not in inputs and self._reads(scheme_input):
            self.error(
                root,
                "scheme",
                "本政策的规则因险种而不同,须给出 scheme",
                "the policy's rules differ by scheme: give `scheme`",
            )
        if policy is not None and scheme is not None and period is not None:
            for started, start in policy.header.scheme_starts:
                if started.text == scheme and period < start.first.year:
                    self.error(
                        root,
                        "period",
                        f"{scheme}自{start.text}起实施,{period}年不能按{scheme}结算",
                        f"{scheme} starts {start.first.isoformat()}: {period} cannot be settled for it",
                    )
        missing = self.missing(regions)
        if missing and not partial and not self.errors:
            totals = "、".join(uses_regions_together(self.checked)[:3])
            self.error(
                regions_node if regions_node is not None else root,
                "regions",
                f"缺少本政策地区集中的 {len(missing)} 个地区:{'、'.join(missing)};“{totals}”等按全部地区合计或分摊,"
                f'只列部分地区会算出别的结果。请列出全部地区,或写明 "partial": true',
                f"{len(missing)} of the policy's regions are missing: {', '.join(missing)}; ‘{totals}’ and others "
                "sum or share "
                f'over every region, so a subset gives other amounts. List every region, or say "partial": true',
            )
        if self.errors:
            return None
        scen = Scenario(
            file, period, scheme, tuple(regions), params, inputs, state, readings, missing, description, entities
        )
        self.given.clear()
        return scen

    def missing(self, regions: list[str]) -> tuple[str, ...]:
        """The policy's regions a scenario leaves out, where that changes a total: some value
        or rule sums or shares over the whole region set. A scenario naming no region is
        reported on its own."""
        known = [r.text for r in self.scope.regions(self.checked.policy)]
        if not regions or not known or not uses_regions_together(self.checked):
            return ()
        return tuple(r for r in known if r not in regions)

    def description(self, v: yaml.Node) -> dict[str, str]:
        """A sentence saying what the case is: text, or text by language {"zh": …, "en": …}."""
        sentence = " ".join(text_of(v).split())
        if sentence:
            return {"zh": sentence, "en": sentence}
        if isinstance(v, yaml.MappingNode):
            out: dict[str, str] = {}
            for lang, kn, vn in self.mapping(v, "description"):
                if lang not in ("zh", "en"):
                    self.error(kn, f"description.{lang}", "应为 zh 或 en", "expected zh or en")
                elif not text_of(vn):
                    self.error(vn, f"description.{lang}", "应为一句文字", "expected a sentence of text")
                else:
                    out[lang] = " ".join(text_of(vn).split())
            if out:
                return {"zh": out.get("zh") or out["en"], "en": out.get("en") or out["zh"]}
        self.error(
            v, "description", '应为一句文字,或 {"zh": …, "en": …}', 'expected a sentence of text, or {"zh": …, "en": …}'
        )
        return {}

    def readings(self, v: yaml.Node, out: dict[str, str]) -> None:
        written = self.checked.written or self.checked.program
        known = {c.name.text: [o.name.text for o in c.options] for c in choices(written)}
        for name, kn, vn in self.mapping(v, "readings"):
            field = f"readings.{name}"
            if name not in known:
                have = "、".join(known) or "无"
                self.error(
                    kn,
                    field,
                    f"政策没有这个解读(有:{have})",
                    f"the policy has no such choice of readings (it has: {', '.join(known) or 'none'})",
                )
                continue
            text = text_of(vn)
            if text not in known[name]:
                self.error(
                    vn,
                    field,
                    f"“{text}”不是这个解读的选项({'、'.join(known[name])})",
                    f"‘{text}’ is not an option of this choice ({', '.join(known[name])})",
                )
                continue
            out[name] = text

    def _reads(self, name: str) -> bool:
        """Whether any value or rule of the policy reads `name`."""
        decls = [*self.scope.values.values(), *self.scope.constraints]
        return any(isinstance(e, ir.Name) and e.name == name for d in decls for top in decl_exprs(d) for e in walk(top))

    def state(self, v: yaml.Node, state: dict[str, Decimal], regions: list[str], entities: Entities) -> None:
        """Opening balances by ledger account: a per-region fund gives one per region, a fund
        kept per scheme one per scheme ({职工医保: …, 居民医保: …}, or 统筹基金(职工医保): …), a 挂账
        rule paying each entity one claim per entity (its id)."""
        for name, kn, vn in self.mapping(v, "state"):
            if name not in plan_of(self.checked).balances and name in self.per_scheme.funds:
                put = lambda n, k, x, _, f: self.state_one(n, k, x, f, state, regions, entities)  # noqa: E731
                self.per_scheme.keyed(name, vn, f"state.{name}", None, put, complete=False)
            else:
                self.state_one(name, kn, vn, f"state.{name}", state, regions, entities)

    def state_one(
        self,
        name: str,
        kn: yaml.Node,
        vn: yaml.Node,
        field: str,
        state: dict[str, Decimal],
        regions: list[str],
        entities: Entities,
    ) -> None:
        plan = plan_of(self.checked)
        kind = plan.by_name[name].entity if name in plan.by_name else None
        if kind is not None:  # claims of a 挂账 rule paying each entity: by id
            ids = entities.of(kind)
            for id_, rk, rv in self.mapping(vn, field):
                at = f"{field}.{id_}"
                if id_ not in ids:
                    self.error(rk, at, f"不是本情景的{kind}", f"is not one of this scenario's {kind}")
                    continue
                got = self.value(rv, at, Type(Base.MONEY), None)
                if isinstance(got, Decimal):
                    state[account(name, id_)] = got
            return
        per_region = plan.balances.get(name)  # carried funds, and claims under a 挂账 rule's name
        if per_region is None:
            self.error(kn, field, "不是结转的资金或挂账的规则", "is not a carried fund or a rule with carried claims")
            return
        if not per_region:
            got = self.value(vn, field, Type(Base.MONEY), None)
            if isinstance(got, Decimal):
                state[name] = got
            return
        for region, rk, rv in self.mapping(vn, field):
            at = f"{field}.{region}"
            if regions and region not in regions:
                self.error(rk, at, "不是本情景的地区", "is not one of this scenario's regions")
                continue
            got = self.value(rv, at, Type(Base.MONEY), None)
            if isinstance(got, Decimal):
                state[account(name, region)] = got

    def period(self, v: yaml.Node, policy: ir.Policy | None) -> int | None:
        text = str(v.value) if isinstance(v, yaml.ScalarNode) else ""
        if not (
            text.isascii() and text.isdigit() and len(text) <= 6
        ):  # isdigit alone takes ², and int() chokes on a million digits
            self.error(v, "period", "应为年份,如 2026", "expected a year such as 2026")
            return None
        year = int(text)
        if policy is not None:
            h = policy.header
            first = h.effective_from.first.year if h.effective_from else None
            last = h.effective_to.value.year if h.effective_to else None
            if (first is not None and year < first) or (last is not None and year > last):
                span = f"{first or ''}–{last or ''}"
                self.error(
                    v,
                    "period",
                    f"{year}年不在政策生效期内({span})",
                    f"{year} is outside the policy's effective period ({span})",
                )
                return None
        return year

    def scheme(self, v: yaml.Node, policy: ir.Policy | None) -> str | None:
        schemes = [s.text for s in policy.header.schemes] if policy else []
        text = str(v.value) if isinstance(v, yaml.ScalarNode) else ""
        if text not in schemes:
            self.error(
                v,
                "scheme",
                f"应为以下险种之一:{'、'.join(schemes) or '(政策未列险种)'}",
                f"expected one of the schemes: {', '.join(schemes) or '(none declared)'}",
            )
            return None
        return text

    def param(
        self, name: str, kn: yaml.Node, vn: yaml.Node, params: dict[str, Value | dict[str, Value]], at: str = ""
    ) -> None:
        field = at or f"params.{name}"
        decl = self.scope.values.get(name)
        if decl is None and self.per_scheme.per_scheme(name):
            self.per_scheme.keyed(name, vn, field, None, lambda n, k, v, _, f: self.param(n, k, v, params, f))
            return
        if not isinstance(decl, ir.ParamDecl):
            self.error(kn, field, "不是参数", "is not a parameter")
            return
        if decl.value is not None and not decl.bounds:
            self.error(
                kn,
                field,
                "是固定参数(有值且未声明范围),情景不能改变它",
                "is fixed (a value and no bounds); a scenario cannot change it",
            )
            return
        t = self.checked.types[name]
        if t.per_region and isinstance(vn, yaml.MappingNode):  # one value a region, as an example gives
            known = [r.text for r in self.scope.regions(self.checked.policy)]
            per: dict[str, Value] = {}
            for region, rk, rv in self.mapping(vn, field):
                if known and region not in known:
                    self.error(
                        rk, f"{field}.{region}", "不是政策地区集中的地区", "is not a region of the policy's region set"
                    )
                    continue
                one = self.value(rv, f"{field}.{region}", t, decl)
                if one is not None:
                    per[region] = one
            params[name] = per
            return
        got = self.value(vn, field, t, decl)
        if got is not None:
            params[name] = got

    def input(
        self,
        name: str,
        kn: yaml.Node,
        vn: yaml.Node,
        table: dict[str, Value | dict[str, Value]],
        region: str | None,
        at: str = "",
    ) -> None:
        field = at or (f"regions.{region}.{name}" if region else f"global.{name}")
        decl = self.scope.values.get(name)
        if decl is None and self.per_scheme.per_scheme(name):
            self.per_scheme.keyed(name, vn, field, region, lambda n, k, v, r, f: self.input(n, k, v, table, r, f))
            return
        if not isinstance(decl, ir.InputDecl):
            known = [n for n, d in self.scope.values.items() if isinstance(d, ir.InputDecl)]
            self.error(kn, field, f"不是输入(可用:{'、'.join(known)})", f"is not an input (known: {', '.join(known)})")
            return
        t = self.checked.types[name]
        if t.entity is not None:
            self.error(
                kn,
                field,
                f"按{t.entity}逐个取值的输入须写在 entities.{t.entity} 的记录中",
                f"an input per {t.entity} belongs in the records of entities.{t.entity}",
            )
            return
        if t.per_region != (region is not None):
            where = (
                ("按地区的输入须写在 regions 下", "a per-region input belongs under regions")
                if t.per_region
                else ("全局输入须写在 global 下", "a global input belongs under global")
            )
            self.error(kn, field, *where)
            return
        if region is not None:
            self.given.add((name, region))  # present, even if its value is rejected below
        got = self.value(vn, field, t, decl)
        if got is None:
            return
        if region is None:
            table[name] = got
        else:
            per = table.setdefault(name, {})
            assert isinstance(per, dict)
            per[region] = got

    def regions(self, v: yaml.Node, inputs: dict[str, Value | dict[str, Value]]) -> list[str]:
        known = [r.text for r in self.scope.regions(self.checked.policy)]
        names: list[str] = []
        region_nodes: dict[str, yaml.Node] = {}
        for region, kn, vn in self.mapping(v, "regions"):
            if known and region not in known:
                self.error(
                    kn,
                    f"regions.{region}",
                    f"不是{_region_set_name(self.checked)}中的地区",
                    "is not a region of the policy's region set",
                )
                continue
            names.append(region)
            region_nodes[region] = kn
            here = f"regions.{region}"
            for name, kn2, vn2 in self.per_month.expand(self.mapping(vn, here), here):
                self.input(name, kn2, vn2, inputs, region)
        # A per-region input given for some regions must be given for all of them.
        for name in sorted({n for n, _ in self.given}):
            for region in names:
                if (name, region) not in self.given and f"regions.{region}.{name}" not in self.per_month.refused:
                    self.error(
                        region_nodes[region],
                        f"regions.{region}.{name}",
                        "缺少这一输入(其他地区都给了)",
                        "is missing (other regions give it)",
                    )
        return names


def _show(e: ir.Expr, limit: Fraction, t: Type) -> str:
    """A bound as the drafter wrote it, or, for an expression, its value in the parameter's unit."""
    if isinstance(e, ir.Num):
        return e.text
    number = to_decimal(limit * 100 if t.base is Base.RATIO else limit).normalize()
    return f"{number:f}" + ("%" if t.base is Base.RATIO else "元" if t.base is Base.MONEY else "")


def load(
    path: Source, checked: CheckedPolicy, encoding: str | None = None
) -> tuple[Scenario | None, list[ScenarioError]]:
    scenarios, errors = load_periods(path, checked, encoding)
    if errors or not scenarios:
        return None, errors
    if len(scenarios) > 1:
        return None, [
            ScenarioError(
                "periods",
                1,
                1,
                "这个文件有多期,请用 pool simulate",
                "this file holds several periods: use pool simulate",
            )
        ]
    return scenarios[0], []


def load_periods(
    path: Source, checked: CheckedPolicy, encoding: str | None = None
) -> tuple[list[Scenario], list[ScenarioError]]:
    """One scenario, or several under `periods: [...]` (state given only for the first).
    JSON, YAML, or a spreadsheet (.xlsx, .csv: compiler/sheets); `encoding` for a text
    file that is not UTF-8; or a Document, JSON text a client sent to `pool serve`."""
    root, errors = compose(path, encoding)
    shown = path.name if isinstance(path, Document) else Path(path).as_posix()
    if root is None:
        return [], errors
    return load_tree(root, checked, shown)


def load_tree(root: yaml.Node, checked: CheckedPolicy, shown: str) -> tuple[list[Scenario], list[ScenarioError]]:
    """`load_periods` of a scenario already composed: from a file, a spreadsheet, or data
    (compiler/sheets/frames.py, whose values carry no position: line 0)."""
    reader = ScenarioReader(checked)
    items = [root]
    if docread.has_key(root, ["periods"]):
        items = []
        for key, k, v in reader.mapping(root, ""):
            if key != "periods":
                reader.error(k, key, "多期文件只能包含 periods", "a file of several periods holds only ‘periods’")
            elif not isinstance(v, yaml.SequenceNode) or not v.value:
                reader.error(v, "periods", "应为非空的列表", "expected a non-empty list")
            else:
                items = list(v.value)
    out: list[Scenario] = []
    for i, item in enumerate(items):
        before = len(reader.errors)
        scen = reader.read(item, shown)
        if scen is not None and scen.period is not None:
            reader.earlier[scen.period] = dict(scen.inputs)  # what the next periods' 前N年 read
        if scen is not None and len(reader.errors) == before:
            if i > 0 and scen.state:
                reader.error(
                    item,
                    f"periods[{i}].state",
                    "期初余额由上一期结转,不能再给出",
                    "balances carry over from the previous period and cannot be given again",
                )
            out.append(scen)
    if reader.errors:
        return [], reader.errors
    return out, []


def compose(source: Source, encoding: str | None = None) -> Composed:
    """A scenario's tree before it is checked against a policy: of a file (JSON, YAML or a
    spreadsheet) or of a Document."""
    if isinstance(source, Document):
        if len(source.text) > MAX_BYTES:  # characters, not bytes: the caller limits the bytes it receives
            mb = MAX_BYTES // (1024 * 1024)
            return None, [
                docread.whole(
                    f"情景超过 {mb} MB,不是一期的情景数据",
                    f"the scenario is larger than {mb} MB, too large for one period",
                )
            ]
        return docread.compose_text(source.text, source.name.lower().endswith(".json"))
    path = Path(source)
    if not is_spreadsheet(path):
        return docread.compose_file(path, MAX_BYTES, _WHAT, encoding)
    data, errors = docread.read_file(path, MAX_BYTES, _WHAT)
    if data is None:
        return None, errors
    try:
        return compose_scenario(data, path.name, encoding), []
    except SheetError as e:
        return None, docread.sheet_errors(e)


def _region_set_name(checked: CheckedPolicy) -> str:
    policy = checked.policy
    return policy.header.region_set.text if policy is not None and policy.header.region_set is not None else ""
