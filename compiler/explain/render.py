"""Render explainers with Jinja2 from the view-model (never from the IR)."""

from __future__ import annotations

import base64
import hashlib
import re

import jinja2
import markupsafe

from compiler.explain import words
from compiler.explain.svg import flow_svg
from compiler.explain.viewmodel import Explainer

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: object) -> str:
    """A policy string inside Markdown: one line, no markup of its own."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def code_span(text: object) -> str:
    """Text inside a Markdown code span: backslashes are literal there, only backticks matter."""
    return " ".join(str(text).split()).replace("`", "'")


_HTML_SPECIAL = re.compile(r"[<>]")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<!\*)\*([^*]+?)\*(?!\*)")


def prose_md(text: object) -> str:
    """Drafters' Markdown inside Markdown: their emphasis stays, raw HTML does not."""
    return _HTML_SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(str(text).split()))


def prose_html(text: object) -> markupsafe.Markup:
    """Drafters' Markdown in the page: escaped first, then **strong** and *em* only."""
    escaped = str(markupsafe.escape(" ".join(str(text).split())))
    return markupsafe.Markup(_EM.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", escaped)))


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compiler.explain", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["code"] = code_span
    env.filters["ty"] = words.typeset
    env.globals["numeral"] = words.numeral
    env.globals["circled"] = words.circled
    return env


def render_markdown(e: Explainer) -> str:
    env = _env()
    env.filters["prose"] = prose_md
    text = env.get_template("explainer.md.j2").render(e=e)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def csp_hash(text: object) -> str:
    """A Content-Security-Policy source for an inline <style> or <script> with exactly this text."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_html(e: Explainer) -> str:
    """One self-contained page: inline style and script (allowed by hash, nothing else), inline SVG.

    Every view-model string is autoescaped by the template; the only Markup is the diagram,
    which svg.py builds and escapes itself.
    """
    env = _env()
    env.filters["csp_hash"] = csp_hash
    env.filters["prose"] = prose_html
    svg = markupsafe.Markup(flow_svg(e))  # built by svg.py, every policy string escaped there
    return env.get_template("explainer.html.j2").render(e=e, svg=svg)
