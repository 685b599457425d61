"""`pool template`: a fill-in workbook for a policy's scenarios.

One sheet per table the scenario reader knows (compiler/sheets/read.py), so a filled
template runs unchanged: 地区 (one row per region of the policy's set, one column per
input with its unit, drop-down lists for enumerations and booleans, money and percent
cell formats, each input's 原文 as a comment on its header), 参数 (待定 parameters
highlighted), 全局 and 期初余额 when the policy has global inputs or carried funds, and a sheet
per kind of entity (id, 地区, links, the kind's inputs; in CSV under a row naming the kind).
Given a scenario, the template comes filled with it: the scenario as a spreadsheet.
"""

from __future__ import annotations

from typing import Any

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account
from compiler.ir.types import Base, Type
from compiler.scenario import Scenario, Value
from compiler.sheets.cells import openpyxl_module
from compiler.sheets.write import (
    COUNT_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    CellValue,
    Column,
    Table,
    excel_value,
    save_workbook,
    to_csv,
)

ENTITY_ROWS = 1000  # rows of an entity sheet given drop-down lists and number formats
OPEN_FILL = "FFF2CC"  # Excel's pale yellow "note" fill: 待定 parameters to be filled in
_UNIT = {Base.MONEY: ("元", MONEY_FORMAT), Base.RATIO: ("%", PERCENT_FORMAT), Base.COUNT: ("人", COUNT_FORMAT)}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _unit(t: Type) -> tuple[str, str | None]:
    return _UNIT.get(t.base, ("", None))


def _header(name: str, t: Type) -> str:
    unit = _unit(t)[0]
    return f"{name}({unit})" if unit else name


