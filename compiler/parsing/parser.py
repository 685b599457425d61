"""Text → Lark tree, with syntax errors turned into diagnostics.

This package is the only place that imports lark.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from compiler.diagnostics import Diagnostic, diag, label, note
from compiler.messages import Text
from compiler.parsing.cache import cached_parser
from compiler.resources import grammar_path
from compiler.source import SourceFile, Span

# Terminals a drafter should read as words, not as grammar names.
_TERMINAL_NAMES = {
    "NAME": ("名称", "a name"),
    "INT": ("整数", "a whole number"),
    "NUMBER": ("数字", "a number"),
    "PERCENT": ("百分比", "a percentage"),
    "MONEY": ("金额", "an amount of money"),
    "MONTHS": ("月数", "a number of months"),
    "DATE": ("日期", "a date"),
    "RECURRING": ("每月25日之类的周期时间", "a recurring date such as 每月25日"),
    "MONTH_DAY": ("月-日(如 9-30)", "a month-day such as 9-30"),
    "YEAR_ZH": ("年份(如 2026年)", "a year such as 2026"),
    "NTH_YEAR": ("政策的第几年(如 第2年)", "a policy year such as 第2年"),
    "INSTALMENTS": ("分期(如 分4期、分12期预留3%)", "instalments such as 分4期"),
    "WINDOW": ("往年或前几个月的范围(如 前3年、近12个月)", "earlier years or months such as 前3年"),
    "SUBLABEL": ("月份或季度(如 3月、第2季度)", "a month or quarter such as 3月"),
    "STRING": ("带引号的文字", "quoted text"),
    "CMP": ("比较符", "a comparison"),
    "ADD": ("+", "+"),
    "SUB": ("-", "-"),
    "MUL": ("× ÷", "* /"),
    "_EQ": ("=", "="),
    "_ARROW": ("=>", "=>"),
    "_COLON": (":", ":"),
    "_COMMA": (",", ","),
    "_SEMI": (";", ";"),
    "_LPAR": ("(", "("),
    "_RPAR": (")", ")"),
    "_LBRACE": ("{", "{"),
    "_RBRACE": ("}", "}"),
    "$END": ("文件结尾", "end of file"),
}


def build_parser(grammar: str | None = None, **options: Any) -> lark.Lark:
    """The grammar's LALR parser; `options` for a variant (pool fmt keeps every token)."""
    return lark.Lark(
        grammar if grammar is not None else grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=False,
        cache=True,  # the LALR tables take ~0.4 s to build; Lark keys the cache on the grammar text and options
        **options,
    )


@functools.cache
def _parser() -> lark.Lark:
    grammar = grammar_path().read_text(encoding="utf-8")
    options = {"propagate_positions": True}
    return cached_parser(grammar, options, lambda: build_parser(grammar, **options))


@functools.cache
def _keywords() -> dict[str, str]:
    """Anonymous keyword terminals: terminal name → the literal text."""
    out = {}
    for t in _parser().terminals:
        if t.pattern.type == "str" and re.match(r"\w", t.pattern.value):
            out[t.name] = t.pattern.value
    return out


def _describe_expected(names: set[str]) -> tuple[str, str]:
    keywords = _keywords()
    zh: set[str] = set()
    en: set[str] = set()
    for n in names:
        if n in keywords:
            word = keywords[n]
            (en if word.isascii() else zh).add(word)
        elif n in _TERMINAL_NAMES:
            zh.add(_TERMINAL_NAMES[n][0])
            en.add(_TERMINAL_NAMES[n][1])
        else:
            pattern = next((t.pattern.value for t in _parser().terminals if t.name == n), n)
            zh.add(pattern)
            en.add(pattern)

    def fmt(words: set[str], sep: str) -> str:
        ordered = sorted(words, key=lambda w: (len(w), w))
        more = "…" if len(ordered) > 10 else ""
        return sep.join(ordered[:10]) + more

    return fmt(zh, "、"), fmt(en, ", ")


def _unclosed_brace(text: str, file: str) -> Span | None:
    """The last `{` with no matching `}`, skipping strings and comments."""
    stack: list[tuple[int, int]] = []
    line, col = 1, 1
    i = 0
    closers = {"“": "”", "「": "」", '"': '"'}
    while i < len(text):
        ch = text[i]
        if ch in closers:
            j = text.find(closers[ch], i + 1)
            nl = text.find("\n", i + 1)
            end = j if j != -1 and (nl == -1 or j < nl) else (nl if nl != -1 else len(text)) - 1
            col += end + 1 - i
            i = end + 1
            continue
        if ch == "#" or text.startswith("//", i):
            nl = text.find("\n", i)
            i = len(text) if nl == -1 else nl
            continue
        if ch in "{｛":
            stack.append((line, col))
        elif ch in "}｝" and stack:
            stack.pop()
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    if not stack:
        return None
    ln, cl = stack[-1]
    return Span(file, ln, cl, ln, cl + 1)


