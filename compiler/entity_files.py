"""Entity tables read from Parquet and CSV files, as arrays: millions of persons and employers.

    pool run POLICY scenario.json --engine vector --entities 参保人员=persons.parquet --entities 用人单位=employers.csv

One file per kind of entity (a table, one row per entity) with the columns a scenario's
`entities` records have: `id`, the region (`地区` or `region`) or the linked entity's id
(a column named after the linked kind, e.g. `用人单位`), and the kind's inputs. Only those
columns are read (memory follows the columns the policy uses); others are ignored.

Money is read exactly, never through float: a column `缴费工资` holds 元 as decimal strings
("8000.50"), Parquet decimals or whole-元 integers; a column `缴费工资(分)` holds integer fen.
Other numbers: decimal strings (at most 6 places), decimals or integers. A float column is
refused, saying how to write it. Checks are those of compiler/scenario_entities.py (ids
unique and not a region's name, a region of the policy or a listed linked entity, inputs of
their types, no negative amount unless the input is 可为负), each reported as
`file:row:column` with rows counted from 1 (a CSV's header is line 1, row 1 is line 2); the
first 20 problems are listed with a count of the rest.

pyarrow (the `scale` extra) is imported here only: the core install works without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from compiler.entity_columns import TypedColumns, default_text, edges, entries, repeated, trimmed
from compiler.entity_problems import ByValue, Problems
from compiler.entity_problems import FilesRefused as FilesRefused
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Base, Type
from compiler.vector.arith import Arr
from compiler.vector.batch import Scaled
from compiler.vector.entities import Columns

REGION_KEYS = ("地区", "region")


class Ids(Sequence[str]):
    """A kind's ids as the vector backend reads them, without a Python string per entity."""

    def __init__(self, column: Any) -> None:
        self.column = column  # a pyarrow string array

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return self.column[i].to_pylist()
        return self.column[int(i)].as_py()

    def __iter__(self) -> Iterator[str]:
        return iter(self.column.to_pylist())


@attrs.frozen
class EntityData:
    columns: Columns
    inputs: dict[str, Any]  # per-entity inputs as batch values: int64 fen, Scaled, bool or str arrays (1, n)
    ids: dict[str, Any]  # kind → pyarrow string array


