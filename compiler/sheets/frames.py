"""Scenarios from Python data, and results to pandas.

A dict shaped like a JSON scenario, a pandas DataFrame of regions × inputs, or both,
become the tree the one scenario reader checks, so a value is judged the same way
whether it came from a file, a sheet or a notebook. Numbers may be int, Decimal or str;
a float is taken as the shortest decimal that reads as it (repr), the number that was
typed, so 0.1 is 0.1 and a computed 0.30000000000000004 is refused as money rather
than rounded. pandas is imported only when a DataFrame is given or asked for.
"""

from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import yaml

from compiler.sheets.problems import fail
from compiler.sheets.write import Table

_STR, _NULL, _MAP, _SEQ = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
)
_NOWHERE = yaml.Mark("<data>", 0, -1, -1, None, 0)  # a value from data has no line: messages name its field


def is_frame(obj: object) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas" and hasattr(obj, "to_dict")


def frame_regions(frame: Any) -> dict[str, dict[str, object]]:
    """A DataFrame of regions × inputs as `{region: {input: value}}`: regions are the index,
    or the column named 地区 (region) when there is one; an empty (NaN) cell is left out."""
    columns = [str(c) for c in frame.columns]
    key = next((c for c in ("地区", "region") if c in columns), None)
    if key is not None:
        frame = frame.set_index(key)
    out: dict[str, dict[str, object]] = {}
    for region, row in frame.iterrows():
        out[str(region)] = {str(k): v for k, v in row.items() if not _missing(v)}
    return out


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NaTType", "NAType")


def plain(v: object) -> str | None:
    """One value as the text a scenario file would hold."""
    if _missing(v):
        return None
    if isinstance(v, bool) or type(v).__name__ == "bool_":  # numpy's boolean is not a bool
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, numbers.Integral):  # int, and numpy's integers
        return str(int(v))
    if isinstance(v, Fraction):
        d = Decimal(v.numerator) / Decimal(v.denominator)
        return format(d, "f") if Fraction(d) == v else f"{v.numerator}/{v.denominator}"  # the reader refuses 1/3
    if isinstance(v, numbers.Real):  # float, and numpy's floats
        f = float(v)
        return format(Decimal(repr(f)), "f") if math.isfinite(f) else repr(f)  # the reader names inf and nan
    raise fail("python-value", value=repr(v), kind=type(v).__name__)


def tree_of(data: object) -> yaml.Node:
    """Python data (dicts, lists, scalars) as a scenario tree without positions."""
    if isinstance(data, Mapping):
        return yaml.MappingNode(_MAP, [(_scalar(str(k)), tree_of(v)) for k, v in data.items()], _NOWHERE, _NOWHERE)
    if isinstance(data, (list, tuple)):
        return yaml.SequenceNode(_SEQ, [tree_of(v) for v in data], _NOWHERE, _NOWHERE)
    if is_frame(data):
        return tree_of(frame_regions(data))
    return _scalar(plain(data))


def _scalar(text: str | None) -> yaml.ScalarNode:
    return yaml.ScalarNode(_NULL if text is None else _STR, text or "", _NOWHERE, _NOWHERE)


def to_frame(table: Table) -> Any:
    """A result table as a DataFrame: money as Decimal (exact, object dtype), headers as shown."""
    try:
        # By name: pandas is optional, and its types are not part of pool's (no stubs needed).
        pandas: Any = importlib.import_module("pandas")
    except ImportError:
        raise fail("needs-pandas") from None
    return pandas.DataFrame(table.rows, columns=[c.header for c in table.columns])
