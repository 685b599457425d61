"""`pool lsp`'s server, on pygls: the documents, their analyses, positions and diagnostics.
The requests it answers are in `features`.

Each open document is checked as `pool check` checks a file (the same codes, messages
and hints) when it changes; requests answer from that analysis, or from a fresh one
when the text has moved on since. Positions are converted between
the compiler's 1-based code-point columns and the client's encoding (UTF-16 unless the
client offers another). Only open documents and `.pool` files inside the workspace are
served: a request for any other file is refused with an LSP error.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from compiler.diagnostics import Diagnostic
from compiler.lsp.analysis import MAX_BYTES, Analysis, analyse
from compiler.messages import Severity, Text
from compiler.source import SourceFile, Span

# Changes closer together than this are one burst, checked once when it stops; a change
# after a pause is checked at once. With a 400-line policy's check the squiggles follow
# a keystroke within 150 ms (benchmarks/lsp_keystroke.py).
DEBOUNCE_SECONDS = 0.03


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was understood and is refused (a format that
    would change the policy's meaning, a rename into the standard library)."""

    CODE = -32803
    MESSAGE = "Request failed"


_TEXTS = {
    "not-served": Text(
        "不提供此文件:它没有在编辑器中打开,也不是工作区内的 .pool 文件:{uri}",
        "not served: the file is neither open nor a .pool file inside the workspace: {uri}",
    ),
    "syntax": Text(
        "文件有语法错误,无法格式化:{message}", "the file has a syntax error and cannot be formatted: {message}"
    ),
    "meaning": Text(
        "格式化会改变政策的含义,未改动此文件(这是 pool 的缺陷,请报告)",
        "formatting would change what the policy means; left as it is (a bug in pool, please report it)",
    ),
    "no-name": Text("这里没有可以改名的名称", "there is no name to rename here"),
    "stdlib": Text(
        "“{name}”定义在标准库中,不能改名", "‘{name}’ is defined in the standard library and cannot be renamed"
    ),
    "bad-name": Text("“{name}”不能用作名称", "‘{name}’ cannot be used as a name"),
    "taken": Text("“{name}”已有定义", "‘{name}’ is already defined"),
    "elsewhere": Text("{where}:{message}", "{where}: {message}"),
    "hint": Text("提示:{hint}", "hint: {hint}"),
}
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}


def _version() -> str:
    try:
        return version("pool-lang")
    except PackageNotFoundError:  # pragma: no cover - a checkout without an install
        return "0"


class PoolServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("pool", _version(), text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.lang = "zh"
        self.debounce = DEBOUNCE_SECONDS
        self.format_on_save = False
        self.analyses: dict[str, tuple[str, Analysis]] = {}  # uri → (the text analysed, its analysis)
        self.good: dict[str, Analysis] = {}  # uri → the last analysis that had a program, for completion
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.on_disk: dict[Path, tuple[int, Analysis]] = {}  # workspace files not open: (mtime, analysis)
        self.last_change: dict[str, float] = {}  # uri → when it last changed (the loop's clock)

    def say(self, key: str, **args: str) -> str:
        return _TEXTS[key].render(self.lang, dict(args))

    # ---- documents

    def served(self, uri: str) -> tuple[str, Path]:
        """The text of a document the server may read, and where it lives; an LSP error otherwise."""
        docs = self.workspace.text_documents
        key = unquote(uri)
        if key in docs:
            doc = docs[key]
            return doc.source, _path_of(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is not None and path.endswith(".pool") and self._in_workspace(Path(path)):
            try:
                data = Path(path).read_bytes()[: MAX_BYTES + 1]
                return data.decode("utf-8", errors="replace"), Path(path)
            except OSError:
                pass
        raise JsonRpcInvalidParams(self.say("not-served", uri=uri))

    def _in_workspace(self, path: Path) -> bool:
        roots = [f.uri for f in self.workspace.folders.values()] + (
            [self.workspace.root_uri] if self.workspace.root_uri else []
        )
        resolved = path.resolve()
        for root in roots:
            fs = to_fs_path(root) if root.startswith("file:") else None
            if fs is not None and resolved.is_relative_to(Path(fs).resolve()):
                return True
        return False

    def analysis(self, uri: str) -> Analysis:
        text, path = self.served(uri)
        cached = self.analyses.get(uri)
        if cached is not None and cached[0] == text:
            return cached[1]
        a = analyse(text, path)
        self.analyses[uri] = (text, a)
        if a.scope is not None:
            self.good[uri] = a
        return a

    def others(self, uri: str, name: str) -> list[tuple[str, Analysis]]:
        """The other open documents, and the workspace's .pool files that are not open
        and mention `name`, analysed (files on disk are analysed again only when changed)."""
        out = [(u, b) for u, (_text, b) in self.analyses.items() if u != uri]
        open_paths = {_path_of(u).resolve() for u in self.workspace.text_documents}
        for path in self._workspace_files():
            if path.resolve() in open_paths:
                continue
            try:
                stat = path.stat()
                if stat.st_size > MAX_BYTES:
                    continue
                cached = self.on_disk.get(path)
                if cached is None or cached[0] != stat.st_mtime_ns:
                    text = path.read_text(encoding="utf-8")
                    if name not in text:
                        continue
                    cached = (stat.st_mtime_ns, analyse(text, path))
                    self.on_disk[path] = cached
            except (OSError, UnicodeDecodeError):
                continue
            if name in cached[1].source.text:
                out.append((str(from_fs_path(str(path))), cached[1]))
        return out

    def _workspace_files(self, limit: int = 500) -> list[Path]:
        roots = [f.uri for f in self.workspace.folders.values()] or (
            [self.workspace.root_uri] if self.workspace.root_uri else []
        )
        found: list[Path] = []
        for root in roots:
            fs = to_fs_path(root) if root.startswith("file:") else None
            if fs is None:
                continue
            base = Path(fs)
            for path in sorted(base.rglob("*.pool")):
                if not any(part.startswith(".") or part == "node_modules" for part in path.relative_to(base).parts):
                    found.append(path)
                if len(found) >= limit:
                    return found
        return found

    def schedule(self, uri: str) -> None:
        """Check a changed document: at once after a pause in typing, else once the burst
        of changes stops for `debounce` seconds (a paste, a held key)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        paused = now - self.last_change.get(uri, -1e9) >= self.debounce
        self.last_change[uri] = now
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.pending[uri] = loop.create_task(self._later(uri, 0.0 if paused and task is None else self.debounce))

    async def _later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.pending.pop(uri, None)
        self.publish(uri)

    def publish(self, uri: str) -> None:
        try:
            a = self.analysis(uri)
        except JsonRpcException:
            return
        doc = self.workspace.text_documents.get(unquote(uri))
        diags = [self.diagnostic(a, d, uri) for d in a.diagnostics]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diags, version=doc.version if doc else None)
        )

    # ---- conversions

    def uri_of(self, a: Analysis, shown: str, own_uri: str) -> str:
        if shown == a.shown:
            return own_uri
        return str(from_fs_path(str(a.file_path(shown))))

    def range(self, src: SourceFile | None, span: Span) -> lsp.Range:
        lines = src.lines() if src is not None else []
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(lines, lsp.Position(span.line - 1, span.column - 1))
        end = codec.position_to_client_units(lines, lsp.Position(span.end_line - 1, max(span.end_column - 1, 0)))
        return lsp.Range(start=start, end=end)

    def position(self, a: Analysis, pos: lsp.Position) -> tuple[int, int]:
        """A client position → the compiler's 1-based line and column."""
        at = self.workspace.position_codec.position_from_client_units(
            a.source.lines(), lsp.Position(pos.line, pos.character)
        )
        return at.line + 1, at.character + 1

    def diagnostic(self, a: Analysis, d: Diagnostic, own: str) -> lsp.Diagnostic:
        message = d.message(self.lang)
        if d.hint is not None:
            message += "\n" + self.say("hint", hint=d.hint.render(self.lang))
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=self.uri_of(a, lab.span.file, own), range=self.range(a.text_of(lab.span.file), lab.span)
                ),
                message=lab.note.render(self.lang),
            )
            for lab in d.labels
        ]
        span = d.span
        if span.file != a.shown:
            # A problem in an imported file: shown on the 导入 that brings it in (or the first
            # line, for a file imported by an import), pointing there.
            related.insert(
                0,
                lsp.DiagnosticRelatedInformation(
                    location=lsp.Location(
                        uri=self.uri_of(a, span.file, own), range=self.range(a.text_of(span.file), span)
                    ),
                    message=message,
                ),
            )
            message = self.say("elsewhere", where=str(span), message=message)
            there = a.file_path(span.file).resolve()
            imports = (s for s, target in a.imports if s.file == a.shown and target.resolve() == there)
            span = next(imports, Span(a.shown, 1, 1, 1, 1))
        return lsp.Diagnostic(
            range=self.range(a.source, span),
            message=message,
            severity=_SEVERITY[d.severity],
            code=d.code,
            source="pool",
            related_information=related or None,
        )


def _path_of(uri: str) -> Path:
    """Where a document lives, for its relative imports; an unsaved one is in the working directory."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(path) if path else Path.cwd() / (uri.rsplit("/", 1)[-1] or "untitled.pool")
