"""The front matter a reader wants first: the document (basis, 文号, status, dates), the
policy's main points, its key figures, and who pays or receives what."""

from __future__ import annotations

import attrs

from compiler.explain import numbers, words
from compiler.explain.sentences import Sentences
from compiler.explain.told import Teller
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy

K = ir.RuleKind
_EN_VERB = {"上解": "remits", "缴纳": "pays contributions"}

_STATUS_NOTE = {
    "征求意见稿": (
        "本文件为征求意见稿，有关内容以正式印发的文件为准。",
        "This is a draft for public comment; the issued text prevails.",
    ),
    "正式印发": ("本解读依据正式印发的文件编写。", "This explainer follows the document as issued."),
    "起草说明": (
        "本文件为方案起草说明，所列内容为方案框架，具体规定以正式印发的方案为准。",
        "These are drafting notes: they set out the scheme's framework; the issued scheme prevails.",
    ),
}


@attrs.frozen
class Fact:
    label: str
    value: str


@attrs.frozen
class Figure:
    name: str
    value: str
    note: str  # bounds and who may change it
    section: str
    quote: str | None
    open: bool


@attrs.frozen
class Impact:
    party: str
    text: str


class Front:
    def __init__(self, checked: CheckedPolicy, s: Sentences, lang: str) -> None:
        self.c = checked
        self.s = s
        self.p = s.p
        self.zh = lang == "zh"
        self.lang = lang

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def status(self) -> tuple[str, str]:
        """(status, what it means for the reader)."""
        policy = self.c.policy
        st = policy.header.status.value if policy and policy.header.status else ""
        zh, en = _STATUS_NOTE.get(st, ("", ""))
        return st, self.t(zh, en)

    def facts(self) -> tuple[Fact, ...]:
        policy = self.c.policy
        assert policy is not None
        h = policy.header
        out = []
        if h.basis:
            out.append(Fact(self.t("文件", "Document"), h.basis.value))
        if h.doc_number:
            out.append(Fact(self.t("文号", "Number"), h.doc_number.value))
        if h.status:
            out.append(Fact(self.t("文件状态", "Status"), h.status.value))
        if h.issued:
            out.append(Fact(self.t("印发日期", "Issued"), numbers.date_lit(h.issued.first, h.issued.value, self.lang)))
        if h.effective_from is not None:
            text = self.t(
                f"自{numbers.date(h.effective_from.first, 'zh')}起施行",
                f"from {numbers.date(h.effective_from.first, 'en')}",
            )
            if h.effective_to is not None:
                text += self.t(
                    f"，至{numbers.date(h.effective_to.value, 'zh')}", f" to {numbers.date(h.effective_to.value, 'en')}"
                )
            out.append(Fact(self.t("施行日期", "In force"), text))
        scope = []
        if h.level:
            scope.append(h.level.value)
        if h.region_set:
            scope.append(self.t(f"适用于{self.p.each}", f"applies to {h.region_set.text}"))
        if h.schemes:
            scope.append(
                self.t(
                    "涉及" + "、".join(s.text for s in h.schemes), "schemes: " + ", ".join(s.text for s in h.schemes)
                )
            )
        if scope:
            out.append(Fact(self.t("适用范围", "Scope"), self.t("，".join(scope), "; ".join(scope))))
        return tuple(out)

    def figure(self, d: ir.ParamDecl, quote: str | None) -> Figure:
        value = self.p.name(d.name.text) if d.value is not None else self.t("待定", "open")
        bounds = [
            self.t(
                ("不低于" if b.kind is ir.BoundKind.MIN else "不高于") + self.p.expr(b.expr),
                ("at least " if b.kind is ir.BoundKind.MIN else "at most ") + self.p.expr(b.expr),
            )
            for b in d.bounds
        ]
        if d.authority:
            names = [a.value for a in d.authority]
            who = ("，" if any(len(n) > 8 for n in names) else "、").join(names)  # bodies 、, steps of a procedure ，
            bounds.append(self.t(who if who.endswith("调整") else f"由{who}调整", f"may be changed by {who}"))
        section = d.literate.section.value if d.literate.section else ""
        return Figure(d.name.text, value, self.t("；".join(bounds), "; ".join(bounds)), section, quote, d.value is None)

    def per_scheme(self, figures: list[tuple[ir.ParamDecl, Figure]]) -> list[Figure]:
        """A parameter kept per scheme (每险种) is one row, its value by scheme: 上解比例 职工医保为90%，
        居民医保为80%, or 职工医保、居民医保均为90%."""
        out: list[Figure] = []
        done: set[str] = set()
        for d, f in figures:
            sc = d.scheme_copy
            if sc is None:
                out.append(f)
                continue
            if sc.base in done:
                continue
            done.add(sc.base)
            values = {
                x.scheme_copy.scheme: g.value for x, g in figures if x.scheme_copy and x.scheme_copy.base == sc.base
            }
            shown = set(values.values())
            if len(shown) == 1 and f.open:
                value = f.value
            elif len(shown) == 1:
                value = self.t(f"{'、'.join(values)}均为{f.value}", f"{f.value} in each of {', '.join(values)}")
            else:
                value = self.t(
                    "，".join(f"{k}为{v}" for k, v in values.items()), "; ".join(f"{k}: {v}" for k, v in values.items())
                )
            out.append(attrs.evolve(f, name=sc.base, value=value))
        return out

    def impacts(self, teller: Teller) -> tuple[Impact, ...]:
        """Each kind of party: what it pays, receives or bears, by fund; a rule as the 解读 tells
        it (a scheme's copy that never pays is left out, copies told once are named once)."""
        each = self.p.each
        pays: dict[str, dict[str, list[str]]] = {}
        gets: dict[str, list[str]] = {}
        bears: dict[str, list[str]] = {}

        def add(table: dict[str, list[str]], who: str, what: str) -> None:
            items = table.setdefault(who, [])
            if what not in items:
                items.append(what)

        for r in (r for t in teller.told for r in t.rules):
            name = teller.names[r.name.text]
            fund = r.fund.text if r.fund else ""
            verb = self.s.verb(r)
            if r.kind is K.COLLECT:
                src = self.s.party(r.source, each)
                if verb == "冲抵":
                    add(
                        bears,
                        src,
                        self.t(f"年终清算时以{self.p.expr(r.amount)}冲抵", f"returns {self.p.expr(r.amount)}"),
                    )
                else:
                    pays.setdefault(src, {}).setdefault(verb, [])
                    if fund not in pays[src][verb]:
                        pays[src][verb].append(fund)
            elif r.kind is K.COVER:
                for t in r.tiers:
                    for payer in t.payers:
                        add(
                            bears,
                            self.s.party(payer.party, ""),
                            self.t(f"按顺序承担{name}", f"bears part of {name}"),
                        )
                add(gets, self.s.party(r.dest, each), name)
            elif r.kind is K.SPLIT:
                add(
                    bears,
                    self.s.party(r.source, each),
                    self.t(f"{self.p.expr(r.amount)}按比例划分", f"{self.p.expr(r.amount)} is split"),
                )
            elif r.kind is K.TRANSFER and (verb == "缴纳" or words.is_government(self.s.party(r.source, ""))):
                src = self.s.party(r.source, "")
                dest = self.s.party(r.dest, "")
                if verb == "缴纳" or dest in self.c.scope.funds:  # into a fund: a subsidy paid in, as the rule says
                    verb = verb if verb == "缴纳" else "补助" if "补助" in r.name.text else "拨付"
                    pays.setdefault(src, {}).setdefault(verb, [])
                    if dest not in pays[src][verb]:
                        pays[src][verb].append(dest)
                else:
                    add(bears, src, name)
                    add(gets, self.s.party(r.dest, each), name)
            elif r.dest is not None and r.kind is not K.RETAIN:
                add(gets, self.s.party(r.dest, each), name)
        out = []
        for who in dict.fromkeys([*pays, *gets, *bears]):
            if who in self.c.scope.funds:
                continue  # funds are described in the rules; this section is about people and governments
            parts = [
                self.t(
                    f"向{'、'.join(teller.copies.label(funds, True))}{verb}",
                    f"{_EN_VERB.get(verb, 'pays')} into {', '.join(teller.copies.label(funds, False))}",
                )
                for verb, funds in pays.get(who, {}).items()
            ]
            if who in gets:
                got = teller.copies.label(gets[who], self.zh)
                parts.append(self.t(f"获得{'、'.join(got)}", f"receives {', '.join(got)}"))
            if who in bears:
                bears[who] = teller.copies.label(bears[who], self.zh)
                parts.append(
                    self.t(
                        f"承担{'、'.join(bears[who])}"
                        if not any("冲抵" in b or "按" in b for b in bears[who])
                        else "；".join(bears[who]),
                        "bears " + ", ".join(bears[who]),
                    )
                )
            out.append(Impact(who, self.t("；".join(parts) + "。", "; ".join(parts) + ".")))
        return tuple(out)
