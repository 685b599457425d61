"""The policies a client of `pool serve` may name, and where their files are."""

from __future__ import annotations

from pathlib import Path

import attrs

from compiler.serve.requests import Refused


def bundled_dir() -> Path | None:
    """`policies/` of a checkout (an editable install); a wheel carries none."""
    here = Path(__file__).resolve().parent.parent.parent / "policies"
    return here if here.is_dir() else None


@attrs.frozen
class Named:
    name: str
    path: Path
    origin: str  # "bundled" or "configured"


class Catalog:
    """The policies a client may name: `*.pool` in the bundled folder and in --policies.
    The client sends a name; the path comes only from this listing."""

    def __init__(self, folders: list[tuple[Path, str]]) -> None:
        self.entries: dict[str, Named] = {}
        for folder, origin in folders:
            for path in sorted(folder.glob("*.pool")):
                self.entries[path.stem] = Named(path.stem, path, origin)  # a configured one replaces a bundled one
        self.entries = dict(sorted(self.entries.items()))

    def get(self, name: object) -> Named:
        entry = self.entries.get(name) if isinstance(name, str) else None
        if entry is None:
            shown = str(name) if len(str(name)) <= 100 else str(name)[:100] + "…"
            raise Refused.of(422, "policy", "serve-unknown-policy", name=shown, known=", ".join(self.entries))
        return entry

    def read(self, entry: Named) -> bytes:
        """The file's bytes; one removed since the server started is as good as unknown."""
        try:
            return entry.path.read_bytes()
        except OSError:
            raise Refused.of(
                422, "policy", "serve-unknown-policy", name=entry.name, known=", ".join(self.entries)
            ) from None
