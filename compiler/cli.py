"""The `pool` command line.

Exit codes: 0 clean (warnings allowed unless --strict), 1 diagnostics, 2 usage or I/O;
`pool diff` follows diff(1) instead: 0 no changes, 1 changes, 2 cannot compare.
Heavy modules are imported inside commands so `pool --help` starts fast.
"""

from __future__ import annotations

import sys

import click

ENGINE = click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
                      help="The compiled evaluator, or the reference interpreter it is tested against")  # fmt: skip
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="Language of messages / 提示语言")  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pool-lang", prog_name="pool")
def main() -> None:
    """pool: 基本医疗保险统筹政策的声明式语言与编译器。

    Check, compile and explain medical-insurance fund pooling policies.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for editors")  # fmt: skip
@click.option("--strict", is_flag=True, help="Treat warnings as errors / 警告也视为错误")
def check(files: tuple[str, ...], lang: str, fmt: str, strict: bool) -> None:
    """Check policies for consistency / 检查政策的一致性。"""
    from compiler.diagnostics import render_text, sort_diagnostics, summary, to_json
    from compiler.driver import check_file
    from compiler.messages import Severity

    all_diags = []
    sources = {}
    io_error = False
    for f in files:
        result = check_file(f)
        all_diags += result.diagnostics
        sources.update(result.sources)
        io_error |= result.io_error
    diags = sort_diagnostics(all_diags)
    if fmt == "json":
        click.echo(to_json(diags, lang), nl=False)
    else:
        text = render_text(diags, sources, lang)
        if text:
            click.echo(text)
        click.echo(summary(diags, lang))
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if io_error:
        sys.exit(2)
    sys.exit(1 if any(d.severity in failing for d in diags) else 0)


@main.command("compile")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the module here (default: stdout)")
@LANG
def compile_cmd(policy: str, output: str | None, lang: str) -> None:
    """Compile a policy to a typed Python evaluator / 编译为 Python 计算模块。"""
    from compiler.codegen.python import generate
    from compiler.evaluate import EvaluationFailed, check_policy

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    source = checked.program.main.span.file
    code = generate(checked, source, open(policy, encoding="utf-8-sig").read().replace("\r\n", "\n"))
    if output is None:
        click.echo(code, nl=False)
    else:
        _write(output, code)


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The JSON contract of DESIGN.md / 输出 JSON")
@click.option("--explain", "targets", multiple=True, metavar="名称[@地区]", help="Explain a value down to the inputs / 解释某个数")
@ENGINE
@LANG
def run(policy: str, scenario: str, as_json: bool, targets: tuple[str, ...], engine: str, lang: str) -> None:
    """Evaluate a policy on a scenario / 按情景计算一期。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, evaluate_file, explain_file
    from compiler.interpreter.trace import render

    try:
        if targets:
            for target in targets:
                checked, step = explain_file(policy, scenario, target)
                click.echo(render(step, checked, lang), nl=False)
            return
        checked, scen, res = evaluate_file(policy, scenario, engine)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True)
        sys.exit(e.exit_code)
    click.echo(report.to_json(checked, scen.period, res) if as_json else report.to_text(res, scen.period, lang), nl=False)


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one result a period")
@ENGINE
@LANG
def simulate(policy: str, scenarios: tuple[str, ...], as_json: bool, engine: str, lang: str) -> None:
    """Several periods, balances carried forward / 多期模拟,余额逐年结转。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, simulate_files

    try:
        checked, runs = simulate_files(policy, list(scenarios), engine)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    rows = [(scen.period, res) for scen, res in runs]
    click.echo(report.simulation_json(checked, rows) if as_json else report.simulation_text(checked, rows, lang), nl=False)


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@LANG
def schema(policy: str, lang: str) -> None:
    """The JSON Schema of the policy's scenario files / 情景文件的 JSON Schema。"""
    import json

    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.schema import scenario_schema

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    click.echo(json.dumps(scenario_schema(checked), ensure_ascii=False, indent=2))


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@LANG
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True,
              help="One self-contained HTML page, or Markdown")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)")
