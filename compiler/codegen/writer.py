"""A small writer for Python source: indentation, blank lines, and a map from
generated lines back to the policy lines they came from (as Jinja2's
CodeGenerator keeps for templates)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0
        self.source_map: list[tuple[int, int]] = []  # (generated line, policy line)

    def line(self, text: str = "", source_line: int | None = None) -> None:
        if source_line is not None:
            self.source_map.append((len(self.lines) + 1, source_line))
        self.lines.append(("    " * self.level + text) if text else "")

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
