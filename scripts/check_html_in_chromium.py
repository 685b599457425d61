#!/usr/bin/env python3
"""Render every bundled policy's HTML explainer and check it in a real browser (headless Chromium).

For each policy in ``policies/`` and each language (zh, en) this script

1. renders the page with ``pool explain POLICY --lang LANG --format html -o FILE`` (if this
   ``pool`` has no ``--format html`` yet, with ``render_html(build(checked, lang))`` in-process);
2. checks the file itself: no ``<link``, no ``@import``, no ``src``/``href`` that names a network
   address (``http://``, ``https://`` or ``//``), no ``url(`` other than in-page ``#fragments``;
3. opens a copy in headless Chromium with a probe script (its hash added to the page's own
   Content-Security-Policy, which stays in force) and dumps the DOM (``--dump-dom``); the probe
   records any resource the page loaded and any CSP violation, whether the stylesheet applied,
   and clicks every sortable column header twice to check the rows come out in order;
4. checks the DOM: the section headings the explainer should have (those with something to say,
   numbered in order), the inline ``<svg>`` with a node per fund when the policy moves money, the
   sort buttons the page's script adds, no network resource, no CSP violation;
5. takes a screenshot of the first screen (``--window-size=1240,1754``, an A4 page at 150 dpi) and
   one of the whole page, and prints the page to PDF to count its A4 pages (at most ``MAX_PAGES``
   for the public form of a bundled policy);
6. prints a summary, and exits 1 if any check failed (2 if Chromium is missing).

Look at the screenshots: Chinese must render as Chinese (not boxes), which needs a CJK font.

Install (Debian/Ubuntu, as root)::

    apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk

Usage::

    python scripts/check_html_in_chromium.py [--out DIR] [--chromium /usr/bin/chromium] [POLICY.pool ...]

Screenshots, PDFs and DOM dumps go to ``--out`` (default: a fresh temporary directory, printed).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WINDOW = (1240, 1754)
MAX_PAGES = 6  # the public form of a typical seed policy fits in 3–6 A4 pages (issue 15)


def expected_headings(e: object) -> list[str]:
    """The section titles the explainer should show, in order: sections with nothing to say are left out."""
    zh = e.lang == "zh"
    wanted = [
        (True, "起草背景和依据", "Background and basis"),
        (bool(e.points), "主要内容", "Main points"),
        (bool(e.figures), "关键数字", "Key figures"),
        (bool(e.impacts), "对谁有什么影响", "Who pays and who receives"),
        (bool(e.groups), "具体规定", "The rules"),
        (bool(e.flows), "资金流向", "Fund flows"),
        (bool(e.examples), "举例说明", "Worked examples"),
        (bool(e.milestones or e.recurring or e.tasks), "", ""),
        (bool(getattr(e, "readings", ())), "本解读对原文的理解", "How this explainer reads the text"),
        (bool(e.open_items), "需要明确的事项", "Still to be decided"),
    ]
    out = []
    for present, zh_title, en_title in wanted:
        if present:
            n = len(out) + 1
            numeral = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][n - 1]
            out.append(f"{numeral}、{zh_title}" if zh else f"{n}. {en_title}")
    return out


# Runs before anything else on the page (it goes right after the CSP meta) and reports on `load`.
PROBE = """(function () {
  "use strict";
  var report = { violations: [], resources: [], sorts: [] };
  document.addEventListener("securitypolicyviolation", function (ev) {
    report.violations.push(ev.violatedDirective + " " + ev.blockedURI);
  });
  window.addEventListener("load", function () {
    report.resources = performance.getEntriesByType("resource").map(function (r) { return r.name; });
    report.maxWidth = getComputedStyle(document.body).maxWidth;
    report.font = getComputedStyle(document.body).fontFamily;
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
      var head = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(head, function (th, col) {
        var button = th.querySelector("button");
        if (!button) { return; }
        var read = function () {
          return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
            return r.cells[col].getAttribute("data-sort");
          });
        };
        var entry = { table: table.className, column: th.textContent, how: th.getAttribute("data-sortable") };
        button.click(); entry.up = read(); entry.upState = th.getAttribute("aria-sort");
        button.click(); entry.down = read(); entry.downState = th.getAttribute("aria-sort");
        report.sorts.push(entry);
      });
    });
    report.height = document.documentElement.scrollHeight;
    document.body.setAttribute("data-probe", JSON.stringify(report));
  });
}());"""

URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "srcset", "data", "background"}
NETWORK = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:https?|ftp|wss?):", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)


@dataclass
class Result:
    policy: str
    lang: str
    how: str = ""
    html: Path | None = None
    screenshot: Path | None = None
    full: Path | None = None
    pdf_pages: str = "?"
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Dom(html.parser.HTMLParser):
    """What the checks need from the dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h2: list[str] = []
        self.svgs = 0
        self.fund_nodes: list[str] = []
        self.sort_buttons = 0
        self.probe: str | None = None
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value) of every URL-bearing attribute
        self.links = 0
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self._in_h2 = False
        self._th = False
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        self.urls += [(tag, k, v or "") for k, v in attrs if k in URL_ATTRS]
        if tag == "link":
            self.links += 1
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "style":
            self._style = True
            self.styles.append("")
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "svg":
            self.svgs += 1
        elif tag == "g" and "node" in classes and "fund" in classes:
            self.fund_nodes.append(a.get("data-node") or "")
        elif tag == "th":
            self._th = True
        elif tag == "button" and self._th:
            self.sort_buttons += 1
        elif tag == "body":
            self.probe = a.get("data-probe")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag == "style":
            self._style = False
        elif tag == "th":
            self._th = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2[-1] += data
        if self._style:
            self.styles[-1] += data


