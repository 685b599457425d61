"""`pool diff` output: Markdown for people, JSON with the same facts for programs.

Money in Markdown uses the explainer's Chinese conventions (5000万元, exact or
not shortened); JSON carries decimal strings to the fen, never floats.
"""

from __future__ import annotations

import json
from fractions import Fraction

from compiler.explain import numbers
from compiler.numbers import to_decimal
from compiler.tools import ptext
from compiler.tools.diff import Change, Detail, PolicyDiff, Step, sections
from compiler.tools.impact import Impact, Row

_SECTION_TITLES = {
    "policy": ("政策", "Policy"),
    "param": ("参数", "Parameters"),
    "input": ("输入", "Inputs"),
    "let": ("派生值", "Derived values"),
    "rule": ("规则", "Rules"),
    "fund": ("资金", "Funds"),
    "party": ("主体", "Parties"),
    "enum": ("枚举", "Enumerations"),
    "regionset": ("地区集", "Region sets"),
    "example": ("算例", "Examples"),
    "milestone": ("时间表", "Timeline"),
    "task": ("任务", "Tasks"),
}
_MEASURES = {"inflow": ("流入", "in"), "outflow": ("流出", "out"), "closing": ("期末余额", "closing balance")}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def section_title(section: str, lang: str) -> str:
    zh, en = _SECTION_TITLES.get(section, (section, section))
    return _t(lang, zh, en)


def _step(s: Step, lang: str) -> str:
    if s.kind == "key":
        return _t(lang, f"“{s.text}”", f"‘{s.text}’")
    if s.kind == "index":
        return _t(lang, f"第{s.text}项", f"#{s.text}")
    return ptext.field(s.text, lang)


def path_label(path: tuple[Step, ...], lang: str) -> str:
    return " › ".join(x for x in (_step(s, lang) for s in path) if x) or _t(lang, "内容", "content")


def _inline(text: str) -> str:
    """One line of Markdown: a quote may hold a newline."""
    return " ".join(text.split("\n"))


def _cell(text: str) -> str:
    """A table cell, which must not hold a bar either."""
    return _inline(text).replace("|", "\\|")


def _detail(d: Detail, lang: str) -> str:
    label = path_label(d.path, lang)
    if d.old is None:
        return _t(lang, f"{label}:新增 {d.new}", f"{label}: added {d.new}")
    if d.new is None:
        return _t(lang, f"{label}:删除 {d.old}", f"{label}: removed {d.old}")
    return _t(lang, f"{label}:{d.old} → {d.new}", f"{label}: {d.old} → {d.new}")


def _change_md(c: Change, lang: str) -> list[str]:
    name = f"**{c.name}**"
    status = {"added": _t(lang, "新增", "added"), "removed": _t(lang, "删除", "removed")}.get(c.status)
    note = {
        "resolved": _t(lang, "(待定参数已确定)", " (open parameter now set)"),
        "opened": _t(lang, "(改为待定)", " (now open)"),
    }.get(c.open or "", "")
    if status is not None:
        head = f"- {status} {name}" + (_t(lang, f":{c.summary}", f": {c.summary}") if c.summary else "")
        lines = [_inline(head)]
    elif len(c.details) == 1 and c.details[0].path == (Step("field", "value"),):
        d = c.details[0]  # a parameter's new value: its name says what it is
        lines = [_inline(f"- {name}{note}" + _t(lang, ":", ": ") + f"{d.old} → {d.new}")]
    elif len(c.details) == 1:
        lines = [_inline(f"- {name}{note}" + _t(lang, ":", ": ") + _detail(c.details[0], lang))]
    else:
        lines = [f"- {name}{note}"] + [_inline(f"  - {_detail(d, lang)}") for d in c.details]
    if c.quote and not any(d.path and d.path[-1] == Step("field", "quote") for d in c.details):
        lines.append(_inline(_t(lang, f"  - 原文:“{c.quote}”", f"  - quote: “{c.quote}”")))
    return lines


def _money(v: Fraction | None, lang: str) -> str:
    return "—" if v is None else numbers.money(v, lang)


def _signed(v: Fraction | None, lang: str) -> str:
    if v is None:
        return "—"
    return ("+" if v > 0 else "-" if v < 0 else "") + numbers.money(abs(v), lang)


def _table(heads: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
    align = ["---" if i < numeric_from else "---:" for i in range(len(heads))]
    out = ["| " + " | ".join(heads) + " |", "| " + " | ".join(align) + " |"]
    return out + ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]


