"""The stage diagram of docs/architecture.md, generated from the code's imports.

    python scripts/architecture.py          # print the Mermaid block
    python scripts/architecture.py --check  # exit 1 if docs/architecture.md differs

An arrow A --> B means some module of stage A imports stage B. tests/test_architecture.py
holds the committed diagram to this, so the picture cannot drift from the code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
# The stages in pipeline order, and the modules or packages each is made of.
STAGES: dict[str, tuple[str, ...]] = {
    "parsing": ("compiler.parsing",),
    "ir": ("compiler.ir",),
    "checks": ("compiler.checks",),
    "plan": ("compiler.plan",),
    "driver": ("compiler.driver",),
    "interpreter": ("compiler.interpreter",),
    "codegen": ("compiler.codegen",),
    "runtime": ("compiler.runtime",),
    "vector": ("compiler.vector",),
    "explain": ("compiler.explain",),
}
BEGIN, END = "```mermaid\n", "```\n"


def _stage(module: str) -> str | None:
    for stage, prefixes in STAGES.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return stage
    return None


def _module_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def edges() -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        src = _stage(_module_of(path))
        if src is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for n in names:
                dst = _stage(n)
                if dst is not None and dst != src:
                    found.add((src, dst))
    order = list(STAGES)
    return sorted(found, key=lambda e: (order.index(e[0]), order.index(e[1])))


def diagram() -> str:
    lines = ["graph TD"] + [f"  {a} --> {b}" for a, b in edges()]
    return BEGIN + "\n".join(lines) + "\n" + END


def committed() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(BEGIN)
    end = text.index(END, start + len(BEGIN))
    return text[start : end + len(END)]


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if committed() == diagram() else 1)
    sys.stdout.write(diagram())
