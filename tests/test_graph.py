"""`pool graph`: the dependency graph as Graphviz DOT, one cluster per fund.

The DOT is read back with a small parser of the subset `pool graph` writes, so the
structure is checked without Graphviz; where `dot` is installed it must accept it too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.evaluate import check_policy
from compiler.ir.subperiods import written  # a value as the graph draws it: once for all its months
from compiler.tools.graph import quote, to_dot

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"

TOKEN = re.compile(r'\s+|//[^\n]*|"(?:\\.|[^"\\])*"|->|[{}\[\];=,]|[\w.#-]+', re.S)


def tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        assert m is not None, f"cannot read the DOT at {text[pos : pos + 40]!r}"
        if not m[0].isspace() and not m[0].startswith("//"):
            out.append(m[0])
        pos = m.end()
    return out


def unquote(tok: str) -> str:
    assert tok.startswith('"') and tok.endswith('"'), tok
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], tok[1:-1], flags=re.S)


@attrs.define
class Dot:
    nodes: dict[str, dict[str, str]] = attrs.Factory(dict)  # id → attributes
    cluster_of: dict[str, str] = attrs.Factory(dict)  # node id → its cluster's label
    edges: list[tuple[str, str, dict[str, str]]] = attrs.Factory(list)

    def node(self, label_first_line: str) -> str:
        [found] = [i for i, a in self.nodes.items() if a["label"].split("\n")[0] == label_first_line]
        return found


def parse(text: str) -> Dot:
    """The statements `pool graph` writes: node and edge statements with attribute lists,
    `graph/node/edge [...]` defaults, and `subgraph cluster_N { graph [label=...]; ... }`."""
    toks = tokens(text)
    assert toks[:3] == ["digraph", "pool", "{"] and toks[-1] == "}"
    depth = 0
    for t in toks:  # balanced braces, never below zero
        depth += {"{": 1, "}": -1}.get(t, 0)
        assert depth >= 0
    assert depth == 0
    dot = Dot()
    i, clusters = 3, [""]

    def attrs_at(j: int) -> tuple[dict[str, str], int]:
        got: dict[str, str] = {}
        if j < len(toks) and toks[j] == "[":
            j += 1
            while toks[j] != "]":
                key, eq, value = toks[j], toks[j + 1], toks[j + 2]
                assert eq == "=" and re.fullmatch(r"\w+", key), (key, eq)
                got[key] = unquote(value) if value.startswith('"') else value
                j += 3
                if toks[j] == ",":
                    j += 1
            j += 1
        assert toks[j] == ";", toks[j - 3 : j + 1]
        return got, j + 1

    while i < len(toks) - 1:
        t = toks[i]
        if t == "subgraph":
            assert re.fullmatch(r"cluster_\d+", toks[i + 1]) and toks[i + 2] == "{"
            assert toks[i + 3] == "graph"
            got, i = attrs_at(i + 4)
            clusters.append(got["label"])
        elif t == "}":
            clusters.pop()
            i += 1
        elif t in ("graph", "node", "edge"):
            _, i = attrs_at(i + 1)
        elif i + 1 < len(toks) and toks[i + 1] == "->":
            got, i2 = attrs_at(i + 3)
            dot.edges.append((t, toks[i + 2], got))
            i = i2
        else:
            assert re.fullmatch(r"n\d+", t), t
            got, i = attrs_at(i + 1)
            assert t not in dot.nodes, f"{t} declared twice"
            dot.nodes[t] = got
            if clusters[-1]:
                dot.cluster_of[t] = clusters[-1]
    assert clusters == [""]
    return dot


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("policy", POLICIES, ids=[p.stem for p in POLICIES])
def test_every_bundled_policy_gives_a_well_formed_graph(policy: Path) -> None:
    checked = check_policy(policy)
    text = to_dot(checked)
    dot = parse(text)
    for a, b, _ in dot.edges:
        assert a in dot.nodes and b in dot.nodes, (a, b)
    for name in [*checked.scope.values, *checked.scope.parties]:
        dot.node(written(name))  # exactly one node for each declared value, fund and party (months: once)
    for rule in checked.scope.rules:
        where = dot.cluster_of.get(dot.node(written(rule.name.text)))
        assert where == (f"资金 {rule.fund.text}" if rule.fund is not None else None), rule.name.text
    for fund in checked.scope.funds:
        assert dot.cluster_of[dot.node(fund)] == f"资金 {fund}"
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tplain"], input=text.encode(), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()


def test_edges_follow_what_each_value_reads_and_where_the_money_goes() -> None:
    dot = parse(to_dot(check_policy(GUIZHOU)))
    n = dot.node
    kinds = {(a, b): e["class"] for a, b, e in dot.edges}
    assert kinds[n("基础上解比例"), n("按实际标准上解额")] == "data"
    assert kinds[n("按实际标准上解额"), n("基础上解额")] == "data"
    # 上解: each region → rule → its fund; 分配: fund → rule → each region.
    assert kinds[n("各地区"), n("基础上解额")] == "money"
    assert kinds[n("基础上解额"), n("基础调剂金")] == "money"
    assert kinds[n("基础调剂金"), n("基础分配额")] == "money"
    assert kinds[n("基础分配额"), n("各地区")] == "money"
    # 留存 moves money from one fund's cluster into another fund.
    assert kinds[n("附加留存额"), n("省级留存")] == "money"
    assert (n("基础分配额"), n("基础调剂金")) not in kinds
    styles = {e["class"]: (e.get("style"), e["color"]) for _, _, e in dot.edges}
    assert styles["money"][0] == "bold" and styles["money"] != styles["data"]
    # An open parameter says so in its label.
    assert dot.nodes[n("附加上解比例")]["label"] == "附加上解比例\n参数 待定"


HOSTILE = r"""
政策 node {
  参数 digraph: 比例 = 10%  原文 "he said \"stop\" } { -> ; \\N \\ [label=x]\nsecond line"
  输入 subgraph: 金额 每地区  原文 “引号"}{”
  资金 cluster_1 {
    上解 edge = subgraph × digraph  自 各地区  原文 "a\\"
    分配 分配额 = 全部  至 各地区  按 subgraph  原文 "\t\""
  }
}
"""


def test_hostile_names_and_quotes_cannot_break_the_dot(tmp_path: Path) -> None:
    policy = tmp_path / "hostile.pool"
    policy.write_text(HOSTILE, encoding="utf-8")
    code, text, err = run("graph", policy, "--lang", "en")
    assert code == 0, err
    dot = parse(text)
    param = dot.nodes[dot.node("digraph")]
    # The 原文, newline and backslashes included, comes back exactly from the tooltip.
    assert param["tooltip"].split("\n")[:2] == ['he said "stop" } { -> ; \\N \\ [label=x]', "second line"]
    assert dot.nodes[dot.node("edge")]["tooltip"].startswith("a\\\n")
    assert dot.cluster_of[dot.node("edge")] == "fund cluster_1"
    assert dot.cluster_of[dot.node("分配额")] == "fund cluster_1"
    name = {i: a["label"].split("\n")[0] for i, a in dot.nodes.items()}
    assert sorted((name[a], name[b], e["class"]) for a, b, e in dot.edges) == sorted(
        [
            ("digraph", "edge", "data"),
            ("subgraph", "edge", "data"),
            ("subgraph", "分配额", "data"),
            ("each region", "edge", "money"),
            ("edge", "cluster_1", "money"),
            ("cluster_1", "分配额", "money"),
            ("分配额", "each region", "money"),
        ]
    )
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tplain"], input=text.encode(), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
        assert len([line for line in done.stdout.decode().splitlines() if line.startswith("node ")]) == len(dot.nodes)


def test_quote_escapes_what_dot_would_read() -> None:
    assert quote('a"b') == r'"a\"b"'
    assert quote("a\\") == r'"a\\"'
    assert quote("one\ntwo\r\nthree") == r'"one\ntwo\nthree"'
    assert quote("tab\there\x00") == '"tab here "'
    assert quote("贵州") == '"贵州"'


def test_the_same_bytes_under_any_hash_seed() -> None:
    script = (
        "import sys\nfrom compiler.evaluate import check_policy\nfrom compiler.tools.graph import to_dot\n"
        "for p in sys.argv[1:]:\n    sys.stdout.write(to_dot(check_policy(p)))\n"
    )
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, *map(str, POLICIES)], capture_output=True, env=env, cwd=ROOT, check=True
        )
        outs.add(done.stdout)
    assert len(outs) == 1
    assert outs.pop().count(b"digraph pool {") == len(POLICIES)


def test_output_file_is_written_and_nothing_printed(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    code, out, _ = run("graph", GUIZHOU, "-o", target)
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == to_dot(check_policy(GUIZHOU))


def test_svg_without_graphviz_is_a_clear_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    target = tmp_path / "g.svg"
    code, out, err = run("graph", GUIZHOU, "--format", "svg", "-o", target)
    assert (code, out) == (2, "")
    assert "未安装 Graphviz:找不到 dot 命令" in err
    assert not target.exists()
    code, _, err = run("graph", GUIZHOU, "--format", "svg", "--lang", "en")
    assert code == 2 and "Graphviz is not installed" in err


def test_svg_when_dot_fails_is_exit_2_with_its_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda _name: str(fake))
    code, out, err = run("graph", GUIZHOU, "--format", "svg")
    assert (code, out) == (2, "")
    assert "dot 未能生成 SVG:Error: syntax error in line 1" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_with_graphviz(tmp_path: Path) -> None:
    target = tmp_path / "g.svg"
    code, out, err = run("graph", GUIZHOU, "--format", "svg", "-o", target)
    assert (code, out, err) == (0, "", "")
    svg = target.read_text(encoding="utf-8")
    assert "<svg" in svg and "基础调剂金" in svg and "资金 省级留存" in svg
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_policy_with_errors_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pool"
    bad.write_text("参数 甲: 比例 = 10%\n令 乙 = 丙 × 甲\n", encoding="utf-8")
    code, out, err = run("graph", bad)
    assert (code, out) == (1, "")
    assert "错误[E201]" in err and "丙" in err
    code, out, err = run("graph", tmp_path / "nowhere.pool")
    assert (code, out) == (2, "")
    assert "无法读取文件" in err
