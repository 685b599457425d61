"""`pool diff`."""

from __future__ import annotations

import sys

import click

from compiler.commands.common import ENCODING, LANG, emit, emit_sheet


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--scenario", type=click.Path(dir_okay=False), help="Settle both versions on this scenario / 用此情景测算影响")
@LANG
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv", "xlsx"]), default="md", show_default=True,
              help="Markdown for people, JSON for programs; csv and xlsx: the --scenario impact for a spreadsheet")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout) / 输出文件")
@ENCODING
def diff_cmd(old: str, new: str, scenario: str | None, lang: str, fmt: str, output: str | None, encoding: str | None) -> None:
    """What changed between two versions of a policy / 比较政策的两个版本。

    Exit codes as diff(1): 0 no changes, 1 changes, 2 cannot compare (a version
    unreadable or failing its checks, or a scenario that does not fit).
    """
    from compiler.evaluate import EvaluationFailed, check_policy
    from compiler.tools.diff import compare
    from compiler.tools.diff_render import to_json, to_markdown
    from compiler.tools.impact import impact

    if fmt in ("csv", "xlsx") and scenario is None:
        click.echo(f"--format {fmt} 输出影响测算,须同时给出 --scenario" if lang == "zh" else f"--format {fmt} writes the impact: give --scenario too", err=True)
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
        emit_sheet(lambda: write_impact(impact_, fmt, lang), output, lang, [old, new, *([scenario] if scenario else [])])
    else:
        render = to_json if fmt == "json" else to_markdown
        emit(render(changes, effect if not changes.identical else None, lang), output, lang, [old, new, *([scenario] if scenario else [])])
    sys.exit(0 if changes.identical else 1)