def pyarrow_modules() -> tuple[Any, Any, Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq
    except ImportError:
        raise FilesRefused(
            "读取 Parquet/CSV 实体表需要 pyarrow:pip install 'pool-lang[scale]'\n",
            "entity tables in Parquet/CSV need pyarrow: pip install 'pool-lang[scale]'\n",
        ) from None
    return pa, pc, pcsv, pq


class Reader(TypedColumns):
    def __init__(
        self,
        checked: CheckedPolicy,
        regions: Sequence[str],
        known: Sequence[str],
        keys: bool = True,
        inputs: bool = True,
        ids: bool = True,
    ) -> None:
        # Which columns to read and check: ids, regions and links (keys); inputs; the ids alone.
        self.keys, self.inputs, self.ids = keys, inputs, ids or keys
        self.pa, self.pc, self.pcsv, self.pq = pyarrow_modules()
        self.checked, self.scope = checked, checked.scope
        self.regions = list(regions)  # the scenario's; empty: the regions the files name, in order
        self.known = list(known)
        self.named: list[str] = list(regions)
        self.p = Problems()

    def inputs_of(self, kind: str) -> list[str]:
        return [
            n
            for n, d in self.scope.values.items()
            if isinstance(d, ir.InputDecl) and self.checked.types[n].entity == kind
        ]

    def open(self, kind: str, path: str) -> Any:
        """The table of the columns this kind uses (others are not read)."""
        pa, pc = self.pa, self.pc
        links = [x.text for x in self.scope.entities[kind].links] if self.keys else []
        names = self.inputs_of(kind) if self.inputs else []
        keys = ["id"] * self.ids + [*REGION_KEYS] * self.keys + links
        wanted = {*keys, *names, *(f"{n}(分)" for n in names)}
        try:
            if Path(path).suffix.lower() == ".parquet":
                schema = self.pq.read_schema(path)
                cols = [c for c in schema.names if c in wanted]
                text = {c for c in cols if pa.types.is_string(schema.field(c).type) and c in self.few_values(kind)}
                # not read_table: no pyarrow.dataset (nor pandas) to import
                file = self.pq.ParquetFile(path, read_dictionary=sorted(text))
                return file.read(columns=cols)
            with open(path, "rb") as f:
                head = f.readline()
            try:
                header = next(csv.reader(io.StringIO(head.decode("utf-8-sig"))), [])
            except UnicodeDecodeError:
                self.p.add(path, [-1], "", "表头不是 UTF-8 文本", "the header is not UTF-8 text")
                return None
            cols = [c for c in header if c in wanted]
            table = self.pcsv.read_csv(
                path,
                convert_options=self.pcsv.ConvertOptions(
                    column_types={c: pa.binary() for c in cols}, include_columns=cols
                ),
            )
        except (OSError, pa.ArrowException) as e:
            self.p.add(path, None, "", f"无法读取:{e}", f"cannot be read: {e}")
            return None
        out = {}
        for c in cols:  # CSV text must be UTF-8: find the rows that are not
            try:
                out[c] = pc.cast(table[c], pa.string())
            except pa.ArrowException:
                bad = [i for i, b in enumerate(table[c].to_pylist()) if b is not None and not _utf8(b)]
                self.p.add(path, bad, c, "不是 UTF-8 文本", "is not UTF-8 text")
                out[c] = pa.nulls(len(table), pa.string())
        return pa.table(out) if out else pa.table({"id": pa.array([], pa.string())})

    def few_values(self, kind: str) -> set[str]:
        """The columns read as dictionaries (each distinct value converted and checked once): the
        region, enumerations, booleans and numbers other than money. Not ids, links or money,
        where nearly every row differs and a dictionary would only cost a hash per row."""
        few = {*REGION_KEYS}
        for n in self.inputs_of(kind):
            t = self.checked.types[n]
            if t.base in (Base.ENUM, Base.BOOL) or (t.numeric and t.base is not Base.MONEY):
                few.add(n)
        return few

    def strings(self, path: str, table: Any, name: str, plain: bool = False) -> Any | None:
        """A column as text (integers as their digits), a dictionary column as one with its values
        so (`plain`: as plain text); None where the file has no such column."""
        pa, pc = self.pa, self.pc
        if name not in table.column_names:
            return None
        col = table[name].combine_chunks()
        if pa.types.is_dictionary(col.type) and not plain:
            words = self.strings(path, pa.table({name: col.dictionary}), name, plain=True)
            return None if words is None else pa.DictionaryArray.from_arrays(col.indices, words)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
            return trimmed(pa, pc, col.cast(pa.string()))
        if pa.types.is_integer(col.type):
            return col.cast(pa.string())
        self.p.add(path, None, name, f"应为文本列,而不是 {col.type}", f"should be a text column, not {col.type}")
        return None

    def kind(
        self,
        kind: str,
        path: str,
        data: dict[str, Any],
        region_code: dict[str, Arr],
        rows: Arr | None = None,
        table: Any = None,
    ) -> None:
        """Read one kind's file into `data` (ids, regions, links, inputs), problems into self.p;
        `rows`: only those rows' inputs (a partition), of `table` if it was read already."""
        if not self.keys and not self.inputs_of(kind):
            return
        table = self.open(kind, path) if table is None else table
        if table is None:
            return
        if rows is not None and table.num_columns:  # no column: every input is left to its default or missing
            table = table.take(self.pa.array(rows))
        if self.keys:
            self.key_columns(kind, path, table, data, region_code)
        for name in self.inputs_of(kind) if self.inputs else ():
            got = self.input(path, table, name, len(table))
            if got is not None:
                data["inputs"][name] = got

    def key_columns(self, kind: str, path: str, table: Any, data: dict[str, Any], region_code: dict[str, Arr]) -> None:
        """The ids (unique, not a region's name), each row's region and links, checked."""
        pa, pc = self.pa, self.pc
        n = len(table)
        ids = self.strings(path, table, "id", plain=True)
        if ids is None:
            if "id" not in table.column_names:
                self.p.add(path, None, "id", "缺少 id 列", "has no id column")
            ids = pa.nulls(n, pa.string())
        empty = pc.fill_null(pc.equal(pc.binary_length(ids), 0), True).to_numpy(zero_copy_only=False)
        self.p.add(path, np.flatnonzero(empty), "id", "id 不能为空", "the id cannot be empty")
        names = self.known + self.regions
        ends = edges(pa, ids)
        if ends is not None and all(names) and not np.isin(ends[0], [r.encode()[0] for r in names]).any():
            region_named = np.zeros(n, dtype=bool)  # no id begins as a region's name does
        else:
            found = pc.is_in(ids, value_set=pa.array(self.known + self.regions, pa.string()))
            region_named = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        self.p.add(path, np.flatnonzero(region_named), "id",
                   "id 与地区同名", "the id is also a region's name")  # fmt: skip
        twice = repeated(pa, pc, ids)
        self.p.add(path, twice[~empty[twice]], "id", "id 重复出现", "the id is listed twice")
        # The region: its own column, or that of what it belongs to.
        code = np.full(n, -1, dtype=np.int64)
        own_col = next((c for c in REGION_KEYS if c in table.column_names), None)
        if own_col is not None:
            own = self.strings(path, table, own_col)
            if own is not None:
                code = self.region_codes(path, own_col, own)
        for to in (x.text for x in self.scope.entities[kind].links):
            got = self.strings(path, table, to)
            if got is None:
                data["links"].setdefault(kind, {})[to] = np.full(n, -1, dtype=np.int64)
                continue
            values, at = entries(pa, pc, got)
            given = pc.fill_null(pc.greater(pc.binary_length(values), 0), False).to_numpy(zero_copy_only=False)
            found = pc.index_in(values, value_set=data["ids"].get(to, pa.array([], pa.string())))
            idx = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            if at is not None:
                given, idx = given[at], idx[at]
            missing = given & (idx < 0)
            self.p.add(path, np.flatnonzero(missing), to, f"所隶属的{to}不在其表中", f"is not listed among the {to}")
            idx[missing] = -1
            data["links"].setdefault(kind, {})[to] = idx
            parent = region_code.get(to)
            if parent is not None and len(parent):
                theirs = np.where(idx >= 0, parent[np.maximum(idx, 0)], -1)
                differ = (code >= 0) & (theirs >= 0) & (code != theirs)
                self.p.add(path, np.flatnonzero(differ), own_col or to,
                           f"所属地区与所隶属的{to}的地区不同", f"its region differs from that of its {to}")  # fmt: skip
                code = np.where(code >= 0, code, theirs)
        self.p.add(path, np.flatnonzero((code < 0) & ~empty), own_col or "地区", "缺少所属地区(地区)或所隶属的实体",
                   "gives neither its region nor what it belongs to")  # fmt: skip
        region_code[kind] = code
        data["ids"][kind] = ids

    def region_codes(self, path: str, column: str, col: Any) -> Arr:
        """Each row's region as a position in self.named (-1: none, or not a region)."""
        pa, pc = self.pa, self.pc
        allowed = self.regions or self.known
        values, rows = entries(pa, pc, col)
        if rows is None:
            seen = pc.unique(pc.drop_null(col)).to_pylist()
        else:  # the distinct values in the order rows first name them
            seen = values.take(pc.unique(pc.drop_null(col.indices))).to_pylist()
        for r in seen:
            if r and r not in self.named and (not allowed or r in allowed):
                self.named.append(r)
        at = pc.fill_null(pc.index_in(values, value_set=pa.array(self.named, pa.string())), -1)
        code: Arr = np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)
        given = pc.fill_null(pc.greater(pc.binary_length(values), 0), False).to_numpy(zero_copy_only=False)
        if rows is not None:
            code, given = code[rows], given[rows]
        self.p.add(path, np.flatnonzero(given & (code < 0)), column,
                   "不是情景或政策中的地区", "is not a region of the scenario or the policy")  # fmt: skip
        return code

    def input(self, path: str, table: Any, name: str, n: int) -> Any | None:
        """One input column as a batch value (1, n); its default fills where it is not given."""
        t: Type = self.checked.types[name]
        decl = self.scope.values[name]
        assert isinstance(decl, ir.InputDecl)
        default = decl.default
        fen_col = f"{name}(分)"
        if t.base is Base.MONEY and fen_col in table.column_names:
            return self.fen(path, table[fen_col].combine_chunks(), fen_col, decl)
        if name not in table.column_names:
            if default is None:
                self.p.add(path, None, name, "缺少这一输入的列", "the column of this input is missing")
                return None
            return None  # left to its default, as a record leaving it out
        col = table[name].combine_chunks()
        values, at = entries(self.pa, self.pc, col)
        if at is None:
            return self.column(path, name, col, t, decl)
        problems, ours = self.p, ByValue()
        self.p = ours
        try:  # on the distinct values, then each told at its rows
            got = self.column(path, name, values, t, decl)
        finally:
            self.p = problems
        ours.tell(at, len(values), problems)
        if got is None:
            return None
        if isinstance(got, Scaled):
            return attrs.evolve(got, num=got.num[:, at])
        return got[:, at]

    def column(self, path: str, name: str, col: Any, t: Type, decl: ir.InputDecl) -> Any | None:
        """`input` on the column itself (or on a dictionary's values)."""
        default = decl.default
        fen_col = f"{name}(分)"
        pa = self.pa
        if pa.types.is_floating(col.type):
            how = (
                f'写成十进制文本(如 "8000.50")、decimal 列,或整数分列“{fen_col}”'
                if t.base is Base.MONEY
                else "写成十进制文本或 decimal 列"
            )
            how_en = (
                f'write it as decimal text ("8000.50"), a decimal column, or integer fen in a column ‘{fen_col}’'
                if t.base is Base.MONEY
                else "write it as decimal text or a decimal column"
            )
            self.p.add(path, None, name, f"是浮点数列({col.type}),金额和数值不经浮点:{how}",
                       f"is a float column ({col.type}); exact numbers never go through float: {how_en}")  # fmt: skip
            return None
        nulls = col.is_null().to_numpy(zero_copy_only=False)
        if nulls.any() and default is not None:
            return None if nulls.all() else self.with_default(path, name, col, t, decl, nulls)
        self.p.add(path, np.flatnonzero(nulls), name, "缺少这一输入", "is missing")
        return self.typed(path, name, col, t, decl)

    def with_default(self, path: str, name: str, col: Any, t: Type, decl: ir.InputDecl, nulls: Arr) -> Any:
        """Empty cells of an input with a default: the default, as a record leaving it out."""
        text = default_text(self.checked, decl)
        if text is None:
            self.p.add(path, np.flatnonzero(nulls), name, "缺少这一输入", "is missing")
            return None
        return self.typed(path, name, self.pc.fill_null(col.cast(self.pa.string()), text), t, decl)