def csp_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def with_probe(page: str) -> str:
    """The page with the probe script first in <head>, and its hash added to the page's script-src."""
    page, n = re.subn(r"(script-src )", r"\1" + csp_source(PROBE) + " ", page, count=1)
    assert n == 1, "the page has no script-src in its Content-Security-Policy"
    meta_end = page.index(">", page.index('http-equiv="Content-Security-Policy"')) + 1
    return page[:meta_end] + "\n<script>" + PROBE + "</script>" + page[meta_end:]


def chromium(binary: str, args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="pool-chromium-")
    try:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def render(policy: Path, lang: str, out: Path) -> tuple[str, str]:
    """The page's text, and how it was made."""
    cmd = [
        sys.executable,
        "-m",
        "compiler.cli",
        "explain",
        str(policy),
        "--lang",
        lang,
        "--format",
        "html",
        "-o",
        str(out.resolve()),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if run.returncode == 0:
        return out.read_text(encoding="utf-8"), "pool explain --format html"
    if "--format" not in run.stderr and "'html'" not in run.stderr:
        raise RuntimeError(f"pool explain failed:\n{run.stderr}")
    from compiler.evaluate import check_policy
    from compiler.explain.render import render_html  # this pool has no --format html yet
    from compiler.explain.viewmodel import build

    text = render_html(build(check_policy(str(policy)), lang))
    out.write_text(text, encoding="utf-8")
    return text, "render_html() (pool explain has no --format html yet)"


def static_checks(page: str, r: Result) -> None:
    """The file as written: one page, nothing to fetch."""
    dom = Dom()
    dom.feed(page)
    if dom.links:
        r.problems.append("the page has a <link>")
    for tag, attr, value in dom.urls:
        if NETWORK.search(value):
            r.problems.append(f"network address: <{tag} {attr}={value!r}>")
    css = "\n".join(dom.styles)
    if "@import" in css:
        r.problems.append("the stylesheet has an @import")
    if "@font-face" in css:
        r.problems.append("the stylesheet declares a web font")
    for m in CSS_URL.finditer(css):
        r.problems.append(f"url() that is not an in-page fragment: {css[m.start() : m.start() + 40]!r}")
    if len(dom.scripts) > 1:
        r.problems.append(f"{len(dom.scripts)} <script> elements")
    if any("src" in a for a in dom.scripts):
        r.problems.append("an external <script src>")
    if len(dom.styles) != 1:
        r.problems.append(f"{len(dom.styles)} <style> elements, expected one")


def dom_checks(dom: Dom, e: object, r: Result) -> dict[str, object]:
    funds: tuple[str, ...] = e.funds
    headings = expected_headings(e)
    for i, want in enumerate(headings):
        if i >= len(dom.h2) or not dom.h2[i].strip().startswith(want):
            r.problems.append(
                f"section heading {i + 1}: expected {want!r}, got {dom.h2[i] if i < len(dom.h2) else None!r}"
            )
    if len([h for h in dom.h2 if not h.startswith(("附", "Appendix"))]) != len(headings):
        r.problems.append(f"{len(dom.h2)} section headings, not {len(headings)}")
    diagrams = 1 if e.flows else 0
    if dom.svgs != diagrams:
        r.problems.append(f"{dom.svgs} <svg> elements, expected {diagrams}")
    missing = [f for f in funds if f not in dom.fund_nodes]
    if missing:
        r.problems.append(f"no diagram node for fund(s) {missing}")
    if dom.probe is None:
        r.problems.append("the probe did not report (did the page load?)")
        return {}
    probe: dict[str, object] = json.loads(dom.probe)
    if probe.get("resources"):
        r.problems.append(f"the page loaded resources: {probe['resources']}")
    if probe.get("violations"):
        r.problems.append(f"Content-Security-Policy violations: {probe['violations']}")
    if probe.get("maxWidth") != "960px":
        r.problems.append(f"the stylesheet did not apply (body max-width {probe.get('maxWidth')!r})")
    sorts = probe.get("sorts")
    assert isinstance(sorts, list)
    if dom.sort_buttons and not sorts:
        r.problems.append("sort buttons but nothing sorted")
    for s in sorts:
        values = list(s["up"])
        if s["upState"] != "ascending" or s["downState"] != "descending":
            r.problems.append(f"{s['table']} / {s['column']}: aria-sort {s['upState']}, {s['downState']}")
        if s["how"] == "key" and (values != sorted(values) or list(s["down"]) != sorted(values, reverse=True)):
            r.problems.append(f"{s['table']} / {s['column']}: not in order: {values}")
        if s["how"] == "text":
            groups = list(dict.fromkeys(values))
            if list(dict.fromkeys(s["down"])) != groups[::-1] or len(groups) != len(set(values)):
                r.problems.append(
                    f"{s['table']} / {s['column']}: owners not grouped and reversed: {values} / {s['down']}"
                )
    r.notes.append(f"{dom.sort_buttons} sortable column(s) sorted both ways")
    return probe


def pdf_pages(pdf: Path) -> str:
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data)
    size = ""
    if box:
        w, h = float(box.group(1)), float(box.group(2))
        size = " A4" if abs(w - 595.3) < 3 and abs(h - 841.9) < 3 else f" {w:.0f}x{h:.0f}pt (not A4)"
    return f"{pages}{size}"


