"""Lowering (compiler/parsing/lower.py, lower_expr.py): a Lark Transformer with one
method per grammar rule or alias, spans from each node's position, no recursion."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

from compiler.ir import nodes as ir
from compiler.parsing import parse_module
from compiler.parsing.lower import Lowering
from compiler.parsing.parser import build_parser
from compiler.source import SourceFile, Span

ROOT = Path(__file__).resolve().parent.parent


def _module(text: str) -> ir.Module:
    module, diags = parse_module(SourceFile("t.pool", text))
    assert module is not None and diags == [], diags
    return module


def test_every_tree_the_parser_builds_has_its_own_lowering_method() -> None:
    """Lark hands a tree with no method to __default__, which would put a raw Tree into the IR."""
    missing = set()
    for rule in build_parser(propagate_positions=True).rules:
        name = rule.alias or rule.origin.name
        if str(name).startswith("_"):
            continue  # inlined: _rule, and Lark's own __x_star_0 repetitions
        kept = [s for s in rule.expansion if not (s.is_term and getattr(s, "filter_out", False))]
        if rule.options.expand1 and not rule.alias and len(kept) == 1:
            continue  # ?rule with one child: replaced by the child
        if not hasattr(getattr(Lowering, str(name), None), "visit_wrapper"):
            missing.add(str(name))
    assert sorted(missing) == []


_POLICY = """政策 甲 {
  输入 收入: 金额 每地区  原文 "q"
  资金 池 {
    上解 上解额 = 收入 × 10%  自 各地区  当 收入 > 0元
  }
}
"""


def _at(line: int, col: int, end_line: int, end_col: int) -> Span:
    return Span("t.pool", line, col, end_line, end_col)


def test_spans_come_from_each_node_as_written() -> None:
    module = _module(_POLICY)
    assert module.policy is not None
    inp, fund = module.policy.decls
    assert isinstance(inp, ir.InputDecl) and isinstance(fund, ir.FundDecl)
    assert inp.span == _at(2, 3, 2, 24)
    assert inp.type.span == _at(2, 10, 2, 16) and inp.type.per_region
    assert inp.literate.span == _at(2, 18, 2, 24)  # the clauses
    assert fund.literate.span == fund.span == _at(3, 3, 5, 4)  # none: the declaration
    (rule,) = fund.rules
    assert rule.fund is not None and rule.fund.text == "池"  # learnt from the block around it
    assert rule.kind is ir.RuleKind.COLLECT
    assert rule.span == _at(4, 5, 4, 40) and rule.name.span == _at(4, 8, 4, 11)
    assert isinstance(rule.amount, ir.Binary) and rule.amount.op == "*" and rule.amount.span == _at(4, 14, 4, 22)
    assert rule.source is not None and rule.source.name is None and rule.source.span == _at(4, 26, 4, 29)
    assert rule.cond is not None and rule.cond.span == _at(4, 33, 4, 40)


def test_a_rule_in_a_reading_inside_a_fund_belongs_to_the_fund() -> None:
    module = _module(
        "资金 池 {\n  解读 读法 {\n"
        "    选项 甲 { 补助 补 = 1元 }\n    选项 乙 { 补助 补 = 2元 }\n    默认 甲\n  }\n}\n"
        "补助 外 = 1元\n"
    )
    fund, outside = module.decls
    assert isinstance(fund, ir.FundDecl) and isinstance(outside, ir.Rule)
    ((before, choice),) = fund.choices
    assert before == 0 and choice.fund is not None and choice.fund.text == "池"
    assert {d.fund.text for o in choice.options for d in o.decls if isinstance(d, ir.Rule) and d.fund} == {"池"}
    assert outside.fund is None


def test_a_sum_of_thousands_of_terms_lowers_without_recursing() -> None:
    text = "令 和 = " + " + ".join(["收入"] * 3000) + "\n输入 收入: 金额\n"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 200)  # far below the tree's depth of 3,000
    try:
        module, diags = parse_module(SourceFile("t.pool", text))
    finally:
        sys.setrecursionlimit(limit)
    assert module is not None and diags == []
    let = module.decls[0]
    assert isinstance(let, ir.LetDecl) and isinstance(let.expr, ir.Binary)


def test_parsing_and_ir_import_no_private_name_and_ignore_no_type() -> None:
    private = []
    for path in [*(ROOT / "compiler" / "parsing").glob("*.py"), *(ROOT / "compiler" / "ir").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if "parsing" in path.parts:
            assert "type: ignore" not in text, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("compiler"):
                private += [(path.name, a.name) for a in node.names if a.name.startswith("_")]
    assert private == []