def _utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_entities(
    checked: CheckedPolicy, files: dict[str, str], regions: Sequence[str], inputs: bool = True
) -> tuple[EntityData, list[str]]:
    """Every kind's file, linked kinds first; the regions: the scenario's, else those the files
    name in the order they first name them. FilesRefused with every problem. Without `inputs`:
    the ids, regions and links only (no inputs read), as a Dask client plans partitions."""
    known = [r.text for r in checked.scope.regions(checked.policy)]
    reader = Reader(checked, regions, known, inputs=inputs)
    pa = reader.pa
    for kind in files:
        if kind not in checked.scope.entities:
            have = "、".join(checked.scope.entities) or "无"
            reader.p.add(
                files[kind], None, "", f"本政策没有实体“{kind}”(有:{have})", f"the policy has no kind ‘{kind}’"
            )
    data: dict[str, Any] = {"ids": {}, "links": {}, "inputs": {}}
    codes: dict[str, Arr] = {}
    for kind in linked_first(checked):
        if kind in files:
            reader.kind(kind, files[kind], data, codes)
        else:
            data["ids"][kind] = pa.array([], pa.string())
            codes[kind] = np.zeros(0, dtype=np.int64)
            data["links"][kind] = {x.text: np.zeros(0, dtype=np.int64) for x in checked.scope.entities[kind].links}
    reader.p.raise_any()
    named = reader.named
    final = list(regions) or named
    remap = np.array([final.index(r) for r in named] or [0], dtype=np.int64)
    region = {k: remap[np.maximum(c, 0)] if len(c) else c for k, c in codes.items()}
    kinds = {k: tuple(x.text for x in d.links) for k, d in checked.scope.entities.items()}
    ids = {k: Ids(v) for k, v in data["ids"].items()}
    cols = Columns(tuple(final), ids, region, data["links"], kinds)
    return EntityData(cols, data["inputs"], data["ids"]), final


def linked_first(checked: CheckedPolicy) -> list[str]:
    """The kinds, each after those it is linked to (an employer before its persons)."""
    out: list[str] = []
    kinds = checked.scope.entities

    def visit(k: str) -> None:
        if k in out:
            return
        for x in kinds[k].links:
            if x.text in kinds and x.text != k:
                visit(x.text)
        out.append(k)

    for k in kinds:
        visit(k)
    return out
