"""`pool graph`: the dependency graph of a policy as Graphviz DOT (and SVG through `dot`).

Nodes are the parameters, inputs, derived values (令), rules, funds and parties,
and one node for the regions (各地区). Each fund is a cluster holding the fund and
the rules written in it. Thin grey edges run from what a value or rule reads to
it; bold gold edges are money: payer → rule → payee.

Node ids are generated (n1, n2, …) in declaration order and everything from the
policy goes into quoted, escaped labels, so no name or 原文 can break the DOT.
Edges are sorted by those ids: the same policy gives the same bytes on every run.
"""

from __future__ import annotations

import shutil
import subprocess

import attrs

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import month_of
from compiler.ir.walk import decl_exprs, walk
from compiler.plan import Endpoint, plan_of
from compiler.tools import ptext

_DATA = 'class="data", color="#9aa5b1", arrowsize=0.7'
_MONEY = 'class="money", style=bold, color="#b7791f", penwidth=2'
_REGIONS = ""  # the key of the regions node: no declared name is empty

_SHAPES = {
    "param": 'shape=note, style=filled, fillcolor="#ffffff"',
    "open": 'shape=note, style="filled,dashed", fillcolor="#fff8e1"',
    "input": 'shape=parallelogram, style=filled, fillcolor="#eef2f7"',
    "let": 'shape=ellipse, style=filled, fillcolor="#ffffff"',
    "rule": 'shape=box, style="rounded,filled", fillcolor="#fdf6e3"',
    "fund": 'shape=cylinder, style=filled, fillcolor="#e6edf5"',
    "party": 'shape=house, style=filled, fillcolor="#f5f5f5"',
    "regions": 'shape=tab, style=filled, fillcolor="#f3efe6"',
}


