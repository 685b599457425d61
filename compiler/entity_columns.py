"""One column of an entity file as a batch value, exactly (compiler/entity_files.py reads the files).

Money becomes int64 fen: from decimal text ("8000.50", at most two places), a Parquet
decimal, whole-元 integers, or integer fen in a column named `名称(分)`. Other numbers become
Scaled(num, 10**6) (at most six decimal places; counts are whole). Booleans: a boolean column,
or 是/否/true/false/1/0. Enumeration members: text naming a member, read as
the member's code (compiler/vector/flag.py). No value goes through float.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from compiler.ir import expr as E
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.constants import fold
from compiler.ir.types import Base, Type
from compiler.vector.arith import Arr
from compiler.vector.batch import Scaled
from compiler.vector.flag import code_dtype, member_codes

MONEY = r"^\s*-?\d{1,16}(\.\d{1,2})?\s*$"
NUMBER = r"^\s*-?\d{1,12}(\.\d{1,6})?\s*$"
WHOLE = r"^\s*-?\d{1,18}\s*$"
PLACES = 6
TRUE, FALSE = ["是", "true", "True", "TRUE", "1"], ["否", "false", "False", "FALSE", "0"]


def default_text(checked: CheckedPolicy, decl: ir.InputDecl) -> str | None:
    """An input's default as a cell would write it: a member's name, or a number."""
    d = decl.default
    if d is None:
        return None
    if isinstance(d, E.Name):
        return d.name
    got = fold(d, checked.scope.values)
    if isinstance(got, bool):
        return "是" if got else "否"
    if isinstance(got, (int, Fraction, Decimal)):
        q = Fraction(got)
        scaled = q * 10**PLACES
        if scaled.denominator == 1:
            return str(Decimal(scaled.numerator).scaleb(-PLACES).normalize())
    return None


def entries(pa: Any, pc: Any, col: Any) -> tuple[Any, Arr | None]:
    """A dictionary column as its distinct values (and a null last) with each row's position among
    them, so that conversions and checks run on a handful of values; another column as itself."""
    if not pa.types.is_dictionary(col.type):
        return col, None
    values = pa.concat_arrays([col.dictionary, pa.nulls(1, col.dictionary.type)])
    at = pc.fill_null(col.indices, len(col.dictionary)).to_numpy(zero_copy_only=False)
    return values, np.asarray(at, dtype=np.int64)


def repeated(pa: Any, pc: Any, ids: Any) -> Arr:
    """Rows whose id an earlier row already has (nulls aside). Ids in strictly increasing order, as
    files sorted by id list them, are told apart in one pass; others by a stable sort (equal ids then
    keep the file's order), cheaper than hashing millions of ids."""
    if len(ids) < 2:
        return np.zeros(0, dtype=np.int64)
    if not ids.null_count and pc.all(pc.less(ids[:-1], ids[1:])).as_py():
        return np.zeros(0, dtype=np.int64)
    order = np.asarray(pc.sort_indices(ids).to_numpy(zero_copy_only=False), dtype=np.int64)
    ranked = ids.take(pa.array(order))
    same = pc.fill_null(pc.equal(ranked[1:], ranked[:-1]), False).to_numpy(zero_copy_only=False)
    return np.sort(order[1:][np.asarray(same, dtype=bool)])


def edges(pa: Any, col: Any) -> tuple[Arr, Arr] | None:
    """The first and the last byte of each non-empty string of a string array, read off its buffers
    (None for another type). Cheap tests before whole-column passes: a column whose strings all begin
    and end with printable ASCII has no whitespace to trim; no id equals a region's name if none
    begins with a byte a region name begins with."""
    if not pa.types.is_string(col.type):
        return None
    buffers = col.buffers()
    if len(buffers) < 3 or buffers[1] is None or buffers[2] is None:
        none = np.zeros(0, dtype=np.uint8)
        return none, none
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[col.offset : col.offset + len(col) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    start, stop = offsets[:-1], offsets[1:]
    filled = stop > start  # a null's slot may hold bytes too: then it is looked at, harmlessly
    return data[start[filled]], data[stop[filled] - 1]


def trimmed(pa: Any, pc: Any, col: Any) -> Any:
    """utf8_trim_whitespace, skipped where no string can begin or end with whitespace."""
    ends = edges(pa, col)
    if ends is not None:
        first, last = ends
        if bool(((first > 0x20) & (first < 0x7F) & (last > 0x20) & (last < 0x7F)).all()):
            return col
    return pc.utf8_trim_whitespace(col)


def decimal_units(pa: Any, col: Any, places: int) -> Arr | None:
    """A decimal128 column (scale ≤ places) as int64 units of 10**-places, read off its 16-byte
    two's-complement integers; None where one does not fit int64 (the caller then says so)."""
    if not pa.types.is_decimal128(col.type) or col.type.scale > places or sys.byteorder != "little":
        return None
    words = np.frombuffer(col.buffers()[1], dtype=np.int64)[2 * col.offset : 2 * (col.offset + len(col))]
    low, high = words[0::2], words[1::2]
    if not np.array_equal(high, low >> 63):
        return None
    out: Arr = low.copy()
    if col.null_count:
        out[np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = 0
    scale = 10 ** (places - col.type.scale)
    if scale > 1:
        if (len(out) and int(np.max(np.abs(out), initial=0)) > (2**63 - 1) // scale) or (out == -(2**63)).any():
            return None
        out *= scale
    return out


class TypedColumns:
    """Conversions for a reader with pyarrow (`pa`, `pc`), a policy and its problems (`p`)."""

    pa: Any
    pc: Any
    p: Any
    checked: CheckedPolicy

    def rows(self, mask: Any) -> Arr:
        return np.flatnonzero(np.asarray(self.pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool))

    def negative(self, path: str, name: str, num: Arr, decl: ir.InputDecl) -> None:
        if not decl.signed:
            self.p.add(path, np.flatnonzero(num < 0), name, "不能为负", "cannot be negative")

    def fen(self, path: str, col: Any, name: str, decl: ir.InputDecl) -> Arr | None:
        """A column of integer fen (`名称(分)`): int64 (1, n)."""
        pa, pc = self.pa, self.pc
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            ok = pc.match_substring_regex(col, WHOLE)
            self.p.add(path, self.rows(pc.invert(ok)), name, "应为整数(分)", "should be whole fen")
            col = pc.cast(pc.if_else(ok, col, "0"), pa.int64())
        elif not pa.types.is_integer(col.type):
            self.p.add(
                path, None, name, f"应为整数(分)列,而不是 {col.type}", f"should hold integer fen, not {col.type}"
            )
            return None
        self.p.add(path, self.rows(col.is_null()), name, "缺少这一输入", "is missing")
        num = pc.fill_null(col, 0).cast(pa.int64()).to_numpy(zero_copy_only=False)
        self.negative(path, name, num, decl)
        return np.asarray(num, dtype=np.int64).reshape(1, -1)

    def scaled(self, path: str, col: Any, name: str, places: int, pattern: str) -> Arr | None:
        """Decimal text, decimals or integers as int64 units of 10**-places."""
        pa, pc = self.pa, self.pc
        unit = pa.scalar(10**places, pa.decimal128(places + 1, 0))
        if pa.types.is_integer(col.type):
            raw = np.asarray(pc.fill_null(col, 0).to_numpy(zero_copy_only=False))
            room = (2**63 - 1) // 10**places  # past it, × 10**places would wrap int64: refused, never wrapped
            past = raw > room
            if pa.types.is_signed_integer(col.type):
                past |= raw < -room
            self.p.add(path, np.flatnonzero(past), name, f"超出可精确计算的范围(绝对值至多 {room})",
                       f"is too large to settle exactly (at most {room} in absolute value)")  # fmt: skip
            scaled: Arr = np.where(past, 0, raw).astype(np.int64) * 10**places
            return scaled
        read_off = decimal_units(pa, col, places)
        if read_off is not None:
            return read_off
        if pa.types.is_decimal(col.type) and col.type.scale <= places and col.type.precision - col.type.scale <= 16:
            exact = pc.cast(col, pa.decimal128(col.type.precision - col.type.scale + places, places))
            units: Arr = np.asarray(
                pc.cast(pc.multiply(pc.fill_null(exact, 0), unit), pa.int64()).to_numpy(zero_copy_only=False), np.int64
            )
            return units
        if pa.types.is_decimal(col.type):
            if col.type.scale > places:
                rounded = pc.round(col, places)
                self.p.add(path, self.rows(pc.not_equal(rounded, col)), name,
                           f"最多 {places} 位小数", f"has more than {places} decimal places")  # fmt: skip
                col = rounded
            text = col.cast(pa.string())
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            text = col
        else:
            self.p.add(path, None, name, f"应为数字列,而不是 {col.type}", f"should be a number column, not {col.type}")
            return None
        try:  # clean text converts in one pass; the pattern below only finds the rows that do not
            fast = pc.cast(pc.fill_null(text, "0"), pa.decimal128(18, places))
            return np.asarray(pc.cast(pc.multiply(fast, unit), pa.int64()).to_numpy(zero_copy_only=False), np.int64)
        except pa.ArrowException:
            pass
        ok = pc.match_substring_regex(text, pattern)
        self.p.add(path, self.rows(pc.invert(ok)), name, "不是数字(或小数位过多)",
                   "is not a number (or has too many decimal places)")  # fmt: skip
        dec = pc.cast(pc.utf8_trim_whitespace(pc.if_else(ok, text, "0")), pa.decimal128(18, places))
        num = pc.cast(pc.multiply(dec, unit), pa.int64()).to_numpy(zero_copy_only=False)
        return np.asarray(num, dtype=np.int64)

    def typed(self, path: str, name: str, col: Any, t: Type, decl: ir.InputDecl) -> Any:
        """A column as the vector backend takes it: (1, n)."""
        pa, pc = self.pa, self.pc
        if t.base is Base.MONEY:
            num = self.scaled(path, col, name, 2, MONEY)
            if num is None:
                return None
            self.negative(path, name, num, decl)
            return num.reshape(1, -1)
        if t.numeric:
            num = self.scaled(path, col, name, PLACES, NUMBER)
            if num is None:
                return None
            self.negative(path, name, num, decl)
            if t.base is Base.COUNT:
                self.p.add(path, np.flatnonzero(num % 10**PLACES), name, "人数须为整数", "a count must be whole")
            return Scaled(num.reshape(1, -1), 10**PLACES)
        if t.base is Base.BOOL:
            if pa.types.is_boolean(col.type):
                return np.asarray(pc.fill_null(col, False).to_numpy(zero_copy_only=False), dtype=bool).reshape(1, -1)
            text = col.cast(pa.string())
            yes, no = pc.is_in(text, value_set=pa.array(TRUE)), pc.is_in(text, value_set=pa.array(FALSE))
            self.p.add(path, self.rows(pc.invert(pc.or_(yes, no))), name, "应为 是 或 否", "should be 是 or 否")
            return np.asarray(yes.to_numpy(zero_copy_only=False), dtype=bool).reshape(1, -1)
        text = col.cast(pa.string()) if not pa.types.is_string(col.type) else col
        if t.base is Base.ENUM:
            assert t.enum is not None
            members = [m.text for m in self.checked.scope.enums[t.enum].members]
            ok = pc.is_in(text, value_set=pa.array(members))
            zh, en = f"不是{t.enum}的成员({'、'.join(members)})", f"is not one of {t.enum}: {', '.join(members)}"
            self.p.add(path, self.rows(pc.invert(ok)), name, zh, en)
        enc = pc.dictionary_encode(pc.fill_null(text, ""))
        at = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        if t.base is Base.ENUM:  # as member codes, which the vector backend compares
            codes = member_codes(self.checked)
            table = np.array([codes.get(w, -1) for w in enc.dictionary.to_pylist()] or [-1], dtype=code_dtype(codes))
            return table[at].reshape(1, -1)
        words = np.array(enc.dictionary.to_pylist() or [""], dtype=str)
        return words[at].reshape(1, -1)
