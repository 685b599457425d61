"""The fund-flow diagram (资金流向图) as an inline SVG string, laid out here in Python.

Layout, deterministic and without fonts or scripts:

- the regions (各地区 / regions) are one tall bar on the left, since they both
  pay in and receive;
- every fund and party is a box in one column, in topological order of the
  flows between them (declaration order breaks ties);
- a flow between the regions and a box is a horizontal arrow in the gap
  between them (pay-in above, pay-out below when both exist);
- a flow between two boxes is a bracket on the right of the column, nested
  brackets pushed further right so that their labels stay clear.

Parallel flows between the same pair are one arrow whose label lists the flows,
one a line, each with its number (①②…) in the order money moves. Text widths are estimated
(a CJK character ~1 em, anything else ~0.55 em), and every string from the policy is XML-escaped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape

from compiler.explain.viewmodel import Explainer
from compiler.explain.words import circled

FONT = 15.0  # px, node text
SMALL = 13.5  # px, edge labels
LINE = 18.0  # line height of edge labels
PAD = 18.0  # horizontal padding inside a box
BOX_H = 44.0
ROW_GAP = 20.0
MARGIN = 12.0
LABEL_MAX_EM = 11.0  # wrap merged labels beyond this width
TWIN = 9.0  # half the distance between the in and out arrows of one box
FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
INK, EDGE, FUND_FILL, FUND_LINE, PARTY_LINE, REGION_FILL, REGION_LINE = (
    "#1f2933",
    "#52606d",
    "#e6edf5",
    "#34506b",
    "#6b7280",
    "#f3efe6",
    "#7a6a4f",
)

_REGION = ""  # key of the regions node (no fund or party may be called "")


def em(text: str) -> float:
    """Estimated width of `text` in em: CJK (wide/fullwidth) 1, everything else 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _num(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _x(text: str) -> str:
    return escape(text, quote=True)


def wrap(items: list[str], sep: str, max_em: float = LABEL_MAX_EM) -> list[str]:
    """Pack label items into lines no wider than max_em; an item longer than that is cut by character."""
    lines: list[str] = []
    cur = ""
    for i, item in enumerate(items):
        piece = item + (sep if i < len(items) - 1 else "")
        if cur and em(cur + piece.rstrip()) > max_em:
            lines.append(cur.rstrip())
            cur = ""
        while em(piece.rstrip()) > max_em:
            n = 1
            while em(piece[: n + 1]) <= max_em:
                n += 1
            lines.append(piece[:n])
            piece = piece[n:]
        cur += piece
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def _stacked(labels: list[str]) -> list[str]:
    """One numbered flow a line, so that parallel flows on one arrow read as a list (①…, ②…)."""
    return [line for label in labels for line in wrap([label], "")]


@dataclass
class _Edge:
    src: str
    dst: str
    labels: list[str] = field(default_factory=list)


@dataclass
class _Box:
    name: str
    kind: str  # fund | party
    cy: float = 0.0
    ends: list[tuple[int, str]] = field(default_factory=list)  # (arc index, "out"|"in") attached on the right


def _edges(e: Explainer, known: set[str]) -> list[_Edge]:
    merged: dict[tuple[str, str], _Edge] = {}
    for f in e.flows:
        src = f.source if f.source in known else _REGION
        dst = f.dest if f.dest in known else _REGION
        if src == _REGION and dst == _REGION:
            continue  # regions to regions: nothing to draw on one bar
        edge = merged.setdefault((src, dst), _Edge(src, dst))
        label = f"{circled(f.number)}{f.label}"  # numbered in the order money moves, as in the list below the figure
        if label not in edge.labels:
            edge.labels.append(label)
    return list(merged.values())


def _order(names: list[str], edges: list[_Edge]) -> list[str]:
    """Topological order of the boxes by the flows between them; declaration order breaks ties and cycles."""
    rank = {n: i for i, n in enumerate(names)}
    indeg = {n: 0 for n in names}
    succ: dict[str, list[str]] = {n: [] for n in names}
    for ed in edges:
        if ed.src != _REGION and ed.dst != _REGION and ed.src != ed.dst:
            succ[ed.src].append(ed.dst)
            indeg[ed.dst] += 1
    out: list[str] = []
    left = list(names)
    while left:
        ready = [n for n in left if indeg[n] == 0] or left
        n = min(ready, key=rank.__getitem__)
        left.remove(n)
        out.append(n)
        for m in succ[n]:
            indeg[m] -= 1
    return out


def _text(x: float, y: float, lines: list[str], size: float, anchor: str, cls: str, halo: bool = False) -> str:
    """Lines of text centred vertically on y."""
    top = y - (len(lines) - 1) * LINE / 2
    extra = ' paint-order="stroke" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"' if halo else ""
    spans = "".join(f'<tspan x="{_num(x)}" y="{_num(top + i * LINE)}">{_x(s)}</tspan>' for i, s in enumerate(lines))
    return (
        f'<text class="{cls}" font-size="{_num(size)}" text-anchor="{anchor}" dominant-baseline="central"'
        f' fill="{INK}"{extra}>{spans}</text>'
    )


def flow_svg(e: Explainer) -> str:
    zh = e.lang == "zh"
    colon = "：" if zh else ": "  # in a tooltip, as in the numbered list below the figure
    sep = "、" if zh else ", "
    region_name = e.regions_label if zh else "regions"
    arrow = "→"
    boxes = [_Box(n, "fund") for n in e.funds] + [_Box(n, "party") for n in e.parties if n not in e.funds]
    by_name = {b.name: b for b in boxes}
    edges = _edges(e, set(by_name))
    order = _order([b.name for b in boxes], edges)
    rows = [by_name[n] for n in order]
    row_of = {b.name: i for i, b in enumerate(rows)}

    # --- the regions edges: label lines per box, above (pay-in) and below (pay-out)
    in_lines: dict[str, list[str]] = {}
    out_lines: dict[str, list[str]] = {}
    arcs: list[_Edge] = []
    for ed in edges:
        if ed.src == _REGION:
            in_lines[ed.dst] = _stacked(ed.labels)
        elif ed.dst == _REGION:
            out_lines[ed.src] = _stacked(ed.labels)
        else:
            arcs.append(ed)
    label_em = max([em(s) for ls in (*in_lines.values(), *out_lines.values()) for s in ls] or [0.0])
    gap = max(label_em * SMALL + 2 * PAD, 72.0)

    # --- the regions bar, narrow: Chinese stacked one character a line, other text turned on its side
    vertical = all(em(ch) == 1.0 for ch in region_name)
    bar_w = FONT + 2 * 10
    bar_x = MARGIN
    box_x = bar_x + bar_w + gap
    box_w = max([em(b.name) * FONT + 2 * PAD for b in boxes] or [0.0]) or 7 * FONT
    box_w = max(box_w, 6 * FONT)
    box_r = box_x + box_w

    # --- rows, top to bottom
    y = MARGIN
    for b in rows:
        has_in, has_out = b.name in in_lines, b.name in out_lines
        d = TWIN if has_in and has_out else 0.0
        above = max(
            BOX_H / 2,
            d + 4 + len(in_lines[b.name]) * LINE if has_in else 0.0,
            d + 4 + len(out_lines[b.name]) * LINE if has_out and not has_in else 0.0,
        )
        below = max(BOX_H / 2, d + 4 + len(out_lines[b.name]) * LINE if has_in and has_out else 0.0)
        b.cy = y + above
        y = b.cy + below + ROW_GAP
    bottom = (y - ROW_GAP) if rows else MARGIN + BOX_H
    name_h = len(region_name) * (FONT + 4) if vertical else em(region_name) * FONT
    bar_top, bar_bot = MARGIN, max(bottom, MARGIN + name_h + 20)

    # --- brackets between boxes: nesting level, then x per level
    def reach(i: int) -> tuple[int, int]:
        a, z = row_of[arcs[i].src], row_of[arcs[i].dst]
        return (min(a, z), max(a, z))

    level: dict[int, int] = {}  # short brackets inside, longer ones around them
    for i in sorted(range(len(arcs)), key=lambda i: (reach(i)[1] - reach(i)[0], reach(i))):
        lo, hi = reach(i)
        level[i] = 1 + max((level[j] for j in level if reach(j)[1] >= lo and reach(j)[0] <= hi), default=0)
    arc_lines = {i: _stacked(arcs[i].labels) for i in range(len(arcs))}
    level_x: dict[int, float] = {}
    x = box_r + 28
    for lv in range(1, max(level.values(), default=0) + 1):
        level_x[lv] = x
        widest = max(em(s) for i in level if level[i] == lv for s in arc_lines[i])
        x += widest * SMALL + 6 + 24
    for i, ed in enumerate(arcs):
        by_name[ed.src].ends.append((i, "out"))
        by_name[ed.dst].ends.append((i, "in"))
    attach: dict[tuple[int, str], float] = {}
    for b in rows:
        # ends sorted so that brackets going up leave from the top, going down from the bottom
        def key(end: tuple[int, str], b: _Box = b) -> tuple[int, int]:
            other = arcs[end[0]].dst if end[1] == "out" else arcs[end[0]].src
            return (row_of[other] - row_of[b.name], end[0])

        ends = sorted(b.ends, key=key)
        step = min(10.0, (BOX_H - 12) / max(len(ends) - 1, 1))
        for k, end in enumerate(ends):
            attach[end] = b.cy + (k - (len(ends) - 1) / 2) * step

    legend = [("fund", "资金" if zh else "fund"), ("party", "主体" if zh else "party"), ("region", region_name)]
    legend_w = sum(26 + em(name) * SMALL + 22 for _k, name in legend) - 22
    width = max((x - 24 + MARGIN) if arcs else (box_r + MARGIN), MARGIN + legend_w + MARGIN)
    height = bar_bot + MARGIN + 30  # room for the legend
    out: list[str] = []
    title = "资金流向图" if zh else "Fund flow diagram"
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" viewBox="0 0 {_num(width)} {_num(height)}"'
        f' width="{_num(width)}" height="{_num(height)}" role="img" aria-labelledby="flow-title"'
        f' font-family="{FAMILY}">'
    )
    out.append(f'<title id="flow-title">{_x(e.title)}{_x(title if zh else ": " + title)}</title>')
    out.append(
        '<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"'
        f' markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{EDGE}"/></marker></defs>'
    )

    # the regions bar
    out.append(f'<g class="node region" data-node="{_x(region_name)}">')
    out.append(
        f'<rect x="{_num(bar_x)}" y="{_num(bar_top)}" width="{_num(bar_w)}" height="{_num(bar_bot - bar_top)}"'
        f' rx="4" fill="{REGION_FILL}" stroke="{REGION_LINE}" stroke-width="1.2"/>'
    )
    mid = (bar_top + bar_bot) / 2
    if vertical:
        chars = list(region_name)
        top = mid - (len(chars) - 1) * (FONT + 4) / 2
        spans_ = "".join(
            f'<tspan x="{_num(bar_x + bar_w / 2)}" y="{_num(top + i * (FONT + 4))}">{_x(c)}</tspan>'
            for i, c in enumerate(chars)
        )
        out.append(
            f'<text font-size="{_num(FONT)}" font-weight="bold" text-anchor="middle" dominant-baseline="central" '
            f'fill="{INK}">{spans_}</text>'
        )
    else:
        cx = bar_x + bar_w / 2
        out.append(
            f'<text font-size="{_num(FONT)}" font-weight="bold" text-anchor="middle" dominant-baseline="central" '
            f'fill="{INK}"'
            f' transform="rotate(-90 {_num(cx)} {_num(mid)})" x="{_num(cx)}" y="{_num(mid)}">{_x(region_name)}</text>'
        )
    out.append("</g>")

    # regions edges
    gx0, gx1 = bar_x + bar_w, box_x
    for ed in edges:
        if ed.src != _REGION and ed.dst != _REGION:
            continue
        b = by_name[ed.dst if ed.src == _REGION else ed.src]
        both = b.name in in_lines and b.name in out_lines
        if ed.src == _REGION:
            ly = b.cy - (TWIN if both else 0.0)
            path = f"M{_num(gx0)},{_num(ly)} H{_num(gx1 - 1)}"
            lines = in_lines[b.name]
            label_y = ly - 4 - len(lines) * LINE / 2
            src_name, dst_name = region_name, b.name
        else:
            ly = b.cy + (TWIN if both else 0.0)
            path = f"M{_num(gx1)},{_num(ly)} H{_num(gx0 + 1)}"
            lines = out_lines[b.name]
            label_y = ly + 4 + len(lines) * LINE / 2 if both else ly - 4 - len(lines) * LINE / 2
            src_name, dst_name = b.name, region_name
        out.append(
            f'<g class="edge" data-from="{_x(src_name)}" data-to="{_x(dst_name)}">'
            f"<title>{_x(src_name)} {arrow} {_x(dst_name)}{colon}{_x(sep.join(ed.labels))}</title>"
            f'<path d="{path}" fill="none" stroke="{EDGE}" stroke-width="1.4" marker-end="url(#flow-arrow)"/>'
            + _text((gx0 + gx1) / 2, label_y, lines, SMALL, "middle", "edge-label")
            + "</g>"
        )

    # brackets between boxes
    for i, ed in enumerate(arcs):
        y1, y2 = attach[(i, "out")], attach[(i, "in")]
        xl = level_x[level[i]]
        r = min(6.0, abs(y2 - y1) / 2)
        down = 1 if y2 >= y1 else -1
        path = (
            f"M{_num(box_r)},{_num(y1)} H{_num(xl - r)} Q{_num(xl)},{_num(y1)} {_num(xl)},{_num(y1 + down * r)}"
            f" V{_num(y2 - down * r)} Q{_num(xl)},{_num(y2)} {_num(xl - r)},{_num(y2)} H{_num(box_r + 1)}"
        )
        out.append(
            f'<g class="edge" data-from="{_x(ed.src)}" data-to="{_x(ed.dst)}">'
            f"<title>{_x(ed.src)} {arrow} {_x(ed.dst)}{colon}{_x(sep.join(ed.labels))}</title>"
            f'<path d="{path}" fill="none" stroke="{EDGE}" stroke-width="1.4" marker-end="url(#flow-arrow)"/>'
            + _text(xl + 6, (y1 + y2) / 2, arc_lines[i], SMALL, "start", "edge-label", halo=True)
            + "</g>"
        )

    # boxes
    for b in rows:
        fund = b.kind == "fund"
        dash = "" if fund else ' stroke-dasharray="5 3"'
        out.append(
            f'<g class="node {b.kind}" data-node="{_x(b.name)}">'
            f'<rect x="{_num(box_x)}" y="{_num(b.cy - BOX_H / 2)}" width="{_num(box_w)}" height="{_num(BOX_H)}" rx="4"'
            f' fill="{FUND_FILL if fund else "#ffffff"}" stroke="{FUND_LINE if fund else PARTY_LINE}" '
            f'stroke-width="1.2"{dash}/>'
            + _text(box_x + box_w / 2, b.cy, [b.name], FONT, "middle", "node-label")
            + "</g>"
        )

    # legend
    ly = bar_bot + MARGIN + 12
    lx = MARGIN
    out.append('<g class="legend">')
    for kind, name in legend:
        fill, stroke = {
            "fund": (FUND_FILL, FUND_LINE),
            "party": ("#ffffff", PARTY_LINE),
            "region": (REGION_FILL, REGION_LINE),
        }[kind]
        dash = ' stroke-dasharray="4 2"' if kind == "party" else ""
        out.append(
            f'<rect x="{_num(lx)}" y="{_num(ly - 7)}" width="20" height="14" rx="2" fill="{fill}" '
            f'stroke="{stroke}"{dash}/>'
        )
        out.append(_text(lx + 26, ly, [name], SMALL, "start", "legend-label"))
        lx += 26 + em(name) * SMALL + 22
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
