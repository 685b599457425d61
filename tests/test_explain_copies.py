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


def _policy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    assert POLICY is not None
    p = tmp_path / "schemes.pool"
    p.write_text(POLICY.group(1).replace(old, new), encoding="utf-8")
    return p


def test_a_copy_is_told_as_its_scheme_reads_it_and_one_that_never_pays_not_at_all(tmp_path: Path) -> None:
    zh = _explain(_policy(tmp_path))
    assert "职工医保为居民医保" not in zh and "居民医保为居民医保" not in zh
    assert "按职工医保确定" not in zh and "按居民医保确定" not in zh
    assert "**财政补助**。省财政向统筹基金（居民医保）补助100元。" in zh
    assert "3. 省财政向统筹基金（居民医保）补助100元。" in zh  # 主要内容
    assert "- **省财政**：向统筹基金（居民医保）补助。" in zh  # 对谁有什么影响
    flows = _flows(zh)
    assert "省财政 → 统筹基金（居民医保）：财政补助" in flows
    assert "省财政 → 统筹基金（职工医保）" not in flows and "省政府" not in flows
    en = _explain(_policy(tmp_path), "en")
    assert "**财政补助**. 省财政 pays 统筹基金(居民医保) ¥100." in en
    assert "职工医保 is 居民医保" not in en and "by 职工医保" not in en


def test_copies_that_read_alike_are_told_once_for_each_schemes_account(tmp_path: Path) -> None:
    zh = _explain(_policy(tmp_path))
    assert "职工医保、居民医保分设专户，专户之间不调剂" in zh
    assert "### （一）统筹基金（职工医保、居民医保）" in zh
    assert "**征缴**。各地区按险种分别向统筹基金上解征缴收入，上解比例为职工医保90%、居民医保80%。" in zh
    assert (
        "**支出**。由统筹基金按险种分别向医疗机构划转待遇支出；统筹基金不足以全额支付时，按应付金额的比例支付。" in zh
    )
    assert "**上解比例**：按险种确定：职工医保为90%；居民医保为80%。" in zh
    assert "2. 统筹基金（职工医保、居民医保）：各地区上解征缴收入，上解比例为职工医保90%、居民医保80%；" in zh
    assert "- **各地区**：向统筹基金（职工医保、居民医保）上解。" in zh
    assert "征缴（职工医保）" not in zh and "上解比例（职工医保）" not in zh
    flows = _flows(zh)
    assert "各地区 → 统筹基金（职工医保）：征缴（90%）" in flows  # the money still moves account by account
    assert "各地区 → 统筹基金（居民医保）：征缴（80%）" in flows
    en = _explain(_policy(tmp_path), "en")
    assert (
        "**征缴**. Scheme by scheme, each region pays 上解比例 (职工医保: 90%; 居民医保: 80%) of 征缴收入 into 统筹基金."
        in en
    )
    assert "**上解比例**: by scheme: 职工医保: 90%; 居民医保: 80%." in en
    assert "统筹基金 keeps one account per scheme." in en


def test_a_match_on_the_scheme_written_into_the_rule_reads_the_same(tmp_path: Path) -> None:
    p = _policy(tmp_path, "征缴收入 × 上解比例", "征缴收入 × 匹配 险种 { 职工医保 => 90%  居民医保 => 80% }")
    zh = _explain(p)
    assert "各地区按险种分别向统筹基金上解征缴收入，比例为职工医保90%、居民医保80%。" in zh
    assert "各地区 → 统筹基金（职工医保）：征缴（90%）" in _flows(zh)


def test_copies_that_differ_are_told_one_by_one(tmp_path: Path) -> None:
    p = _policy(tmp_path, "当 险种 = 居民医保", "当 险种 = 居民医保 或 待遇支出 > 1000元")
    zh = _explain(p)
    assert "**财政补助（职工医保）**。待遇支出（职工医保）超过1000元时，省财政向统筹基金（职工医保）补助100元。" in zh
    assert "**财政补助（居民医保）**。省财政向统筹基金（居民医保）补助100元。" in zh
    assert "- **省财政**：向统筹基金（职工医保、居民医保）补助。" in zh


EXAMPLE = re.search(r'EXAMPLE = """(.*?)"""', (ROOT / "tests" / "test_schemes.py").read_text("utf-8"), re.S)


def test_an_example_gives_per_scheme_values_as_written_and_names_copies_in_chinese(tmp_path: Path) -> None:
    assert EXAMPLE is not None
    text = EXAMPLE.group(1).replace("EXPECTED", "600元")
    text = text.replace('  例 "', '  转移 财政补助 = 100元  自 省财政  至 统筹基金  当 险种 = 居民医保\n  例 "')
    text = text.replace("居民医保: 0元}", "居民医保: 10元}\n    期望 财政补助 = {职工医保: 0元, 居民医保: 100元}")
    p = tmp_path / "example.pool"
    p.write_text(text, encoding="utf-8")
    checked = check_file(p).policy
    assert checked is not None
    zh = render_markdown(build(checked, "zh", appendix=True))
    assert "假设：征缴收入：职工医保1000元，居民医保500元；待遇支出：职工医保800元，居民医保600元；" in zh
    assert "(居民医保)" not in zh and "(职工医保)" not in zh  # 支出（职工医保）, typeset as Chinese
    assert "1. 支出（职工医保）为800元。" in zh
    assert "财政补助（职工医保） = 此项不适用于职工医保 = **0元**" in zh  # not 不符合“职工医保为居民医保”
    assert "职工医保为居民医保" not in zh


def test_a_parameter_kept_per_scheme_is_one_key_figure_by_scheme(tmp_path: Path) -> None:
    written = "令 上解比例 = 匹配 险种 { 职工医保 => 90%  居民医保 => 80% }"
    by_scheme = _policy(tmp_path, written, written.replace("令 上解比例 =", "参数 上解比例: 比例 每险种 ="))
    zh = _explain(by_scheme)
    assert "| 上解比例 | 职工医保为90%，居民医保为80% |" in zh
    assert "上解比例(职工医保)" not in zh and "上解比例（职工医保）" not in zh
    assert "各地区按险种分别向统筹基金上解征缴收入，上解比例为职工医保90%、居民医保80%。" in zh
    same = _policy(tmp_path, written, "参数 上解比例: 比例 每险种 = 90%")
    assert "| 上解比例 | 职工医保、居民医保均为90% |" in _explain(same)
    assert "| 上解比例 | 90% in each of 职工医保, 居民医保 |" in _explain(same, "en")


def test_an_exception_on_the_scheme_is_settled_in_each_copy(tmp_path: Path) -> None:
    never = _explain(_policy(tmp_path, "当 险种 = 居民医保", "例外 险种 = 职工医保 => 0元"))
    assert "**财政补助**。省财政向统筹基金（居民医保）补助100元。" in never
    assert "省财政 → 统筹基金（职工医保）" not in _flows(never)
    less = _explain(_policy(tmp_path, "当 险种 = 居民医保", "例外 险种 = 职工医保 => 50元"))
    assert "**财政补助（职工医保）**。省财政向统筹基金（职工医保）补助50元。" in less
    assert "**财政补助（居民医保）**。省财政向统筹基金（居民医保）补助100元。" in less
