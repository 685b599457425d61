"""Scenario spreadsheets read into the tree the scenario reader checks.

Layout (docs/spreadsheets.md): a table of regions as rows and inputs as columns, whose
header row starts with 地区; key-value tables headed 参数 (with 期间 and 险种), 全局 (global
inputs) and 期初余额 (opening balances: 资金, 地区 when the fund is per region, 金额).
An entity table (参保人员, 用人单位) holds one record a row, its header beginning `id`, then
地区 or a link and the kind's inputs; its kind is the sheet's name, or a row naming it above
the header (in a CSV file, or in any sheet).
In a workbook each table may be its own sheet, named after it; in a CSV file (or any
sheet) the tables follow one another, each starting at its header row. A header may
carry a unit, `上年度征缴收入(万元)`, which applies to the plain numbers of its column.

The result is a YAML node tree of the same shape a JSON scenario composes to, every
node marked with its cell, so the one scenario reader judges every value and its
messages name `cities.xlsx:参数!B3` where they would name a line and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import yaml

from compiler.sheets.amounts import NUMBER
from compiler.sheets.cells import Cell, Sheet, csv_sheet, workbook_sheets
from compiler.sheets.problems import CellMark, Problem, SheetError, problem

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv")


def is_spreadsheet(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


SECTIONS = {
    "地区": "regions",
    "region": "regions",
    "regions": "regions",
    "参数": "params",
    "params": "params",
    "全局": "global",
    "全局输入": "global",
    "global": "global",
    "期初余额": "state",
    "state": "state",
}
# A header's unit → what a plain number in its column is suffixed with for the reader.
UNITS = {"元": "", "万元": "万元", "亿元": "亿元", "%": "%", "％": "%", "人": "", "万人": "万", "比例": "", "分": ""}
_VALUE = {"值", "value", "数值", "金额", "余额", "amount", "balance"}
_UNIT = {"单位", "unit"}
_REGION = {"地区", "region"}
_NOTES = {"说明", "原文", "范围", "类型", "备注", "note", "notes", "clause", "bounds", "type"}  # read by people only
_TOP_NAMES = {
    "期间": "period",
    "period": "period",
    "险种": "scheme",
    "scheme": "scheme",
    "部分地区": "partial",
    "partial": "partial",
}
_HEADER = re.compile(r"(?P<name>.*?)\s*[(（](?P<unit>[^()（）]*)[)）]\s*")
_PLAIN = re.compile(NUMBER)
_STR, _NULL, _MAP, _SEQ = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
)

Pairs = list[tuple[yaml.Node, yaml.Node]]
_ID = {"id", "编号"}


@attrs.define
class _Block:
    kind: str  # a key of the scenario: regions, params, global, state, entities
    header: list[Cell]
    rows: list[list[Cell]]
    entity: tuple[str, Cell] | None = None  # an entity table's kind, and the cell that names it


def _is_id(cell: Cell, kind: str | None) -> bool:
    """Whether `cell` heads an entity table's id column: `id`, or the kind's own name."""
    text = (cell.text or "").strip()
    return text.lower() in _ID or (kind is not None and text == kind)


def compose(data: bytes, name: str, encoding: str | None = None) -> yaml.Node:
    """The scenario tree of an .xlsx or .csv file's bytes; SheetError naming the cells otherwise."""
    sheets = workbook_sheets(data) if name.lower().endswith((".xlsx", ".xlsm")) else [csv_sheet(data, encoding)]
    return _Builder().build(sheets)


def _mark(cell: Cell) -> CellMark:
    return CellMark(cell.ref, cell.row, cell.column)


def _scalar(text: str | None, cell: Cell) -> yaml.ScalarNode:
    return yaml.ScalarNode(_NULL if text is None else _STR, text or "", _mark(cell), _mark(cell))


def _mapping(pairs: Pairs, cell: Cell) -> yaml.MappingNode:
    return yaml.MappingNode(_MAP, pairs, _mark(cell), _mark(cell))


def _with_unit(cell: Cell | None, suffix: str) -> str | None:
    """A cell's text with its column's unit applied to a plain number (a number formatted
    as a percentage is a fraction already; a text with its own unit keeps it)."""
    if cell is None or cell.text is None or not suffix or (suffix == "%" and cell.percent):
        return None if cell is None else cell.text
    return cell.text + suffix if _PLAIN.fullmatch(cell.text) else cell.text


