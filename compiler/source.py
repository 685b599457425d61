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


@attrs.frozen
class SourceFile:
    path: str  # as shown to the user
    text: str

    def lines(self) -> list[str]:
        """The lines as the lexer counts them: only \n ends a line. str.splitlines also
        breaks at \r, \x0c, U+2028…, which put carets under the wrong line."""
        lines = self.text.split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
        return lines

    def line_text(self, line: int) -> str:
        lines = self.lines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @property
    def line_count(self) -> int:
        return len(self.lines())
