"""The passes declare what they need; the passes before them record what they established."""

from __future__ import annotations

from pathlib import Path

from compiler.checks import PASSES, check
from compiler.checks.context import Fact
from compiler.driver import check_source
from compiler.ir import nodes as ir
from compiler.parsing import parse_module
from compiler.readings import resolve
from compiler.source import SourceFile

GOOD = Path(__file__).parent / "fixtures" / "good" / "english_keywords_every_construct.pool"

_BASE = """policy 某市调剂金 {{
  input 征缴收入: money per region
  input 闲置输入: money
  enum 成因 {{ 正常, 挤占 }}
  input 缺口成因: 成因
  let 系数 = match 缺口成因 {{ 正常 => 100% }}
  fund 调剂金 {{
    collect 上解额 = {amount}  from each region  quote "按10%上解"
    allocate 分配额 = all  to each region  by 征缴收入  quote "全部分配"
  }}
}}
"""


def _codes(amount: str) -> set[str]:
    return {d.code for d in check_source(_BASE.format(amount=amount), "p.pool").diagnostics}


def test_a_clean_policy_establishes_every_fact_a_pass_needs() -> None:
    result = check_source(GOOD.read_text(encoding="utf-8"), GOOD.name, GOOD.parent)
    assert result.context is not None
    needed = set().union(*(p.needs for p in PASSES))
    assert needed == set(Fact)
    assert result.context.facts == set(Fact)


def test_value_passes_run_beside_a_match_left_open() -> None:
    # E410 is about what a match covers, not about types: the unused input is still reported.
    assert {"E410", "W501"} <= _codes("征缴收入 × 10%")


def test_a_misspelt_name_or_a_unit_error_silences_the_value_passes() -> None:
    assert "W501" not in _codes("征缴收人 × 10%")  # E201: a misspelt name is not an unused one
    assert "W501" not in _codes("征缴收入 + 10%")  # E301


def test_facts_follow_the_errors_of_the_pass_that_sets_out_to_establish_them() -> None:
    module, _ = parse_module(SourceFile("p.pool", _BASE.format(amount="征缴收入 + 10%")))
    assert module is not None
    ctx, _ = check(resolve(ir.Program(module, ()), {}))
    assert ctx.facts == {Fact.NAMES_RESOLVED, Fact.ACYCLIC, Fact.WITHIN_LIMITS}
