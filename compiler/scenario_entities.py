"""A scenario's entity tables: persons, employers, institutions as lists of records.

    "entities": {
      "用人单位": [{"id": "甲公司", "地区": "海曙区"}],
      "参保人员": [{"id": "张三", "用人单位": "甲公司", "缴费工资": "8000.00"},
                   {"id": "李四", "地区": "海曙区", "缴费工资": "6000.00"}]
    }

Each record has an id (unique within its kind), a region (`地区` or `region`) or a link
to an entity of a kind it is linked to (隶属), from which its region follows, and the
kind's per-entity inputs. A field written null (an empty cell of a spreadsheet's entity table)
is not given: an input's default applies, or it is reported missing where it is written.
Every problem is reported with the record's position; a scenario with any is not evaluated
(the caller's reader collects them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import yaml

from compiler.docread import Reader
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.types import Type
from compiler.runtime import Entities
from compiler.scenario_months import MonthValues

REGION_KEYS = ("地区", "region")


def constant_value(e: ir.Expr, values: Mapping[str, object]) -> Value | None:
    """A default written as a literal (是, 0元, 一个枚举成员), as a scenario would give it."""
    if isinstance(e, ir.BoolLit):
        return e.value
    if isinstance(e, ir.Num):
        return Decimal(e.value)
    if isinstance(e, ir.Name) and e.name not in values:
        return e.name  # an enumeration member
    return None


ID_KEY = "id"
_NULL = "tag:yaml.org,2002:null"
Value = Decimal | bool | str  # one field's value, as compiler.scenario reads it
Table = dict[str, Value | dict[str, Value]]  # inputs by name: one value, or one per region or entity
Read = Callable[[yaml.Node, str, Type, object], Value | None]


class EntityTables:
    """Reads `entities` for a ScenarioReader, reporting through it."""

    def __init__(self, reader: Reader, checked: CheckedPolicy, value: Read) -> None:
        self.r = reader
        self.checked = checked
        self.scope = checked.scope
        self.value = value
        self.blank: dict[tuple[str, str, str], yaml.Node] = {}  # (kind, id, input) → where it is left empty
        self.months = MonthValues(reader, checked)  # 每月: a year's values as a list

    def inputs_of(self, kind: str) -> list[str]:
        return [
            n
            for n, d in self.scope.values.items()
            if isinstance(d, ir.InputDecl) and self.checked.types[n].entity == kind
        ]

    def read(self, node: yaml.Node, regions: list[str], known: list[str], inputs: Table) -> tuple[Entities, list[str]]:
        """The entities, and the regions they name in order (for a scenario listing none).
        `regions`: the scenario's own list (may be empty); `known`: the policy's region set."""
        self.inputs = inputs
        kinds = self.scope.entities
        ids: dict[str, list[str]] = {}
        region_of: dict[str, dict[str, str]] = {}
        links: dict[str, dict[str, dict[str, str | None]]] = {}
        # kind, id, linked kind, linked id, where the link is written
        pending: list[tuple[str, str, str, str, yaml.Node, str]] = []
        named: list[str] = []
        tables = self.r.mapping(node, "entities")
        for kind, kn, _vn in tables:
            if kind not in kinds:
                self.r.unknown(kn, f"entities.{kind}", list(kinds))
        for kind, _kn, vn in tables:
            if kind not in kinds:
                continue
            if not isinstance(vn, yaml.SequenceNode):
                self.r.error(vn, f"entities.{kind}", "应为记录的列表", "expected a list of records")
                continue
            own_links = [x.text for x in kinds[kind].links]
            fields = [ID_KEY, *REGION_KEYS, *own_links, *self.inputs_of(kind)]
            ids[kind], region_of[kind], links[kind] = [], {}, {}
            given: dict[str, list[tuple[str, yaml.Node]]] = {}  # input → records that give it
            for row, rec in enumerate(vn.value):
                where = f"entities.{kind}[{row}]"
                got = self.record(kind, rec, where, fields, own_links, regions, known, inputs, given)
                if got is None:
                    continue
                id_, region, linked = got
                if id_ in links[kind]:
                    self.r.error(rec, f"{where}.id", f"“{id_}”重复出现", f"‘{id_}’ is listed twice")
                    continue
                ids[kind].append(id_)
                links[kind][id_] = {k: None for k in own_links}
                if region is not None:
                    region_of[kind][id_] = region
                    if region not in named:
                        named.append(region)
                for link_kind, (link_id, link_node) in linked.items():
                    pending.append((kind, id_, link_kind, link_id, link_node, f"{where}.{link_kind}"))
            self.complete(kind, given, ids[kind], vn)
        self.resolve_links(pending, ids, region_of, links, named)
        for kind in kinds:
            ids.setdefault(kind, [])
            region_of.setdefault(kind, {})
            links.setdefault(kind, {})
        kind_links = {k: tuple(x.text for x in d.links) for k, d in kinds.items()}
        return Entities(ids, region_of, links, kind_links), named

    def record(
        self,
        kind: str,
        rec: yaml.Node,
        where: str,
        fields: list[str],
        own_links: list[str],
        regions: list[str],
        known: list[str],
        inputs: Table,
        given: dict[str, list[tuple[str, yaml.Node]]],
    ) -> tuple[str, str | None, dict[str, tuple[str, yaml.Node]]] | None:
        id_: str | None = None
        has_id = False
        region: str | None = None
        bad_region = False
        linked: dict[str, tuple[str, yaml.Node]] = {}
        values: list[tuple[str, yaml.Node, yaml.Node]] = []
        for key, kn, vn in self.months.expand(self.r.mapping(rec, where), where):
            text = str(vn.value).strip() if isinstance(vn, yaml.ScalarNode) else ""
            if key not in fields:
                self.r.unknown(kn, f"{where}.{key}", fields)
            elif key == ID_KEY:
                has_id = True
                if not text:
                    self.r.error(vn, f"{where}.id", "id 不能为空", "the id cannot be empty")
                elif text in regions or text in known:
                    self.r.error(vn, f"{where}.id", f"“{text}”与地区同名", f"‘{text}’ is also a region's name")
                    text = ""
                id_ = text or None
            elif key in REGION_KEYS:
                allowed = regions or known
                if allowed and text not in allowed:
                    self.r.error(vn, f"{where}.{key}", f"“{text}”不是情景或政策中的地区", f"‘{text}’ is not a region")
                    bad_region = True
                else:
                    region = text
            elif key in own_links:
                if text:  # an empty link: a person with no employer
                    linked[key] = (text, vn)
            else:
                values.append((key, kn, vn))
        if id_ is None:
            if not has_id and isinstance(rec, yaml.MappingNode):
                self.r.error(rec, f"{where}.id", "缺少 id", "the record has no id")
            return None
        if region is None and not linked:
            if bad_region:
                return None
            self.r.error(
                rec, where, "缺少所属地区(地区)或所隶属的实体", "gives neither its region nor what it belongs to"
            )
            return None
        for name, _kn, vn in values:
            if isinstance(vn, yaml.ScalarNode) and vn.tag == _NULL:
                self.blank[kind, id_, name] = vn  # not given: a default, or missing (complete says)
                continue
            got = self.value(vn, f"{where}.{name}", self.checked.types[name], self.scope.values[name])
            given.setdefault(name, []).append((id_, rec))
            if got is not None:
                per = inputs.setdefault(name, {})
                assert isinstance(per, dict)
                per[id_] = got
        return id_, region, linked

    def complete(
        self, kind: str, given: dict[str, list[tuple[str, yaml.Node]]], ids: list[str], table: yaml.Node
    ) -> None:
        """An input given for some records of a kind must be given for all, unless it has a default."""
        for name, rows in given.items():
            decl = self.scope.values[name]
            if isinstance(decl, ir.InputDecl) and decl.default is not None:
                self.defaults(name, decl, rows, ids, table)
                continue
            have = {i for i, _ in rows}
            for row, rec in enumerate(table.value):
                i = self.id_of(rec)
                if i is not None and i in ids and i not in have:
                    self.r.error(
                        self.blank.get((kind, i, name), rec),
                        f"entities.{kind}[{row}].{name}",
                        "缺少这一输入(其他记录都给了)",
                        "is missing (other records give it)",
                    )

    def defaults(
        self, name: str, decl: ir.InputDecl, rows: list[tuple[str, yaml.Node]], ids: list[str], table: yaml.Node
    ) -> None:
        """An input with a default given for some records: the others take the default, which every
        engine then reads as given (a default that is not a constant must be given for all)."""
        have = {i for i, _ in rows}
        missing = [i for i in ids if i not in have]
        if not missing:
            return
        assert decl.default is not None
        value = constant_value(decl.default, self.scope.values)
        if value is None:
            self.r.error(
                table,
                f"entities.{name}",
                "有的记录给了这一输入、有的没给;其默认值不是常数,请每条记录都给出",
                "some records give this input and others do not, and its default is not a constant: give it for all",
            )
            return
        per = self.inputs.setdefault(name, {})
        assert isinstance(per, dict)
        for i in missing:
            per[i] = value

    def id_of(self, rec: yaml.Node) -> str | None:
        if not isinstance(rec, yaml.MappingNode):
            return None
        for k, v in rec.value:
            if isinstance(k, yaml.ScalarNode) and k.value == ID_KEY and isinstance(v, yaml.ScalarNode):
                return str(v.value).strip()
        return None

    def resolve_links(
        self,
        pending: list[tuple[str, str, str, str, yaml.Node, str]],
        ids: dict[str, list[str]],
        region_of: dict[str, dict[str, str]],
        links: dict[str, dict[str, dict[str, str | None]]],
        named: list[str],
    ) -> None:
        """Each link names an entity listed under its kind; an entity without a region of its
        own is in the region of what it belongs to, and one with both must agree with it."""
        for kind, id_, link_kind, link_id, node, field in pending:
            if link_id not in ids.get(link_kind, []):
                self.r.error(
                    node,
                    field,
                    f"{link_kind}“{link_id}”不在 entities.{link_kind} 中",
                    f"{link_kind} ‘{link_id}’ is not listed under entities.{link_kind}",
                )
                continue
            links[kind][id_][link_kind] = link_id
        for _round in range(len(self.scope.entities) + 1):  # regions follow links, a kind at a time
            for kind, id_, link_kind, link_id, node, field in pending:
                parent = region_of.get(link_kind, {}).get(link_id)
                own = region_of[kind].get(id_)
                if parent is None:
                    continue
                if own is None:
                    region_of[kind][id_] = parent
                    if parent not in named:
                        named.append(parent)
                elif own != parent and _round == 0:
                    self.r.error(
                        node,
                        field,
                        f"所属地区“{own}”与所隶属的{link_kind}“{link_id}”的地区“{parent}”不同",
                        f"its region ‘{own}’ differs from that of its {link_kind} ‘{link_id}’ (‘{parent}’)",
                    )