def _cell(v: Value | None, t: Type, lang: str, csv: bool) -> CellValue:
    """A scenario value as the cell a person would type: 是/否 for booleans (the drop-down's
    words), numbers as numbers; a ratio as a fraction in a percent-formatted cell, or in
    CSV as the text 70% (a CSV cell has no format to say it is a percentage)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return _t(lang, "是" if v else "否", "true" if v else "false")
    if t.base is Base.RATIO and csv:
        return f"{(v * 100).normalize():f}%"
    return excel_value(v)


def _quote(decl: object) -> str | None:
    literate = getattr(decl, "literate", None)
    if isinstance(literate, ir.Literate) and literate.quote is not None:
        return literate.quote.value
    return None


def _choices(checked: CheckedPolicy, t: Type, lang: str) -> list[str] | None:
    if t.base is Base.BOOL:
        return [_t(lang, "是", "true"), _t(lang, "否", "false")]
    if t.base is Base.ENUM and t.enum is not None:
        return [m.text for m in checked.scope.enums[t.enum].members]
    return None


class _Template:
    def __init__(self, checked: CheckedPolicy, scen: Scenario | None, lang: str, csv: bool) -> None:
        self.checked, self.scen, self.lang, self.csv = checked, scen, lang, csv
        values = checked.scope.values.items()
        self.inputs = [(n, d) for n, d in values if isinstance(d, ir.InputDecl) and not d.implicit]
        self.regional = [(n, d) for n, d in self.inputs if checked.types[n].per_region and not checked.types[n].entity]
        self.single = [(n, d) for n, d in self.inputs if not checked.types[n].per_region]
        # Parameters a scenario may set: open ones, and those with bounds to move within.
        self.params = [(n, d) for n, d in values if isinstance(d, ir.ParamDecl) and (d.value is None or d.bounds)]
        self.funds = [(n, f) for n, f in checked.scope.funds.items() if f.carried]
        policy = checked.policy
        self.schemes = [s.text for s in policy.header.schemes] if policy is not None else []
        self.known = [r.text for r in checked.scope.regions(policy)]
        self.regions = list(scen.regions) if scen is not None and scen.regions else self.known

    def given(self, table: dict[str, Value | dict[str, Value]], name: str, region: str | None) -> Value | None:
        v = table.get(name)
        if isinstance(v, dict):
            return v.get(region) if region is not None else None
        return v

    def tables(self) -> list[tuple[Table, dict[int, list[str]], dict[int, str], set[int]]]:
        """Each sheet: its table, drop-down choices by column, comments by column, and the
        rows (1-based, after the header) to highlight."""
        lang, scen, types = self.lang, self.scen, self.checked.types
        out: list[tuple[Table, dict[int, list[str]], dict[int, str], set[int]]] = []
        columns = [Column(_t(lang, "地区", "region"))] + [
            Column(_header(n, types[n]), _unit(types[n])[1]) for n, _ in self.regional
        ]
        rows: list[list[CellValue]] = [
            [
                r,
                *(
                    _cell(self.given(scen.inputs, n, r) if scen else None, types[n], lang, self.csv)
                    for n, _ in self.regional
                ),
            ]
            for r in self.regions
        ]
        choices = {
            j: c for j, (n, _) in enumerate(self.regional, start=2) if (c := _choices(self.checked, types[n], lang))
        }
        notes = {j: q for j, (_, d) in enumerate(self.regional, start=2) if (q := _quote(d))}
        out.append((Table(_t(lang, "地区", "regions"), columns, rows), choices, notes, set()))

        value_col = [
            Column(_t(lang, "参数", "params")),
            Column(_t(lang, "值", "value")),
            Column(_t(lang, "单位", "unit")),
            Column(_t(lang, "说明", "note")),
            Column(_t(lang, "原文", "clause")),
        ]
        rows = [
            [
                _t(lang, "期间", "period"),
                scen.period if scen else None,
                None,
                _t(lang, "年份,如 2026", "a year, e.g. 2026"),
                None,
            ]
        ]
        choices = {}
        if self.schemes:
            rows.append(
                [_t(lang, "险种", "scheme"), scen.scheme if scen else None, None, "、".join(self.schemes), None]
            )
        if scen is not None and scen.missing:  # a partial scenario stays partial in its workbook
            rows.append(
                [
                    _t(lang, "部分地区", "partial"),
                    _t(lang, "是", "true"),
                    None,
                    _t(
                        lang,
                        "只列出部分地区:按全部地区合计的数只涵盖这些",
                        "some regions only: totals over the set cover these",
                    ),
                    None,
                ]
            )
        highlight = set()
        for n, d in self.params:
            t = types[n]
            v = self.given(scen.params, n, None) if scen else None
            if d.value is None:
                highlight.add(len(rows) + 1)
            note = (
                _t(lang, "待定:须填写", "open: to be filled in")
                if d.value is None
                else _t(lang, "可调,留空即按政策取值", "adjustable; empty means the policy's value")
            )
            rows.append([n, _cell(v, t, lang, self.csv), _unit(t)[0] or None, note, _quote(d)])
        out.append((Table(_t(lang, "参数", "params"), value_col, rows), choices, {}, highlight))
        if self.single:
            columns = [
                Column(_t(lang, "全局", "global")),
                Column(_t(lang, "值", "value")),
                Column(_t(lang, "单位", "unit")),
                Column(_t(lang, "原文", "clause")),
            ]
            rows = [
                [
                    n,
                    _cell(self.given(scen.inputs, n, None) if scen else None, types[n], lang, self.csv),
                    _unit(types[n])[0] or None,
                    _quote(d),
                ]
                for n, d in self.single
            ]
            out.append((Table(_t(lang, "全局", "global"), columns, rows), {}, {}, set()))
        if self.funds:
            # Headed by the table's name, as every table is, so a CSV file's sections are found.
            columns = [
                Column(_t(lang, "期初余额", "state")),
                Column(_t(lang, "地区", "region")),
                Column(_t(lang, "金额(元)", "amount (元)"), MONEY_FORMAT),
            ]
            rows = []
            for n, f in self.funds:
                for r in self.regions if f.per_region else [None]:
                    key = account(n, r) if r is not None else n
                    v = scen.state.get(key) if scen else None
                    rows.append([n, r, excel_value(v) if v is not None else None])
            out.append((Table(_t(lang, "期初余额", "state"), columns, rows), {}, {}, set()))
        out.extend(self.entity_table(kind) for kind in self.checked.scope.entities)
        return out

    def entity_table(self, kind: str) -> tuple[Table, dict[int, list[str]], dict[int, str], set[int]]:
        """One record a row: id, its region (left empty where a link gives it), each link, the
        kind's inputs. Filled from the scenario's entities, in its order."""
        lang, types, scen = self.lang, self.checked.types, self.scen
        links = [x.text for x in self.checked.scope.entities[kind].links]
        inputs = [(n, d) for n, d in self.inputs if types[n].entity == kind]
        columns = [
            Column("id"),
            Column(_t(lang, "地区", "region")),
            *map(Column, links),
            *(Column(_header(n, types[n]), _unit(types[n])[1]) for n, _ in inputs),
        ]
        rows: list[list[CellValue]] = []
        ents = scen.entities if scen is not None else None
        for id_ in ents.ids.get(kind, []) if ents is not None else []:
            assert ents is not None and scen is not None
            linked = [ents.links[kind][id_].get(k) for k in links]
            region = None if any(linked) else ents.regions[kind].get(id_)
            values = [_cell(self.given(scen.inputs, n, id_), types[n], lang, self.csv) for n, _ in inputs]
            rows.append([id_, region, *linked, *values])
        first = 3 + len(links)
        choices = {
            j: c for j, (n, _) in enumerate(inputs, start=first) if (c := _choices(self.checked, types[n], lang))
        }
        if self.known and len(",".join(self.known)) + 2 <= 255:  # Excel's limit on a list's text
            choices[2] = self.known
        notes = {j: q for j, (_, d) in enumerate(inputs, start=first) if (q := _quote(d))}
        if (q := _quote(self.checked.scope.entities[kind])) is not None:
            notes[1] = q
        return Table(kind, columns, rows), choices, notes, set()


def template_bytes(
    checked: CheckedPolicy, fmt: str = "xlsx", scenario: Scenario | None = None, lang: str = "zh"
) -> bytes:
    """A fill-in workbook (or CSV file) for `checked`'s scenarios, filled with `scenario` when given."""
    sheets = _Template(checked, scenario, lang, fmt == "csv").tables()
    if fmt == "csv":
        # An entity table is found by the row naming its kind above its header (compiler/sheets/read.py).
        return to_csv([t for t, *_ in sheets], titles=False, titled=set(checked.scope.entities))
    return _workbook(sheets, checked, lang)


