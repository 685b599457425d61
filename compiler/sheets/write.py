"""Results as spreadsheets: `--format csv|xlsx` on run, simulate and diff.

One table a sheet (in CSV, one section a table, each under its title), Chinese headers
(English with --lang en), one unit a column named in its header, and numbers as numbers:
money as exact decimals to the fen (never through a float: openpyxl writes a Decimal's
own digits), ratios as fractions shown as percentages. The bytes are deterministic:
the workbook's timestamps and its zip entries' dates are fixed, so the same results
give the same file.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import zipfile
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from openpyxl import Workbook

from compiler.interpreter import PeriodResult
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base, Type
from compiler.ledger import Row as LedgerRow
from compiler.ledger import compact, entity_of, falling_due
from compiler.numbers import to_decimal
from compiler.plan import plan_of
from compiler.runtime import Entities
from compiler.sheets.cells import openpyxl_module
from compiler.tools.impact import Impact
from compiler.tools.impact import Row as ImpactRow

CellValue = Decimal | int | str | bool | None
MONEY_FORMAT, PERCENT_FORMAT, COUNT_FORMAT = "#,##0.00", "0.00%", "#,##0"
# The earliest date a zip entry can carry; any fixed instant would do.
EPOCH = datetime.datetime(1980, 1, 1)
FORMATS = ("csv", "xlsx")
EXCEL_DIGITS = 15


@attrs.frozen
class Column:
    header: str
    format: str | None = None  # an Excel number format; None for text and plain numbers


@attrs.frozen
class Table:
    title: str  # the sheet's name; in CSV, the section's title row
    columns: list[Column]
    rows: list[list[CellValue]]


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _unit(t: Type | None, lang: str) -> tuple[str, str | None]:
    """The header suffix and number format of a column of values of type `t`."""
    if t is None or not t.numeric:
        return "", None
    if t.base is Base.MONEY:
        return "(元)", MONEY_FORMAT
    if t.base is Base.RATIO:
        return "(%)", PERCENT_FORMAT
    if t.base is Base.COUNT:
        return _t(lang, "(人)", " (persons)"), COUNT_FORMAT
    if t.base is Base.MONTHS:
        return _t(lang, "(个月)", " (months)"), None
    return "", None


def _cell(v: Scalar | None, t: Type | None) -> CellValue:
    if v is None or isinstance(v, (bool, str)):
        return v
    if t is not None and t.base is Base.MONEY:
        return to_decimal(v, 2)
    if v.denominator == 1:
        return v.numerator
    return number(v)


def number(v: Fraction) -> Decimal:
    """A ratio or other non-money number to the 15 significant digits a spreadsheet holds:
    exact when it has no more, else rounded half-up (1/3 is 0.333333333333333). Money is
    never rounded this way: it is exact to the fen (and text beyond 15 digits)."""
    with decimal.localcontext(prec=EXCEL_DIGITS, rounding=decimal.ROUND_HALF_UP):
        return (Decimal(v.numerator) / Decimal(v.denominator)).normalize()


def _money(v: Fraction) -> Decimal:
    return to_decimal(v, 2)


Run = tuple[int | None, PeriodResult]


def result_tables(
    checked: CheckedPolicy, runs: Sequence[Run], lang: str = "zh", detail: Iterable[str] = ()
) -> list[Table]:
    """The ledger, the values (per region, and global) and the closing balances of one
    or more periods, each row led by its period. As in `pool run --json`, transfers of
    entities are totalled per rule and region (地区 and 个数 columns say which and how many)
    and values per entity left out, unless `detail` names the kind: then its transfers are
    listed one by one and its values are a sheet of their own."""
    keep = list(dict.fromkeys(detail))
    period = _t(lang, "期间", "period")
    plan = plan_of(checked)
    ledger_rows = [
        (p, res.entities, r)
        for p, res in runs
        for r in compact(falling_due(res.transfers, plan, p), res.entities, keep)
    ]
    totalled = any(r.kind is not None for *_, r in ledger_rows)
    due = any(r.part is not None for *_, r in ledger_rows)  # instalments: when each part falls due
    ledger = Table(
        _t(lang, "资金往来", "ledger"),
        [
            Column(period),
            *map(Column, (_t(lang, "规则", "rule"), _t(lang, "自", "from"), _t(lang, "至", "to"))),
            *(
                [Column(_t(lang, "地区", "region")), Column(_t(lang, "个数", "count"), COUNT_FORMAT)]
                if totalled
                else []
            ),
            Column(_t(lang, "金额(元)", "amount (元)"), MONEY_FORMAT),
            Column(_t(lang, "行", "line")),
            *([Column(_t(lang, "应付日期", "due")), Column(_t(lang, "期次", "instalment"))] if due else []),
        ],
        [
            [
                p,
                r.rule,
                r.source,
                r.dest,
                *([_region(r, e), r.count or None] if totalled else []),
                _money(r.amount),
                r.line,
                *([r.due.isoformat() if r.due else None, r.part] if due else []),
            ]
            for p, e, r in ledger_rows
        ],
    )
    names = [n for n in checked.scope.values if any(n in res.values for _, res in runs)]
    regional = [n for n in names if checked.types[n].per_region and checked.types[n].entity is None]
    single = [n for n in names if not checked.types[n].per_region]

    def columns(ns: list[str]) -> list[Column]:
        return [Column(n + _unit(checked.types[n], lang)[0], _unit(checked.types[n], lang)[1]) for n in ns]

    regions = list(
        dict.fromkeys(r for _, res in runs for n in regional if isinstance(v := res.values.get(n), dict) for r in v)
    )
    per_region = Table(
        _t(lang, "地区结果", "values by region"),
        [Column(period), Column(_t(lang, "地区", "region")), *columns(regional)],
        [
            [p, r, *(_cell(_at(res.values.get(n), r), checked.types[n]) for n in regional)]
            for p, res in runs
            for r in regions
        ],
    )
    overall = Table(
        _t(lang, "全局结果", "global values"),
        [Column(period), *columns(single)],
        [[p, *(_cell(_at(res.values.get(n), None), checked.types[n]) for n in single)] for p, res in runs],
    )
    per_entity = []
    for kind in keep:
        own = [n for n in names if checked.types[n].entity == kind]
        per_entity.append(
            Table(
                _t(lang, f"{kind}结果", f"values by {kind}"),
                [Column(period), Column("id"), Column(_t(lang, "地区", "region")), *columns(own)],
                [
                    [
                        p,
                        i,
                        res.entities.regions[kind].get(i),
                        *(_cell(_at(res.values.get(n), i), checked.types[n]) for n in own),
                    ]
                    for p, res in runs
                    for i in res.entities.ids.get(kind, [])
                ],
            )
        )
    balances = Table(
        _t(lang, "期末余额", "closing balances"),
        [
            Column(period),
            Column(_t(lang, "资金", "fund")),
            Column(_t(lang, "地区", "region")),
            Column(_t(lang, "金额(元)", "amount (元)"), MONEY_FORMAT),
        ],
        [[p, *_account(checked, k), _money(v)] for p, res in runs for k, v in res.closing.items()],
    )
    tables = [ledger, per_region, overall, *per_entity, balances]
    return [t for t in tables if len(t.columns) > 1 + (t is per_region)]


def _region(row: LedgerRow, entities: Entities) -> str | None:
    """The region of a ledger row's entities: those it totals, or the one entity it is listed for."""
    if row.kind is not None:
        return row.region
    got = entity_of(row.source, entities) or entity_of(row.dest, entities)
    return entities.regions[got[0]][got[1]] if got is not None else None


