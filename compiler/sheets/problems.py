"""What is wrong with a spreadsheet or a file's encoding, and where: a cell, not a line."""

from __future__ import annotations

import attrs
import yaml

from compiler.messages import SHEET_TEXTS


@attrs.frozen
class Problem:
    cell: str  # `参数!B3` in a workbook, `B3` in a CSV file, "" for the whole file
    zh: str
    en: str

    def render(self, file: str, lang: str) -> str:
        where = f"{file}:{self.cell}" if self.cell else file
        return f"{where}: {self.zh if lang == 'zh' else self.en}"


def problem(cell: str, key: str, **args: str) -> Problem:
    """A problem at `cell` ("" for the whole file) in the words of messages.SHEET_TEXTS[key]."""
    text = SHEET_TEXTS[key]
    return Problem(cell, text.render("zh", dict(args)), text.render("en", dict(args)))


def fail(key: str, **args: str) -> SheetError:
    """A SheetError for the whole file."""
    return SheetError([problem("", key, **args)])


class SheetError(Exception):
    """A spreadsheet (or a scenario file's bytes) that cannot be read as a scenario."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.en for p in problems))
        self.problems = problems

    def render(self, file: str, lang: str) -> str:
        return "".join(p.render(file, lang) + "\n" for p in self.problems)


class CellMark(yaml.Mark):
    """The position of a value read from a cell. The scenario reader reports problems at
    `file:cell` for these marks, where it says `file:line:column` for JSON and YAML."""

    def __init__(self, cell: str, row: int, column: int) -> None:
        super().__init__(cell, 0, row - 1, column - 1, None, 0)
        self.cell = cell
