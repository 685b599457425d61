"""Hostile names and texts cannot change what the generated code computes, nor the structure
of the explainer page (HTML and Markdown) or of the DOT graph.

One policy template is filled twice: with plain names and texts, and with hostile ones —
Python keywords and the generated code's own local names as identifiers, names that NFKC
folds together, 原文 that closes strings, comments, tags, table cells and DOT labels, with
\\n escapes, NUL, \\r and U+2028. Both must check clean; the compiled evaluator must give the
same amounts on the same data; the HTML must have the same tags in the same order, the
Markdown the same headings and table cells, the DOT the same statements.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from budget import fuzz, tally
from hypothesis import assume, given
from hypothesis import strategies as st
from policygen import check_source

from compiler.codegen.python import generate
from compiler.evaluate import compiled_module
from compiler.explain.render import render_html, render_markdown
from compiler.explain.viewmodel import build
from compiler.parsing.parser import _keywords
from compiler.tools.graph import to_dot

TEMPLATE = """政策 {P} {{
  依据 {S0}
  地区集 {RS} {{ {R1}、{R2} }}  原文 {S1}
  地区 {RS}
  枚举 {E} {{ {M1}、{M2} }}  原文 {S2}
  参数 {PA}: 比例 = 10%  不低于 5%  原文 {S3}  条款 {S4}  授权 {S5}
  输入 {IN}: 金额 每地区  原文 {S6}
  输入 {IC}: 人数 每地区
  输入 {IE}: {E} 每地区  默认 {M1}
  令 {L} = {IN} × {PA}  原文 {S7}
  主体 {PT}  原文 {S8}
  资金 {F}  原文 {S9} {{
    上解 {C} = {L}  自 各地区  原文 {S10}  条款 {S11}
    分配 {A} = 全部 × 50%  至 各地区  按 {IC}  原文 {S12}
    转移 {T} = 剩余  至 {PT}  原文 {S13}
  }}
  资金 {K} 结转 {{
    补助 {PY} = {IN} × 1%  至 各地区  不足时 挂账  原文 {S14}
      例外 {IE} = {M2} => 0元  原文 {S15}
  }}
  时间表 {{
    2026年6月底 前: {S16}  责任 {S17}
  }}
  例 {S18} {{
    地区 {R1}、{R2}
    已知 {IN} = {{{R1}: 100元, {R2}: 300元}}
    已知 {IC} = {{{R1}: 1, {R2}: 3}}
    期望 {C} = {{{R1}: 10元, {R2}: 30元}}
  }}
}}
"""
NAMES = ["P", "RS", "R1", "R2", "E", "M1", "M2", "PA", "IN", "IC", "IE", "L", "PT", "F", "C", "A", "T", "K", "PY"]
TEXTS = [f"S{i}" for i in range(19)]
# Identifiers the lexer accepts that mean something to Python or to the generated module.
HOSTILE_NAMES = [
    "class",
    "None",
    "True",
    "self",
    "import",
    "lambda",
    "__import__",
    "__init__",
    "__class__",
    "_private",
    "print",
    "exec",
    "eval",
    "os",
    "sys",
    "rt",
    "D",
    "Decimal",
    "result",
    "r",
    "q",
    "total",
    "weights",
    "parts",
    "amt",
    "left",
    "need",
    "pieces",
    "regions",
    "ledger",
    "values",
    "opening",
    "evaluate",
    "run",
    "Inputs",
    "Params",
    "State",
    "ｃｌａｓｓ",
    "ﬁle",
    "file",
    "Ｒｔ",
    "ℌ",
    "H",
    "ǅ",
    "Ⅸ",
    "IX",
    "ⅸ",
    "ix",
    "µ",
    "μ",
    "Å",
    "Å",
    "ſ",
    "s",
    "ꓐ",
    "n0",
    "f0",
    "p_x",
    "i_x",
    "all_f0",
    "script",
    "style",
    "svg",
    "digraph",
    "node",
    "edge",
    "subgraph",
    "graph",
    "strict",
]
HOSTILE_NAMES = [n for n in HOSTILE_NAMES if n not in set(_keywords().values())]  # `opening` is a keyword
# Texts (as the drafter means them; written into the source with escapes) that close a Python
# string or comment, an HTML tag or comment, a Markdown table cell or heading, a DOT label.
PAYLOADS = [
    '"""',
    "'''",
    "\\",
    "\n",
    "\t",
    '"',
    "*/",
    "-->",
    "<!--",
    "</script><script>alert(1)</script>",
    "<b>x</b>",
    "<img src=x onerror=alert(1)>",
    "&amp;",
    "&#x3c;",
    "]]>",
    "{{ 7*7 }}",
    "{% raw %}",
    "${x}",
    "| a | b |",
    "\\|",
    "`",
    "```",
    "# 标题",
    "[x](javascript:alert(1))",
    "<",
    ">",
    '"];\n evil [label="',
    "\\l",
    "\\N",
    "<<b>x</b>>",
    "{",
    "}",
    "\x00",
    "\x0b",
    "\x1c",
    "\u2028",
    "\u2029",
    "\u0085",
    "\u202e",
    "\ufeff",
    "\n\n# 注入\n| 1 | 2 |\n",
    "'); import os; os.system('x'); ('",
    "\nimport os\n",
    "=cmd|' /C calc'!A0",
    "\n---\n",
    "\n- 列表\n",
]
PLAIN_NAMES = {n: f"名{i}" for i, n in enumerate(NAMES)}