def explain(policy: str, lang: str, fmt: str, output: str | None) -> None:
    """Render the policy explainer / 生成政策解读。"""
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.explain.render import render_html, render_markdown
    from compiler.explain.viewmodel import build

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    view = build(checked, lang)
    text = render_html(view) if fmt == "html" else render_markdown(view)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)


def _write(output: str, text: str) -> None:
    """An unwritable -o path is a usage error (exit 2) with the reason, never a traceback."""
    from compiler.fileio import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        click.echo(f"{output}: {e.strerror or e}", err=True)
        sys.exit(2)


@main.command("test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@LANG
def test_cmd(files: tuple[str, ...], lang: str) -> None:
    """Run the examples inside policies / 运行政策中的算例。"""
    from compiler.diagnostics import render_text
    from compiler.driver import check_file
    from compiler.interpreter.examples import run_examples
    from compiler.numbers import show_value

    passed = failed = 0
    broken = False
    for f in files:
        result = check_file(f)
        if result.policy is None:
            click.echo(render_text(result.errors, result.sources, lang), nl=False)
            broken = True
            continue
        click.echo(f)
        for o in run_examples(result.policy):
            ex = o.example
            where = f"{ex.span.file}:{ex.span.line}"
            if o.passed:
                passed += 1
                click.echo(f"  ✓ {ex.label.value}")
                continue
            failed += 1
            click.echo(f"  ✗ {ex.label.value}  ({where})")
            for mm in o.mismatches:
                target = mm.name + (f"@{mm.region}" if mm.region else "")
                t = result.policy.types.get(mm.name)
                exp, act = show_value(mm.expected, t), show_value(mm.actual, t)
                label = ("期望", "实际") if lang == "zh" else ("expected", "actual")
                click.echo(f"      {target}: {label[0]} {exp}, {label[1]} {act}  ({mm.span.file}:{mm.span.line})")
            if o.error is not None:
                e = o.error
                at = f"  ({e.span.file}:{e.span.line})" if e.span else ""
                click.echo(f"      {e.zh if lang == 'zh' else e.en}{at}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(2 if broken else 1 if failed else 0)


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--scenario", type=click.Path(dir_okay=False), help="Settle both versions on this scenario / 用此情景测算影响")
@LANG
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="Markdown for people, JSON for programs")  # fmt: skip
def diff_cmd(old: str, new: str, scenario: str | None, lang: str, fmt: str) -> None:
    """What changed between two versions of a policy / 比较政策的两个版本。

    Exit codes as diff(1): 0 no changes, 1 changes, 2 cannot compare (a version
    unreadable or failing its checks, or a scenario that does not fit).
    """
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.diff import compare
    from compiler.tools.diff_render import to_json, to_markdown
    from compiler.tools.impact import impact

    try:
        versions = []
        for path, which in ((old, ("旧版本", "old version")), (new, ("新版本", "new version"))):
            try:
                versions.append(check_policy(path))
            except EvaluationFailed as e:
                zh = f"无法比较:{which[0]} {path} 不能通过检查\n{e.zh}"
                raise EvaluationFailed(2, zh, f"cannot compare: the {which[1]} {path} does not check\n{e.en}") from None
        changes = compare(versions[0], versions[1], old, new, lang)
        effect = impact(versions[0], versions[1], scenario) if scenario is not None else None
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(2)
    render = to_json if fmt == "json" else to_markdown
    click.echo(render(changes, effect if not changes.identical else None, lang), nl=False)
    sys.exit(0 if changes.identical else 1)


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)")
@click.option("--format", "fmt", type=click.Choice(["dot", "svg"]), default="dot", show_default=True,
              help="Graphviz DOT, or SVG laid out by Graphviz's dot")  # fmt: skip
@LANG
def graph(policy: str, output: str | None, fmt: str, lang: str) -> None:
    """The dependency graph of a policy, one cluster per fund / 政策的依赖关系图。"""
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.graph import GraphvizError, to_dot, to_svg

    try:
        checked = check_policy(policy)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    text = to_dot(checked, lang)
    if fmt == "svg":
        try:
            text = to_svg(text)
        except GraphvizError as e:
            click.echo(e.render(lang), err=True, nl=False)
            sys.exit(2)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)


if __name__ == "__main__":  # pragma: no cover
    main()
