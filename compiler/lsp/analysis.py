"""One document, analysed: the checked program and every name written in it.

The driver checks the editor's text (saved or not) exactly as `pool check` checks a
file; this module then lists each name occurrence of the program (the document and
every module it imports) with the namespace it lives in, so hover, definition,
references and rename all answer from one table.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from compiler.diagnostics import Diagnostic, diag
from compiler.driver import Checked, check_buffer
from compiler.ir import nodes as ir
from compiler.ir.scope import Scope, build_scope
from compiler.messages import Text
from compiler.resources import stdlib_dir
from compiler.source import SourceFile, Span

# A policy is a few hundred lines; a file of megabytes is a mistake (a data file opened
# as .pool) and would hold the server for seconds on every keystroke.
MAX_BYTES = 1_000_000

# Namespaces: values, parties and funds share one (a drafter reads them all as names).
VALUE, TYPE, REGIONSET, MEMBER, REGION, FUNCTION = "value", "type", "regionset", "member", "region", "function"

Key = tuple[str, str]  # (namespace, name)
Declared = (
    ir.ParamDecl | ir.InputDecl | ir.LetDecl | ir.Rule | ir.PartyDecl | ir.FundDecl | ir.EnumDecl | ir.RegionSetDecl
)


@attrs.frozen
class Occurrence:
    ns: str
    name: str
    span: Span
    declares: bool = False  # the name as written in its declaration

    @property
    def key(self) -> Key:
        return (self.ns, self.name)


@attrs.frozen
class Definition:
    """Where a name is declared, and the declaration (the enumeration or region set
    for a member or a region)."""

    span: Span
    decl: Declared


# (node type, field) → the namespace of the names written there; None: not a name
# anyone refers to (a tier's or the policy's own name).
_FIELD_NS: dict[tuple[type, str], str | None] = {
    (ir.TypeRef, "name"): TYPE,
    (ir.Header, "region_set"): REGIONSET,
    (ir.Header, "schemes"): MEMBER,
    (ir.EnumDecl, "name"): TYPE,
    (ir.EnumDecl, "members"): MEMBER,
    (ir.RegionSetDecl, "name"): REGIONSET,
    (ir.RegionSetDecl, "members"): REGION,
    (ir.Example, "regions"): REGION,
    (ir.PeriodCase, "regions"): REGION,
    (ir.RegionValue, "region"): REGION,
    (ir.MemberOf, "members"): MEMBER,
    (ir.Arm, "patterns"): MEMBER,
    (ir.Call, "func"): FUNCTION,
    (ir.Tier, "name"): None,
    (ir.Policy, "name"): None,
}
_DECLARING = {
    (ir.ParamDecl, "name"),
    (ir.InputDecl, "name"),
    (ir.LetDecl, "name"),
    (ir.PartyDecl, "name"),
    (ir.FundDecl, "name"),
    (ir.Rule, "name"),
    (ir.EnumDecl, "name"),
    (ir.EnumDecl, "members"),
    (ir.RegionSetDecl, "name"),
    (ir.RegionSetDecl, "members"),
    (ir.Header, "schemes"),
}
_SKIP = {"span", "literate", "text", "label", "authority", "owners"}


@attrs.define
class Analysis:
    path: Path  # where the document lives: its relative imports are found from here
    source: SourceFile  # its text; spans in it carry source.path
    checked: Checked
    occurrences: list[Occurrence] = attrs.Factory(list)
    definitions: dict[Key, Definition] = attrs.Factory(dict)
    imports: list[tuple[Span, Path]] = attrs.Factory(list)  # each 导入's string and the file it names
    scope: Scope | None = None

    @property
    def shown(self) -> str:
        return self.source.path

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.checked.diagnostics

    @property
    def program(self) -> ir.Program | None:
        return self.checked.program

    def file_path(self, shown: str) -> Path:
        """The file a span's `file` names: the document, a stdlib module, or a local one."""
        if shown == self.shown:
            return self.path
        if shown.startswith("stdlib/"):
            return stdlib_dir() / shown.removeprefix("stdlib/")
        p = Path(shown)
        return p if p.is_absolute() else Path.cwd() / p

    def text_of(self, shown: str) -> SourceFile | None:
        return self.checked.sources.get(shown)

    def at(self, line: int, column: int) -> Occurrence | None:
        """The name at a 1-based position of the document (the cursor may sit just after it)."""
        best = None
        for o in self.occurrences:
            s = o.span
            inside = s.file == self.shown and s.line == line and s.column <= column <= s.end_column
            if inside and (best is None or column < s.end_column):
                best = o
        return best

    def import_at(self, line: int, column: int) -> Path | None:
        for span, target in self.imports:
            if span.file == self.shown and span.line == line and span.column <= column <= span.end_column:
                return target
        return None

    def definition(self, key: Key) -> Definition | None:
        return self.definitions.get(key)

    def references(self, key: Key) -> list[Occurrence]:
        return [o for o in self.occurrences if o.key == key]