def _workbook(
    sheets: list[tuple[Table, dict[int, list[str]], dict[int, str], set[int]]], checked: CheckedPolicy, lang: str
) -> bytes:
    openpyxl: Any = openpyxl_module()
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, choices, notes, highlight in sheets:
        ws = book.create_sheet(table.title)
        ws.append([c.header for c in table.columns])
        for row in table.rows:
            ws.append(row)
        # An entity table grows as people are added: its lists and formats reach further down.
        last = max(len(table.rows) + 1, ENTITY_ROWS if table.title in checked.scope.entities else 2)
        for j, column in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            head = ws.cell(1, j)
            head.font = Font(bold=True)
            ws.column_dimensions[letter].width = max(10, min(40, 2 * len(column.header) + 2))
            if column.format is not None:
                for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                    cell.number_format = column.format
            if j in notes:
                head.comment = Comment(notes[j], "pool")
            if j in choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices[j]) + '"', allow_blank=True)
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
        if table.title in ("参数", "params"):
            _value_formats(ws, table, checked)
            fill = PatternFill("solid", fgColor=OPEN_FILL)
            for r in highlight:
                for c in range(1, len(table.columns) + 1):
                    ws.cell(r + 1, c).fill = fill
            schemes = [s.text for s in checked.policy.header.schemes] if checked.policy is not None else []
            if schemes:
                dv = DataValidation(type="list", formula1='"' + ",".join(schemes) + '"', allow_blank=True)
                dv.add("B3")
                ws.add_data_validation(dv)
        ws.freeze_panes = "B2"
    return save_workbook(book)


def _value_formats(ws: Any, table: Table, checked: CheckedPolicy) -> None:
    """Each parameter's value cell formatted for its type (a 参数 sheet mixes types by row)."""
    for i, row in enumerate(table.rows, start=2):
        name = row[0]
        t = checked.types.get(name) if isinstance(name, str) else None
        fmt = _unit(t)[1] if t is not None else None
        if fmt is not None:
            ws.cell(i, 2).number_format = fmt
