"""Spreadsheets in and out: scenarios from .xlsx and .csv files, results to them.

Public functions (the CLI, the Python API and `pool serve` use these, nothing else here):

    read_scenario_file(path, encoding=None) -> dict        a scenario file as plain data
    read_scenario_bytes(data, name, encoding=None) -> dict the same, from bytes (an upload)
    compose_scenario(data, name, encoding=None) -> yaml.Node   the tree the scenario reader checks
    decode_text(data, encoding=None) -> str                UTF-8/UTF-16, GB18030 named, never guessed
    write_results(checked, runs, fmt, lang="zh") -> bytes  results as CSV or xlsx
    write_impact(impact, fmt, lang="zh") -> bytes          `pool diff --scenario`'s table, likewise
    template_workbook(checked, lang="zh") -> bytes         a fill-in workbook for a policy

Problems raise SheetError, whose `.problems` name each cell (`参数!B3`) and whose
`.render(file, lang)` gives the messages the CLI prints. openpyxl is imported only when
a workbook is read or written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from compiler.sheets.decode import decode as decode_text
from compiler.sheets.problems import CellMark, Problem, SheetError

if TYPE_CHECKING:
    import yaml

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv")

__all__ = [
    "SUFFIXES", "CellMark", "Problem", "SheetError", "compose_scenario", "decode_text", "is_spreadsheet",
    "read_scenario_bytes", "read_scenario_file",
]  # fmt: skip


def is_spreadsheet(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def compose_scenario(data: bytes, name: str, encoding: str | None = None) -> yaml.Node:
    """The scenario tree of a spreadsheet's bytes (`name` tells .xlsx from .csv)."""
    from compiler.sheets.read import compose

    return compose(data, name, encoding)


def read_scenario_bytes(data: bytes, name: str, encoding: str | None = None) -> dict[str, object]:
    """A spreadsheet scenario as the dict `json.load` gives for the same scenario in JSON:
    `{"period": "2026", "params": {...}, "regions": {region: {input: "1000000000.00"}}, ...}`,
    values as text. Checking it against a policy is the scenario reader's work."""
    from compiler.sheets.read import to_data

    data_ = to_data(compose_scenario(data, name, encoding))
    assert isinstance(data_, dict)
    return data_


def read_scenario_file(path: str | Path, encoding: str | None = None) -> dict[str, object]:
    """`read_scenario_bytes` of a file; SheetError when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SheetError([Problem("", f"无法读取:{e.strerror}", f"cannot read: {e.strerror}")]) from None
    return read_scenario_bytes(data, Path(path).name, encoding)