class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.top: dict[str, tuple[Cell, yaml.Node | Pairs]] = {}
        self.state: dict[str, tuple[Cell, yaml.Node | Pairs]] = {}

    def problem(self, cell: Cell | str, key: str, **args: str) -> None:
        self.problems.append(problem(cell if isinstance(cell, str) else cell.ref, key, **args))

    def build(self, sheets: list[Sheet]) -> yaml.Node:
        for sheet in sheets:
            self.sheet(sheet)
        if self.problems:
            raise SheetError(self.problems)
        pairs: Pairs = []
        for key in ("period", "scheme", "params", "global", "regions", "entities", "state", "partial"):
            if key == "state" and self.state:
                first = next(iter(self.state.values()))[0]
                state: Pairs = [
                    (_scalar(name, cell), v if isinstance(v, yaml.Node) else _mapping(v, cell))
                    for name, (cell, v) in self.state.items()
                ]
                pairs.append((_scalar(key, first), _mapping(state, first)))
            elif key in self.top:
                cell, v = self.top[key]
                pairs.append((_scalar(key, cell), v if isinstance(v, yaml.Node) else _mapping(v, cell)))
        root = Cell("A1", 1, 1, None)
        return _mapping(pairs, root)

    def sheet(self, sheet: Sheet) -> None:
        named = SECTIONS.get(sheet.name or "")
        # A sheet named after no table may hold one kind of entity: its name is the kind.
        kind_name = (sheet.name, Cell(sheet.ref(1, 1), 1, 1, sheet.name)) if sheet.name and named is None else None
        filled = [(row, cells) for row in sheet.rows if (cells := [c for c in row if c.text is not None])]
        block: _Block | None = None
        blocks: list[_Block] = []
        title: tuple[str, Cell] | None = None
        for i, (row, cells) in enumerate(filled):
            first = cells[0]
            assert first.text is not None
            after = filled[i + 1][1][0] if i + 1 < len(filled) else None
            if len(cells) == 1 and after is not None and _is_id(after, first.text):
                title = (first.text, first)  # the kind of the entity table whose header follows
                continue
            kind = SECTIONS.get(first.text)
            entity = title or kind_name
            if kind is None and _is_id(first, entity[0] if entity else None):
                if entity is None:
                    self.problem(first, "entity-no-kind")
                    return
                block = _Block("entities", row, [], entity)
                blocks.append(block)
                title = None
                continue
            if kind is None and block is None and named is not None:
                kind = named  # a sheet named after its table: the first row is its header, whatever its label
            if kind is not None:
                block = _Block(kind, row, [])
                blocks.append(block)
            elif block is None:
                self.problem(first, "orphan-row-sheet" if sheet.name is not None else "orphan-row")
                return
            else:
                block.rows.append(row)
        for b in blocks:
            label = next(c for c in b.header if c.text is not None)
            if b.entity is not None:
                self.entities(sheet, b.entity, label, b.header, b.rows)
            elif b.kind == "regions":
                self.regions(sheet, label, b.header, b.rows)
            elif b.kind == "state":
                self.balances(sheet, label, b.header, b.rows)
            else:
                self.pairs(sheet, b.kind, label, b.header, b.rows)

    def unit(self, cell: Cell, text: str) -> str:
        if text not in UNITS:
            self.problem(cell, "unknown-unit", unit=text)
            return ""
        return UNITS[text]

    def header(self, cell: Cell) -> tuple[str, str]:
        assert cell.text is not None
        m = _HEADER.fullmatch(cell.text)
        if m is None:
            return cell.text, ""
        return m["name"], self.unit(cell, m["unit"].strip())

    def stray(self, row: list[Cell], used: set[int]) -> None:
        for c in row:
            if c.text is not None and c.column not in used:
                self.problem(c, "no-header")

    def regions(self, sheet: Sheet, label: Cell, header: list[Cell], rows: list[list[Cell]]) -> None:
        if "regions" in self.top:
            self.problem(label, "regions-twice")
            return
        columns = [(c.column, *self.header(c), c) for c in header if c.text is not None and c.column > label.column]
        used = {label.column} | {col for col, *_ in columns}
        # A column nobody filled in is not given (a template lists every input, and an input
        # with a default may be left out); a column filled in for some regions must be for all.
        filled = {c.column for row in rows for c in row if c.text is not None}
        columns = [c for c in columns if c[0] in filled]
        regions: Pairs = []
        for row in rows:
            by_col = {c.column: c for c in row}
            number = row[0].row
            self.stray(row, used)
            region = by_col.get(label.column)
            if region is None or region.text is None:
                self.problem(sheet.ref(number, label.column), "no-region")
                continue
            values: Pairs = []
            for col, name, suffix, head in columns:
                cell = by_col.get(col) or Cell(sheet.ref(number, col), number, col, None)
                values.append((_scalar(name, head), _scalar(_with_unit(cell, suffix), cell)))
            regions.append((_scalar(region.text, region), _mapping(values, region)))
        self.top["regions"] = (label, regions)

    def pairs(self, sheet: Sheet, kind: str, label: Cell, header: list[Cell], rows: list[list[Cell]]) -> None:
        value_col, value_unit, unit_col = label.column + 1, "", None
        for c in header:
            if c.text is None or c.column <= label.column:
                continue
            name, suffix = self.header(c)
            if name in _VALUE:
                value_col, value_unit = c.column, suffix
            elif name in _UNIT:
                unit_col = c.column
            elif name not in _NOTES:
                self.problem(c, "unknown-column", name=name, known="值、单位、说明、原文、范围")
        _, got = self.top.setdefault(kind, (label, []))
        assert isinstance(got, list)
        for row in rows:
            by_col = {c.column: c for c in row}
            number = row[0].row
            key = by_col.get(label.column)
            value = by_col.get(value_col) or Cell(sheet.ref(number, value_col), number, value_col, None)
            if key is None or key.text is None:
                self.problem(sheet.ref(number, label.column), "no-name")
                continue
            if value.text is None:
                continue  # not given: the policy's value, or the reader names an open parameter left open
            unit = by_col.get(unit_col) if unit_col is not None else None
            suffix = self.unit(unit, unit.text) if unit is not None and unit.text is not None else value_unit
            node = _scalar(_with_unit(value, suffix), value)
            top = _TOP_NAMES.get(key.text)
            if top is not None and kind == "params":
                self.top[top] = (key, node)
            else:
                got.append((_scalar(key.text, key), node))

    def entities(
        self, sheet: Sheet, entity: tuple[str, Cell], label: Cell, header: list[Cell], rows: list[list[Cell]]
    ) -> None:
        """One record a row: `id` (the label's column), then 地区 or a link, and the kind's inputs.
        An empty 地区 cell is left out (the region follows a link); any other empty cell of a column
        someone filled is an empty value: no link, or for an input a value the reader calls missing."""
        kind, named = entity
        _, got = self.top.setdefault("entities", (named, []))
        assert isinstance(got, list)
        if any(k.value == kind for k, _ in got):
            self.problem(named, "entities-twice", kind=kind)
            return
        columns = [(c.column, *self.header(c), c) for c in header if c.text is not None and c.column > label.column]
        used = {label.column} | {col for col, *_ in columns}
        filled = {c.column for row in rows for c in row if c.text is not None}
        columns = [c for c in columns if c[0] in filled]
        records: list[yaml.Node] = []
        for row in rows:
            by_col = {c.column: c for c in row}
            number = row[0].row
            self.stray(row, used)
            id_ = by_col.get(label.column) or Cell(sheet.ref(number, label.column), number, label.column, None)
            fields: Pairs = [(_scalar("id", label), _scalar(id_.text, id_))]
            for col, name, suffix, head in columns:
                cell = by_col.get(col) or Cell(sheet.ref(number, col), number, col, None)
                if cell.text is None and name in _REGION:
                    continue
                fields.append((_scalar(name, head), _scalar(_with_unit(cell, suffix), cell)))
            records.append(_mapping(fields, id_))
        got.append((_scalar(kind, named), yaml.SequenceNode(_SEQ, records, _mark(named), _mark(named))))

    def balances(self, sheet: Sheet, label: Cell, header: list[Cell], rows: list[list[Cell]]) -> None:
        region_col, amount_col, suffix = None, label.column + 1, ""
        for c in header:
            if c.text is None or c.column <= label.column:
                continue
            name, unit = self.header(c)
            if name in _REGION:
                region_col = c.column
            elif name in _VALUE:
                amount_col, suffix = c.column, unit
            elif name not in _NOTES:
                self.problem(c, "unknown-column", name=name, known="地区、金额")
        for row in rows:
            by_col = {c.column: c for c in row}
            number = row[0].row
            fund = by_col.get(label.column)
            amount = by_col.get(amount_col) or Cell(sheet.ref(number, amount_col), number, amount_col, None)
            if fund is None or fund.text is None:
                self.problem(sheet.ref(number, label.column), "no-fund")
                continue
            if amount.text is None:
                continue  # not given: the balance opens at zero
            node = _scalar(_with_unit(amount, suffix), amount)
            region = by_col.get(region_col) if region_col is not None else None
            if region is None or region.text is None:
                if fund.text in self.state:
                    self.problem(fund, "balance-twice")
                self.state[fund.text] = (fund, node)
                continue
            _, regions = self.state.setdefault(fund.text, (fund, []))
            if not isinstance(regions, list):
                self.problem(region, "balance-mixed")
                continue
            regions.append((_scalar(region.text, region), node))


def to_data(node: yaml.Node) -> object:
    """A composed scenario as plain data, the shape `json.load` gives for a JSON scenario:
    every value a string (numbers as decimal text, never a float), or None for an empty cell."""
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): to_data(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [to_data(v) for v in node.value]
    return None if node.tag == _NULL else str(node.value)
