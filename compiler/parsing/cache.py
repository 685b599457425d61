"""The built parser, kept on disk between runs so a check does not start by rebuilding it.

Lark's own `cache=True` stores the LALR tables in its serialised form, and turning ~30,000
table entries back into objects through `Lark.load` costs about 70 ms in every process: more
than the whole check of a 300-line policy. Pickling the built `Lark` object instead lets the C
unpickler rebuild it in about 25 ms. The lexer's scanners are still compiled lazily, on first
use, as Lark does.

The file lives in the user's cache directory (never a shared temp directory: unpickling runs
code) and is keyed on everything that shapes the object: the grammar text, the options, the
Lark and Python versions. Anything wrong with it (missing, truncated, stale, unwritable
directory) only means the parser is built the slow way.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import pickle
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lark
from lark.parsers.lalr_analysis import Action

_FORMAT = "1"  # bump when what is pickled changes shape


def cache_dir() -> Path:
    if env := os.environ.get("POOL_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pool"


def cached_parser(grammar: str, options: dict[str, Any], build: Callable[[], lark.Lark]) -> lark.Lark:
    """`build()`'s parser, loaded from the cache when an identical one was stored before."""
    key = hashlib.sha256(
        "\0".join([_FORMAT, lark.__version__, sys.version, repr(sorted(options.items())), grammar]).encode()
    ).hexdigest()[:32]
    path = cache_dir() / f"parser-{key}.pickle"
    try:
        with path.open("rb") as f:
            loaded = pickle.load(f)
        if isinstance(loaded, lark.Lark):
            return loaded
    except Exception:
        pass
    parser = build()
    try:
        _store(parser, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only home: every run builds the parser (Lark's own cache still helps)
    return parser


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # The lexer keeps a reference to the `re` module.
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        # The parser tells Shift from Reduce by identity: keep the module's two singletons.
        if isinstance(obj, Action):
            return obj.name
        return NotImplemented


def _store(parser: lark.Lark, path: Path) -> None:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a parallel run never reads half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
