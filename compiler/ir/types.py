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


@attrs.frozen
class Type:
    base: Base
    per_region: bool = False
    enum: str | None = None  # the enumeration's name when base is ENUM

    def scalar(self) -> Type:
        return attrs.evolve(self, per_region=False)

    def regional(self, per_region: bool = True) -> Type:
        return attrs.evolve(self, per_region=per_region)

    @property
    def numeric(self) -> bool:
        return self.base in (Base.MONEY, Base.RATIO, Base.COUNT, Base.NUMBER, Base.MONTHS)

    @property
    def dimensionless(self) -> bool:
        return self.base in (Base.RATIO, Base.NUMBER)

    def describe(self, lang: str) -> str:
        name = self.enum if self.base is Base.ENUM else (_ZH[self.base] if lang == "zh" else self.base.value)
        assert name is not None
        if self.per_region:
            return f"{name}(每地区)" if lang == "zh" else f"{name} per region"
        return name

    def __str__(self) -> str:
        return self.describe("zh")


MONEY = Type(Base.MONEY)
RATIO = Type(Base.RATIO)
COUNT = Type(Base.COUNT)
NUMBER = Type(Base.NUMBER)
MONTHS = Type(Base.MONTHS)
BOOL = Type(Base.BOOL)
DATE = Type(Base.DATE)
TEXT = Type(Base.TEXT)