def analyse(text: str, path: Path, shown: str | None = None) -> Analysis:
    """Check `text` as the file at `path` and index its names. Never raises on user input."""
    source = SourceFile(shown or str(path), text.replace("\r\n", "\n"))
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        reason = Text(
            f"文件有 {size / 1_000_000:.1f} MB,超过编辑器检查的上限 {MAX_BYTES // 1_000_000} MB;请用 pool check 检查",
            f"the file is {size / 1_000_000:.1f} MB, over the editor's limit of {MAX_BYTES // 1_000_000} MB; check "
            "it with pool check",
        )
        too_big = diag("E106", Span(source.path, 1, 1, 1, 2), reason=reason)
        return Analysis(path, source, Checked({source.path: source}, [too_big]))
    checked = check_buffer(source, path)
    out = Analysis(path, source, checked)
    program = checked.program
    if program is None:
        return out
    out.scope = checked.context.scope if checked.context is not None else build_scope(program)[0]
    for module in (*program.modules, program.main):
        _collect(module, out.occurrences)
        importer = path if module is program.main else out.file_path(module.file)
        for imp in module.imports:
            target = _import_target(imp.path.value, importer)
            if target is not None:
                out.imports.append((imp.path.span, target))
    _resolve(out)
    return out


def _import_target(spec: str, importer: Path) -> Path | None:
    name = spec if spec.endswith(".pool") else spec + ".pool"
    target = importer.parent / name if spec.startswith(("./", "../")) else stdlib_dir() / name
    return target if spec and target.is_file() else None


def _collect(module: ir.Module, out: list[Occurrence]) -> None:
    """Every name written in a module, with the namespace its position gives it.
    An explicit stack: expressions may nest deeper than Python's recursion allows."""
    stack: list[tuple[object, str, bool]] = [(module, VALUE, False)]
    seen: set[Span] = set()
    while stack:
        node, ns, declares = stack.pop()
        if isinstance(node, ir.Ident):
            if node.span not in seen:
                seen.add(node.span)
                out.append(Occurrence(ns, node.text, node.span, declares))
        elif isinstance(node, ir.Name):
            if node.span not in seen:
                seen.add(node.span)
                out.append(Occurrence(VALUE, node.name, node.span))
        elif isinstance(node, tuple):
            stack.extend((item, ns, declares) for item in reversed(node))
        elif attrs.has(type(node)) and not isinstance(node, (ir.Str, ir.Num)):
            if getattr(node, "implicit", False):
                continue  # declared by the header's 险种: its names are the header's
            for field in reversed(attrs.fields(type(node))):  # type: ignore[arg-type]
                if field.name in _SKIP:
                    continue
                where = (type(node), field.name)
                if where in _FIELD_NS and _FIELD_NS[where] is None:
                    continue
                stack.append((getattr(node, field.name), _FIELD_NS.get(where) or VALUE, where in _DECLARING))
    out.sort(key=lambda o: (o.span.file, o.span.line, o.span.column))


def _resolve(a: Analysis) -> None:
    scope = a.scope
    assert scope is not None
    defs = a.definitions
    for name, v in scope.values.items():
        defs[(VALUE, name)] = Definition(v.name.span, v)
    for name, p in scope.parties.items():
        defs[(VALUE, name)] = Definition(p.name.span, p)
    for name, e in scope.enums.items():
        defs[(TYPE, name)] = Definition(e.name.span, e)
        for m in e.members:
            defs.setdefault((MEMBER, m.text), Definition(m.span, e))
    policy = a.program.policy if a.program else None
    header_set = policy.header.region_set.text if policy and policy.header.region_set else None
    # A region belongs to the policy's own region set first, then to any other.
    for name, rs in sorted(scope.regionsets.items(), key=lambda kv: kv[0] != header_set):
        defs[(REGIONSET, name)] = Definition(rs.name.span, rs)
        for m in rs.members:
            defs.setdefault((REGION, m.text), Definition(m.span, rs))
    # A bare name that is no value but an enumeration's member (缺口原因 = 正常).
    a.occurrences = [
        attrs.evolve(o, ns=MEMBER) if o.ns == VALUE and (VALUE, o.name) not in defs and (MEMBER, o.name) in defs else o
        for o in a.occurrences
    ]
