"""Every keyword's Chinese and English form, for `pool fmt --keywords`.

The grammar lists both forms of each keyword side by side; this table pairs them.
A test checks that every keyword of the grammar is here, so the two cannot drift.
Where one English word serves two Chinese keywords (`from` is 自 in a rule and 由
in a waterfall tier), the rule the keyword sits in decides.
"""

from __future__ import annotations

# (Chinese, English); English phrases of two words are two tokens in the source.
PAIRS: tuple[tuple[str, str], ...] = (
    ("导入", "import"),
    ("政策", "policy"),
    ("依据", "basis"),
    ("生效", "effective"),
    ("地区", "regions"),
    ("层级", "level"),
    ("险种", "schemes"),
    ("枚举", "enum"),
    ("地区集", "regionset"),
    ("参数", "param"),
    ("待定", "open"),
    ("不低于", "min"),
    ("不高于", "max"),
    ("授权", "authority"),
    ("输入", "input"),
    ("可为负", "signed"),
    ("默认", "default"),
    ("令", "let"),
    ("约束", "constraint"),
    ("主体", "party"),
    ("资金", "fund"),
    ("结转", "carried"),
    ("每地区", "per region"),
    ("每险种", "per scheme"),
    ("每月", "per month"),
    ("每季度", "per quarter"),
    ("按月", "by month"),
    ("按季度", "by quarter"),
    ("全年", "whole year"),
    ("上解", "collect"),
    ("分配", "allocate"),
    ("留存", "retain"),
    ("补助", "pay"),
    ("转移", "transfer"),
    ("拆分", "split"),
    ("弥补", "cover"),
    ("自", "from"),
    ("至", "to"),
    ("按", "by"),
    ("当", "when"),
    ("上限", "cap"),
    ("累计上限", "cumulative cap"),
    ("例外", "except"),
    ("各地区", "each region"),
    ("层", "tier"),
    ("由", "from"),
    ("合计上限", "total cap"),
    ("未规定", "unassigned"),
    ("例", "example"),
    ("期", "period"),
    ("已知", "given"),
    ("期初", "opening"),
    ("期望", "expect"),
    ("时间表", "timeline"),
    ("前", "by"),
    ("责任", "owners"),
    ("任务表", "tasks"),
    ("任务", "task"),
    ("时限", "deadline"),
    ("持续推进", "ongoing"),
    ("原文", "quote"),
    ("条款", "section"),
    ("理解", "reading"),
    ("解读", "choice"),
    ("选项", "option"),
    ("如果", "if"),
    ("则", "then"),
    ("否则", "else"),
    ("或", "or"),
    ("且", "and"),
    ("非", "not"),
    ("属于", "in"),
    ("是", "true"),
    ("否", "false"),
    ("全部", "all"),
    ("剩余", "remaining"),
    ("匹配", "match"),
    ("分段", "bands"),
    ("累进", "progressive"),
    ("其他", "otherwise"),
    ("以上", "from"),
    ("(含)", "(incl)"),
    ("(不含)", "(excl)"),
    ("状态", "status"),
    ("文号", "docnumber"),
    ("印发", "issued"),
    ("解读", "explainer"),
    ("说明", "note"),
    ("不足时", "shortfall"),
    ("按比例", "prorata"),
    ("按顺序", "ordered"),
    ("挂账", "claim"),
    ("实体", "entity"),
    ("隶属", "under"),
    ("每", "per"),
    ("每人", "per person"),
    ("每单位", "per employer"),
    ("每机构", "per institution"),
    ("各", "each"),
    ("名单", "members"),
    ("按年度", "by year"),
    ("起", "onward"),
)

# English words of recurring dates (monthly 25, next-year 3-end); in Chinese such a
# date is one literal (每月25日), so they have no Chinese pair. Editors highlight them.
RECURRING_WORDS: tuple[str, ...] = (
    "monthly",
    "next-month",
    "quarterly",
    "yearly",
    "next-year",
    "end",
    "first-month",
    "second-month",
    "last-month",
)

# English words of forms that are one token in Chinese: 第2年 (policy-year 2), 前3年 (previous 3
# years), 近3年 (last 3 years), 分12期预留3% (instalments 12 holding 3%). Editors highlight them;
# pool fmt --keywords leaves them as written.
YEAR_WORDS: tuple[str, ...] = ("policy-year", "previous", "last", "years", "instalments", "holding")

# The same Chinese keyword has another English form in these rules, and back.
# 解读 is both the header's explainer paragraph and a choice of readings.
_ZH_TO_EN_IN = {
    ("h_effective", "至"): "until",
    ("h_prose", "解读"): "explainer",
    ("choice_decl", "解读"): "choice",
    ("e_in_region", "地区"): "region",
    ("g_by_region", "地区"): "region",
}
_EN_TO_ZH_IN = {
    ("e_in_region", "region"): "地区",
    ("g_by_region", "region"): "地区",
    ("h_effective", "until"): "至",
    ("tier", "from"): "由",
    ("by", "by"): "前",
    ("band_open", "from"): "以上",
}

_ZH_TO_EN = {zh: en for zh, en in PAIRS}
# 以上 is written after the band's lower edge and `from` before it: the tree
# rewrites that order itself; 由/前 are found through the rule they are in.
_EN_TO_ZH = {en: zh for zh, en in PAIRS if zh not in ("以上", "由", "前")}


# A band edge's mark is one token, parentheses and all; typed full-width, it is
# written back with ASCII parentheses.
EDGE_MARKS = frozenset({"(含)", "(不含)", "(incl)", "(excl)"})


def translate(phrase: str, rule: str, target: str) -> str | None:
    """`phrase` (one keyword, or two English words joined by a space) in `target`,
    or None when it is not a keyword or is already in that language."""
    if target == "en":
        return _ZH_TO_EN_IN.get((rule, phrase)) or _ZH_TO_EN.get(phrase)
    return _EN_TO_ZH_IN.get((rule, phrase)) or _EN_TO_ZH.get(phrase)


def is_keyword(word: str) -> bool:
    return word in _ZH_TO_EN or word in _EN_TO_ZH or word == "until"
