"""`pool lsp`, driven as an editor drives it: pygls's language client starts the server
over stdio, opens documents and sends requests."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from compiler.driver import format_file

ROOT = Path(__file__).resolve().parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
MESSY = ROOT / "tests" / "golden" / "fmt" / "messy.pool"
T = TypeVar("T")


class Editor:
    """A language client on its own event loop, with blocking calls for the tests."""

    def __init__(self, root: Path, lang: str = "zh", **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("pool-tests", "1")
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.versions: dict[str, int | None] = {}
        self.changed = asyncio.Event()
        self.messages: list[str] = []  # window/showMessage: errors the server reports out of band
        self.version = 0
        self.expected: dict[str, int] = {}  # uri → the version its diagnostics must be of

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.versions[params.uri] = params.version
            self.changed.set()

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def shown(params: lsp.ShowMessageParams) -> None:
            self.messages.append(params.message)

        self.run(self.client.start_io(sys.executable, "-m", "compiler.cli", "lsp", cwd=str(ROOT)))
        self.run(
            self.client.initialize_async(
                lsp.InitializeParams(
                    capabilities=lsp.ClientCapabilities(),
                    root_uri=from_fs_path(str(root)),
                    workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(root)), name="policies")],
                    initialization_options={"lang": lang, **options},
                )
            )
        )
        self.client.initialized(lsp.InitializedParams())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, 30))

    def close(self) -> None:
        self.run(self.client.shutdown_async(None))
        self.client.exit(None)
        self.run(self.client.stop())
        self.loop.close()

    # ---- documents

    def open(self, path: Path, text: str | None = None) -> str:
        uri = str(from_fs_path(str(path)))
        self.version += 1
        body = path.read_text(encoding="utf-8") if text is None else text
        item = lsp.TextDocumentItem(uri=uri, language_id="pool", version=self.version, text=body)
        self.expected[uri] = self.version
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
        return uri

    def change(self, uri: str, *edits: lsp.TextEdit) -> None:
        self.version += 1
        self.expected[uri] = self.version
        changes: list[lsp.TextDocumentContentChangeEvent] = [
            lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits
        ]
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=changes,
            )
        )

    def close_doc(self, uri: str) -> None:
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri)))

    def diagnostics_of(self, uri: str) -> list[lsp.Diagnostic]:
        """The diagnostics of the document's latest version, once they come."""
        version = self.expected[uri]

        async def wait() -> list[lsp.Diagnostic]:
            while uri not in self.diagnostics or self.versions.get(uri) != version:
                self.changed.clear()
                await self.changed.wait()
            return self.diagnostics[uri]

        return self.run(wait())  # type: ignore[no-any-return]

    # ---- requests

    def hover(self, uri: str, line: int, character: int) -> lsp.Hover | None:
        pos = lsp.Position(line=line, character=character)
        return self.run(
            self.client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri=uri), pos))
        )  # type: ignore[no-any-return]

    def definition(self, uri: str, line: int, character: int) -> Any:
        pos = lsp.Position(line=line, character=character)
        return self.run(
            self.client.text_document_definition_async(lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri=uri), pos))
        )

    def complete(self, uri: str, line: int, character: int, trigger: str | None = None) -> list[lsp.CompletionItem]:
        ctx = lsp.CompletionContext(
            trigger_kind=lsp.CompletionTriggerKind.TriggerCharacter if trigger else lsp.CompletionTriggerKind.Invoked,
            trigger_character=trigger,
        )
        params = lsp.CompletionParams(
            lsp.TextDocumentIdentifier(uri=uri), lsp.Position(line=line, character=character), context=ctx
        )
        got = self.run(self.client.text_document_completion_async(params))
        return list(got.items if isinstance(got, lsp.CompletionList) else got or [])

    def format(self, uri: str) -> list[lsp.TextEdit]:
        params = lsp.DocumentFormattingParams(
            lsp.TextDocumentIdentifier(uri=uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True)
        )
        return list(self.run(self.client.text_document_formatting_async(params)) or [])

    def actions(self, uri: str, rng: lsp.Range) -> list[lsp.CodeAction]:
        params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri=uri), rng, lsp.CodeActionContext(diagnostics=[]))
        return [
            a
            for a in self.run(self.client.text_document_code_action_async(params)) or []
            if isinstance(a, lsp.CodeAction)
        ]

    def rename(self, uri: str, line: int, character: int, new: str) -> lsp.WorkspaceEdit:
        params = lsp.RenameParams(
            lsp.TextDocumentIdentifier(uri=uri), lsp.Position(line=line, character=character), new
        )
        return self.run(self.client.text_document_rename_async(params))  # type: ignore[no-any-return]

    def references(self, uri: str, line: int, character: int) -> list[lsp.Location]:
        params = lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=lsp.Position(line=line, character=character),
            context=lsp.ReferenceContext(include_declaration=True),
        )
        return list(self.run(self.client.text_document_references_async(params)) or [])

    def symbols(self, uri: str) -> list[lsp.DocumentSymbol]:
        params = lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri=uri))
        return list(self.run(self.client.text_document_document_symbol_async(params)) or [])


