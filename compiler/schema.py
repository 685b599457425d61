"""The JSON Schema of a policy's scenario files, so data can be validated and
editors can complete names (docs/evaluation.md, "Scenario files")."""

from __future__ import annotations

from typing import Any

from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.subperiods import UNITS, label, sub_name
from compiler.ir.types import Base, Type
from compiler.readings import choices

_DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
_SIGNED = r"^-?[0-9]+(\.[0-9]+)?$"


def _value(t: Type, signed: bool, enums: dict[str, list[str]], description: str | None) -> dict[str, Any]:
    pattern = _SIGNED if signed else _DECIMAL
    schema: dict[str, Any]
    if t.base is Base.MONEY:
        schema = {"type": ["string", "number"], "pattern": pattern.replace(r"(\.[0-9]+)?", r"(\.[0-9]{1,2})?")}
    elif t.base is Base.RATIO:
        schema = {"type": ["string", "number"], "pattern": pattern.replace("$", "%?$")}
    elif t.base is Base.COUNT:
        schema = {"type": ["string", "integer"], "pattern": r"^[0-9]+$"}
    elif t.base is Base.NUMBER:
        schema = {"type": ["string", "number"], "pattern": pattern}
    elif t.base is Base.MONTHS:
        schema = {"type": ["string", "number"], "pattern": pattern.replace("$", "(个月| ?months?)?$")}
    elif t.base is Base.BOOL:
        schema = {"oneOf": [{"type": "boolean"}, {"enum": ["是", "否"]}]}
    elif t.base is Base.ENUM:
        assert t.enum is not None
        schema = {"enum": enums[t.enum]}
    else:
        schema = {"type": "string"}
    if description:
        schema["description"] = description
    return schema


def _entity_table(kind: str, d: ir.EntityDecl, inputs: dict[str, Any], regions: list[str]) -> dict[str, Any]:
    """One kind's records: an id, its region (or a link it takes its region from), its inputs."""
    text = {"type": "string", "minLength": 1}
    region = {"enum": regions} if regions else text
    links = {x.text: {"type": ["string", "null"], "description": f"the {x.text} it belongs to"} for x in d.links}
    record = {
        "type": "object",
        "properties": {"id": text, "地区": region, "region": region, **links, **inputs},
        "required": ["id"],
        "additionalProperties": False,
    }
    if not d.links:
        record["anyOf"] = [{"required": ["地区"]}, {"required": ["region"]}]
    return {"type": "array", "items": record, "description": f"one record per {kind}, ids unique"}


