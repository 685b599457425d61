"""The TextMate grammar of pool for VS Code (and every editor that reads TextMate
grammars), generated from the keyword table so the two cannot drift.

    python -m compiler.lsp.textmate            # write editors/vscode/syntaxes/pool.tmLanguage.json
    python -m compiler.lsp.textmate --check    # exit 1 if the committed file is stale
    python -m compiler.lsp.textmate --cases DIR POLICY…   # grammar tests from policies (zh and en)

Every keyword of `compiler.parsing.keywords` is highlighted, in both languages; the
groups below only choose its colour, and a keyword in no group is still a keyword.
A regular expression cannot use the parser's context, so a keyword is matched only
as a whole word: 上解 in 基础上解比例 stays part of the name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from compiler.driver import format_source
from compiler.ir import functions
from compiler.ir.types import BUILTIN_TYPES
from compiler.parsing import keywords
from compiler.parsing.cst import Token, tokens
from compiler.source import SourceFile

SCOPE = "source.pool"
OUTPUT = Path("editors") / "vscode" / "syntaxes" / "pool.tmLanguage.json"

# Keyword groups by the Chinese form; the English form of each follows it.
DECLARATION = (
    "导入",
    "政策",
    "枚举",
    "地区集",
    "实体",
    "参数",
    "输入",
    "令",
    "约束",
    "主体",
    "资金",
    "上解",
    "分配",
    "留存",
    "补助",
    "转移",
    "拆分",
    "弥补",
    "层",
    "例",
    "期",
    "时间表",
    "任务表",
    "任务",
    "解读",
    "选项",
)
CONTROL = ("如果", "则", "否则", "匹配", "分段", "累进", "其他")
OPERATOR = ("或", "且", "非", "属于")
CONSTANT = ("待定", "是", "否", "全部", "剩余", "持续推进")
# Declarations whose next word is the name they declare.
NAMING = (
    "政策",
    "枚举",
    "地区集",
    "实体",
    "参数",
    "输入",
    "令",
    "主体",
    "资金",
    "上解",
    "分配",
    "留存",
    "补助",
    "转移",
    "拆分",
    "弥补",
    "层",
    "解读",
    "选项",
)

# 险种 also declares the value 险种 that rules read (its keyword is its name), and the
# header words 状态/文号/印发 are common names too (Ningbo's contributions policy has an input
# 状态): they are keywords only where a statement begins, the start of a line.
LINE_START = ("险种", "状态", "文号", "印发")

SCOPES = {
    "declaration": "storage.type.pool",
    "control": "keyword.control.pool",
    "operator": "keyword.operator.word.pool",
    "constant": "constant.language.pool",
    "other": "keyword.other.pool",
}
NAME_SCOPE = "entity.name.function.pool"
KEYWORD_SCOPES = tuple(SCOPES.values())

_BEFORE = r"(?<![\w-])"  # not inside a word: CJK letters are \w, so 基础上解比例 is one word
_AFTER = r"(?![\w-])"
_NAME = r"[^\W\d]\w*"


def group_of(zh: str) -> str:
    for name, words in (
        ("declaration", DECLARATION),
        ("control", CONTROL),
        ("operator", OPERATOR),
        ("constant", CONSTANT),
    ):
        if zh in words:
            return name
    return "other"


def keyword_scopes() -> dict[str, str]:
    """Every keyword as written (an English phrase with one space) → its scope."""
    out: dict[str, str] = {}
    for zh, en in keywords.PAIRS:
        scope = SCOPES[group_of(zh)]
        out.setdefault(zh, scope)
        out.setdefault(en, scope)
    until = keywords.translate("至", "h_effective", "en")
    if until:
        out.setdefault(until, SCOPES["other"])
    region = keywords.translate("地区", "e_in_region", "en")  # `in region`, `by region`: 地区 alone
    if region:
        out.setdefault(region, SCOPES["other"])
    for word in (*keywords.RECURRING_WORDS, *keywords.YEAR_WORDS):
        out.setdefault(word, SCOPES["other"])
    return out


def _alternation(words: list[str]) -> str:
    # Longest first: 地区集 before 地区, 累计上限 before 上限. Phrases allow any spacing.
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(_escape(w).replace(" ", r"\s+") for w in ordered)


def _escape(word: str) -> str:
    return "".join("\\" + ch if ch in r".^$*+?()[]{}|\-" else ch for ch in word)


def grammar() -> dict[str, object]:
    scopes = keyword_scopes()
    naming = [w for zh, en in keywords.PAIRS if zh in NAMING for w in (zh, en)]
    at_start = [w for zh, en in keywords.PAIRS if zh in LINE_START for w in (zh, en)]
    by_scope: dict[str, list[str]] = {}
    for word, scope in scopes.items():
        if word not in at_start:
            by_scope.setdefault(scope, []).append(word)
    keyword_patterns: list[dict[str, object]] = [
        {"match": f"^\\s*({_alternation(at_start)}){_AFTER}", "captures": {"1": {"name": SCOPES["other"]}}},
    ]
    # 每月 and 每季度 are a value's months (金额 每月) and also recurring dates where a milestone
    # starts (每季度: "…"); the date reading is the one before a colon or 前.
    recurring = [w for w in ("每月", "每季度") if w in scopes]
    for words in by_scope.values():
        words[:] = [w for w in words if w not in recurring]
    keyword_patterns += [
        {"name": scope, "match": f"{_BEFORE}(?:{_alternation(words)}){_AFTER}"}
        for scope, words in sorted(by_scope.items(), key=lambda kv: KEYWORD_SCOPES.index(kv[0]))
        if words
    ]
    keyword_patterns += [
        {"name": scopes[w], "match": f"{_BEFORE}{_escape(w)}{_AFTER}(?!\\s*(?:[:：]|前))"} for w in recurring
    ]
    # 前3年, 近12个月, 滚动12个月 in an aggregate: one keyword token each (grammar/pool.lark, WINDOW).
    keyword_patterns.append({"name": SCOPES["other"], "match": f"{_BEFORE}(?:[前近]|滚动)[0-9]+(?:年|个月){_AFTER}"})
    fn_names = sorted(functions.BY_NAME)
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "pool",
        "scopeName": SCOPE,
        "comment": "Generated by `python -m compiler.lsp.textmate` from compiler/parsing/keywords.py; do not edit.",
        "fileTypes": ["pool"],
        "patterns": [
            {"include": f"#{k}"}
            for k in (
                "comments",
                "strings",
                "declarations",
                "keywords",
                "types",
                "functions",
                "numbers",
                "operators",
                "punctuation",
            )
        ],
        "repository": {
            "comments": {
                "patterns": [
                    {"name": "comment.line.number-sign.pool", "match": "#.*$"},
                    {"name": "comment.line.double-slash.pool", "match": "//.*$"},
                ]
            },
            "strings": {
                "patterns": [
                    {"name": "string.quoted.double.pool", "match": r'"(?:\\.|[^"\\])*"'},
                    {"name": "string.quoted.other.pool", "match": "“[^”]*”"},
                    {"name": "string.quoted.other.pool", "match": "「[^」]*」"},
                ]
            },
            "declarations": {
                "patterns": [
                    {
                        "match": f"{_BEFORE}({_alternation(naming)})\\s+({_NAME})",
                        "captures": {"1": {"name": SCOPES["declaration"]}, "2": {"name": NAME_SCOPE}},
                    }
                ]
            },
            "keywords": {"patterns": keyword_patterns},
            "types": {
                "patterns": [
                    {"name": "support.type.pool", "match": f"{_BEFORE}(?:{_alternation(list(BUILTIN_TYPES))}){_AFTER}"}
                ]
            },
            "functions": {
                "patterns": [
                    {"name": "support.function.pool", "match": f"{_BEFORE}(?:{_alternation(fn_names)})(?=\\s*[(（])"}
                ]
            },
            "numbers": {
                "patterns": [
                    {
                        "name": "constant.numeric.date.pool",
                        "match": f"{_BEFORE}[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}{_AFTER}",
                    },
                    {
                        "name": "constant.numeric.date.pool",
                        "match": f"{_BEFORE}[0-9]{{4}}年(?:[0-9]{{1,2}}月(?:[0-9]{{1,2}}日|底|末)?|底|末)?(?=[^\\w]|$)",
                    },
                    {
                        "name": "constant.numeric.date.pool",
                        "match": f"{_BEFORE}(?:[每次]月(?:[0-9]{{1,2}}日|底|末)?|每季度(?:[首次末]月(?:[0-9]{{1,2}}日|底|末)?|底|末)"
                        f"?|[每次]年(?:[0-9]{{1,2}}月(?:[0-9]{{1,2}}日|底|末)?|底|末)?){_AFTER}",
                    },
                    {
                        "name": "constant.numeric.date.pool",
                        "match": f"{_BEFORE}[0-9]{{1,2}}-(?:[0-9]{{1,2}}|end){_AFTER}",
                    },
                    {  # a month's (quarter's) value: 费用(3月), {1月: …}, 第2季度
                        "name": "constant.numeric.date.pool",
                        "match": f"{_BEFORE}(?:(?:1[0-2]|[1-9])月|第[1-4]季度){_AFTER}",
                    },
                    {
                        "name": "constant.numeric.money.pool",
                        "match": f"{_BEFORE}[0-9]+(?:\\.[0-9]+)?(?:亿元|万元|元){_AFTER}",
                    },
                    {"name": "constant.numeric.percent.pool", "match": f"{_BEFORE}[0-9]+(?:\\.[0-9]+)?[%％]"},
                    {
                        "name": "constant.numeric.months.pool",
                        "match": f"{_BEFORE}[0-9]+(?:\\.[0-9]+)?(?:个月| +months?){_AFTER}",
                    },
                    {"name": "constant.numeric.pool", "match": f"{_BEFORE}[0-9]+(?:\\.[0-9]+)?(?:万|亿)?{_AFTER}"},
                ]
            },
            "operators": {
                "patterns": [
                    {"name": "keyword.operator.arrow.pool", "match": "=>|→|⇒"},
                    {"name": "keyword.operator.comparison.pool", "match": ">=|<=|==|!=|≥|≤|≠|>|<|＞|＜"},
                    {"name": "keyword.operator.arithmetic.pool", "match": "[-+*/×÷＋－−＊／]"},
                    {"name": "keyword.operator.assignment.pool", "match": "[=＝]"},
                ]
            },
            "punctuation": {
                "patterns": [
                    {"name": "punctuation.section.braces.pool", "match": "[{}｛｝]"},
                    {"name": "punctuation.separator.pool", "match": "[,，、;；:：|]"},
                    {"name": "punctuation.section.parens.pool", "match": "[()（）]"},
                ]
            },
        },
    }


def render() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


# ---- grammar tests: what the parser reads in a policy, the grammar must colour so

_LITERAL_SCOPES = {
    "money": "constant.numeric.money.pool",
    "percent": "constant.numeric.percent.pool",
    "number": "constant.numeric.pool",
    "date": "constant.numeric.date.pool",
}


def expected_scope(tok: Token, after_naming_keyword: bool) -> str | None:
    """The scope a token must have ("- a b" for scopes it must not have), or None for
    punctuation and operators, which are not asserted."""
    if tok.kind == "keyword":
        words = {w: scope for phrase, scope in keyword_scopes().items() for w in phrase.split()}
        return words.get(tok.text, SCOPES["other"])  # one-token forms: 前3年, 近12个月
    if tok.kind == "name":
        return NAME_SCOPE if after_naming_keyword else "- " + " ".join(KEYWORD_SCOPES)
    if tok.kind == "string":
        return "string.quoted.double.pool" if tok.text.startswith('"') else "string.quoted.other.pool"
    if tok.kind == "comment":
        return "comment.line.number-sign.pool" if tok.text.startswith("#") else "comment.line.double-slash.pool"
    return _LITERAL_SCOPES.get(tok.kind)


def syntax_test(source: SourceFile) -> str | None:
    """A vscode-tmgrammar-test case: the source with, under each line, one assertion per
    token saying the scope the parser's reading of it implies. None if it does not parse."""
    found = tokens(source)
    if found is None:
        return None
    naming = {w for zh, en in keywords.PAIRS if zh in NAMING for w in (zh, en)}
    by_line: dict[int, list[Token]] = {}
    for t in found:
        by_line.setdefault(t.line, []).append(t)
    out = [f'# SYNTAX TEST "{SCOPE}" "{Path(source.path).name}"']
    previous: Token | None = None
    for n, line in enumerate(source.lines(), 1):
        out.append(line)
        for tok in by_line.get(n, []):
            scope = expected_scope(tok, previous is not None and previous.kind == "keyword" and previous.text in naming)
            if tok.kind != "comment":
                previous = tok
            if scope is None:
                continue
            start = _utf16(line[: tok.column - 1])
            width = _utf16(tok.text)
            if start == 0:
                out.append(f"# <{'-' * width} {scope}")
            else:
                out.append("#" + " " * (start - 1) + "^" * width + f" {scope}")
    return "\n".join(out) + "\n"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    if argv[:1] == ["--cases"]:
        folder = Path(argv[1])
        folder.mkdir(parents=True, exist_ok=True)
        for policy in map(Path, argv[2:]):
            source = SourceFile(policy.name, policy.read_text(encoding="utf-8"))
            # The same policy with every keyword in English, as pool fmt --keywords en writes it.
            english = format_source(source, "en").text
            for suffix, text in (("", source.text), (".en", english)):
                case = syntax_test(SourceFile(policy.stem + suffix + ".pool", text)) if text is not None else None
                if case is None:
                    print(f"{policy} does not parse", file=sys.stderr)
                    return 1
                (folder / f"{policy.stem}{suffix}.test.pool").write_text(case, encoding="utf-8")
        return 0
    target = root / OUTPUT
    text = render()
    if "--check" in argv:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale: run python -m compiler.lsp.textmate", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
