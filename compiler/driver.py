"""The one module that knows the order: read → parse → resolve imports → check.

Backends receive the checked result; they never call the parser or the checks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import attrs

from compiler import months, years
from compiler.checks import check
from compiler.checks.context import Context
from compiler.checks.readings import check_choices, check_discretion
from compiler.diagnostics import Diagnostic, diag, label, note, sort_diagnostics
from compiler.fileio import FileRefused, read_limited
from compiler.fmt.layout import layout
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import written
from compiler.limits import MAX_EXPR_DEPTH, allow_deep_recursion
from compiler.messages import Severity, Text
from compiler.parsing import parse_module
from compiler.parsing.cst import lexemes
from compiler.plan import translate
from compiler.readings import ReadingError, choices, defaults, resolve, settle_choices
from compiler.resources import stdlib_dir
from compiler.schemes import expand
from compiler.source import SourceFile, Span


@attrs.define
class Checked:
    """A policy after checking: the program and its facts, or the reasons there is none."""

    sources: dict[str, SourceFile]
    diagnostics: list[Diagnostic]
    program: ir.Program | None = None
    context: Context | None = None
    policy: CheckedPolicy | None = None  # set only when there are no errors
    io_error: bool = False  # the file could not be read at all: a usage error, exit 2

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors and self.program is not None


def _display(path: Path) -> str:
    try:
        rel = path.resolve().relative_to(stdlib_dir().resolve())
        return f"stdlib/{rel.as_posix()}"
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# A policy is tens of kilobytes; the limit keeps /dev/zero or a stray dump from filling memory.
MAX_POLICY_BYTES = 2 * 1024 * 1024


def _read(path: Path, shown: str) -> tuple[SourceFile | None, Diagnostic | None]:
    try:
        data = read_limited(path, MAX_POLICY_BYTES, Text("一份政策", "a policy"))
    except FileRefused as e:
        return None, diag("E106", Span(shown, 1, 1, 1, 1), reason=e.reason())
    except OSError as e:
        return None, diag("E106", Span(shown, 1, 1, 1, 1), reason=e.strerror or str(e))
    return decode_source(data, shown)


def decode_source(data: bytes, shown: str) -> tuple[SourceFile | None, Diagnostic | None]:
    """Bytes → source text, or E106 at the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # Point at the offending byte: count the lines and characters before it.
        before = data[: e.start].decode("utf-8-sig", errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        reason = Text(f"第 {e.start} 字节不是有效的 UTF-8", f"byte {e.start} is not valid UTF-8")
        return None, diag("E106", Span(shown, line, col, line, col + 1), reason=reason)
    return SourceFile(shown, normalize_newlines(text)), None


def normalize_newlines(text: str) -> str:
    """CRLF and a lone CR both end a line (classic Mac OS, some copy-paste paths): otherwise a
    first-line comment would run to the end of the file and hide every rule in it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Loader:
    def __init__(self) -> None:
        self.sources: dict[str, SourceFile] = {}
        self.diags: list[Diagnostic] = []
        self.modules: list[ir.Module] = []  # dependencies first
        self.loading: set[Path] = set()
        self.loaded: set[Path] = set()

    def load(self, path: Path, shown: str) -> ir.Module | None:
        source, err = _read(path, shown)
        if err is not None:
            self.diags.append(err)
            return None
        assert source is not None
        return self.parse(source)

    def parse(self, source: SourceFile) -> ir.Module | None:
        shown = source.path
        self.sources[shown] = source
        module, diags = parse_module(source)
        self.diags += diags
        return module

    def imports(self, module: ir.Module, path: Path | None) -> None:
        """`path` is the importing file, None for a text with no file (relative imports refused)."""
        if path is not None:
            self.loading.add(path)
        for imp in module.imports:
            target = _import_target(imp.path.value, path)
            if target is None or not target.is_file():
                modules = [m.relative_to(stdlib_dir()).with_suffix("").as_posix() for m in stdlib_dir().rglob("*.pool")]
                close = difflib.get_close_matches(imp.path.value, sorted(modules), n=1, cutoff=0.5)
                hint = note("did-you-mean", suggestion=close[0]) if close else None
                self.diags.append(diag("E105", imp.path.span, hint=hint, path=imp.path.value))
                continue
            key = target.resolve()
            if key in self.loaded or key in self.loading:
                continue  # imported already, or an import cycle: each module loads once
            sub = self.load(target, _display(target))
            if sub is not None:
                self.imports(sub, key)
                self.modules.append(sub)
            self.loaded.add(key)
        if path is not None:
            self.loading.discard(path)


def _import_target(spec: str, importer: Path | None) -> Path | None:
    if not spec or "\x00" in spec:
        return None
    name = spec if spec.endswith(".pool") else spec + ".pool"
    if spec.startswith(("./", "../")):
        return importer.parent / name if importer is not None else None
    target = stdlib_dir() / name
    # A stdlib name stays inside stdlib: `导入 "a/../../x"` is not a way to read other files.
    if not target.resolve().is_relative_to(stdlib_dir().resolve()):
        return None
    return target


def check_file(path: str | Path) -> Checked:
    allow_deep_recursion()  # then whatever checks clean, every engine can evaluate
    try:
        return _check_file(Path(path))
    except RecursionError:  # deeper than lowering can follow: thousands of levels
        shown = _display(Path(path))
        return Checked(
            {}, [diag("E109", Span(shown, 1, 1, 1, 1), depth=Text("上千", "thousands of"), limit=str(MAX_EXPR_DEPTH))]
        )


def check_source(text: str, name: str = "<string>", directory: str | Path = ".") -> Checked:
    """A policy given as text (a string in a notebook), checked as if it were the file `name`
    in `directory`: relative imports resolve from there, and diagnostics name `name`."""
    return check_buffer(SourceFile(name, normalize_newlines(text.removeprefix("\ufeff"))), Path(directory) / name)


def check_sent(text: str, name: str) -> Checked:
    """A policy a client sent (`pool serve`): text with no file behind it. Standard-library
    imports work; relative ones (`./x`) are "module not found", so the text can never make
    the compiler read a file it names. Larger than a policy file may be: E106, as for a file."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        mb = MAX_POLICY_BYTES // (1024 * 1024)
        reason = Text(f"政策超过 {mb} MB", f"the policy is larger than {mb} MB")
        return Checked({}, [diag("E106", Span(name, 1, 1, 1, 1), reason=reason)], io_error=True)
    return check_buffer(SourceFile(name, normalize_newlines(text.removeprefix("\ufeff"))), None)


def check_buffer(source: SourceFile, path: str | Path | None) -> Checked:
    """Check text that is not (or not yet) on disk, such as an editor's unsaved buffer.
    `path` is where the file lives: its relative imports are found from there, and read
    from disk (None: nowhere, and relative imports are refused). Diagnostics in this file
    carry `source.path` as their file."""
    allow_deep_recursion()
    try:
        loader = _Loader()
        return _check_parsed(loader, loader.parse(source), Path(path) if path is not None else None)
    except RecursionError:
        return Checked(
            {source.path: source},
            [
                diag(
                    "E109", Span(source.path, 1, 1, 1, 1), depth=Text("上千", "thousands of"), limit=str(MAX_EXPR_DEPTH)
                )
            ],
        )


def _check_file(p: Path) -> Checked:
    loader = _Loader()
    return _check_parsed(loader, loader.load(p, _display(p)), p)


def _check_parsed(loader: _Loader, module: ir.Module | None, p: Path | None) -> Checked:
    if module is None:
        io = not loader.sources
        return Checked(loader.sources, sort_diagnostics(loader.diags), io_error=io)
    return _check_loaded(loader, module, p)


def _check_loaded(loader: _Loader, module: ir.Module, p: Path | None) -> Checked:
    loader.imports(module, p.resolve() if p is not None else None)
    written = ir.Program(module, tuple(loader.modules))
    loader.diags += check_choices(written)
    if any(d.severity is Severity.ERROR for d in loader.diags):
        return Checked(loader.sources, sort_diagnostics(loader.diags), written)
    # The checks see the policy under its default readings, then under each other option
    # of each choice: every option must check clean, as a policy of its own.
    resolved = resolve(written, {})
    timed_program, timed = _timed(resolved)
    if any(d.severity is Severity.ERROR for d in timed):
        return Checked(loader.sources, sort_diagnostics(loader.diags + timed), written)
    program, diags = expand(timed_program)
    if diags:  # a per-scheme declaration that cannot be copied: the checks would only repeat it
        return Checked(loader.sources, sort_diagnostics(loader.diags + diags), written)
    ctx, diags = check(program)
    if program is not resolved:  # each scheme's or month's copy of a declaration: one report where it is written
        diags = _once_per_span(diags)
    diags = timed + diags
    seen = {_key(d) for d in diags}
    for c in choices(written):
        for o in c.options:
            if o.name.text == c.default.text:
                continue
            _, more = check(expand(_timed(resolve(written, {c.name.text: o.name.text}))[0])[0])
            under = label(o.name.span, "under-reading", choice=c.name.text, option=o.name.text)
            for d in more:
                if _key(d) not in seen:
                    seen.add(_key(d))
                    diags.append(attrs.evolve(d, labels=(*d.labels, under)))
    if not any(d.severity is Severity.ERROR for d in diags):  # a lint: noise beside errors
        diags += check_discretion(written)
    result = Checked(loader.sources, sort_diagnostics(loader.diags + diags), program, ctx)
    if result.ok:
        texts = {name: src.text for name, src in loader.sources.items()}
        result.policy = _planned(CheckedPolicy(program, ctx.scope, dict(ctx.types), texts, written, defaults(written)))
    return result


def _timed(program: ir.Program) -> tuple[ir.Program, list[Diagnostic]]:
    """Time within the period (每月, 按月: compiler/months.py), then across periods (按年度,
    前3年: compiler/years.py), lowered to what the checks and every engine already know."""
    within, diags = months.lower(program)
    across, more = years.lower(within)
    return across, diags + more


def with_readings(policy: CheckedPolicy, wanted: Mapping[str, str]) -> CheckedPolicy:
    """The policy under the wanted readings (the default for any choice not named).
    Every option checked clean with the others at their defaults; a combination of
    non-default options is checked here. ReadingError names an unknown choice or option,
    or the errors of a combination that does not check."""
    written = policy.written or policy.program
    picks = settle_choices(written, wanted)
    if picks == policy.readings:
        return policy
    program, diags = expand(_timed(resolve(written, picks))[0])
    if not diags:
        ctx, diags = check(program)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if errors:
        shown = "、".join(f"{k}={v}" for k, v in picks.items())
        zh = "; ".join(f"{d.span}: {d.message('zh')}" for d in errors)
        en = "; ".join(f"{d.span}: {d.message('en')}" for d in errors)
        raise ReadingError(f"解读组合 {shown} 无法通过检查:{zh}", f"the readings {shown} together do not check: {en}")
    return _planned(CheckedPolicy(program, ctx.scope, dict(ctx.types), policy.sources, written, picks))


def _planned(policy: CheckedPolicy) -> CheckedPolicy:
    """After the checks, the lowering every backend reads (compiler/plan)."""
    return attrs.evolve(policy, plan=translate(policy))


def _once_per_span(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen: dict[tuple[str, Span], int] = {}
    out: list[Diagnostic] = []
    for d in diags:
        key = (d.code, d.span)
        if key not in seen:
            seen[key] = len(out)
            out.append(d)
        elif d.args != out[seen[key]].args:  # every month's copy: name the value as written
            out[seen[key]] = attrs.evolve(out[seen[key]], args=tuple((k, _written(v)) for k, v in d.args))
    return out


def _written(v: str | Text) -> str | Text:
    """预结算 for 预结算(3月) in a message said once for every month's copy."""
    return written(v) if isinstance(v, str) else v


def _key(d: Diagnostic) -> tuple[str, Span, str]:
    return d.code, d.span, d.message("en")


@attrs.frozen
class Formatted:
    """A file's canonical text, or why there is none."""

    original: str
    text: str | None
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    io_error: bool = False
    changes_ir: bool = False  # the layout would change what the policy means: a bug, never written

    @property
    def changed(self) -> bool:
        return self.text is not None and self.text != self.original


def format_file(path: str | Path, keywords: str | None = None) -> Formatted:
    """Lay out one file canonically, keywords in `keywords` ("zh"/"en") if given."""
    p = Path(path)
    source, err = _read(p, _display(p))
    if source is None:
        assert err is not None
        return Formatted("", None, [err], {}, io_error=True)
    return format_source(source, keywords)


def format_source(source: SourceFile, keywords: str | None = None) -> Formatted:
    """The canonical text of a source. It is parsed again and must give the same IR
    as the original (spans aside): formatting may move text, never meaning."""
    sources = {source.path: source}
    found, diags = lexemes(source, keywords)
    if found is None:
        return Formatted(source.text, None, diags, sources)
    text = layout(found)
    before, _ = parse_module(source)
    after, after_diags = parse_module(SourceFile(source.path, text))
    if after is None or before != after:
        return Formatted(source.text, None, after_diags, sources, changes_ir=True)
    return Formatted(source.text, text, [], sources)
