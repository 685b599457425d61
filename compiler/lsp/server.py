"""`pool lsp`: the language server, on pygls.

Each open document is checked as `pool check` checks a file (the same codes, messages
and hints), a short while after the last keystroke; requests answer from that analysis,
or from a fresh one when the text has moved on since. Positions are converted between
the compiler's 1-based code-point columns and the client's encoding (UTF-16 unless the
client offers another). Only open documents and `.pool` files inside the workspace are
served: a request for any other file is refused with an LSP error.
"""

from __future__ import annotations

import asyncio
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from compiler.diagnostics import Diagnostic
from compiler.driver import format_source
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.types import BUILTIN_TYPES
from compiler.lsp import actions, complete
from compiler.lsp.analysis import FUNCTION, MAX_BYTES, Analysis, analyse
from compiler.lsp.hover import hover
from compiler.messages import Severity, Text
from compiler.parsing import keywords
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
    "not-served": Text("不提供此文件:它没有在编辑器中打开,也不是工作区内的 .pool 文件:{uri}",
                       "not served: the file is neither open nor a .pool file inside the workspace: {uri}"),
    "syntax": Text("文件有语法错误,无法格式化:{message}", "the file has a syntax error and cannot be formatted: {message}"),
    "meaning": Text("格式化会改变政策的含义,未改动此文件(这是 pool 的缺陷,请报告)",
                    "formatting would change what the policy means; left as it is (a bug in pool, please report it)"),
    "no-name": Text("这里没有可以改名的名称", "there is no name to rename here"),
    "stdlib": Text("“{name}”定义在标准库中,不能改名", "‘{name}’ is defined in the standard library and cannot be renamed"),
    "bad-name": Text("“{name}”不能用作名称", "‘{name}’ cannot be used as a name"),
    "taken": Text("“{name}”已有定义", "‘{name}’ is already defined"),
    "elsewhere": Text("{where}:{message}", "{where}: {message}"),
    "hint": Text("提示:{hint}", "hint: {hint}"),
}  # fmt: skip
_NAME = re.compile(r"[^\W\d]\w*")
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}
_COMPLETION_KINDS = {
    complete.Kind.KEYWORD: lsp.CompletionItemKind.Keyword, complete.Kind.PARAM: lsp.CompletionItemKind.Constant,
    complete.Kind.INPUT: lsp.CompletionItemKind.Variable, complete.Kind.VALUE: lsp.CompletionItemKind.Field,
    complete.Kind.PARTY: lsp.CompletionItemKind.Class, complete.Kind.FUND: lsp.CompletionItemKind.Module,
    complete.Kind.TYPE: lsp.CompletionItemKind.TypeParameter, complete.Kind.ENUM_MEMBER: lsp.CompletionItemKind.EnumMember,
    complete.Kind.REGION: lsp.CompletionItemKind.Value, complete.Kind.REGIONSET: lsp.CompletionItemKind.Enum,
    complete.Kind.FUNCTION: lsp.CompletionItemKind.Function,
}  # fmt: skip


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
        roots = [f.uri for f in self.workspace.folders.values()] + ([self.workspace.root_uri] if self.workspace.root_uri else [])
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
        roots = [f.uri for f in self.workspace.folders.values()] or ([self.workspace.root_uri] if self.workspace.root_uri else [])
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
        at = self.workspace.position_codec.position_from_client_units(a.source.lines(), lsp.Position(pos.line, pos.character))
        return at.line + 1, at.character + 1

    def diagnostic(self, a: Analysis, d: Diagnostic, own: str) -> lsp.Diagnostic:
        message = d.message(self.lang)
        if d.hint is not None:
            message += "\n" + self.say("hint", hint=d.hint.render(self.lang))
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=self.uri_of(a, lab.span.file, own), range=self.range(a.text_of(lab.span.file), lab.span)),
                message=lab.note.render(self.lang),
            )
            for lab in d.labels
        ]
        span = d.span
        if span.file != a.shown:
            # A problem in an imported file: shown on the document's first line, pointing there.
            related.insert(0, lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=self.uri_of(a, span.file, own), range=self.range(a.text_of(span.file), span)),
                message=message,
            ))  # fmt: skip
            message = self.say("elsewhere", where=str(span), message=message)
            span = Span(a.shown, 1, 1, 1, 1)
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


server = PoolServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: PoolServer, params: lsp.InitializeParams) -> None:
    options: Any = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    lang = options.get("lang") or ("en" if (params.locale or "").lower().startswith("en") else "zh")
    ls.lang = "en" if lang == "en" else "zh"
    ls.format_on_save = bool(options.get("formatOnSave", False))
    if isinstance(options.get("debounceMs"), (int, float)):
        ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PoolServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PoolServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PoolServer, params: lsp.DidSaveTextDocumentParams) -> None:
    # Other open policies may import the file just saved: check them again.
    for uri in list(ls.analyses):
        ls.analyses.pop(uri, None)
        ls.publish(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PoolServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    ls.good.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: PoolServer, params: lsp.HoverParams) -> lsp.Hover | None:
    a = ls.analysis(params.text_document.uri)
    occ = a.at(*ls.position(a, params.position))
    text = hover(a, occ, ls.lang) if occ is not None else None
    if occ is None or text is None:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=ls.range(a.source, occ.span))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PoolServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    uri = params.text_document.uri
    a = ls.analysis(uri)
    line, col = ls.position(a, params.position)
    target = a.import_at(line, col)
    if target is not None:
        return lsp.Location(uri=str(from_fs_path(str(target))), range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))
    occ = a.at(line, col)
    found = a.definition(occ.key) if occ is not None else None
    if found is None:
        return None
    return lsp.Location(uri=ls.uri_of(a, found.span.file, uri), range=ls.range(a.text_of(found.span.file), found.span))


def _everywhere(ls: PoolServer, uri: str, line: int, col: int) -> list[tuple[str, lsp.Range, bool]]:
    """Every occurrence of the name at a position: in this program, and in the other
    policies (open, or .pool files of the workspace) that use the same declaration.
    Each as (uri, range, is the declaration)."""
    a = ls.analysis(uri)
    occ = a.at(line, col)
    found = a.definition(occ.key) if occ is not None else None
    if occ is None or found is None:
        return []
    home = (a.file_path(found.span.file).resolve(), found.span.line, found.span.column)
    out: dict[tuple[str, int, int], tuple[str, lsp.Range, bool]] = {}
    for other_uri, b in [(uri, a), *ls.others(uri, occ.name)]:
        theirs = b.definition(occ.key)
        if theirs is None or (b.file_path(theirs.span.file).resolve(), theirs.span.line, theirs.span.column) != home:
            continue
        for o in b.references(occ.key):
            if b is not a and o.span.file != b.shown:
                continue  # its imports are found as files of their own
            target = ls.uri_of(b, o.span.file, other_uri)
            out[(target, o.span.line, o.span.column)] = (target, ls.range(b.text_of(o.span.file), o.span), o.declares)
    return [out[k] for k in sorted(out)]


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: PoolServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    a = ls.analysis(params.text_document.uri)
    line, col = ls.position(a, params.position)
    found = _everywhere(ls, params.text_document.uri, line, col)
    return [lsp.Location(uri=u, range=r) for u, r, declares in found if params.context.include_declaration or not declares]


