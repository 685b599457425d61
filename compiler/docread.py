"""JSON and YAML documents read with every value's position, for the readers of scenario
files (compiler/scenario.py), stochastic scenarios (compiler/stochastic/spec.py) and case
files (compiler/tools/cases.py).

    root, errors = compose_file(path, limit, what)   # a tree of PyYAML nodes, or why not
    r = Reader()
    for key, k, v in r.mapping(root, ""):            # duplicate keys reported, not kept
        if key not in KNOWN:
            r.unknown(k, key, sorted(KNOWN))
    r.errors                                         # FieldErrors: field, line, column, zh, en

A document is composed by PyYAML, not loaded: every node keeps its start mark, and every
scalar stays the text it was written as (money never passes through a float). A spreadsheet
is composed into the same nodes by compiler/sheets, whose CellMark names the cell; an error
at such a node says `file:参数!B3` where one in JSON or YAML says `file:line:column`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import yaml

from compiler.fileio import FileRefused, read_limited
from compiler.messages import Text
from compiler.sheets.decode import decode
from compiler.sheets.problems import CellMark, SheetError

LONGEST = 100  # characters of a value or field shown in a message
# For JSON (already checked by json.loads, so composing cannot fail) libyaml's composer when
# PyYAML has it: the same nodes and marks, 13 times faster (18 ms → 1.4 ms for the Guizhou
# scenario, most of a `pool serve` /run). YAML keeps the Python composer, whose messages are clearer.
_JSON_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TRUE, _FALSE = {"true", "是", "True"}, {"false", "否", "False"}


@attrs.frozen
class FieldError:
    """What is wrong with one field of a document, and where: line and column from 1
    (0 for a value given as data, with no position), or a spreadsheet's cell."""

    field: str
    line: int
    column: int
    zh: str
    en: str
    cell: str = ""  # `参数!B3` for a value read from a spreadsheet (compiler/sheets)

    def render(self, file: str, lang: str) -> str:
        where = f"{file}:{self.cell}" if self.cell else f"{file}:{self.line}:{self.column}" if self.line else file
        shown = self.field if len(self.field) <= LONGEST else self.field[:LONGEST] + "…"  # a key may be megabytes
        field = f" {shown}:" if shown else ""
        return f"{where}:{field} {self.zh if lang == 'zh' else self.en}"


Composed = tuple[yaml.Node | None, list[FieldError]]


def whole(zh: str, en: str, cell: str = "") -> FieldError:
    """An error about the whole document (shown at its first line)."""
    return FieldError("", 1, 1, zh, en, cell)


def at(node: yaml.Node, field: str, zh: str, en: str) -> FieldError:
    """An error at `node`'s position."""
    m = node.start_mark
    return FieldError(field, m.line + 1, m.column + 1, zh, en, m.cell if isinstance(m, CellMark) else "")


def position(node: yaml.Node) -> tuple[int, int]:
    """`node`'s line and column, from 1."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def text_of(node: yaml.Node | None) -> str:
    """A scalar's text without surrounding space; "" for anything else."""
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def boolean(text: str) -> bool | None:
    """是/否, true/false (True/False as YAML writes them); None for anything else."""
    return True if text in _TRUE else False if text in _FALSE else None


def percent(text: str) -> tuple[str, bool]:
    """A number's text without its percent sign (% or ％), and whether it had one."""
    return (text[:-1], True) if text.endswith(("%", "％")) else (text, False)


