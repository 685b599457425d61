"""A partition's rows of the entity files, read by the Dask worker that settles it
(compiler/scale_dask.py): its inputs, checked as compiler/entity_files.py checks them; its ids only
if a settlement error has to name one. The ids, regions and links were read and checked on the
client (read_entities(inputs=False)); a problem found here is told by the client reading the files
whole, so that messages name the file's rows as they do without Dask.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from compiler.entity_files import Ids, Reader, linked_first, pyarrow_modules
from compiler.ir.checked import CheckedPolicy
from compiler.vector.arith import Arr


class RowIds(Sequence[str]):
    """A partition's ids: how many there are, and (read from the file when first asked) each."""

    def __init__(self, checked: CheckedPolicy, kind: str, path: str, rows: Arr) -> None:
        self.checked, self.kind, self.path, self.rows = checked, kind, path, rows
        self.read: Ids | None = None

    def ids(self) -> Ids:
        if self.read is None:
            reader = Reader(self.checked, [], [], keys=False, inputs=False)
            table = reader.open(self.kind, self.path)
            mine = None if table is None else table.take(reader.pa.array(self.rows))
            got = None if mine is None else reader.strings(self.path, mine, "id", plain=True)
            self.read = Ids(got if got is not None else reader.pa.nulls(len(self.rows), reader.pa.string()))
        return self.read

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        return self.ids()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())


def input_tables(checked: CheckedPolicy, files: dict[str, str]) -> dict[str, Any]:
    """Each kind's input columns as read from its file, every row (a worker reads them while the
    client reads the ids, regions and links); a file that cannot be read is left out."""
    reader_pool()
    reader = Reader(checked, [], [], keys=False, ids=False)
    out: dict[str, Any] = {}
    for kind, path in files.items():
        if kind in checked.scope.entities and reader.inputs_of(kind):
            table = reader.open(kind, path)
            if table is not None:
                out[kind] = table
    return out


def read_rows(
    checked: CheckedPolicy, files: dict[str, str], rows: dict[str, Arr], tables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Sequence[str]], int]:
    """A partition's inputs and ids: each kind's `rows` (positions in its file) of `tables` (else
    read from the files), checked; (inputs, ids, how many problems)."""
    reader = Reader(checked, [], [], keys=False, ids=False)
    data: dict[str, Any] = {"ids": {}, "links": {}, "inputs": {}}
    ids: dict[str, Sequence[str]] = {}
    for kind in linked_first(checked):
        at = rows.get(kind, np.zeros(0, dtype=np.int64))
        if kind in files:
            reader.kind(kind, files[kind], data, {}, at, (tables or {}).get(kind))
            ids[kind] = RowIds(checked, kind, files[kind], at)
        else:
            ids[kind] = []
    return data["inputs"], ids, reader.p.count


def reader_pool() -> Any:
    """pyarrow with the system allocator, as compiler/scale.py sets it: freed blocks go back at once."""
    pa = pyarrow_modules()[0]
    pa.set_memory_pool(pa.system_memory_pool())
    return pa
