"""`pool explain`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG, READING, parse_readings, write_output


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@LANG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default=None,
    help="One self-contained HTML page, or Markdown; default: from -o's extension (.md), else html",
)
@click.option(
    "--audience",
    type=click.Choice(["public", "review"]),
    default="public",
    show_default=True,
    help="public: what a bureau publishes; review: adds 原文, clause and line references and the appendix",
)
@click.option("--appendix", is_flag=True, help="Add the step-by-step computations (always in the review form)")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)")
@click.option(
    "--scenario",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="情景",
    help="Price each option of a choice of readings on this scenario (default: the policy's own, "
    "scenarios/STEM.readings.json and the like) / 在此情景上计算各解读选项的金额",
)
@READING
def explain(
    policy: str,
    lang: str,
    fmt: str | None,
    audience: str,
    appendix: bool,
    output: str | None,
    scenario: str | None,
    readings: tuple[str, ...],
) -> None:
    """Render the policy explainer / 生成政策解读。

    With --reading NAME=OPTION the explainer is computed under that option of a choice of
    readings. 加 --reading 时按该解读选项生成。"""
    from compiler.evaluate import EvaluationFailed, check_policy, under_readings
    from compiler.explain.priced import price
    from compiler.explain.render import render_html, render_markdown
    from compiler.explain.viewmodel import Audience, build

    chosen = parse_readings(readings, lang)
    try:
        checked = under_readings(check_policy(policy), chosen)
        pricing = price(checked, policy, scenario) if checked.policy is not None else None
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    if checked.policy is None:  # a module (stdlib, or an empty file) checks clean but has nothing to explain
        zh = f"{policy}: 文件中没有“政策”声明,无法生成政策解读\n"
        en = f"{policy}: the file declares no policy (政策/policy), so there is nothing to explain\n"
        click.echo(zh if lang == "zh" else en, err=True, nl=False)
        sys.exit(2)
    if fmt is None:  # `-o 解读.md` means Markdown: a page of HTML in a .md file helps nobody
        fmt = "md" if output is not None and output.lower().endswith((".md", ".markdown")) else "html"
    view = build(checked, lang, audience=Audience(audience), appendix=appendix, pricing=pricing)
    text = render_html(view) if fmt == "html" else render_markdown(view)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text, [policy, *([scenario] if scenario else [])], lang)