class GraphvizError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def quote(text: str) -> str:
    """A DOT quoted string. Backslashes are doubled (DOT would read \\N, \\l … as
    escapes), quotes escaped, line breaks become DOT's centred line break and other
    control characters a space."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    for line in lines:
        line = line.replace("\\", "\\\\").replace('"', '\\"')
        out.append("".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in line))
    return '"' + "\\n".join(out) + '"'


@attrs.define
class _Node:
    id: str
    kind: str
    lines: list[str]
    tooltip: str | None
    fund: str | None  # the cluster it is drawn in


class _Builder:
    def __init__(self, checked: CheckedPolicy, lang: str) -> None:
        self.plan = plan_of(checked)
        self.c = checked
        self.lang = lang
        self.nodes: dict[str, _Node] = {}
        self.edges: set[tuple[int, int, str]] = set()
        # Each month's copy of a value or rule kept 每月/按月 is drawn once, as written.
        self.written: dict[str, str] = {}
        self.units: dict[str, str] = {}  # drawn once for every month: the name as written → 月 or 季度
        for name in checked.scope.values:
            month = month_of(name)  # 费用(3月)(前1年): last year's months, once as 费用(前1年)
            if month is not None:
                self.written[name] = month[0]
                self.units[month[0]] = month[1]

    def key(self, name: str) -> str:
        return self.written.get(name, name)

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def add(self, key: str, kind: str, lines: list[str], decl: object = None, fund: str | None = None) -> None:
        lit = getattr(decl, "literate", None)
        tip = lit.quote.value if isinstance(lit, ir.Literate) and lit.quote is not None else None
        span = getattr(decl, "span", None)
        if span is not None:
            where = f"{span.file}:{span.line}"
            tip = f"{tip}\n{where}" if tip else where
        self.nodes[key] = _Node(f"n{len(self.nodes) + 1}", kind, lines, tip, fund)

    def declare(self) -> None:
        s, t = self.c.scope, self.t
        for full, d in s.values.items():
            name = self.key(full)
            if name in self.nodes:
                continue  # another month's copy, drawn already
            typ = self.c.types.get(full)
            per = t("(每地区)", " (per region)") if typ is not None and typ.per_region else ""
            if typ is not None and typ.entity is not None:
                per = t(f"(每{typ.entity})", f" (per {typ.entity})")
            each = ""
            if name in self.units:
                unit = self.units[name]
                word = "按" if isinstance(d, ir.Rule) else "每"  # a rule settles 按月, a value is kept 每月
                each = t(f" · {word}{unit}", " · by month" if unit == "月" else " · by quarter")
            per += each
            match d:
                case ir.ParamDecl(value=None):
                    self.add(name, "open", [name, t("参数 待定", "param (open)") + per], d)
                case ir.ParamDecl(value=value) if value is not None:
                    self.add(name, "param", [name, f"{t('参数', 'param')} = {ptext.expr(value, self.lang)}{per}"], d)
                case ir.InputDecl():
                    kind = f" · {typ.describe(self.lang)}" if typ else ""
                    self.add(name, "input", [name, t("输入", "input") + kind + each], d)
                case ir.LetDecl():
                    self.add(name, "let", [name, t("派生值", "derived") + per], d)
                case ir.Rule():
                    fund = d.fund.text if d.fund is not None else None
                    self.add(name, "rule", [name, ptext.kind_word(d.kind, self.lang) + per], d, fund)
        for name, p in s.parties.items():
            if isinstance(p, ir.FundDecl):
                words = [t("资金", "fund")] + [
                    ptext.field(f, self.lang) for f in ("carried", "per_region") if getattr(p, f, False)
                ]
                self.add(name, "fund", [name, " · ".join(words)], p, name)
            else:
                self.add(
                    name,
                    "party",
                    [name, t("主体", "party") + (t(" · 每地区", " · per region") if p.per_region else "")],
                    p,
                )

    def node_of(self, e: Endpoint | None) -> str | None:
        """The node of a plan endpoint: a party or fund, or the regions (各地区)."""
        if e is None:
            return None
        key = _REGIONS if e.name is None else e.name
        if key == _REGIONS and _REGIONS not in self.nodes:
            self.add(_REGIONS, "regions", [self.t("各地区", "each region")])
        return key if key in self.nodes else None

    def edge(self, src: str | None, dst: str | None, kind: str) -> None:
        if src is None or dst is None or src not in self.nodes or dst not in self.nodes or src == dst:
            return
        self.edges.add((self._index(src), self._index(dst), kind))

    def _index(self, key: str) -> int:
        return int(self.nodes[key].id[1:])

    def money(self, r: ir.Rule) -> None:
        """Payer → rule → payee, as the plan resolves them (the language's defaults included:
        a 上解 is paid by each region into its fund, other rules in a fund pay out of it)."""
        p = self.plan.rule(r.name.text)
        sources = [self.node_of(x.by) for t in p.tiers for x in t.payers] if p.tiers else [self.node_of(p.payer)]
        dests = [self.node_of(s.to) for s in p.shares] if p.shares else [self.node_of(p.payee)]
        for src in sources:
            self.edge(src, self.key(p.name), "money")
        for dst in dests:
            self.edge(self.key(p.name), dst, "money")

    def reads(self, name: str, d: ir.Decl) -> None:
        name = self.key(name)
        for e in decl_exprs(d):
            for sub in walk(e):
                if isinstance(sub, ir.Name):
                    self.edge(self.key(sub.name), name, "data")
                elif isinstance(sub, (ir.FundAll, ir.FundRemaining)) and isinstance(d, ir.Rule) and d.fund is not None:
                    self.edge(d.fund.text, name, "data")

    def build(self) -> str:
        self.declare()
        for name, d in self.c.scope.values.items():
            self.reads(name, d)
            if isinstance(d, ir.Rule):
                self.money(d)
        # Reading a fund's 全部 is implied by the money it pays out: one edge, the money one.
        self.edges -= {(a, b, "data") for a, b, k in self.edges if k == "money"}
        return self.render()

    def node_line(self, n: _Node, indent: str) -> str:
        attrs_ = [f"label={quote(chr(10).join(n.lines))}", _SHAPES[n.kind]]
        if n.tooltip:
            attrs_.append(f"tooltip={quote(n.tooltip)}")
        return f"{indent}{n.id} [{', '.join(attrs_)}];"

    def render(self) -> str:
        policy = self.c.policy
        title = policy.name.text if policy is not None else self.c.program.main.file
        out = [
            "digraph pool {",
            f'  graph [rankdir=LR, fontname="sans-serif", labelloc=t, label={quote(title)}];',
            '  node [fontname="sans-serif", fontsize=11];',
            '  edge [fontname="sans-serif"];',
        ]
        for i, fund in enumerate(self.c.scope.funds, 1):
            out.append(f"  subgraph cluster_{i} {{")
            out.append(f'    graph [label={quote(self.t("资金 ", "fund ") + fund)}, style="rounded", color="#34506b"];')
            out += [self.node_line(n, "    ") for n in self.nodes.values() if n.fund == fund]
            out.append("  }")
        out += [
            self.node_line(n, "  ") for n in self.nodes.values() if n.fund is None or n.fund not in self.c.scope.funds
        ]
        for a, b, kind in sorted(self.edges):
            out.append(f"  n{a} -> n{b} [{_MONEY if kind == 'money' else _DATA}];")
        out.append("}")
        return "\n".join(out) + "\n"


def to_dot(checked: CheckedPolicy, lang: str = "zh") -> str:
    return _Builder(checked, lang).build()


def to_svg(dot: str) -> str:
    """Lay the graph out with Graphviz's `dot`; GraphvizError when it is missing or fails."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError(
            "未安装 Graphviz:找不到 dot 命令。请安装 Graphviz(如 apt-get install graphviz),或用 --format dot 输出 DOT 文本。\n",
            "Graphviz is not installed: the dot command was not found. Install Graphviz (e.g. apt-get install "
            "graphviz), "
            "or use --format dot for the DOT text.\n",
        )
    try:
        done = subprocess.run([exe, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GraphvizError(f"无法运行 dot:{e}\n", f"cannot run dot: {e}\n") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", errors="replace").strip()
        raise GraphvizError(f"dot 未能生成 SVG:{err}\n", f"dot could not produce the SVG: {err}\n")
    return done.stdout.decode("utf-8", errors="replace")
