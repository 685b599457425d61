"""The rules as the 解读 tells them, in the order money moves: each rule once, grouped by the
fund it sits in (or else by who pays). A per-scheme copy is told as its scheme reads it, a
copy that never pays is left out, and the copies of one written rule that read alike are
told once, for each scheme's account separately (compiler/explain/copies.py)."""

from __future__ import annotations

import attrs

from compiler.explain.copies import Copies, MergedPhrases
from compiler.explain.headline import headline
from compiler.explain.months import Months
from compiler.explain.sentences import Sentences
from compiler.ir import nodes as ir
from compiler.ir.checked import CheckedPolicy


@attrs.frozen
class Told:
    key: str  # the group: the fund the rule sits in, or who pays
    fund: ir.FundDecl | None  # the group's fund, if it is one
    name: str  # 征缴 for copies told once or a copy told alone; 征缴(职工医保) where copies differ
    rules: tuple[ir.Rule, ...]  # as their schemes read them; several: told once
    merged: tuple[ir.Rule, ...]  # the same, with a 匹配 on 险种 kept for the merged phrasing
    sentence: str  # the generated sentence (a drafter's 说明 replaces it in the view)


class Teller:
    def __init__(self, checked: CheckedPolicy, s: Sentences, lang: str) -> None:
        self.c = checked
        self.s = s
        self.lang = lang
        self.copies = Copies(checked)
        self.months = Months(checked)
        self.mp = MergedPhrases(checked, lang, self.copies)
        self.ms = Sentences(self.mp)
        self.told = self._tell()
        kept = {r.name.text for t in self.told for r in t.rules}
        # Later months' copies are told with the first (按月), not as rules that never pay.
        self.later = {r.name.text for r in checked.scope.rules if Months.later(r)}
        self.never = {r.name.text for r in checked.scope.rules if r.name.text not in kept | self.later}
        self.names = {r.name.text: t.name for t in self.told for r in t.rules}
        for r in checked.scope.rules:
            if r.name.text in self.later and r.sub_copy is not None:
                self.names[r.name.text] = r.sub_copy.base

    def _key(self, r: ir.Rule) -> str:
        return r.fund.text if r.fund else self.s.party(r.source, self.s.p.each)

    def _tell(self) -> list[Told]:
        rules = [self.months.rule(r) for r in self.c.scope.rules if not Months.later(r)]  # 按月: once, as written
        pairs = [(r, got) for r in rules if (got := self.copies.rule(r)) is not None]
        siblings: dict[str, list[tuple[ir.Rule, ir.Rule]]] = {}
        for r, got in pairs:
            if r.scheme_copy is not None:
                siblings.setdefault(r.scheme_copy.base, []).append((r, got))
        out: list[Told] = []
        done: set[str] = set()
        for r, got in pairs:
            key = self._key(got)
            fund = self.c.scope.funds.get(key)
            sc = r.scheme_copy
            if sc is None or len(siblings[sc.base]) == 1:
                name = sc.base if sc is not None else r.name.text  # the only copy that pays: its written name
                name = r.sub_copy.base if r.sub_copy is not None else name
                sentence = Months.settled(got, self.s.rule(got), self.s.zh)
                out.append(Told(key, fund, name, (got,), (), sentence))
                continue
            if sc.base in done:
                continue
            group = siblings[sc.base]
            merged = tuple(self.copies.rule(x, keep_match=True) or x for x, _ in group)
            schemes = tuple(x.scheme_copy.scheme for x, _ in group if x.scheme_copy is not None)
            texts = {self.copies.unschemed(self.ms.rule(m), schemes) for m in merged}
            if len(texts) != 1:
                out.append(Told(key, fund, r.name.text, (got,), (), self.s.rule(got)))
                continue
            done.add(sc.base)
            kept = self.copies.copy_of.get(key)
            label = f"{kept.base}({('、' if self.s.zh else ', ').join(schemes)})" if kept is not None else key
            sentence = self.mp.finish(texts.pop())
            out.append(Told(label, fund, sc.base, tuple(g for _, g in group), merged, sentence))
        return out

    def by_key(self) -> dict[str, list[Told]]:
        groups: dict[str, list[Told]] = {}
        for t in self.told:
            groups.setdefault(t.key, []).append(t)
        return groups

    def headline(self, key: str, told: list[Told]) -> str:
        """One sentence for a group (主要内容): its fund's money in and out, or its first rules."""
        if told[0].fund is None or not self.s.zh:
            first = told[0].sentence
            return first if len(told) == 1 or not self.s.zh else first[:-1] + "；" + told[1].sentence
        if all(t.merged for t in told):
            schemes = tuple(r.scheme_copy.scheme for r in told[0].rules if r.scheme_copy is not None)
            text = headline(self.ms, [t.merged[0] for t in told], key)
            return self.mp.finish(self.copies.unschemed(text, schemes), each=False)
        return headline(self.s, [r for t in told for r in t.rules], key)

    def lets(self, lets: list[ir.LetDecl]) -> list[tuple[str, ir.LetDecl, str]]:
        """Derived values as definitions (name, declaration, sentence): a copy as its scheme reads
        it, the copies of one value told once where they read alike."""
        siblings: dict[str, list[ir.LetDecl]] = {}
        for d in lets:
            if d.scheme_copy is not None:
                siblings.setdefault(d.scheme_copy.base, []).append(d)
        out: list[tuple[str, ir.LetDecl, str]] = []
        for d in lets:
            if Months.later(d):
                continue  # told with the first month's
            if d.sub_copy is not None:
                w = self.months.let(d)
                out.append((w.name.text, w, self.s.let(attrs.evolve(w, expr=self.copies.fold(w.expr)))))
                continue
            sc = d.scheme_copy
            if sc is None or len(siblings[sc.base]) == 1:
                out.append((d.name.text, d, self.s.let(attrs.evolve(d, expr=self.copies.fold(d.expr)))))
                continue
            if sc.base in {name for name, _, _ in out}:
                continue
            group = siblings[sc.base]
            schemes = tuple(x.scheme_copy.scheme for x in group if x.scheme_copy is not None)
            texts = {
                self.copies.unschemed(
                    self.ms.let(attrs.evolve(x, expr=self.copies.fold(x.expr, keep_match=True))), schemes
                )
                for x in group
            }
            if len(texts) == 1:
                out.append((sc.base, d, self.mp.finish(texts.pop())))
            else:
                out += [(x.name.text, x, self.s.let(attrs.evolve(x, expr=self.copies.fold(x.expr)))) for x in group]
        return out
