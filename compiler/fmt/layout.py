"""Lexemes → the one canonical text of a policy.

Like gofmt, the layout keeps the drafter's line breaks (a clause on its own line
stays there; long 原文 are never wrapped) and decides everything else:
- indentation: two spaces a block; a line that continues a statement is indented
  two more than the statement's first line; a block's closing `}` lines up with the
  statement that opened it;
- spacing: one space between tokens, none inside `( )` or before `, ; : )`, and two
  before a clause that follows on the same line (`= 10%  不低于 10%  原文 "…"`);
- blank lines: at most one, none just inside a block's braces;
- comments: kept as written; a trailing comment is set off by two spaces, a comment
  on its own line takes the indentation of the code below it.
"""

from __future__ import annotations

from compiler.parsing.cst import Lexeme, Role

INDENT = 2


def layout(lexemes: list[Lexeme]) -> str:
    lines = _source_lines(lexemes)
    indents = _indent(lines)
    out: list[str] = []
    prev: list[Lexeme] | None = None
    for line, indent in zip(lines, indents):
        if prev is not None and _blank_between(prev, line):
            out.append("")
        out.append(" " * indent + _join(line))
        prev = line
    return "\n".join(out) + "\n" if out else ""


def _source_lines(lexemes: list[Lexeme]) -> list[list[Lexeme]]:
    lines: list[list[Lexeme]] = []
    for lx in lexemes:
        if lines and lines[-1][0].line == lx.line:
            lines[-1].append(lx)
        else:
            lines.append([lx])
    return lines


def _indent(lines: list[list[Lexeme]]) -> list[int]:
    owners = [-INDENT]  # per open block: the indentation of the statement that opened it
    at: dict[int, int] = {}  # token id → indentation of its line
    line_of: dict[int, int] = {}  # token id → source line
    indents: list[int | None] = []
    for line in lines:
        first = line[0]
        if first.role is Role.COMMENT:
            indents.append(None)  # decided by the code below it
            continue
        if first.closes:
            indent = owners[-1]
        elif first.role is Role.ITEM or not first.anchors:
            indent = owners[-1] + INDENT
        else:
            inner = first.anchors[-1]
            begun = sum(1 for a in first.anchors if line_of[a] == line_of[inner])
            indent = at[inner] + INDENT * begun
        indents.append(indent)
        for lx in line:
            at[lx.id], line_of[lx.id] = indent, lx.line
            if lx.opens:
                owners.append(at[lx.anchors[-1]] if lx.anchors else owners[-1] + INDENT)
            elif lx.closes and len(owners) > 1:
                owners.pop()
    # A comment line takes the indentation of the next code line; above a closing
    # brace, that of the block's contents.
    following = 0
    for i in range(len(lines) - 1, -1, -1):
        got = indents[i]
        if got is None:
            indents[i] = following
        else:
            following = got + INDENT if lines[i][0].closes else got
    return [i or 0 for i in indents]


def _join(line: list[Lexeme]) -> str:
    parts = [line[0].text]
    for a, b in zip(line, line[1:]):
        parts.append(" " * _gap(a, b) + b.text)
    return "".join(parts)


def _gap(a: Lexeme, b: Lexeme) -> int:
    if b.role is Role.COMMENT:
        return 2
    if a.hug_right or b.hug_left or (a.opens and b.closes):
        return 0
    if b.role is Role.CLAUSE:
        return 2
    return 1


def _blank_between(prev: list[Lexeme], line: list[Lexeme]) -> bool:
    if line[0].line - prev[-1].line < 2:
        return False
    code = [lx for lx in prev if lx.role is not Role.COMMENT]
    return not (code and code[-1].opens) and not line[0].closes
