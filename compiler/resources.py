"""Where the grammar and the standard library live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them inside the package (see pyproject.toml); a checkout
    # keeps them beside the package, where drafters can read them.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"pool installation is missing its {name}/ directory")


def grammar_path() -> Path:
    return _find("grammar") / "pool.lark"


def stdlib_dir() -> Path:
    return _find("stdlib")
