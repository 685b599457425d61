"""Source files and spans: where every IR node and diagnostic points."""

from __future__ import annotations

import attrs


@attrs.frozen(order=True)
class Span:
    """A region of one source file. Lines and columns are 1-based; the end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def _split(text: str) -> tuple[str, ...]:
    """The lines as the lexer counts them: only \n ends a line. str.splitlines also
    breaks at \r, \x0c, U+2028…, which put carets under the wrong line."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return tuple(lines)


@attrs.frozen
class SourceFile:
    path: str  # as shown to the user
    text: str
    # Split once: rendering 25,000 diagnostics split the whole file for each (quadratic).
    _lines: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_lines", _split(self.text))

    def lines(self) -> list[str]:
        return list(self._lines)

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    @property
    def line_count(self) -> int:
        return len(self._lines)
