"""Per-scheme copies (每险种) in the 解读: each copy as its scheme reads it, a rule written once
described once, and every party named as the policy declares it."""

from __future__ import annotations

import re
from pathlib import Path

from compiler.driver import check_file
from compiler.explain.render import render_markdown
from compiler.explain.viewmodel import build

ROOT = Path(__file__).resolve().parent.parent
POLICY = re.search(r'POLICY = """\\?\n?(.*?)"""', (ROOT / "tests" / "test_schemes.py").read_text("utf-8"), re.S)


def _explain(path: Path, lang: str = "zh") -> str:
    checked = check_file(path).policy
    assert checked is not None
    return render_markdown(build(checked, lang))


def _flows(text: str) -> str:
    return text.split("资金流向", 1)[1].split("\n## ", 1)[0]


def test_a_finance_bureau_pays_as_itself_not_as_its_government() -> None:
    flows = _flows(_explain(ROOT / "policies" / "ningbo_city_pooling.pool"))
    assert "市财政 → 各区县（市）：正常缺口弥补（20%）" in flows  # 主体 市财政
    assert "区县（市）财政 → 各区县（市）：正常缺口弥补（80%）" in flows  # 主体 缺口地财政 每地区
    assert "区县（市）政府 → 各区县（市）：考核补足额" in flows  # 主体 区县政府 每地区
    assert "市政府" not in flows
    jilin = _flows(_explain(ROOT / "policies" / "jilin_city_pooling.pool"))
    assert "市州财政 → 各县（市、区）：缺口弥补" in jilin
    assert "市州政府 → 各县（市、区）：市州政府补足额" in jilin