def decimal(text: str) -> Decimal | None:
    """The decimal `text` writes (possibly infinite or NaN: the caller says what it takes); None if none."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def has_key(node: yaml.Node, names: Iterable[str]) -> bool:
    """Whether `node` is a mapping with one of `names` among its keys."""
    wanted = set(names)
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value in wanted for k, _ in node.value
    )


def without(node: yaml.MappingNode, names: Iterable[str]) -> yaml.MappingNode:
    """The mapping `node` without the keys `names`, at the same position."""
    dropped = set(names)
    rest = [(k, v) for k, v in node.value if not (isinstance(k, yaml.ScalarNode) and k.value in dropped)]
    return yaml.MappingNode(node.tag, rest, node.start_mark, node.end_mark)


class Reader:
    """Reads a composed document, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, node: yaml.Node, field: str, zh: str, en: str) -> None:
        e = at(node, field, zh, en)
        if e.cell and any(x.cell == e.cell and x.zh == zh for x in self.errors):
            return  # a spreadsheet's header cell is every row's key: one message for the column
        self.errors.append(e)

    def mapping(self, node: yaml.Node, field: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """(key, key node, value node) in the order written; an error if `node` is not a
        mapping, and for each key given again (the first is kept)."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, field, "应为对象(键值对)", "expected an object (key: value pairs)")
            return []
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        seen: set[str] = set()
        for k, v in node.value:
            key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            if key in seen:
                self.error(k, f"{field}.{key}" if field else key, "键重复出现", "duplicate key")
                continue
            seen.add(key)
            out.append((key, k, v))
        return out

    def unknown(self, node: yaml.Node, field: str, known: Iterable[str]) -> None:
        """A key that is none of `known` (listed in the order given)."""
        e = unknown_field(node, field, known)
        self.error(node, field, e.zh, e.en)


def unknown_field(node: yaml.Node, field: str, known: Iterable[str]) -> FieldError:
    """The error for a key that is none of `known` (listed in the order given)."""
    listed = list(known)
    return at(node, field, f"未知字段(可用:{'、'.join(listed)})", f"unknown field (known: {', '.join(listed)})")


# ---- composing


def compose_text(source: str, is_json: bool) -> Composed:
    """The tree of a document's text; a .json document is held to JSON."""
    if is_json:
        # YAML would accept what JSON forbids (unquoted keys, comments): hold a
        # .json file to JSON, then read positions from the same text via YAML.
        try:
            # Numbers stay text: an integer of millions of digits would exceed int()'s limit.
            json.loads(source, parse_float=str, parse_int=str, parse_constant=lambda c: c)
        except json.JSONDecodeError as e:
            return None, [FieldError("", e.lineno, e.colno, f"不是有效的 JSON:{e.msg}", f"not valid JSON: {e.msg}")]
        except RecursionError:
            return None, [whole("嵌套过深", "nested too deeply")]
    try:
        root = yaml.compose(source, Loader=_JSON_LOADER if is_json else yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [FieldError("", line, col, f"格式错误:{e.problem}", f"malformed: {e.problem}")]
    except (yaml.YAMLError, RecursionError):
        return None, [whole("格式错误或嵌套过深", "malformed or too deeply nested")]
    if root is None:
        return None, [whole("文件为空", "the file is empty")]
    return root, []


def read_file(path: Path, limit: int, what: Text) -> tuple[bytes | None, list[FieldError]]:
    """A file's bytes, at most `limit` of them (`what` names what it should be, for the
    too-large message); or why it cannot be read."""
    try:
        return read_limited(path, limit, what), []
    except FileRefused as e:
        reason = e.reason()
        return None, [whole(reason.zh, reason.en)]
    except OSError as e:
        return None, [whole(f"无法读取:{e.strerror}", f"cannot read: {e.strerror}")]


def sheet_errors(e: SheetError) -> list[FieldError]:
    """A spreadsheet's (or a file's encoding's) problems, each at its cell."""
    return [whole(p.zh, p.en, p.cell) for p in e.problems]


def compose_file(path: Path, limit: int, what: Text, encoding: str | None = None) -> Composed:
    """The tree of a JSON or YAML file (JSON when named .json), UTF-8 or UTF-16, or in
    `encoding` when given."""
    data, errors = read_file(path, limit, what)
    if data is None:
        return None, errors
    try:
        source = decode(data, encoding)
    except SheetError as e:
        return None, sheet_errors(e)
    return compose_text(source, path.suffix.lower() == ".json")