def _impact_md(im: Impact, lang: str) -> list[str]:
    old, new, change = _t(lang, "旧版本", "old"), _t(lang, "新版本", "new"), _t(lang, "变化", "change")
    period = _t(lang, f",{im.period}年", f", {im.period}") if im.period is not None else ""
    out = [
        "",
        _t(lang, "## 影响测算", "## Impact"),
        "",
        _t(lang, f"情景:`{im.scenario}`{period}", f"Scenario: `{im.scenario}`{period}"),
    ]

    def money3(r: Row) -> list[str]:
        return [_money(r.old, lang), _money(r.new, lang), _signed(r.change, lang)]

    out += ["", _t(lang, "### 各规则金额", "### Rule amounts"), ""]
    if im.rules:
        rows = [[r.fund or "—", r.item, r.region or _t(lang, "(全局)", "(all)"), *money3(r)] for r in im.rules]
        out += _table(
            [_t(lang, "资金", "fund"), _t(lang, "规则", "rule"), _t(lang, "地区", "region"), old, new, change], rows, 3
        )
        if im.unchanged:
            out += [
                "",
                _t(lang, f"其余 {im.unchanged} 条规则金额不变。", f"The other {im.unchanged} rule(s) settle the same."),
            ]
    else:
        out.append(_t(lang, "各规则金额均不变。", "Every rule settles the same."))
    out += ["", _t(lang, "### 各资金", "### Funds"), ""]
    rows = [[r.fund or "", _t(lang, *_MEASURES[r.item]), *money3(r)] for r in im.funds]
    out += (
        _table([_t(lang, "资金", "fund"), _t(lang, "项目", "measure"), old, new, change], rows, 2)
        if rows
        else [_t(lang, "(无资金)", "(no funds)")]
    )
    if im.parties:
        out += ["", _t(lang, "### 各主体", "### Parties"), ""]
        rows = [[r.fund or "", _t(lang, *_MEASURES[r.item]), *money3(r)] for r in im.parties]
        out += _table([_t(lang, "主体", "party"), _t(lang, "项目", "measure"), old, new, change], rows, 2)
    out += ["", _t(lang, "### 各地区净收支(收入减支出)", "### Regions: net receipts (received less paid)"), ""]
    rows = [[r.item, *money3(r)] for r in im.regions]
    out += _table([_t(lang, "地区", "region"), old, new, change], rows, 1)
    return out


def to_markdown(d: PolicyDiff, im: Impact | None, lang: str) -> str:
    out = [
        _t(lang, "# 政策变更", "# Policy changes"),
        "",
        _t(lang, f"旧版本:`{d.old}`  ", f"Old: `{d.old}`  "),
        _t(lang, f"新版本:`{d.new}`", f"New: `{d.new}`"),
        "",
    ]
    if d.identical:
        out.append(
            _t(
                lang,
                "无变化:两个版本是同一政策(排版和注释的差别不算变化)。",
                "No changes: both versions are the same policy (layout and comments aside).",
            )
        )
        return "\n".join(out) + "\n"
    counts = [f"{section_title(s, lang)} {len(cs)}" for s, cs in sections(d)]
    out.append(
        _t(
            lang,
            f"共 {len(d.changes)} 处变更:{'、'.join(counts)}。",
            f"{len(d.changes)} change(s): {', '.join(counts)}.",
        )
    )
    for s, cs in sections(d):
        out += ["", f"## {section_title(s, lang)}", ""]
        for c in cs:
            out += _change_md(c, lang)
    if im is not None:
        out += _impact_md(im, lang)
    return "\n".join(out) + "\n"


def _dec(v: Fraction | None) -> str | None:
    return None if v is None else str(to_decimal(v, 2))


def _row_json(r: Row, keys: tuple[str, ...]) -> dict[str, object]:
    values: dict[str, object] = {"fund": r.fund, "rule": r.item, "measure": r.item, "region": r.region}
    return {k: values[k] for k in keys} | {"old": _dec(r.old), "new": _dec(r.new), "change": _dec(r.change)}


def to_json(d: PolicyDiff, im: Impact | None, lang: str) -> str:
    changes = [
        {
            "section": c.section,
            "name": c.name,
            "status": c.status,
            "open": c.open,
            "summary": c.summary,
            "quote": c.quote,
            "details": [
                {"path": [s.text for s in x.path], "field": path_label(x.path, lang), "old": x.old, "new": x.new}
                for x in c.details
            ],
        }
        for c in d.changes
    ]
    impact = None
    if im is not None:
        impact = {
            "scenario": im.scenario,
            "period": im.period,
            "rules": [_row_json(r, ("fund", "rule", "region")) for r in im.rules],
            "unchanged_rules": im.unchanged,
            "funds": [_row_json(r, ("fund", "measure")) for r in im.funds],
            "parties": [{"party": r.fund} | _row_json(r, ("measure",)) for r in im.parties],
            "regions": [_row_json(r, ("region",)) for r in im.regions],
        }
    doc = {"old": d.old, "new": d.new, "identical": d.identical, "changes": changes, "impact": impact}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
