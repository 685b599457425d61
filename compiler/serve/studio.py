"""The studio page: one HTML document with its style and script inline, allowed by hash.

Nothing is loaded from anywhere else, so the page works offline. The explainer is shown
in a sandboxed frame written from the page (srcdoc), which keeps the page's policy: the
explainer's own style and script hashes are added to it, nothing more.
"""

from __future__ import annotations

import re
from importlib import resources

from compiler.explain.render import csp_hash

# The smallest policy that checks clean: rendered once to learn the explainer's hashes.
_SAMPLE = "政策 示例 {\n  地区 甲乙\n  地区集 甲乙 { 甲、乙 }\n}\n"
_SOURCES = re.compile(r"(style-src|script-src) '([^']+)'")


def _explainer_hashes() -> dict[str, set[str]]:
    from compiler.driver import check_sent
    from compiler.explain.render import render_html
    from compiler.explain.viewmodel import build

    found: dict[str, set[str]] = {"style-src": set(), "script-src": set()}
    checked = check_sent(_SAMPLE, "sample.pool").policy
    if checked is None:  # cannot happen with the sample; the explainer tab would show unstyled
        return found
    for lang in ("zh", "en"):
        for directive, source in _SOURCES.findall(render_html(build(checked, lang))):
            found[directive].add(source)
    return found


class Studio:
    def __init__(self) -> None:
        static = resources.files("compiler.serve") / "static"
        css = (static / "studio.css").read_text(encoding="utf-8")
        js = (static / "studio.js").read_text(encoding="utf-8")
        page = (static / "studio.html").read_text(encoding="utf-8")
        self.html = page.replace("/*STYLE*/", css).replace("/*SCRIPT*/", js)
        extra = _explainer_hashes()
        styles = " ".join(f"'{h}'" for h in sorted({csp_hash(css), *extra["style-src"]}))
        scripts = " ".join(f"'{h}'" for h in sorted({csp_hash(js), *extra["script-src"]}))
        self.csp = (
            f"default-src 'none'; style-src {styles}; script-src {scripts}; connect-src 'self'; "
            "img-src data: blob:; frame-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )

    def page(self) -> tuple[str, str]:
        return self.html, self.csp