def _keyed(copies: dict[str, Any], schemes: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": copies, "required": schemes, "additionalProperties": False}


def _per_scheme(
    checked: CheckedPolicy, props: dict[str, Any], params: dict[str, Any], scalars: dict[str, Any], regional: Any
) -> None:
    """每险种: a value kept per scheme is given as each scheme's copy (征缴收入(职工医保)), or keyed
    by scheme ({职工医保: …}), or under schemes.<险种>; balances likewise (compiler/scenario_schemes.py)."""
    by: dict[str, dict[str, dict[str, Any]]] = {}  # section → base → scheme → schema
    for name, d in checked.scope.values.items():
        if isinstance(d, (ir.InputDecl, ir.ParamDecl)) and d.scheme_copy is not None:
            table = params if isinstance(d, ir.ParamDecl) else regional if name in regional else scalars
            section = "params" if table is params else "regions" if table is regional else "global"
            if name in table:
                by.setdefault(section, {}).setdefault(d.scheme_copy.base, {})[d.scheme_copy.scheme] = table[name]
    money = {"type": ["string", "number"]}
    for f in checked.scope.funds.values():
        if f.scheme_copy is not None and f.carried:
            by.setdefault("state", {}).setdefault(f.scheme_copy.base, {})[f.scheme_copy.scheme] = money
    policy = checked.policy
    schemes = [s.text for s in policy.header.schemes] if policy is not None else []
    for base, copies in by.get("params", {}).items():
        params[base] = _keyed(copies, schemes)
    for base, copies in by.get("regions", {}).items():
        regional[base] = _keyed(copies, schemes)
    for base, copies in by.get("global", {}).items():
        scalars[base] = _keyed(copies, schemes)
    for base, copies in by.get("state", {}).items():
        props["state"]["properties"][base] = {**_keyed(copies, schemes), "required": []}
    if by.get("global"):
        inputs = {b: next(iter(c.values())) for b, c in by["global"].items()}
        props["schemes"] = {
            "type": "object",
            "description": "each scheme's inputs kept per scheme (每险种), under its name",
            "properties": {s: {"type": "object", "properties": inputs, "additionalProperties": False} for s in schemes},
            "additionalProperties": False,
        }


def _per_month(checked: CheckedPolicy, params: dict[str, Any], *tables: dict[str, Any]) -> None:
    """每月 / 每季度: a value kept per month may be given as the year at once under its name, a
    list of twelve (four) in order or an object keyed 1月…12月 (compiler/scenario_months.py)."""
    for d in checked.scope.values.values():
        copy = d.sub_copy if isinstance(d, (ir.InputDecl, ir.ParamDecl)) else None
        if copy is None or copy.index != 1:
            continue
        n = UNITS[copy.unit]
        for table in (params, *tables):
            one = table.get(sub_name(copy.base, label(copy.unit, 1)))
            if one is None:
                continue
            labels = [label(copy.unit, i) for i in range(1, n + 1)]
            table[copy.base] = {
                "description": f"one value per {'month' if copy.unit == '月' else 'quarter'}, in order",
                "oneOf": [
                    {"type": "array", "items": one, "minItems": n, "maxItems": n},
                    {"type": "object", "properties": dict.fromkeys(labels, one), "required": labels,
                     "additionalProperties": False},
                ],
            }  # fmt: skip


def scenario_schema(checked: CheckedPolicy) -> dict[str, Any]:
    scope = checked.scope
    enums = {n: [m.text for m in e.members] for n, e in scope.enums.items()}
    params: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    regional: dict[str, Any] = {}
    per_entity: dict[str, dict[str, Any]] = {}
    for name, d in scope.values.items():
        quote = d.literate.quote.value if d.literate.quote else None
        t = checked.types[name]
        if isinstance(d, ir.ParamDecl) and not (d.value is not None and not d.bounds):
            one = _value(t, False, enums, None)
            params[name] = {"anyOf": [one, {"type": "object", "additionalProperties": one}]} if t.per_region else one
            if quote:
                params[name]["description"] = quote
        elif isinstance(d, ir.InputDecl) and t.entity is not None:
            per_entity.setdefault(t.entity, {})[name] = _value(t, d.signed, enums, quote)
        elif isinstance(d, ir.InputDecl):
            (regional if t.per_region else scalars)[name] = _value(t, d.signed, enums, quote)
    open_params = [n for n, d in scope.values.items() if isinstance(d, ir.ParamDecl) and d.value is None]
    region_names = [r.text for r in scope.regions(checked.policy)]
    region_object = {"type": "object", "properties": regional, "additionalProperties": False}
    policy = checked.policy
    period: dict[str, Any] = {"type": "integer"}
    if policy is not None and policy.header.effective_from is not None:
        period["minimum"] = policy.header.effective_from.first.year
    if policy is not None and policy.header.effective_to is not None:
        period["maximum"] = policy.header.effective_to.value.year
    props: dict[str, Any] = {
        "period": period,
        "params": {"type": "object", "properties": params, "required": open_params, "additionalProperties": False},
        "global": {"type": "object", "properties": scalars, "additionalProperties": False},
        "regions": {
            "type": "object",
            "additionalProperties": region_object,
            **({"propertyNames": {"enum": region_names}} if region_names else {}),
        },
        "state": {
            "type": "object",
            "properties": {
                n: _value(Type(Base.MONEY), False, enums, None)
                if not f.per_region
                else {"type": "object", "additionalProperties": _value(Type(Base.MONEY), False, enums, None)}
                for n, f in scope.funds.items()
                if f.carried
            },
            "additionalProperties": False,
        },
    }
    if scope.entities:
        props["entities"] = {
            "type": "object",
            "description": "entities below the regions, as lists of records (docs/language.md, 实体)",
            "properties": {
                k: _entity_table(k, d, per_entity.get(k, {}), region_names) for k, d in scope.entities.items()
            },
            "additionalProperties": False,
        }
    if policy is not None and policy.header.schemes:
        props["scheme"] = {"enum": [s.text for s in policy.header.schemes]}
    _per_scheme(checked, props, params, scalars, regional)
    _per_month(checked, params, scalars, regional, *per_entity.values())
    props["partial"] = {"type": "boolean", "description": "lists only some of the policy's regions, on purpose"}
    text = {"type": "string", "minLength": 1}
    props["description"] = {
        "description": "what the case is, in words (the explainer names the case by it)",
        "anyOf": [
            text,
            {
                "type": "object",
                "properties": {"zh": text, "en": text},
                "minProperties": 1,
                "additionalProperties": False,
            },
        ],
    }
    written = choices(checked.written or checked.program)
    if written:
        props["readings"] = {
            "type": "object",
            "properties": {c.name.text: {"enum": [o.name.text for o in c.options]} for c in written},
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": policy.name.text if policy else "pool scenario",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
