"""Problems found reading entity files, each told as file:row:column: the first 20 listed, the rest
counted (compiler/entity_files.py finds them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from compiler.vector.arith import Arr

SHOWN = 20


class FilesRefused(Exception):
    """The files cannot be read as entities: every problem, each as file:row:column."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


class Problems:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.count = 0

    def add(self, file: str, rows: Arr | Sequence[int] | None, column: str, zh: str, en: str) -> None:
        """One problem at each of `rows` (0-based positions; None: the file or column as a whole)."""
        given = None if rows is None else np.asarray(rows).ravel()
        self.count += 1 if given is None else len(given)
        room = max(SHOWN - len(self.lines), 0)
        at: list[int | None] = [None] if given is None else [int(r) for r in given[:room]]
        for r in at[:room]:
            where = f"{file}:{'' if r is None else r + 1}:{column}"
            self.lines.append((f"{where}: {zh}", f"{where}: {en}"))

    def raise_any(self) -> None:
        if not self.count:
            return
        rest = self.count - len(self.lines)
        zh = "\n".join(z for z, _ in self.lines) + (f"\n……另有 {rest} 处问题" if rest else "")
        en = "\n".join(e for _, e in self.lines) + (f"\n… and {rest} more problems" if rest else "")
        raise FilesRefused(zh + "\n", en + "\n")


class ByValue(Problems):
    """Problems found on a dictionary column's distinct values, kept to be told at the rows that
    hold each value (`tell`): the checks run on a handful of values, the rows are the file's."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, Arr | None, str, str, str]] = []

    def add(self, file: str, rows: Arr | Sequence[int] | None, column: str, zh: str, en: str) -> None:
        self.found.append((file, None if rows is None else np.asarray(rows, dtype=np.int64).ravel(), column, zh, en))

    def tell(self, at: Arr, size: int, into: Problems) -> None:
        """Each problem at the rows whose value is at a position it names (`at`: each row's, of `size`)."""
        for file, positions, column, zh, en in self.found:
            if positions is None:
                into.add(file, None, column, zh, en)
                continue
            hit = np.zeros(size, dtype=bool)
            hit[positions] = True
            into.add(file, np.flatnonzero(hit[at]), column, zh, en)
