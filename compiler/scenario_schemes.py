"""A scenario's values for a policy that keeps funds and inputs per scheme (每险种).

Each scheme's copy of a per-scheme input is an input of its own, `征缴收入(职工医保)`
(compiler/schemes.py), and a scenario may name it so. It may also give a per-scheme
value the way it gives a per-region one, as an object keyed by scheme:

    global:   {征缴收入: {职工医保: 1000万元, 居民医保: 400万元}}
    regions:  {甲区: {参保人数: {职工医保: 10000, 居民医保: 30000}}}
    state:    {统筹基金: {职工医保: 500万元, 居民医保: 0元}}

or gather a scheme's global inputs under its name:

    schemes:  {职工医保: {征缴收入: 1000万元}, 居民医保: {征缴收入: 400万元}}

Either way every scheme must be given a value the others are given: a missing one is
reported at the field, not left to fail in a run.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from compiler.docread import Reader
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy
from compiler.ir.scope import account

Put = Callable[[str, yaml.Node, yaml.Node, str | None, str], None]  # name, key, value, region, field


class SchemeValues:
    def __init__(self, reader: Reader, checked: CheckedPolicy) -> None:
        self.r = reader
        header = checked.program.policy.header if checked.program.policy is not None else None
        self.schemes = [s.text for s in header.schemes] if header is not None else []
        self.copies: dict[str, list[str]] = {}  # a per-scheme input's name → its copies' names
        self.funds: set[str] = set()  # per-scheme funds, by the name written
        for name, d in checked.scope.values.items():
            if isinstance(d, (ir.InputDecl, ir.ParamDecl)) and d.scheme_copy is not None:
                self.copies.setdefault(d.scheme_copy.base, []).append(name)
        for f in checked.scope.funds.values():
            if f.scheme_copy is not None:
                self.funds.add(f.scheme_copy.base)

    def per_scheme(self, name: str) -> bool:
        return name in self.copies

    def keyed(self, name: str, vn: yaml.Node, field: str, region: str | None, put: Put, complete: bool = True) -> None:
        """A per-scheme value given as {职工医保: …, 居民医保: …}; `complete`: one for every scheme
        (an opening balance may be left out: it is zero)."""
        if not isinstance(vn, yaml.MappingNode):
            shown = "、".join(f"{s}: …" for s in self.schemes)
            self.r.error(
                vn,
                field,
                f"按险种分设的值,应按险种逐个给出:{{{shown}}}",
                f"a value kept per scheme: give one for each scheme, {{{', '.join(f'{s}: …' for s in self.schemes)}}}",
            )
            return
        got: set[str] = set()
        for scheme, kn, v in self.r.mapping(vn, field):
            if scheme not in self.schemes:
                self.unknown_scheme(kn, f"{field}.{scheme}")
                continue
            got.add(scheme)
            put(account(name, scheme), kn, v, region, f"{field}.{scheme}")
        for scheme in self.schemes:
            if complete and scheme not in got:
                self.missing(vn, f"{field}.{scheme}", scheme)

    def section(self, node: yaml.Node, put: Put) -> None:
        """`schemes`: each scheme's global inputs under its name."""
        given: dict[str, set[str]] = {}
        keys: dict[str, yaml.Node] = {}
        for scheme, kn, vn in self.r.mapping(node, "schemes"):
            if scheme not in self.schemes:
                self.unknown_scheme(kn, f"schemes.{scheme}")
                continue
            keys[scheme] = kn
            for name, kn2, vn2 in self.r.mapping(vn, f"schemes.{scheme}"):
                field = f"schemes.{scheme}.{name}"
                if name not in self.copies:
                    known = "、".join(self.copies) or "无"
                    self.r.error(
                        kn2,
                        field,
                        f"不是按险种分设的输入(有:{known})",
                        f"is not an input kept per scheme (known: {', '.join(self.copies) or 'none'})",
                    )
                    continue
                given.setdefault(name, set()).add(scheme)
                put(account(name, scheme), kn2, vn2, None, field)
        for name, schemes in given.items():
            for scheme in self.schemes:
                if scheme not in schemes:
                    self.missing(keys.get(scheme, node), f"schemes.{scheme}.{name}", scheme)

    def missing(self, node: yaml.Node, field: str, scheme: str) -> None:
        self.r.error(
            node,
            field,
            f"缺少险种“{scheme}”的值(其他险种都给了;各险种专户分设,须分别给出)",
            f"is missing for ‘{scheme}’ (the other schemes give it; each scheme keeps its own account)",
        )

    def unknown_scheme(self, node: yaml.Node, field: str) -> None:
        self.r.error(
            node,
            field,
            f"不是政策头所列的险种({'、'.join(self.schemes)})",
            f"is not one of the header's schemes ({', '.join(self.schemes)})",
        )
