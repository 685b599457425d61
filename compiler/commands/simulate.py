"""`pool simulate`: several periods in order, or many random draws of them (--draws)."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import LANG, write_output


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="JSON: one result a period, or the distributions with --draws")
@click.option("--draws", type=int, default=None, help="Draw N random futures from a stochastic scenario / 随机模拟次数")
@click.option("--seed", type=int, default=None, help="With --draws: seed of the random draws, 0 if not given (same seed, same output) / 随机种子")
@click.option("--values", "values", multiple=True, metavar="名称[@地区]",
              help="With --draws: values to summarise (default: every carried fund's balance) / 要统计的值")  # fmt: skip
@click.option("--chart", type=click.Path(dir_okay=False), default=None, help="With --draws: write a fan chart, FILE.svg / 扇形图")
@click.option("--engine", type=click.Choice(["compiled", "interpreter", "vector"]), default="compiled", show_default=True,
              help="The compiled evaluator, the reference interpreter, or (with --draws) every draw at once on the vectorized backend")  # fmt: skip
@LANG
def simulate(
    policy: str, scenarios: tuple[str, ...], as_json: bool, draws: int | None, seed: int | None,
    values: tuple[str, ...], chart: str | None, engine: str, lang: str,
) -> None:  # fmt: skip
    """Several periods, balances carried forward; with --draws, a stochastic scenario drawn N times.

    多期模拟,余额逐年结转;加 --draws 时按随机情景抽样 N 次,统计各年的分布。"""
    from compiler import report
    from compiler.evaluate import EvaluationFailed, simulate_files

    if draws is None:
        given = (("--seed", seed is not None), ("--values", values), ("--chart", chart), ("--engine vector", engine == "vector"))
        used = [name for name, on in given if on]
        if used:
            _usage(f"{used[0]} 须与 --draws 一起使用", f"{used[0]} needs --draws", lang)
        from compiler.stochastic.spec import is_stochastic

        for f in scenarios:
            if is_stochastic(f):
                _usage(f"{f}: 这是随机情景(有 growth/years/base),请加 --draws N", f"{f}: a stochastic scenario (growth/years/base): add --draws N", lang)
        try:
            checked, runs = simulate_files(policy, list(scenarios), engine)
        except EvaluationFailed as e:
            click.echo(e.render(lang), err=True, nl=False)
            sys.exit(e.exit_code)
        rows = [(scen.period, res) for scen, res in runs]
        click.echo(report.simulation_json(checked, rows) if as_json else report.simulation_text(checked, rows, lang), nl=False)
        return
    if len(scenarios) != 1:
        _usage("--draws 只读一个随机情景文件", "--draws reads one stochastic scenario file", lang)
    if chart is not None and not chart.lower().endswith(".svg"):
        _usage(f"--chart {chart}: 只能写 SVG(文件名以 .svg 结尾)", f"--chart {chart}: only SVG is written (a name ending in .svg)", lang)
    from compiler.stochastic import simulate as stochastic
    from compiler.stochastic.chart import fan_chart
    from compiler.stochastic.summary import text, to_json

    seed = 0 if seed is None else seed
    try:
        run = stochastic(policy, scenarios[0], draws, seed, list(values), engine)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(e.exit_code)
    if chart is not None:  # written before stdout, so a bad path leaves nothing half-done
        write_output(chart, fan_chart(run.summaries, draws, seed, lang), [policy, *scenarios], lang)
    out = to_json(run.plan, run.outcome, run.summaries, seed, engine) if as_json else text(run.plan, run.outcome, run.summaries, seed, lang)
    click.echo(out, nl=False)


def _usage(zh: str, en: str, lang: str) -> None:
    click.echo(zh if lang == "zh" else en, err=True)
    sys.exit(2)