def _at(v: Scalar | dict[str, Scalar] | None, region: str | None) -> Scalar | None:
    if isinstance(v, dict):
        return v.get(region) if region is not None else None
    return v


def _account(checked: CheckedPolicy, key: str) -> tuple[str, str | None]:
    """A ledger account `名称(地区)` of a per-region fund as its fund and region."""
    for name, fund in checked.scope.funds.items():
        if fund.per_region and key.startswith(name + "(") and key.endswith(")"):
            return name, key[len(name) + 1 : -1]
    return key, None


def write_results(
    checked: CheckedPolicy, runs: Sequence[Run], fmt: str, lang: str = "zh", detail: Iterable[str] = ()
) -> bytes:
    """Results of one period or several (`pool run`, `pool simulate`) as CSV or xlsx bytes."""
    return write_tables(result_tables(checked, runs, lang, detail), fmt)


def write_tables(tables: list[Table], fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(tables)
    if fmt == "xlsx":
        return to_xlsx(tables)
    raise ValueError(f"unknown spreadsheet format {fmt!r} (known: {', '.join(FORMATS)})")


def _csv_value(v: CellValue, column: Column) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"  # what Excel writes, and reads back as a boolean
    if column.format == PERCENT_FORMAT and isinstance(v, (Decimal, int)):
        return f"{(Decimal(v) * 100).normalize():f}%"  # Excel reads 12.5% as the number 0.125
    if isinstance(v, Decimal):
        return f"{v:f}"
    return str(v)


def to_csv(tables: list[Table], titles: bool = True, titled: Collection[str] = ()) -> bytes:
    """UTF-8 with a byte-order mark, which is how Excel knows the file is UTF-8 (without it,
    Chinese Excel reads CSV as GBK and shows mojibake), and CRLF line ends, as RFC 4180 has
    them. Several tables follow one another, each under its title (without `titles`, only
    those `titled`), a blank line between."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            w.writerow([])
        if (titles and len(tables) > 1) or table.title in titled:
            w.writerow([table.title])
        w.writerow([c.header for c in table.columns])
        for row in table.rows:
            w.writerow([_csv_value(v, c) for v, c in zip(row, table.columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    openpyxl_module()  # a SheetError saying how to install it, rather than an ImportError
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in tables:
        ws = book.create_sheet(table.title[:31])  # Excel's limit on a sheet's name
        ws.append([c.header for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([excel_value(v) for v in row])
        for j, column in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(10, min(40, 2 * len(column.header) + 2))
            if column.format is not None:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = column.format
        ws.freeze_panes = "A2"
    return save_workbook(book)


def excel_value(v: CellValue) -> CellValue:
    """A number Excel can hold exactly (15 significant digits, what a double keeps of a
    decimal), or its text: openpyxl would write the nearest double's 16 digits, and an
    amount of 10¹³ 元 and more would silently lose fen."""
    if isinstance(v, Decimal) and len(v.as_tuple().digits) > EXCEL_DIGITS:
        return f"{v:f}"
    if isinstance(v, int) and not isinstance(v, bool) and len(str(abs(v))) > EXCEL_DIGITS:
        return str(v)
    return v


def save_workbook(book: Workbook) -> bytes:
    """The bytes of an openpyxl workbook, the same every time for the same content."""
    from openpyxl.writer.excel import ExcelWriter

    props = book.properties
    props.created = props.modified = EPOCH
    written = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the current time as modified.
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    # Each part carries the time it was written (worksheets go through temporary files):
    # copy them into a zip whose every entry has one fixed date.
    fixed = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=EPOCH.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info))
    return fixed.getvalue()


_MEASURES = {"inflow": ("流入", "in"), "outflow": ("流出", "out"), "closing": ("期末余额", "closing balance")}


def impact_tables(im: Impact, lang: str = "zh") -> list[Table]:
    """`pool diff --scenario`: old, new and change per rule, fund, party and region, in 元."""
    amounts = [
        Column(_t(lang, h, e), MONEY_FORMAT)
        for h, e in (("旧版本(元)", "old (元)"), ("新版本(元)", "new (元)"), ("变化(元)", "change (元)"))
    ]

    def three(r: ImpactRow) -> list[CellValue]:
        return [None if v is None else _money(v) for v in (r.old, r.new, r.change)]

    def measure(item: str) -> str:
        zh, en = _MEASURES.get(item, (item, item))
        return _t(lang, zh, en)

    fund, region = Column(_t(lang, "资金", "fund")), Column(_t(lang, "地区", "region"))
    tables = [
        Table(
            _t(lang, "各规则", "rules"),
            [fund, Column(_t(lang, "规则", "rule")), region, *amounts],
            [[r.fund, r.item, r.region, *three(r)] for r in im.rules],
        ),
        Table(
            _t(lang, "各资金", "funds"),
            [fund, Column(_t(lang, "项目", "measure")), *amounts],
            [[r.fund, measure(r.item), *three(r)] for r in im.funds],
        ),
        Table(
            _t(lang, "各主体", "parties"),
            [Column(_t(lang, "主体", "party")), Column(_t(lang, "项目", "measure")), *amounts],
            [[r.fund, measure(r.item), *three(r)] for r in im.parties],
        ),
        Table(_t(lang, "各地区净收支", "regions, net"), [region, *amounts], [[r.item, *three(r)] for r in im.regions]),
    ]
    return [
        t
        for t in tables
        if t.rows or t.title in (_t(lang, "各规则", "rules"), _t(lang, "各地区净收支", "regions, net"))
    ]


def write_impact(im: Impact, fmt: str, lang: str = "zh") -> bytes:
    """`pool diff OLD NEW --scenario S --format csv|xlsx`."""
    return write_tables(impact_tables(im, lang), fmt)
