"""The LSP requests and notifications `pool lsp` answers, each a thin layer over
`analysis`, `hover`, `complete`, `actions` and the driver's `format_source`.
Importing this module registers them on `server`; `serve()` runs it over stdio."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path

from compiler.driver import format_source
from compiler.ir import functions
from compiler.ir import nodes as ir
from compiler.ir.types import BUILTIN_TYPES
from compiler.lsp import actions, complete
from compiler.lsp.analysis import FUNCTION, Analysis
from compiler.lsp.hover import hover
from compiler.lsp.server import PoolServer, RequestFailed
from compiler.parsing import keywords
from compiler.source import SourceFile, Span

_NAME = re.compile(r"[^\W\d]\w*")
_COMPLETION_KINDS = {
    complete.Kind.KEYWORD: lsp.CompletionItemKind.Keyword,
    complete.Kind.PARAM: lsp.CompletionItemKind.Constant,
    complete.Kind.INPUT: lsp.CompletionItemKind.Variable,
    complete.Kind.VALUE: lsp.CompletionItemKind.Field,
    complete.Kind.PARTY: lsp.CompletionItemKind.Class,
    complete.Kind.FUND: lsp.CompletionItemKind.Module,
    complete.Kind.TYPE: lsp.CompletionItemKind.TypeParameter,
    complete.Kind.ENUM_MEMBER: lsp.CompletionItemKind.EnumMember,
    complete.Kind.REGION: lsp.CompletionItemKind.Value,
    complete.Kind.REGIONSET: lsp.CompletionItemKind.Enum,
    complete.Kind.FUNCTION: lsp.CompletionItemKind.Function,
}


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
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
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
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=ls.range(a.source, occ.span)
    )


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
    return [
        lsp.Location(uri=u, range=r) for u, r, declares in found if params.context.include_declaration or not declares
    ]


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
    ir.ParamDecl: lsp.SymbolKind.Constant,
    ir.InputDecl: lsp.SymbolKind.Variable,
    ir.LetDecl: lsp.SymbolKind.Field,
    ir.PartyDecl: lsp.SymbolKind.Object,
    ir.FundDecl: lsp.SymbolKind.Class,
    ir.Rule: lsp.SymbolKind.Function,
    ir.EnumDecl: lsp.SymbolKind.Enum,
    ir.RegionSetDecl: lsp.SymbolKind.Array,
    ir.Example: lsp.SymbolKind.Event,
    ir.Timeline: lsp.SymbolKind.Namespace,
    ir.TaskTable: lsp.SymbolKind.Namespace,
    ir.Constraint: lsp.SymbolKind.Boolean,
}
_SYMBOL_WORDS = {
    ir.ParamDecl: "参数",
    ir.InputDecl: "输入",
    ir.LetDecl: "令",
    ir.PartyDecl: "主体",
    ir.FundDecl: "资金",
    ir.EnumDecl: "枚举",
    ir.RegionSetDecl: "地区集",
    ir.Example: "例",
    ir.Timeline: "时间表",
    ir.TaskTable: "任务表",
    ir.Constraint: "约束",
}


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
        elif isinstance(d, (ir.Timeline, ir.Constraint)):
            name = word(d)
        else:
            name = d.name.text
        children = [c for c in (symbol(r) for r in d.rules) if c] if isinstance(d, ir.FundDecl) else []
        if isinstance(d, ir.EnumDecl):
            children = [_leaf(ls, a, m.text, lsp.SymbolKind.EnumMember, m.span) for m in d.members]
        return lsp.DocumentSymbol(
            name=name,
            detail=word(d),
            kind=_SYMBOL_KINDS[type(d)],
            range=ls.range(a.source, d.span),
            selection_range=ls.range(a.source, name_span),
            children=children or None,
        )

    main = program.main
    out = [s for s in (symbol(d) for d in main.decls) if s]
    if main.policy is not None:
        p = main.policy
        kids = [s for s in (symbol(d) for d in p.decls) if s]
        out.append(
            lsp.DocumentSymbol(
                name=p.name.text,
                detail="政策" if ls.lang == "zh" else "policy",
                kind=lsp.SymbolKind.Module,
                range=ls.range(a.source, p.span),
                selection_range=ls.range(a.source, p.name.span),
                children=kids,
            )
        )
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
        for s in sorted(set(spans))
        if s.file == a.shown and s.end_line > s.line
    ]


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
        d
        for d in a.diagnostics
        if d.span.file == a.shown
        and (d.span.line, d.span.column) <= end
        and start <= (d.span.end_line, d.span.end_column)
    ]
    out = []
    for fix in actions.fixes(a, near, ls.lang):
        edit = lsp.TextEdit(range=ls.range(a.source, fix.span), new_text=fix.text)
        out.append(
            lsp.CodeAction(
                title=fix.title,
                kind=lsp.CodeActionKind.QuickFix,
                is_preferred=fix.preferred,
                diagnostics=[ls.diagnostic(a, fix.diagnostic, uri)],
                edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
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
