"""The type system: a base type (with its unit) and a shape (global or per region)."""

from __future__ import annotations

import enum

import attrs


class Base(enum.Enum):
    MONEY = "money"
    RATIO = "ratio"
    COUNT = "count"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    TEXT = "text"
    ENUM = "enum"
    MONTHS = "months"  # 个月: reserves measured in months of expenditure (money ÷ monthly money)


# Type names a drafter writes, in both languages.
BUILTIN_TYPES: dict[str, Base] = {
    "金额": Base.MONEY,
    "money": Base.MONEY,
    "比例": Base.RATIO,
    "ratio": Base.RATIO,
    "人数": Base.COUNT,
    "count": Base.COUNT,
    "数值": Base.NUMBER,
    "number": Base.NUMBER,
    "月数": Base.MONTHS,
    "months": Base.MONTHS,
    "布尔": Base.BOOL,
    "bool": Base.BOOL,
    "日期": Base.DATE,
    "date": Base.DATE,
    "文本": Base.TEXT,
    "text": Base.TEXT,
}

_ZH = {
    Base.MONEY: "金额",
    Base.RATIO: "比例",
    Base.COUNT: "人数",
    Base.NUMBER: "数值",
    Base.MONTHS: "月数",
    Base.BOOL: "布尔",
    Base.DATE: "日期",
    Base.TEXT: "文本",
}


# 每人, 每单位, 每机构: the short spellings of `每 <kind>` for the usual kinds of entity.
ENTITY_SPELLINGS: dict[str, str] = {"每人": "参保人员", "每单位": "用人单位", "每机构": "定点医疗机构"}


@attrs.frozen
class Type:
    """`per_region` is True for any value that varies below the policy as a whole: per region,
    or, with `entity` set, per entity of that kind (a person's wage varies by region too)."""

    base: Base
    per_region: bool = False
    enum: str | None = None  # the enumeration's name when base is ENUM
    entity: str | None = None  # the kind of entity it has one value for (参保人员)

    def scalar(self) -> Type:
        return attrs.evolve(self, per_region=False, entity=None)

    def regional(self, per_region: bool = True) -> Type:
        return attrs.evolve(self, per_region=per_region, entity=None)

    def per(self, entity: str | None) -> Type:
        """The same type with one value per entity of a kind (None: as it is)."""
        return self if entity is None else attrs.evolve(self, per_region=True, entity=entity)

    @property
    def numeric(self) -> bool:
        return self.base in (Base.MONEY, Base.RATIO, Base.COUNT, Base.NUMBER, Base.MONTHS)

    @property
    def dimensionless(self) -> bool:
        return self.base in (Base.RATIO, Base.NUMBER)

    def describe(self, lang: str) -> str:
        name = self.enum if self.base is Base.ENUM else (_ZH[self.base] if lang == "zh" else self.base.value)
        assert name is not None
        if self.entity is not None:
            return f"{name}(每{self.entity})" if lang == "zh" else f"{name} per {self.entity}"
        if self.per_region:
            return f"{name}(每地区)" if lang == "zh" else f"{name} per region"
        return name

    def __str__(self) -> str:
        return self.describe("zh")


def dim(t: Type) -> str | None:
    """What a value varies over: None (one value), "地区" (each region) or an entity kind."""
    if t.entity is not None:
        return t.entity
    return "地区" if t.per_region else None


MONEY = Type(Base.MONEY)
RATIO = Type(Base.RATIO)
COUNT = Type(Base.COUNT)
NUMBER = Type(Base.NUMBER)
MONTHS = Type(Base.MONTHS)
BOOL = Type(Base.BOOL)
DATE = Type(Base.DATE)
TEXT = Type(Base.TEXT)