def _literal(value: str) -> str:
    """A pool string literal whose value is exactly `value`."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


DISCRETION = (
    "原则上",
    "原則上",
    "一定比例",
    "等因素",
    "等原因",
    "按程序",
    "左右",
    "适当",
    "適當",
    "参照",
    "參照",
    "可",
)


@st.composite
def fills(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(HOSTILE_NAMES), min_size=len(NAMES), max_size=len(NAMES), unique=True))
    out = dict(zip(NAMES, names))
    for t in TEXTS:
        # A lone CR ends a line (issue 14 item 5), so it can no more be inside a quote than \n can.
        parts = draw(
            st.lists(
                st.sampled_from(PAYLOADS)
                | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=3),
                min_size=1,
                max_size=4,
            )
        )
        text = "字" + "".join(parts)  # never empty: an empty 原文 is rightly left out of the page
        # A 原文 with a word of discretion (可, 参照, …) rightly draws W505; this test is about
        # what hostile text does to output, not about readings.
        assume(not any(w in text for w in DISCRETION))
        out[t] = _literal(text)
    return out


def _plain() -> dict[str, str]:
    return PLAIN_NAMES | {t: f'"文字{i}"' for i, t in enumerate(TEXTS)}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(f"<{tag} {' '.join(sorted(k for k, _ in attrs))}>")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"</{tag}>")


def _html_shape(page: str) -> list[str]:
    p = _Tags()
    p.feed(page)
    return p.tags


_CELL = re.compile(r"(?<!\\)\|")


def _md_shape(page: str) -> list[str]:
    """Headings, fences and the number of cells of each table row (an escaped \\| is text)."""
    out = []
    for line in page.split("\n"):
        if line.startswith("#") or line.startswith("```"):
            out.append(line.split(" ")[0])
        elif line.startswith("|"):
            out.append("row " + str(len(_CELL.findall(line))))
    return out


def _dot_shape(dot: str) -> str:
    return re.sub(r'"(\\.|[^"\\])*"', "S", dot)


def _evaluate(source: str, names: dict[str, str]) -> list[tuple[str, Decimal]]:
    checked = check_source(source)
    module = compiled_module(checked, source)
    n = names
    inputs = {
        n["IN"]: {n["R1"]: Decimal("100.00"), n["R2"]: Decimal("300.00")},
        n["IC"]: {n["R1"]: Decimal(1), n["R2"]: Decimal(3)},
        n["IE"]: {n["R1"]: n["M1"], n["R2"]: n["M2"]},
    }
    out = module.evaluate([n["R1"], n["R2"]], {}, inputs, {n["K"]: Decimal("1000.00")})
    order = {v: k for k, v in n.items() if k in NAMES}  # hostile name → slot, so the two runs compare
    return [
        (f"{order.get(t.source, t.source)}>{order.get(t.dest, t.dest)}:{order[t.rule]}", t.amount)
        for t in out.transfers
    ]


@fuzz(40)
@given(fills())
def test_hostile_names_and_texts_change_neither_results_nor_structure(fill: dict[str, str]) -> None:
    plain = TEMPLATE.format(**_plain())
    hostile = TEMPLATE.format(**fill)
    checked_plain, checked = check_source(plain), check_source(hostile)
    code = generate(checked, 'evil"""\n.pool', hostile)
    tree = ast.parse(code)
    imports = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imports |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imports <= {
        "__future__",
        "dataclasses",
        "decimal",
        "fractions",
        "typing",
        "collections.abc",
        "compiler",
        "compiler.runtime",
    }, imports
    assert _evaluate(hostile, fill) == _evaluate(plain, PLAIN_NAMES)
    for lang in ("zh", "en"):
        assert _html_shape(render_html(build(checked, lang))) == _html_shape(render_html(build(checked_plain, lang)))
        assert _md_shape(render_markdown(build(checked, lang))) == _md_shape(
            render_markdown(build(checked_plain, lang))
        )
        assert _dot_shape(to_dot(checked, lang)) == _dot_shape(to_dot(checked_plain, lang))
    tally("injection: hostile policies (code, HTML, Markdown, DOT, zh and en)")


def test_the_template_is_plain_when_filled_plainly(tmp_path: Path) -> None:
    checked = check_source(TEMPLATE.format(**_plain()))
    assert [t for t in _evaluate(TEMPLATE.format(**_plain()), PLAIN_NAMES)] != []
    assert "<script>" not in render_html(build(checked, "zh")).split("</style>", 1)[1].split("<script", 1)[0]
