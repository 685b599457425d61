"""Cells of .xlsx and .csv files as text, each with the position a message names.

openpyxl gives a float for every numeric cell. Money never passes through a float
here: the float is turned back into the shortest decimal that reads as the same
double (repr), which is the text Excel itself stored in the file for a typed value.
A computed value such as 0.30000000000000004 stays what it is, so the scenario
reader refuses it as money (not a whole number of fen) instead of rounding it.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import zipfile
from decimal import Decimal
from typing import Any

import attrs

from compiler.sheets.decode import decode
from compiler.sheets.problems import Problem, SheetError, fail, problem

# A workbook is a zip file: its parts are measured unpacked before openpyxl reads them, so
# a small file that expands to gigabytes (a zip bomb, or a pasted million-row sheet) is
# refused instead of exhausting memory. A scenario of 3,000 regions × 40 inputs is ~6 MB.
MAX_UNPACKED = 48 * 1024 * 1024


_EXCEL_BOOL = {"TRUE": "true", "FALSE": "false"}  # how Excel writes a boolean cell into CSV


@attrs.frozen
class Cell:
    ref: str  # as a message shows it: `参数!B3`, or `B3` in a CSV file
    row: int  # 1-based, as Excel numbers them
    column: int
    text: str | None  # None for an empty cell
    percent: bool = False  # a number Excel shows as a percentage: its value is the fraction


@attrs.frozen
class Sheet:
    name: str | None  # None for a CSV file
    rows: list[list[Cell]]

    def ref(self, row: int, column: int) -> str:
        return cell_ref(self.name, row, column)


def column_letter(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_ref(sheet: str | None, row: int, column: int) -> str:
    return f"{sheet + '!' if sheet is not None else ''}{column_letter(column)}{row}"


def csv_sheet(data: bytes, encoding: str | None) -> Sheet:
    text = decode(data, encoding)
    first = text.split("\n", 1)[0]
    # Excel writes commas; a table copied out of a sheet and saved is tab-separated.
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = []
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            rows.append(
                [
                    Cell(cell_ref(None, r, c), r, c, _EXCEL_BOOL.get(v.strip(), v.strip()) or None)
                    for c, v in enumerate(row, start=1)
                ]
            )
    except csv.Error as e:
        raise fail("bad-csv", reason=str(e)) from None
    return Sheet(None, rows)


def workbook_sheets(data: bytes) -> list[Sheet]:
    """Every worksheet of an .xlsx file, as text cells; merged cells and formulas Excel
    never computed are problems (each cell must hold one value someone can see)."""
    _check_archive(data)
    load_workbook = openpyxl_module().load_workbook

    try:
        # Formulas first (to know which cells hold one), then the values Excel saved for them.
        book = load_workbook(io.BytesIO(data), data_only=False)
        values = load_workbook(io.BytesIO(data), data_only=True) if _has_formulas(book) else book
    except Exception as e:  # openpyxl raises many kinds on a damaged file; none is our bug
        raise fail("bad-workbook", reason=str(e)) from None
    problems: list[Problem] = []
    sheets = []
    for ws in book.worksheets:
        for merged in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
            problems.append(problem(f"{ws.title}!{merged.coord}", "merged"))
        computed = values[ws.title]
        rows = []
        for row in ws.iter_rows():
            out = []
            for cell in row:
                ref = f"{ws.title}!{cell.coordinate}"
                source = computed[cell.coordinate] if cell.data_type == "f" else cell
                if cell.data_type == "f" and source.value is None:
                    problems.append(problem(ref, "formula"))
                    continue
                if source.data_type == "e":  # #DIV/0!, #N/A, #REF!
                    problems.append(problem(ref, "error-value", value=str(source.value)))
                    continue
                text = _text(source.value, ref, problems)
                assert cell.row is not None and cell.column is not None
                out.append(Cell(ref, cell.row, cell.column, text, text is not None and "%" in str(cell.number_format)))
            rows.append(out)
        sheets.append(Sheet(ws.title, rows))
    if problems:
        raise SheetError(problems)
    return sheets


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise fail("not-xlsx") from None
    if unpacked > MAX_UNPACKED:
        raise fail("too-large", mb=str(MAX_UNPACKED // (1024 * 1024)))


def _has_formulas(book: Any) -> bool:
    return any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


def _text(value: object, ref: str, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append(problem(ref, "not-finite"))
            return None
        return format(Decimal(repr(value)), "f")  # the shortest decimal of this double: what was typed
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            problems.append(problem(ref, "date-time"))
            return None
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    problems.append(problem(ref, "not-a-value"))
    return None


def openpyxl_module() -> Any:
    """openpyxl, or a SheetError saying how to install it (it is the optional `sheets` extra)."""
    try:
        import openpyxl
    except ImportError:
        raise fail("needs-openpyxl") from None
    return openpyxl