@pytest.fixture(scope="module")
def editor() -> Iterator[Editor]:
    e = Editor(ROOT)
    yield e
    e.close()


def find(text: str, needle: str, nth: int = 0) -> lsp.Position:
    """The position of the nth occurrence of needle (UTF-16 columns; all BMP here)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at)
    return lsp.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1))


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    lines = text.split("\n")
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln) + 1)

    def off(p: lsp.Position) -> int:
        return offsets[p.line] + p.character

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end) :]
    return text


MISSPELT = GUIZHOU.read_text(encoding="utf-8").replace(
    "上年度征缴收入 × 基础上解比例 -", "上年度征缴收入 × 基础上解比列 -", 1
)


# ---- diagnostics and quick fixes


def test_misspelt_name_gets_e201_at_its_range_with_did_you_mean(editor: Editor, tmp_path: Path) -> None:
    uri = editor.open(GUIZHOU, MISSPELT)
    diags = editor.diagnostics_of(uri)
    errors = [d for d in diags if d.severity == lsp.DiagnosticSeverity.Error]
    assert len(errors) == 1, diags
    e = errors[0]
    start = find(MISSPELT, "基础上解比列")
    assert (e.code, e.source) == ("E201", "pool")
    assert e.range == lsp.Range(start=start, end=lsp.Position(start.line, start.character + 6))
    assert e.message == "未定义的名称“基础上解比列”\n提示:你是不是想写“基础上解比例”?"
    # The notes pool check gives (open parameters) come as information.
    assert {d.code for d in diags if d.severity == lsp.DiagnosticSeverity.Information} == {"I601"}
    editor.close_doc(uri)


def test_the_quick_fix_replaces_the_misspelt_name_and_the_error_goes(editor: Editor) -> None:
    uri = editor.open(GUIZHOU, MISSPELT)
    editor.diagnostics_of(uri)
    at = find(MISSPELT, "基础上解比列")
    fixes = editor.actions(uri, lsp.Range(at, at))
    assert [f.title for f in fixes] == ["改为“基础上解比例”"]
    assert fixes[0].is_preferred and fixes[0].diagnostics and fixes[0].diagnostics[0].code == "E201"
    assert fixes[0].edit is not None and fixes[0].edit.changes is not None
    edits = fixes[0].edit.changes[uri]
    assert apply(MISSPELT, edits) == GUIZHOU.read_text(encoding="utf-8")
    editor.change(uri, *edits)
    after = editor.diagnostics_of(uri)
    assert not [d for d in after if d.severity == lsp.DiagnosticSeverity.Error]
    editor.close_doc(uri)


@pytest.mark.parametrize(
    ("old", "new", "title", "fixed"),
    [
        ("如果 擅自调整筹资政策 则", "如果擅自调整筹资政策 则", "在“如果”后加空格", "如果 擅自调整筹资政策 则"),
        ("累计上限 全省上年度征缴收入 × 留存上限比例", "累计上限 500", "500 改为 500元", "累计上限 500元"),
        ("至 省级留存  累计上限", "至 省级留存累计上限", "在“累计上限”前加空格", "至 省级留存 累计上限"),
    ],
)
def test_quick_fixes_for_a_missing_space_and_a_missing_unit(
    editor: Editor, old: str, new: str, title: str, fixed: str
) -> None:
    text = GUIZHOU.read_text(encoding="utf-8").replace(old, new, 1)
    uri = editor.open(GUIZHOU, text)
    diags = [d for d in editor.diagnostics_of(uri) if d.severity == lsp.DiagnosticSeverity.Error]
    assert diags
    fixes = editor.actions(uri, diags[0].range)
    assert title in [f.title for f in fixes]
    fix = next(f for f in fixes if f.title == title)
    assert fix.edit is not None and fix.edit.changes is not None
    assert fixed in apply(text, fix.edit.changes[uri])
    editor.close_doc(uri)


def test_diagnostics_follow_the_last_of_several_quick_changes(editor: Editor) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    uri = editor.open(GUIZHOU, text)
    assert not [d for d in editor.diagnostics_of(uri) if d.severity == lsp.DiagnosticSeverity.Error]
    at = find(text, "基础上解比例 -")
    for ch in "XYZ":  # three keystrokes: only the text after the last one counts
        editor.change(uri, lsp.TextEdit(lsp.Range(at, at), ch))
        at = lsp.Position(at.line, at.character + 1)
    diags = editor.diagnostics_of(uri)
    assert [d.message.split("\n")[0] for d in diags if d.code == "E201"] == ["未定义的名称“XYZ基础上解比例”"]
    editor.close_doc(uri)


def test_english_diagnostics_and_format_on_save_when_the_client_asks_for_them() -> None:
    e = Editor(ROOT, lang="en", formatOnSave=True)
    try:
        uri = e.open(GUIZHOU, MISSPELT)
        errors = [d for d in e.diagnostics_of(uri) if d.severity == lsp.DiagnosticSeverity.Error]
        assert [d.message for d in errors] == ["undefined name ‘基础上解比列’\nhint: did you mean ‘基础上解比例’?"]
        hover = e.hover(uri, *_pos(find(MISSPELT, "参数 基础上解比例", 0), 3))
        assert hover is not None and "**parameter** 基础上解比例: ratio" in str(hover.contents)
        # On save the document is laid out as pool fmt lays it out; a broken one is saved as it is.
        messy = MESSY.read_text(encoding="utf-8")
        uri = e.open(MESSY, messy)
        saving = lsp.WillSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri=uri), lsp.TextDocumentSaveReason.Manual)
        edits = e.run(e.client.text_document_will_save_wait_until_async(saving))
        assert apply(messy, edits) == format_file(MESSY).text
        e.change(uri, lsp.TextEdit(lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), "{"))
        assert not e.run(e.client.text_document_will_save_wait_until_async(saving))
    finally:
        e.close()


def _range(p: lsp.Position, start: int, end: int) -> tuple[lsp.Position, lsp.Position]:
    return lsp.Position(p.line, p.character + start), lsp.Position(p.line, p.character + end)


def _pos(p: lsp.Position, skip: int) -> tuple[int, int]:
    return p.line, p.character + skip


# ---- hover, definition, references, completion, outline


def test_hover_shows_the_value_and_the_original_clause(editor: Editor) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    uri = editor.open(GUIZHOU, text)
    use = find(text, "基础上解比例 -")  # a use, not the declaration
    hover = editor.hover(uri, use.line, use.character + 2)
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    body = hover.contents.value
    assert "**参数** 基础上解比例: 比例" in body
    assert "取值: 10%" in body and "范围: 不低于 10%" in body
    assert "> 各市(州)以上年度统筹基金征缴收入为基数,每年按不低于10%的比例上解至省级" in body
    assert "条款: 二(一)" in body
    assert hover.range == lsp.Range(use, lsp.Position(use.line, use.character + 6))
    # A derived value: its formula in words, as the 政策解读 puts it.
    let = find(text, "同比增量 =")
    derived = editor.hover(uri, let.line, let.character)
    assert derived is not None and "计算: 上年度征缴收入减去前年度征缴收入，为负时按零计。" in str(derived.contents)
    editor.close_doc(uri)


def test_definition_of_an_imported_region_set_lands_in_the_stdlib(editor: Editor) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    uri = editor.open(GUIZHOU, text)
    at = find(text, "地区 贵州市州")
    loc = editor.definition(uri, at.line, at.character + 4)
    assert isinstance(loc, lsp.Location)
    assert loc.uri == from_fs_path(str(ROOT / "stdlib" / "regions" / "guizhou.pool"))
    stdlib = (ROOT / "stdlib" / "regions" / "guizhou.pool").read_text(encoding="utf-8")
    assert loc.range.start == find(stdlib, "贵州市州")
    # …and the import's string opens the module itself.
    imp = editor.definition(uri, *_pos(find(text, '"regions/guizhou"'), 2))
    assert isinstance(imp, lsp.Location) and imp.uri.endswith("/stdlib/regions/guizhou.pool")
    editor.close_doc(uri)


def test_completion_after_by_offers_the_per_region_inputs(editor: Editor) -> None:
    # The drafter deletes the weight of a rule and starts typing another: the text does
    # not parse, and the names come from the last version that did.
    text = GUIZHOU.read_text(encoding="utf-8")
    uri = editor.open(GUIZHOU, text)
    editor.diagnostics_of(uri)
    weight = find(text, "按 绩效得分")
    editor.change(uri, lsp.TextEdit(lsp.Range(*_range(weight, 2, 6)), ""))
    assert editor.diagnostics_of(uri)[0].code == "E101"
    text = text.replace("按 绩效得分", "按 ", 1)
    at = find(text, "至 各地区  按 ", 1)
    labels = [i.label for i in editor.complete(uri, at.line, at.character + len("至 各地区  按 "), trigger=" ")]
    assert {"绩效得分", "参保人数", "老年参保人数", "上年度征缴收入"} <= set(labels)
    assert "基础上解比例" not in labels  # one figure for the whole province: no weight
    assert "全省上年度征缴收入" not in labels
    editor.close_doc(uri)


def test_completion_of_keywords_reads_the_full_width_letters_an_ime_types(editor: Editor, tmp_path: Path) -> None:
    text = "政策 示例 {\n  ｐａｒ\n}\n"
    uri = editor.open(tmp_path / "ime.pool", text)
    items = editor.complete(uri, 1, 5)
    by_label = {i.label: i for i in items}
    assert {"参数", "param", "主体", "party"} <= set(by_label)
    edit = by_label["param"].text_edit
    assert isinstance(edit, lsp.TextEdit) and edit.new_text == "param "
    assert edit.range == lsp.Range(lsp.Position(1, 2), lsp.Position(1, 5))  # replaces the full-width letters
    editor.close_doc(uri)


def test_outline_lists_parameters_inputs_values_funds_rules_and_examples(editor: Editor) -> None:
    uri = editor.open(GUIZHOU)
    (policy,) = editor.symbols(uri)
    assert policy.name == "贵州省基本医疗保险省级风险调剂"
    kids = {s.name: s for s in policy.children or []}
    assert kids["基础上解比例"].detail == "参数" and kids["基础上解比例"].kind == lsp.SymbolKind.Constant
    assert kids["上年度征缴收入"].detail == "输入"
    assert kids["同比增量"].detail == "令"
    assert [r.name for r in kids["基础调剂金"].children or []] == ["基础上解额", "基础分配额"]
    assert kids["增量扣除后仍须上解"].detail == "例"
    assert kids["地方政府弥补额"].detail == "转移"
    editor.close_doc(uri)


def test_folding_ranges_cover_the_policy_its_funds_and_long_declarations(editor: Editor) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    uri = editor.open(GUIZHOU)
    params = lsp.FoldingRangeParams(lsp.TextDocumentIdentifier(uri=uri))
    ranges = {(r.start_line, r.end_line) for r in editor.run(editor.client.text_document_folding_range_async(params))}
    policy = find(text, "政策 ").line
    assert (policy, text.count("\n", 0, text.rindex("}"))) in ranges
    fund = find(text, "资金 基础调剂金").line
    assert (fund, find(text, "  }\n").line) in ranges
    param = find(text, "参数 基础上解比例").line
    assert (param, param + 4) in ranges  # 授权, 原文, 条款 and 理解 below it
    editor.close_doc(uri)


# ---- formatting


def test_formatting_returns_pool_fmts_text(editor: Editor) -> None:
    messy = MESSY.read_text(encoding="utf-8")
    uri = editor.open(MESSY, messy)
    edits = editor.format(uri)
    expected = format_file(MESSY).text
    assert expected is not None and expected != messy
    assert apply(messy, edits) == expected
    editor.close_doc(uri)


def test_formatting_a_file_with_a_syntax_error_is_refused_with_the_reason(editor: Editor, tmp_path: Path) -> None:
    uri = editor.open(tmp_path / "broken.pool", "政策 示例 {\n  参数 x: 比例 = \n")
    with pytest.raises(JsonRpcException) as err:
        editor.format(uri)
    assert "文件有语法错误,无法格式化" in str(err.value)
    # The server is still there.
    assert editor.hover(uri, 1, 5) is None
    editor.close_doc(uri)


# ---- rename and references across files


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    shared = tmp_path / "shared.pool"
    shared.write_text('参数 统一比例: 比例 = 10%  原文 "按10%上解"\n', encoding="utf-8")
    policy = tmp_path / "policy.pool"
    policy.write_text(
        '导入 "./shared"\n导入 "regions/guizhou"\n\n政策 示例 {\n  地区 贵州市州\n  输入 收入: 金额 每地区\n'
        '  资金 调剂金 {\n    上解 上解额 = 收入 × 统一比例  自 各地区  原文 "上解"\n'
        '    分配 分配额 = 全部  至 各地区  按 收入  原文 "分配"\n  }\n}\n',
        encoding="utf-8",
    )
    # A second policy that uses the shared parameter too, never opened in the editor.
    other = tmp_path / "other.pool"
    other.write_text('导入 "./shared"\n\n政策 另一示例 {\n  令 两倍比例 = 统一比例 × 2\n}\n', encoding="utf-8")
    return shared, policy


def test_rename_changes_the_declaration_and_every_use_across_files(tmp_path: Path) -> None:
    _shared, policy = _two_files(tmp_path)
    e = Editor(tmp_path)
    try:
        text = policy.read_text(encoding="utf-8")
        uri = e.open(policy)
        assert not [d for d in e.diagnostics_of(uri) if d.severity == lsp.DiagnosticSeverity.Error]
        refs = e.references(uri, *_pos(find(text, "统一比例"), 1))
        assert {(r.uri.rsplit("/", 1)[-1], r.range.start.line) for r in refs} == {
            ("shared.pool", 0),
            ("policy.pool", 7),
            ("other.pool", 3),
        }
        edit = e.rename(uri, *_pos(find(text, "统一比例"), 1), "基础比例")
        assert edit.changes is not None
        by_file = {
            u.rsplit("/", 1)[-1]: apply(Path(to_path(u)).read_text(encoding="utf-8"), ed)
            for u, ed in edit.changes.items()
        }
        assert by_file["shared.pool"].startswith("参数 基础比例: 比例 = 10%")
        assert "上解额 = 收入 × 基础比例" in by_file["policy.pool"]
        assert "令 两倍比例 = 基础比例 × 2" in by_file["other.pool"]
        # A region set of the standard library is not ours to rename; keywords are no names.
        with pytest.raises(JsonRpcException, match="定义在标准库中"):
            e.rename(uri, *_pos(find(text, "地区 贵州市州"), 4), "贵州")
        with pytest.raises(JsonRpcException, match="不能用作名称"):
            e.rename(uri, *_pos(find(text, "统一比例"), 1), "参数")
    finally:
        e.close()


def to_path(uri: str) -> str:
    from pygls.uris import to_fs_path

    path = to_fs_path(uri)
    assert path is not None
    return path


# ---- bad input: an error or a diagnostic, and the server keeps running


def test_a_file_outside_the_workspace_is_refused(editor: Editor) -> None:
    with pytest.raises(JsonRpcException, match="不提供此文件"):
        editor.hover("file:///etc/passwd", 0, 0)
    with pytest.raises(JsonRpcException, match="不提供此文件"):
        editor.format("file:///etc/hostname.pool")
    uri = editor.open(GUIZHOU)
    assert editor.hover(uri, *_pos(find(GUIZHOU.read_text(encoding="utf-8"), "基础上解比例"), 1)) is not None
    editor.close_doc(uri)


def test_a_five_megabyte_file_gets_a_diagnostic_not_a_hang(editor: Editor, tmp_path: Path) -> None:
    huge = "# 注释\n" * 700_000  # about 5 MB
    uri = editor.open(tmp_path / "huge.pool", huge)
    (d,) = editor.diagnostics_of(uri)
    assert d.code == "E106" and "超过编辑器检查的上限" in d.message
    assert editor.hover(uri, 0, 1) is None
    editor.close_doc(uri)


def test_invalid_utf8_on_the_wire_does_not_stop_the_server(editor: Editor) -> None:
    server = editor.client._server  # the stdio pipe an editor writes to
    assert server is not None and server.stdin is not None
    body = (
        b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", '
        b'"params": {"textDocument": {"uri": "file:///x.pool", "text": "\xff\xfe"}}}'
    )
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    bad_json = b'{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": '
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(bad_json) + bad_json)
    uri = editor.open(GUIZHOU)
    diags = editor.diagnostics_of(uri)
    assert not [d for d in diags if d.severity == lsp.DiagnosticSeverity.Error]
    assert server.returncode is None
    assert any("Error in server" in m for m in editor.messages)  # the editor is told
    editor.close_doc(uri)


def test_an_imported_file_that_is_not_utf8_is_a_diagnostic_on_the_importing_line(
    editor: Editor, tmp_path: Path
) -> None:
    (tmp_path / "bad.pool").write_bytes(b"\xff\xfe\x00 \xe5\x8f")
    uri = editor.open(tmp_path / "main.pool", '# 示例\n导入 "./bad"\n\n政策 示例 {\n}\n')
    (d,) = [d for d in editor.diagnostics_of(uri) if d.code == "E106"]
    assert d.range == lsp.Range(lsp.Position(1, 3), lsp.Position(1, 10))  # the import's "./bad"
    assert "bad.pool:1:1" in d.message and "第 0 字节不是有效的 UTF-8" in d.message
    assert d.related_information and d.related_information[0].location.uri.endswith("/bad.pool")
    editor.close_doc(uri)


def test_pool_lsp_explains_itself() -> None:
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "lsp", "--help"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0 and "language server" in out.stdout