def check(binary: str, policy: Path, lang: str, out: Path) -> Result:
    from compiler.evaluate import check_policy
    from compiler.explain.viewmodel import build

    r = Result(policy.name, lang)
    stem = f"{policy.stem}.{lang}"
    page_path = out / f"{stem}.html"
    page, r.how = render(policy, lang, page_path)
    r.html = page_path
    view = build(check_policy(str(policy)), lang)
    static_checks(page, r)

    probe_path = out / f"{stem}.probe.html"
    probe_path.write_text(with_probe(page), encoding="utf-8")
    w, h = WINDOW
    dump = chromium(binary, ["--virtual-time-budget=5000", f"--window-size={w},{h}", "--dump-dom"], probe_path.as_uri())
    (out / f"{stem}.dom.html").write_text(dump.stdout, encoding="utf-8")
    if not dump.stdout.strip():
        r.problems.append(f"chromium --dump-dom gave nothing: {dump.stderr[-500:]}")
        return r
    dom = Dom()
    dom.feed(dump.stdout)
    probe = dom_checks(dom, view, r)

    r.screenshot = out / f"{stem}.png"
    chromium(binary, [f"--screenshot={r.screenshot}", f"--window-size={w},{h}"], page_path.as_uri())
    height = probe.get("height") if probe else None
    if isinstance(height, int) and height > 0:
        r.full = out / f"{stem}.full.png"
        chromium(binary, [f"--screenshot={r.full}", f"--window-size={w},{min(height, 30000)}"], page_path.as_uri())
    for shot in (r.screenshot, r.full):
        if shot is not None and not shot.exists():
            r.problems.append(f"no screenshot {shot.name}")
    pdf = out / f"{stem}.pdf"
    chromium(binary, [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"], page_path.as_uri())
    if pdf.exists():
        r.pdf_pages = pdf_pages(pdf)
        if "not A4" in r.pdf_pages:
            r.problems.append(f"printed page size {r.pdf_pages}")
        if int(r.pdf_pages.split()[0]) > MAX_PAGES and lang == "zh":
            r.problems.append(f"prints to {r.pdf_pages} pages, more than {MAX_PAGES}")
    else:
        r.problems.append("no PDF printed")
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("policies", nargs="*", type=Path, help="default: every policies/*.pool")
    ap.add_argument("--out", type=Path, help="where screenshots, PDFs and DOM dumps go (default: a new temp dir)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args(argv)
    if not Path(args.chromium).exists():
        print(
            f"no Chromium at {args.chromium}; apt-get install -y --no-install-recommends chromium fonts-noto-cjk",
            file=sys.stderr,
        )
        return 2
    fonts = (
        subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
        if shutil.which("fc-list")
        else ""
    )
    if not fonts.strip():
        print(
            "warning: no Chinese font installed (apt-get install fonts-noto-cjk); Chinese will show as boxes",
            file=sys.stderr,
        )
    out: Path = (args.out or Path(tempfile.mkdtemp(prefix="pool-html-check-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    policies = [p.resolve() for p in args.policies] or sorted((ROOT / "policies").glob("*.pool"))
    # run from the checkout, with paths relative to it where possible, as the committed explainers are made
    os.chdir(ROOT)
    policies = [p.relative_to(ROOT) if p.is_relative_to(ROOT) else p for p in policies]
    results = [check(args.chromium, p, lang, out) for p in policies for lang in ("zh", "en")]

    print(f"Chromium check of the HTML explainers ({len(results)} pages), output in {out}")
    for r in results:
        status = "ok  " if not r.problems else "FAIL"
        print(f"{status} {r.policy} [{r.lang}] via {r.how}; PDF pages: {r.pdf_pages}; {'; '.join(r.notes)}")
        for shot in (r.screenshot, r.full):
            if shot is not None:
                print(f"       screenshot: {shot}")
        for p in r.problems:
            print(f"       - {p}")
    failed = sum(1 for r in results if r.problems)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
