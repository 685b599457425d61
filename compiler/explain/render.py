"""Render explainers with Jinja2 from the view-model (never from the IR)."""

from __future__ import annotations

import re

import jinja2

from compiler.explain.viewmodel import Explainer

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: object) -> str:
    """A policy string inside Markdown: one line, no markup of its own."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def code_span(text: object) -> str:
    """Text inside a Markdown code span: backslashes are literal there, only backticks matter."""
    return " ".join(str(text).split()).replace("`", "'")


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
    return env


def render_markdown(e: Explainer) -> str:
    text = _env().get_template("explainer.md.j2").render(e=e)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
