"""The fan chart: one panel a value, years across, percentile bands and the median.

Plain SVG laid out here, like the fund-flow diagram (compiler/explain/svg.py):
no scripts, every string from the policy or the command line XML-escaped, text
in the same CJK font-family stack, and coordinates computed from whole fen in
exact arithmetic and printed to 0.1 px, so the same seed gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from html import escape

from compiler.explain.svg import FAMILY, em
from compiler.numbers import to_decimal
from compiler.stochastic.summary import PERCENTILES, Summary

W = 760
PANEL_H = 330  # one value's panel, titles and axis labels included
LEFT, RIGHT, TOP, BOTTOM = 84, 24, 64, 58  # plot margins inside a panel
INK, GRID, OUTER, INNER, MEDIAN = "#1f2933", "#d9dee4", "#c9dcef", "#8db4da", "#1d4f80"
_UNITS = ((10**10, "亿元", "100 million 元"), (10**6, "万元", "10 thousand 元"), (100, "元", "元"))


def _n(x: Fraction | int) -> str:
    s = f"{Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction) else Decimal(x):.1f}"
    return s[:-2] if s.endswith(".0") else s


def _pct(k: int, n: int) -> str:
    return f"{to_decimal(Fraction(100 * k, n), 1)}%"


def _x(text: str) -> str:
    return escape(text, quote=True)


def _fen(d: Decimal) -> int:
    return int(d.scaleb(2))


def _ticks(lo: int, hi: int) -> list[int]:
    """Round steps (1, 2 or 5 × 10^k fen), about five of them, covering lo..hi."""
    span = max(hi - lo, 100)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step * 5 >= span:
                first = (lo // (m * step)) * (m * step)
                last = max(-((-hi) // (m * step)) * (m * step), first + m * step)  # a flat line still gets an axis
                return list(range(first, last + 1, m * step))
        step *= 10


def _unit(ticks: list[int], lang: str) -> tuple[int, str]:
    top = max(abs(t) for t in ticks)
    for size, zh, en in _UNITS:
        if top >= size or size == 100:
            return size, zh if lang == "zh" else en
    raise AssertionError("unreachable")


def _label(tick: int, size: int) -> str:
    d = Decimal(tick) / Decimal(size)
    return f"{d.normalize():,f}" if d == d.to_integral_value() else f"{d.quantize(Decimal('0.01')).normalize():,f}"


def fan_chart(summaries: list[Summary], draws: int, seed: int, lang: str) -> str:
    zh = lang == "zh"
    h = PANEL_H * len(summaries)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}"'
        f' font-family="{FAMILY}" role="img">',
        f'<rect width="{W}" height="{h}" fill="#ffffff"/>',
    ]
    for i, s in enumerate(summaries):
        out += _panel(s, i * PANEL_H, draws, seed, zh)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _panel(s: Summary, y0: int, draws: int, seed: int, zh: bool) -> list[str]:
    years = [y for y in s.years if y.settled]
    label = s.pick.shown
    what = ("期末余额" if zh else "closing balance") if s.pick.balance else ("金额" if zh else "amount")
    title = f"{label}{what}的分布" if zh else f"{label}: distribution of the {what}"
    first, last = s.years[0].period, s.years[-1].period
    sub = f"{first}–{last}年,{draws:,} 次模拟,种子 {seed}" if zh else f"{first}–{last}, {draws:,} draws, seed {seed}"
    if s.pick.balance:
        sub += (
            f";至{last}年曾用尽(期末为零)的概率 {_pct(s.years[-1].ever_zero, draws)}"
            if zh
            else f"; chance of closing at zero by {last}: {_pct(s.years[-1].ever_zero, draws)}"
        )
    stopped = draws - s.years[-1].settled
    if stopped:
        sub += f";另有 {_pct(stopped, draws)} 无法结算" if zh else f"; {_pct(stopped, draws)} unsettled"
    out = [
        f'<text x="{W // 2}" y="{y0 + 24}" font-size="17" font-weight="bold" text-anchor="middle" '
        f'fill="{INK}">{_x(title)}</text>',
        f'<text x="{W // 2}" y="{y0 + 45}" font-size="13" text-anchor="middle" fill="{INK}">{_x(sub)}</text>',
    ]
    if not years:
        return out
    values = [_fen(v) for y in years for v in (*y.percentiles,)]
    ticks = _ticks(min(0, *values), max(0, *values))
    size, unit = _unit(ticks, "zh" if zh else "en")
    px0, px1 = LEFT, W - RIGHT
    py0, py1 = y0 + TOP, y0 + PANEL_H - BOTTOM  # top and bottom of the plot
    lo, hi = ticks[0], ticks[-1]

    def fx(i: int) -> Fraction:
        span = max(len(s.years) - 1, 1)
        return px0 + Fraction((px1 - px0) * i, span)

    def fy(v: int) -> Fraction:
        return py1 - Fraction((py1 - py0) * (v - lo), hi - lo)

    for t in ticks:
        out.append(
            f'<line x1="{px0}" y1="{_n(fy(t))}" x2="{px1}" y2="{_n(fy(t))}" stroke="{GRID}" '
            f'stroke-width="{2 if t == 0 else 1}"/>'
        )
        out.append(
            f'<text x="{px0 - 8}" y="{_n(fy(t))}" font-size="12" text-anchor="end" dominant-baseline="central" '
            f'fill="{INK}">{_label(t, size)}</text>'
        )
    index = {y.period: i for i, y in enumerate(s.years)}
    step = max(1, (len(s.years) + 11) // 12)  # at most about twelve year labels
    for y in s.years[::step]:
        out.append(
            f'<text x="{_n(fx(index[y.period]))}" y="{py1 + 18}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{y.period}</text>'
        )
    out.append(
        f'<text x="{(px0 + px1) // 2}" y="{py1 + 40}" font-size="13" text-anchor="middle" '
        f'fill="{INK}">{"年份" if zh else "year"}</text>'
    )
    out.append(
        f'<text x="18" y="{(py0 + py1) // 2}" font-size="13" text-anchor="middle" fill="{INK}"'
        f' transform="rotate(-90 18 {(py0 + py1) // 2})">{_x(unit)}</text>'
    )

    def band(a: int, b: int, fill: str) -> str:
        upper = [f"{_n(fx(index[y.period]))},{_n(fy(_fen(y.percentiles[b])))}" for y in years]
        lower = [f"{_n(fx(index[y.period]))},{_n(fy(_fen(y.percentiles[a])))}" for y in reversed(years)]
        return f'<polygon points="{" ".join(upper + lower)}" fill="{fill}" stroke="none"/>'

    mid = PERCENTILES.index(50)
    out.append(band(0, len(PERCENTILES) - 1, OUTER))
    out.append(band(1, len(PERCENTILES) - 2, INNER))
    median = " ".join(f"{_n(fx(index[y.period]))},{_n(fy(_fen(y.percentiles[mid])))}" for y in years)
    out.append(f'<polyline points="{median}" fill="none" stroke="{MEDIAN}" stroke-width="2.5"/>')
    out.append(
        f'<rect x="{px0}" y="{py0}" width="{px1 - px0}" height="{py1 - py0}" fill="none" stroke="{INK}" '
        'stroke-width="1"/>'
    )
    out += _legend(px1, py1 + 40, zh)
    return out


def _legend(right: int, base: int, zh: bool) -> list[str]:
    """One row under the plot, right-aligned, on the baseline of the axis title."""
    items = [(OUTER, "5%–95%"), (INNER, "25%–75%"), (MEDIAN, "中位数" if zh else "median")]
    width = 24 + sum(int(em(t) * 12) + 40 for _, t in items)
    x = right - width
    out = []
    for colour, text in items:
        if colour == MEDIAN:
            out.append(
                f'<line x1="{x}" y1="{base - 4}" x2="{x + 18}" y2="{base - 4}" stroke="{colour}" stroke-width="2.5"/>'
            )
        else:
            out.append(f'<rect x="{x}" y="{base - 10}" width="18" height="12" fill="{colour}"/>')
        out.append(
            f'<text x="{x + 24}" y="{base - 4}" font-size="12" dominant-baseline="central" '
            f'fill="{INK}">{_x(text)}</text>'
        )
        x += int(em(text) * 12) + 40
    return out
