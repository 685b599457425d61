"""The Plan: what each rule means for money, worked out once for every engine.

Lowered from the checked policy (compiler/plan/__init__.py `translate`). Expressions stay
IR (each engine evaluates them its own way); who pays whom, which rules the fund words
count, and the order of evaluation are decided here and nowhere else.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from compiler.ir import nodes as ir
from compiler.ir.scope import account, entity_account
from compiler.source import Span


@attrs.frozen
class Endpoint:
    """One side of a transfer before the region is known: a party or fund (its account
    for the region when it keeps one per region, 名称(地区)), or the region itself."""

    name: str | None  # None: the region (各地区), or with `entity` each entity of that kind
    per_region: bool = False
    entity: str | None = None

    def at(self, region: str | None, member: str | None = None) -> str:
        """The account for a region, or for one entity `member` in that region."""
        if self.entity is not None:
            assert member is not None, "checked: each-entity parties need per-entity amounts"
            return entity_account(self.entity, member)
        if self.name is None:
            assert region is not None, "checked: each-region parties need per-region amounts"
            return region
        if self.per_region and region is not None:
            return account(self.name, region)
        return self.name


REGION = Endpoint(None)


@attrs.frozen
class Share:
    """A part of a split: who receives it, and its ratio."""

    to: Endpoint
    ratio: ir.Expr
    span: Span


@attrs.frozen
class Payer:
    """One payer of a waterfall tier, with its share of the tier (None: all of it)."""

    by: Endpoint
    share: ir.Expr | None
    span: Span


@attrs.frozen
class Tier:
    name: str
    payers: tuple[Payer, ...]
    cap: ir.Expr | None  # on each region's part
    total_cap: ir.Expr | None  # on the tier's total over the regions
    line: int
    span: Span


@attrs.frozen
class RulePlan:
    """One rule: who pays whom, and what its amount reads besides its expressions.

    The amount is settled in this order by every engine: the condition (当; false → 0), the
    first 例外 whose condition holds (else the amount), the cap (上限), rounding to the fen,
    the non-negative check, the 累计上限 room (retain), then 不足时."""

    rule: ir.Rule  # the expressions: amount, condition, exceptions, caps, weights
    kind: ir.RuleKind
    name: str
    line: int
    regional: bool  # one amount per region or per entity (else one in all)
    entity: str | None  # the kind of entity it has one amount for (自 各参保人员, 至 各定点医疗机构)
    fund: str | None  # the fund whose block holds it
    payer: Endpoint | None  # None for 弥补 (its tiers pay) and for 拆分's shares' side
    payee: Endpoint | None  # None for 拆分 (its shares receive)
    shares: tuple[Share, ...]
    tiers: tuple[Tier, ...]
    inflow: tuple[str, ...]  # 全部: the rules whose payments into the fund it counts
    spent_before: tuple[str, ...]  # 剩余, 不足时: the fund's outflows written before it
    filled_before: tuple[str, ...]  # 累计上限: earlier rules paying into the same fund
    shortfall: ir.ShortfallKind | None
    span: Span
    instalments: tuple[int, Fraction] | None = None  # 分4期 / 分12期预留3%: parts, holdback share
    # 挂账: the account its unpaid claim is carried in: its name, or for a month's copy of a rule
    # settled 按月 the rule as written, so what one month leaves unpaid is asked again the next.
    claim: str = ""
    due_month: int | None = None  # 按月 / 按季度: the month its copy falls due at the end of


@attrs.frozen
class FundPlan:
    name: str
    carried: bool
    per_region: bool
    line: int
    span: Span  # its name, where a run-time error about it points

    def accounts(self, regions: list[str] | tuple[str, ...]) -> list[str]:
        """The ledger accounts it keeps: one, or one per region."""
        return [account(self.name, r) for r in regions] if self.per_region else [self.name]


@attrs.frozen
class EntityKind:
    """实体: a kind of entity, and the kinds it is linked to (隶属)."""

    name: str
    links: tuple[str, ...]
    line: int


@attrs.frozen
class Plan:
    rules: tuple[RulePlan, ...]  # in source order: the order of the ledger
    order: tuple[str, ...]  # every value after the values it reads (ties in source order)
    funds: tuple[FundPlan, ...]
    claims: tuple[str, ...]  # rules that carry what they could not pay (不足时 挂账)
    region_order: tuple[str, ...]  # the policy's region set: the order 按顺序 pays in
    by_name: dict[str, RulePlan] = attrs.field(eq=False, repr=False)
    # What a period closes with and the next opens with, by name: every carried fund, then every
    # rule that carries claims; True where it keeps one account per region (名称(地区)).
    balances: dict[str, bool] = attrs.field(eq=False, repr=False, factory=dict)
    entities: tuple[EntityKind, ...] = ()
    # The kind of entity each entity aggregate (合计(工资 按 地区)) runs over, by the call itself.
    aggregates: dict[ir.Call, str] = attrs.field(eq=False, repr=False, factory=dict)
    dims: dict[str, str | None] = attrs.field(eq=False, repr=False, factory=dict)  # every value's dimension

    def kinds(self) -> dict[str, tuple[str, ...]]:
        return {k.name: k.links for k in self.entities}

    def rule(self, name: str) -> RulePlan:
        return self.by_name[name]

    def is_claim_account(self, key: str) -> bool:
        """Whether a closing balance is a claim left unpaid (缺口调剂额, 缺口调剂额(贵阳市))."""
        name, _, region = key.partition("(")
        return name in self.claims and (not region or region.endswith(")"))
