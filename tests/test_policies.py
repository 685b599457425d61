"""The bundled policies check clean, and a drafter's slips on them are caught at the right line."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from compiler.driver import check_file
from compiler.messages import Severity
from compiler.source import Span

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
STDLIB = sorted((ROOT / "stdlib").rglob("*.pool"))


@pytest.mark.parametrize("path", POLICIES + STDLIB, ids=lambda p: p.name)
def test_policy_has_no_errors_or_warnings(path: Path) -> None:
    result = check_file(path)
    assert [d.message("zh") for d in result.diagnostics if d.severity is not Severity.NOTE] == []


@pytest.mark.parametrize("path", POLICIES + STDLIB, ids=lambda p: p.name)
def test_pool_test_passes_and_every_policy_that_moves_money_has_examples(path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import main

    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 0, result.output
    checked = check_file(path).policy
    assert checked is not None
    if checked.scope.rules:
        assert "✓" in result.output and "✗" not in result.output


def test_guizhou_open_parameters_are_exactly_the_ones_the_text_leaves_open() -> None:
    result = check_file(GUIZHOU)
    opened = sorted(d.message("en") for d in result.diagnostics if d.code == "I601")
    assert opened == [
        "parameter ‘参保人数权重’ is open: a scenario must supply it",
        "parameter ‘支出增幅警戒线’ is open: a scenario must supply it",
        "parameter ‘附加上解比例’ is open: a scenario must supply it",
    ]


def _mutate(tmp_path: Path, old: str, new: str, count: int = 1) -> tuple[Path, int]:
    text = GUIZHOU.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / "mutant.pool"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path, line


def _errors(path: Path) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in check_file(path).diagnostics if d.severity is Severity.ERROR]


def test_share_changed_to_40_percent(tmp_path: Path) -> None:
    path, _ = _mutate(tmp_path, "令 年龄结构权重 = 100% - 参保人数权重", "令 年龄结构权重 = 40% - 参保人数权重")
    [(code, line)] = _errors(path)
    weights_line = (
        GUIZHOU.read_text(encoding="utf-8")
        .splitlines()
        .index(next(line for line in GUIZHOU.read_text(encoding="utf-8").splitlines() if "按 { 参保人数" in line))
        + 1
    )
    assert (code, line) == ("E402", weights_line)


def test_misspelt_name(tmp_path: Path) -> None:
    path, line = _mutate(tmp_path, "同比增量 × 增量扣除比例, 0)", "同比增量 × 增量扣除比率, 0)")
    assert _errors(path) == [("E201", line)]


def test_fullwidth_colon_typed_for_ascii_is_accepted(tmp_path: Path) -> None:
    path, _ = _mutate(tmp_path, "参数 增量扣除比例: 比例", "参数 增量扣除比例： 比例")
    assert _errors(path) == []


def test_stray_fullwidth_colon_is_reported_on_its_line(tmp_path: Path) -> None:
    path, line = _mutate(tmp_path, "输入 参保人数: 人数 每地区", "输入 参保人数: 人数 ：每地区")
    assert _errors(path) == [("E101", line)]


def test_floor_removed_makes_the_remittance_possibly_negative(tmp_path: Path) -> None:
    old = "令 按实际标准上解额 = 取大(上年度征缴收入 × 基础上解比例 - 同比增量 × 增量扣除比例, 0)"
    new = "令 按实际标准上解额 = 上年度征缴收入 × 基础上解比例 - 同比增量 × 增量扣除比例"
    path, _ = _mutate(tmp_path, old, new)
    assert [c for c, _ in _errors(path)] == ["E406"]


def test_over_cap_part_without_destination_is_caught(tmp_path: Path) -> None:
    path, _ = _mutate(tmp_path, "分配 绩效分配额 = 剩余", "分配 绩效分配额 = 全部 × 50%")
    [(code, line)] = _errors(path)
    assert code == "E407"
    assert "资金 附加调剂金" in GUIZHOU.read_text(encoding="utf-8").splitlines()[line - 1]


def _spans_valid(path: Path, text: str) -> None:
    lines = text.splitlines() or [""]
    for d in check_file(path).diagnostics:
        assert 1 <= d.span.line <= len(lines) + 1, d
        assert d.span.column >= 1, d
        d.message("zh"), d.message("en")  # every template fills


def test_file_cut_anywhere_gives_diagnostics_never_a_traceback(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    path = tmp_path / "cut.pool"
    for cut in range(0, len(text), max(1, len(text) // 60)):
        path.write_text(text[:cut], encoding="utf-8")
        _spans_valid(path, text[:cut])


def test_cut_in_half_reports_the_end_of_file(tmp_path: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    cut = text.index("\n", len(text) // 2) + 1
    path = tmp_path / "half.pool"
    path.write_text(text[:cut], encoding="utf-8")
    errors = _errors(path)
    assert len(errors) == 1 and errors[0][0] in ("E103", "E101")
    assert errors[0][1] >= text[:cut].count("\n") - 1


def _nodes(node: object) -> list[object]:
    out = [node]
    if attrs.has(type(node)):
        for f in attrs.fields(type(node)):
            out += _nodes(getattr(node, f.name))
    elif isinstance(node, tuple):
        for x in node:
            out += _nodes(x)
    return out


def test_every_ir_node_is_frozen_and_carries_a_span() -> None:
    program = check_file(GUIZHOU).program
    assert program is not None
    nodes = [n for n in _nodes(program.main) if attrs.has(type(n)) and not isinstance(n, Span)]
    assert len(nodes) > 300
    for n in nodes:
        assert type(n).__attrs_attrs__ is not None
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(n, attrs.fields(type(n))[0].name, None)
        assert isinstance(n.span, Span), type(n)


def test_only_the_parsing_layer_imports_lark() -> None:
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "compiler").rglob("*.py")
        if "parsing" not in p.parts and re.search(r"^\s*(import lark|from lark)", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
