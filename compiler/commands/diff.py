"""`pool diff`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENCODING, LANG, emit, emit_sheet


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--scenario", type=click.Path(dir_okay=False), help="Settle both versions on this scenario / 用此情景测算影响"
)
@click.option(
    "--readings",
    "readings",
    is_flag=True,
    help="OLD is a policy and NEW a scenario: settle it under every option of every choice of readings / 比较各解读的结果",
)
@LANG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "csv", "xlsx"]),
    default="md",
    show_default=True,
    help="Markdown for people, JSON for programs; csv and xlsx: the --scenario impact for a spreadsheet",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout) / 输出文件")
@ENCODING
def diff_cmd(
    old: str,
    new: str,
    scenario: str | None,
    readings: bool,
    lang: str,
    fmt: str,
    output: str | None,
    encoding: str | None,
) -> None:
    """What changed between two versions of a policy / 比较政策的两个版本。

    With --readings: `pool diff --readings POLICY SCENARIO` settles the scenario under
    every option of each choice of readings and shows the money at stake.

    Exit codes as diff(1): 0 no changes, 1 changes, 2 cannot compare (a version
    unreadable or failing its checks, or a scenario that does not fit).
    """
    if readings:
        _readings(old, new, lang, fmt, output, encoding, scenario)
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.diff import compare
    from compiler.tools.diff_render import to_json, to_markdown
    from compiler.tools.impact import impact

    if fmt in ("csv", "xlsx") and scenario is None:
        click.echo(
            f"--format {fmt} 输出影响测算,须同时给出 --scenario"
            if lang == "zh"
            else f"--format {fmt} writes the impact: give --scenario too",
            err=True,
        )
        sys.exit(2)
    try:
        versions = []
        for path, which in ((old, ("旧版本", "old version")), (new, ("新版本", "new version"))):
            try:
                versions.append(check_policy(path))
            except EvaluationFailed as e:
                zh = f"无法比较:{which[0]} {path} 不能通过检查\n{e.zh}"
                raise EvaluationFailed(2, zh, f"cannot compare: the {which[1]} {path} does not check\n{e.en}") from None
        changes = compare(versions[0], versions[1], old, new, lang)
        effect = impact(versions[0], versions[1], scenario, encoding) if scenario is not None else None
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(2)
    if fmt in ("csv", "xlsx"):
        from compiler.sheets import write_impact

        assert effect is not None
        impact_ = effect
        emit_sheet(
            lambda: write_impact(impact_, fmt, lang), output, lang, [old, new, *([scenario] if scenario else [])]
        )
    else:
        render = to_json if fmt == "json" else to_markdown
        emit(
            render(changes, effect if not changes.identical else None, lang),
            output,
            lang,
            [old, new, *([scenario] if scenario else [])],
        )
    sys.exit(0 if changes.identical else 1)


def _readings(
    policy: str, scenario: str, lang: str, fmt: str, output: str | None, encoding: str | None, extra: str | None
) -> None:
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.reading_diff import compare_readings, to_json, to_text

    if extra is not None or fmt in ("csv", "xlsx"):
        used = "--scenario" if extra is not None else f"--format {fmt}"
        click.echo(
            f"{used} 不能与 --readings 一起使用:情景是第二个参数"
            if lang == "zh"
            else f"{used} does not combine with --readings: the scenario is the second argument",
            err=True,
        )
        sys.exit(2)
    try:
        diffs = compare_readings(check_policy(policy), scenario, encoding)
    except EvaluationFailed as e:
        click.echo(e.render(lang), err=True, nl=False)
        sys.exit(2)
    emit(to_json(diffs) if fmt == "json" else to_text(diffs, lang), output, lang, [policy, scenario])
    sys.exit(1 if any(d.differs for d in diffs) else 0)