@server.feature(
    lsp.TEXT_DOCUMENT_COMPLETION,
    lsp.CompletionOptions(trigger_characters=[" ", "{", "｛", "、", ":", "：", ",", "，"]),
)
def completion(ls: PoolServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    a = ls.analysis(uri)
    line, col = ls.position(a, params.position)
    before = a.source.line_text(line)[: col - 1]
    word = complete.context_word(before)
    triggered = params.context is not None and params.context.trigger_kind is lsp.CompletionTriggerKind.TriggerCharacter
    names = a if a.scope is not None else ls.good.get(uri)
    found = complete.complete(names, before, specific_only=triggered)
    start = ls.range(a.source, Span(a.shown, line, col - len(word), line, col))
    ime = word != complete.nfkc(word)
    items = [
        lsp.CompletionItem(
            label=c.label,
            kind=_COMPLETION_KINDS[c.kind],
            detail=c.detail or None,
            sort_text=f"{c.rank}{c.label}",
            filter_text=word if ime else (f"{c.label} {c.detail}" if c.kind is complete.Kind.KEYWORD else c.label),
            text_edit=lsp.TextEdit(range=start, new_text=c.insert or c.label),
        )
        for c in found
    ]
    return lsp.CompletionList(is_incomplete=ime, items=items)


_SYMBOL_KINDS: dict[type, lsp.SymbolKind] = {
    ir.ParamDecl: lsp.SymbolKind.Constant, ir.InputDecl: lsp.SymbolKind.Variable, ir.LetDecl: lsp.SymbolKind.Field,
    ir.PartyDecl: lsp.SymbolKind.Object, ir.FundDecl: lsp.SymbolKind.Class, ir.Rule: lsp.SymbolKind.Function,
    ir.EnumDecl: lsp.SymbolKind.Enum, ir.RegionSetDecl: lsp.SymbolKind.Array, ir.Example: lsp.SymbolKind.Event,
    ir.Timeline: lsp.SymbolKind.Namespace, ir.TaskTable: lsp.SymbolKind.Namespace,
}  # fmt: skip
_SYMBOL_WORDS = {
    ir.ParamDecl: "参数", ir.InputDecl: "输入", ir.LetDecl: "令", ir.PartyDecl: "主体", ir.FundDecl: "资金",
    ir.EnumDecl: "枚举", ir.RegionSetDecl: "地区集", ir.Example: "例", ir.Timeline: "时间表", ir.TaskTable: "任务表",
}  # fmt: skip


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: PoolServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    a = ls.analysis(params.text_document.uri)
    if a.program is None:
        a = ls.good.get(params.text_document.uri, a)
    program = a.program
    if program is None:
        return []

    def word(d: object) -> str:
        if isinstance(d, ir.Rule):
            return (keywords.translate(d.kind.value, "", "zh") or "") if ls.lang == "zh" else d.kind.value
        zh_word = _SYMBOL_WORDS.get(type(d), "")
        return zh_word if ls.lang == "zh" else keywords.translate(zh_word, "", "en") or zh_word

    def symbol(d: ir.Decl) -> lsp.DocumentSymbol | None:
        if getattr(d, "implicit", False):
            return None
        name_span = d.name.span if hasattr(d, "name") else d.span
        if isinstance(d, ir.Example):
            name, name_span = d.label.value, d.label.span
        elif isinstance(d, ir.TaskTable):
            name = d.label.value if d.label else word(d)
        elif isinstance(d, ir.Timeline):
            name = word(d)
        else:
            name = d.name.text
        children = [c for c in (symbol(r) for r in d.rules) if c] if isinstance(d, ir.FundDecl) else []
        if isinstance(d, ir.EnumDecl):
            children = [_leaf(ls, a, m.text, lsp.SymbolKind.EnumMember, m.span) for m in d.members]
        return lsp.DocumentSymbol(
            name=name, detail=word(d), kind=_SYMBOL_KINDS[type(d)],
            range=ls.range(a.source, d.span), selection_range=ls.range(a.source, name_span), children=children or None,
        )  # fmt: skip

    main = program.main
    out = [s for s in (symbol(d) for d in main.decls) if s]
    if main.policy is not None:
        p = main.policy
        kids = [s for s in (symbol(d) for d in p.decls) if s]
        out.append(lsp.DocumentSymbol(
            name=p.name.text, detail="政策" if ls.lang == "zh" else "policy", kind=lsp.SymbolKind.Module,
            range=ls.range(a.source, p.span), selection_range=ls.range(a.source, p.name.span), children=kids,
        ))  # fmt: skip
    return out


@server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_ranges(ls: PoolServer, params: lsp.FoldingRangeParams) -> list[lsp.FoldingRange]:
    """The policy, each fund, example, timeline and task table, and every declaration
    that runs over several lines (a parameter with its 授权, 原文 and 条款)."""
    a = ls.analysis(params.text_document.uri)
    program = a.program if a.program is not None else getattr(ls.good.get(params.text_document.uri), "program", None)
    if program is None:
        return []
    spans = [d.span for d in program.main.decls]
    if program.main.policy is not None:
        spans.append(program.main.policy.span)
        for d in program.main.policy.decls:
            spans.append(d.span)
            if isinstance(d, ir.FundDecl):
                spans += [r.span for r in d.rules]
    return [
        lsp.FoldingRange(start_line=s.line - 1, end_line=s.end_line - 1)
        for s in sorted(set(spans)) if s.file == a.shown and s.end_line > s.line
    ]  # fmt: skip


def _leaf(ls: PoolServer, a: Analysis, name: str, kind: lsp.SymbolKind, span: Span) -> lsp.DocumentSymbol:
    r = ls.range(a.source, span)
    return lsp.DocumentSymbol(name=name, kind=kind, range=r, selection_range=r)


def _format_edits(ls: PoolServer, uri: str, refuse: bool) -> list[lsp.TextEdit]:
    text, path = ls.served(uri)
    result = format_source(SourceFile(str(path), text.replace("\r\n", "\n")))
    if result.text is None:
        if not refuse:
            return []
        if result.changes_ir:
            raise RequestFailed(ls.say("meaning"))
        first = result.diagnostics[0] if result.diagnostics else None
        raise RequestFailed(ls.say("syntax", message=f"{first.span}: {first.message(ls.lang)}" if first else ""))
    if result.text == text:
        return []
    lines = text.split("\n")
    end = lsp.Position(line=len(lines) - 1, character=ls.workspace.position_codec.client_num_units(lines[-1]))
    return [lsp.TextEdit(range=lsp.Range(start=lsp.Position(0, 0), end=end), new_text=result.text)]


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PoolServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    return _format_edits(ls, params.text_document.uri, refuse=True)


@server.feature(lsp.TEXT_DOCUMENT_WILL_SAVE_WAIT_UNTIL)
def will_save(ls: PoolServer, params: lsp.WillSaveTextDocumentParams) -> list[lsp.TextEdit]:
    # On save a file with a syntax error is saved as it is; its diagnostics already say why.
    return _format_edits(ls, params.text_document.uri, refuse=False) if ls.format_on_save else []


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_actions(ls: PoolServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    a = ls.analysis(uri)
    start = ls.position(a, params.range.start)
    end = ls.position(a, params.range.end)
    near = [
        d for d in a.diagnostics
        if d.span.file == a.shown and (d.span.line, d.span.column) <= end and start <= (d.span.end_line, d.span.end_column)
    ]  # fmt: skip
    out = []
    for fix in actions.fixes(a, near, ls.lang):
        edit = lsp.TextEdit(range=ls.range(a.source, fix.span), new_text=fix.text)
        out.append(lsp.CodeAction(
            title=fix.title, kind=lsp.CodeActionKind.QuickFix, is_preferred=fix.preferred,
            diagnostics=[ls.diagnostic(a, fix.diagnostic, uri)], edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
        ))  # fmt: skip
    return out


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: PoolServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    a = ls.analysis(params.text_document.uri)
    occ = a.at(*ls.position(a, params.position))
    if occ is None or a.definition(occ.key) is None:
        return None
    return ls.range(a.source, occ.span)


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def rename(ls: PoolServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit:
    uri = params.text_document.uri
    a = ls.analysis(uri)
    line, col = ls.position(a, params.position)
    occ = a.at(line, col)
    found = a.definition(occ.key) if occ is not None and occ.ns != FUNCTION else None
    if occ is None or found is None:
        raise JsonRpcInvalidParams(ls.say("no-name"))
    if found.span.file.startswith("stdlib/"):
        raise RequestFailed(ls.say("stdlib", name=occ.name))
    new = params.new_name
    if not _NAME.fullmatch(new) or keywords.is_keyword(new) or new in BUILTIN_TYPES or functions.lookup(new):
        raise JsonRpcInvalidParams(ls.say("bad-name", name=new))
    if (occ.ns, new) in a.definitions:
        raise RequestFailed(ls.say("taken", name=new))
    changes: dict[str, list[lsp.TextEdit]] = {}
    for target, r, _declares in _everywhere(ls, uri, line, col):
        changes.setdefault(target, []).append(lsp.TextEdit(range=r, new_text=new))
    return lsp.WorkspaceEdit(changes=changes)


def serve() -> None:
    server.start_io()
