"""A small writer for Python source: indentation, blank lines, long lines wrapped.

A generated evaluator's run-time errors name their policy line themselves: every
rule and value passes its line to the runtime (runtime.PolicyError.line), and
compiler/evaluate.py finds the column from the checked policy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def line(self, text: str = "", source_line: int | None = None) -> None:
        """`source_line`, the policy line the code comes from, is not kept: the generated code
        passes it to the runtime wherever an error can arise. (Callers in codegen/python.py and
        codegen/rules.py still give it; the argument goes when they are next rewritten.)"""
        del source_line
        if not text:
            self.lines.append("")
            return
        self.lines.extend(wrap("    " * self.level + text))

    def comment(self, text: str) -> None:
        for part in text.splitlines() or [""]:
            self.line(f"# {part}".rstrip())

    def blank(self, n: int = 1) -> None:
        """Ensure exactly n blank lines end the output so far (none at the top)."""
        if not self.lines:
            return
        trailing = 0
        while trailing < len(self.lines) and self.lines[-1 - trailing] == "":
            trailing += 1
        self.lines.extend([""] * max(0, n - trailing))

    @contextmanager
    def indent(self) -> Iterator[None]:
        self.level += 1
        try:
            yield
        finally:
            self.level -= 1

    def source(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


WIDTH = 110


def _code_chars(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) for every character outside string literals."""
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        else:
            yield i, ch


def _brackets(text: str) -> list[tuple[int, int]]:
    """(open, close) index pairs of brackets outside string literals, outermost first."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in _code_chars(text):
        if ch in "([{":
            stack.append(i)
        elif ch in ")]}" and stack:
            pairs.append((stack.pop(), i))
    return sorted(pairs)


def _split_args(body: str) -> list[str]:
    """Top-level comma-separated parts of a bracket's contents."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in _code_chars(body):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    if body[start:].strip():
        parts.append(body[start:].strip())
    return parts


def wrap(line: str) -> list[str]:
    """Break a long line at the first bracket that spans most of it, one argument
    a line, as black would; comments and short lines are left alone."""
    if len(line) <= WIDTH or line.lstrip().startswith("#"):
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    for open_, close in _brackets(line):
        if close - open_ < 20:
            continue
        head, body, tail = line[: open_ + 1], line[open_ + 1 : close], line[close:]
        args = _split_args(body)
        inner = indent + "    "
        if len(args) == 1:
            out = [head, *wrap(inner + args[0]), indent + tail]
        else:
            out = [head]
            for a in args:
                out += wrap(inner + a + ",")
            out.append(indent + tail)
        return out
    return [line]