def _end_span(source: SourceFile) -> Span:
    lines = source.lines() or [""]
    last = len(lines)
    return Span(source.path, last, len(lines[-1]) + 1, last, len(lines[-1]) + 2)


def _char_diagnostic(source: SourceFile, e: UnexpectedCharacters) -> Diagnostic:
    pos = e.pos_in_stream or 0
    ch = source.text[pos] if pos < len(source.text) else " "
    span = Span(source.path, e.line, e.column, e.line, e.column + 1)
    if ch in '"“「':
        return diag("E108", span)
    hint = None
    folded = {"。": ";", "【": "[", "】": "]"}.get(ch) or unicodedata.normalize("NFKC", ch)
    if folded != ch and folded.isascii() and folded.strip():
        hint = note("fullwidth", ascii=folded)
    elif unicodedata.category(ch) in ("Cf", "Zs", "Cc") or not ch.isprintable():
        hint = note("invisible", codepoint=f"{ord(ch):04X}")
    shown = ch if ch.isprintable() and not unicodedata.category(ch).startswith("C") else f"U+{ord(ch):04X}"
    return diag("E102", span, hint=hint, char=shown)


def _token_diagnostic(source: SourceFile, e: UnexpectedToken) -> Diagnostic:
    tok = e.token
    if tok.type == "$END":
        return _eof_diagnostic(source)
    span = Span(source.path, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 2)
    zh, en = _describe_expected(set(e.expected))
    hint = note("expected", expected_zh=zh, expected_en=en)
    words = [_keywords()[n] for n in e.expected if n in _keywords()]  # the keywords it would accept here
    if tok.type == "NAME":
        # A misspelt keyword: suggest the nearest one the parser would accept here.
        close = difflib.get_close_matches(str(tok.value), words, n=1, cutoff=0.6) if len(tok.value) > 1 else []
        if close:
            hint = note("did-you-mean", suggestion=close[0])
    # A keyword run into the next word: Chinese has no spaces to stop the lexer,
    # so `如果擅自调整` is one name. Look at this word, then at the one before it.
    line = source.line_text(span.line)[: span.column - 1].split()
    for word in ([tok.value] if tok.type == "NAME" else []) + line[-1:]:
        split = _keyword_prefix(word, prefixes_only=word is not tok.value)
        # A keyword the parser would not take here is not what was meant (不足时 按比列 is not 按 比列).
        if split is not None and (word is not tok.value or split[0] in words):
            hint = note("keyword-space", keyword=split[0], rest=split[1])
            break
    else:
        # …or run onto the end of the name before it: 收入自 各地区
        for kw in _CLAUSES:
            if line and line[-1].endswith(kw) and len(line[-1]) > len(kw):
                hint = note("keyword-space-before", keyword=kw, rest=line[-1][: -len(kw)])
                break
    return diag("E101", span, hint=hint, found=Text(f"“{tok.value}”", f"‘{tok.value}’"))


# Keywords that open a construct whose later keyword the parser then trips on
# (如果擅自 … 则): only these are suspected in the word before an error, since a
# declared name such as 上解比例 may legitimately begin with a keyword.
_OPENERS = ("如果", "匹配", "分段", "累进", "非", "当", "按", "自", "至", "由")
# Rule clauses most often typed straight after a name.
_CLAUSES = ("累计上限", "上限", "原文", "条款", "例外", "自", "至", "按", "当")


def _keyword_prefix(word: str, prefixes_only: bool = False) -> tuple[str, str] | None:
    for kw in sorted(_keywords().values(), key=len, reverse=True):
        if prefixes_only and kw not in _OPENERS:
            continue
        if word.startswith(kw) and len(word) > len(kw) and not kw.isascii():
            return kw, word[len(kw) :]
    return None


def _eof_diagnostic(source: SourceFile) -> Diagnostic:
    unclosed = _unclosed_brace(source.text, source.path)
    labels = [label(unclosed, "unclosed", open="{")] if unclosed else []
    return diag("E103", _end_span(source), labels=labels)


def parse_tree(source: SourceFile) -> tuple[lark.Tree[lark.Token] | None, list[Diagnostic]]:
    try:
        return _parser().parse(source.text), []
    except UnexpectedCharacters as e:
        return None, [_char_diagnostic(source, e)]
    except UnexpectedToken as e:
        return None, [_token_diagnostic(source, e)]
    except UnexpectedEOF:
        return None, [_eof_diagnostic(source)]
    except UnexpectedInput as e:  # any other kind Lark may add
        line, col = e.line if e.line > 0 else 1, e.column if e.column > 0 else 1
        return None, [diag("E101", Span(source.path, line, col, line, col + 1), found="?")]
