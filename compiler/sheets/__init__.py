"""Spreadsheets in and out: scenarios from .xlsx and .csv files, results to them.

Public functions (the CLI, the Python API and `pool serve` use these, nothing else here):

    read_scenario_file(path, encoding=None) -> dict        a scenario file as plain data
    read_scenario_bytes(data, name, encoding=None) -> dict the same, from bytes (an upload)
    compose_scenario(data, name, encoding=None) -> yaml.Node   the tree the scenario reader checks
    decode_text(data, encoding=None) -> str                UTF-8/UTF-16, GB18030 named, never guessed
    write_results(checked, runs, fmt, lang="zh", detail=()) -> bytes  results [(period, PeriodResult)] as csv/xlsx
    write_impact(impact, fmt, lang="zh") -> bytes          `pool diff --scenario`'s table, likewise
    template_bytes(checked, fmt="xlsx", scenario=None, lang="zh") -> bytes   a fill-in workbook

Problems raise SheetError, whose `.problems` name each cell (`参数!B3`) and whose
`.render(file, lang)` gives the messages the CLI prints. openpyxl is imported only when
a workbook is read or written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from compiler.sheets.decode import decode as decode_text
from compiler.sheets.problems import CellMark, Problem, SheetError, fail
from compiler.sheets.read import SUFFIXES, is_spreadsheet

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import yaml

    from compiler.interpreter import PeriodResult
    from compiler.ir.checked import CheckedPolicy
    from compiler.scenario import Scenario
    from compiler.tools.impact import Impact


__all__ = [
    "SUFFIXES",
    "CellMark",
    "Problem",
    "SheetError",
    "compose_scenario",
    "decode_text",
    "is_spreadsheet",
    "read_scenario_bytes",
    "read_scenario_file",
    "template_bytes",
    "write_impact",
    "write_results",
]


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
        raise fail("cannot-read", reason=e.strerror or str(e)) from None
    return read_scenario_bytes(data, Path(path).name, encoding)


def write_results(
    checked: CheckedPolicy,
    runs: Sequence[tuple[int | None, PeriodResult]],
    fmt: str,
    lang: str = "zh",
    detail: Iterable[str] = (),
) -> bytes:
    """Ledger, values and closing balances of one or more periods as `fmt` ("csv" or "xlsx");
    entities' transfers totalled per rule and region unless `detail` names their kind."""
    from compiler.sheets.write import write_results as write

    return write(checked, runs, fmt, lang, detail)


def write_impact(impact: Impact, fmt: str, lang: str = "zh") -> bytes:
    """`pool diff --scenario`'s old/new/change tables as `fmt` ("csv" or "xlsx")."""
    from compiler.sheets.write import write_impact as write

    return write(impact, fmt, lang)


def template_bytes(
    checked: CheckedPolicy, fmt: str = "xlsx", scenario: Scenario | None = None, lang: str = "zh"
) -> bytes:
    """A fill-in workbook (or CSV) for the policy's scenarios, filled with `scenario` if given."""
    from compiler.sheets.template import template_bytes as build

    return build(checked, fmt, scenario, lang)
