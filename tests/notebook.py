"""Run a Jupyter notebook's code cells as the tests' check that it works and shows the truth.

Not a kernel: the cells run in order in one namespace in this process, and each cell's
printed text and the repr of its last expression are what it shows, as IPython would.
That is all the bundled notebook needs, and it keeps CI free of jupyter, ipykernel and
ZeroMQ. `python tests/notebook.py docs/api.ipynb` rewrites the stored outputs after
an intended change; the test fails whenever they differ from a fresh run.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any


def run_cells(cells: list[str]) -> list[str]:
    """What each code cell shows: its printed text, then its last expression's repr."""
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    shown = []
    for source in cells:
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(tree, "<cell>", "exec"), namespace)  # the notebook is ours
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
        text = out.getvalue()
        if value is not None:
            text += repr(value) + "\n"
        shown.append(text)
    return shown


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def stored(cell: dict[str, Any]) -> str:
    return "".join("".join(o.get("text", o.get("data", {}).get("text/plain", ""))) for o in cell.get("outputs", []))


def write_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = code_cells(notebook)
    for n, (cell, text) in enumerate(zip(cells, run_cells(["".join(c["source"]) for c in cells])), start=1):
        cell["execution_count"] = n
        cell["outputs"] = (
            [{"name": "stdout", "output_type": "stream", "text": text.splitlines(keepends=True)}] if text else []
        )
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        write_outputs(Path(arg))
