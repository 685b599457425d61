"""`pool new`: a first policy that checks clean, with an example, a scenario and a case file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from compiler.commands.common import LANG

POLICY = """\
# {name}:由 pool new 生成的起点。改写成你的政策:地区、参数、输入、规则、算例。
#   检查      pool check {file}
#   算例用例  pool test {folder}
#   算一年    pool run {file} {scenario}
政策 {name} {{
  依据 "(政策依据的文件名)"
  生效 2026年 至 2028年底
  地区 示例地区

  地区集 示例地区 {{ 甲区、乙区 }}

  参数 上解比例: 比例 = 5%  不低于 0%  不高于 100%
    原文 "(摘录规定这一比例的原文)"

  输入 上年度征缴收入: 金额 每地区

  资金 调剂金 结转 {{
    上解 上解额 = 上年度征缴收入 × 上解比例  自 各地区
      原文 "(摘录规定上解的原文)"
  }}

  例 "两个区的一年" {{
    已知 上年度征缴收入 = {{甲区: 2亿元, 乙区: 1亿元}}
    # 2亿元 × 5% = 1000万元;1亿元 × 5% = 500万元
    期望 上解额 = {{甲区: 1000万元, 乙区: 500万元}}
  }}
}}
"""

CASES = """\
# {name} 的用例:pool test 用情景文件算一年,核对期望值。
policy: {file}
cases:
  - name: 2026年,调剂金期初 300万元
    scenario: {scenario}
    expect:
      # 甲区 2亿元 × 5% = 1000万元;乙区 1.5亿元 × 5% = 750万元
      上解额: {{甲区: 1000万元, 乙区: 750万元}}
      # 期末 = 期初 300万元 + 上解 1750万元
      调剂金: 2050万元
"""

SCENARIO = {
    "period": 2026,
    "regions": {"甲区": {"上年度征缴收入": "200000000.00"}, "乙区": {"上年度征缴收入": "150000000.00"}},
    "state": {"调剂金": "3000000.00"},
}


@click.command()
@click.argument("path", type=click.Path())
@LANG
def new(path: str, lang: str) -> None:
    """Start a new policy / 新建政策。

    Writes a policy that checks clean (a region set, a parameter, a rule, an example),
    a one-year scenario and a case file. PATH is the folder to create (its name names the policy),
    or a NAME.pool file to write with the others beside it. Nothing that exists is overwritten.
    """
    from compiler.driver import check_source
    from compiler.fileio import write_atomic

    target = Path(path)
    folder, name = (target.parent, target.stem) if target.suffix == ".pool" else (target, target.name)
    if not name or name.startswith("."):
        click.echo(
            f"{path}: 请给出文件夹名或 名称.pool" if lang == "zh" else f"{path}: give a folder name or NAME.pool",
            err=True,
        )
        sys.exit(2)
    files = {
        folder / f"{name}.pool": "",
        folder / f"{name}.cases.yaml": "",
        folder / f"{name}_2026.json": "",
    }
    policy, cases, scenario = files
    shown = [p.name for p in files]
    files[policy] = POLICY.format(
        name=name, file=policy.as_posix(), folder=folder.as_posix(), scenario=scenario.as_posix()
    )
    if not check_source(files[policy], policy.name, folder).ok:  # a folder name that is no policy name (my-policy)
        files[policy] = POLICY.format(
            name="新政策", file=policy.as_posix(), folder=folder.as_posix(), scenario=scenario.as_posix()
        )
    files[cases] = CASES.format(name=name, file=shown[0], scenario=shown[2])
    files[scenario] = json.dumps(SCENARIO, ensure_ascii=False, indent=2) + "\n"
    existing = [p for p in files if p.exists()]
    if existing:
        click.echo(
            f"{existing[0]}: 已存在,不覆盖" if lang == "zh" else f"{existing[0]}: exists; nothing overwritten", err=True
        )
        sys.exit(2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for p, text in files.items():
            write_atomic(p, text)
    except OSError as e:
        click.echo(f"{e.filename or path}: {e.strerror or e}", err=True)
        sys.exit(2)
    for p in files:
        click.echo(f"已创建 {p.as_posix()}" if lang == "zh" else f"created {p.as_posix()}")
    run = f"pool run {policy.as_posix()} {scenario.as_posix()}"
    nxt = f"pool check {policy.as_posix()}  &&  pool test {folder.as_posix()}  &&  {run}"
    click.echo(("下一步:" if lang == "zh" else "next: ") + nxt)
