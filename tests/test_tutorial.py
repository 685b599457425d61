"""The tutorial cannot drift from the tool: the files it shows are the files in docs/tutorial/, and every
command it shows is run here and must print exactly what the tutorial says it prints.

How docs/tutorial.md and docs/tutorial.en.md are read:

- a ```pool or ```json block is a whole file: it must be byte-identical to one of docs/tutorial/*;
- a ```console block holds `$ pool …` lines, each followed by the output the tool prints (stdout and stderr,
  as a terminal shows them). Each block runs in a fresh copy of docs/tutorial/, and must exit 0;
- `<!-- tutorial-edit {"file", "from", "to", "exit"} -->` right before a console block is the deliberate
  mistake the prose asks the reader to make: that block runs on the edited file and must exit with "exit".
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial"
POLICY = TUTORIAL / "first_policy.pool"
POLICY_EN = TUTORIAL / "first_policy.en.pool"
SCENARIO = TUTORIAL / "scenario.json"
PERSONS = TUTORIAL / "persons.pool"  # the step with persons and employers (实体)
PERSONS_SCENARIO = TUTORIAL / "persons.json"
TIME = TUTORIAL / "time.pool"  # the step on time: 按年度, 前3年, 每月 values and 按月 rules
TIME_SCENARIO = TUTORIAL / "time.json"
# Each guide, and the files it must show in full.
GUIDES = {
    "tutorial.md": (POLICY, SCENARIO, PERSONS, PERSONS_SCENARIO, TIME, TIME_SCENARIO),
    "tutorial.en.md": (POLICY, SCENARIO, POLICY_EN, PERSONS, PERSONS_SCENARIO, TIME, TIME_SCENARIO),
}
STEPS = {"check", "test", "run", "compile", "explain"}

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
EDIT = re.compile(r"<!-- tutorial-edit (\{.*?\}) -->\s*\Z", re.S)


@attrs.frozen
class Edit:
    file: str
    old: str
    new: str
    exit: int


@attrs.frozen
class Console:
    where: str
    edit: Edit | None
    commands: tuple[tuple[str, str], ...]  # (command line, expected output)


def _blocks(name: str) -> list[tuple[str, str, str, str]]:
    """(where, language, body, text before the block) for every fenced block of a guide."""
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    out, last = [], 0
    for m in FENCE.finditer(text):
        where = f"{name}:{text[: m.start()].count(chr(10)) + 1}"
        out.append((where, m[1], m[2], text[last : m.start()]))
        last = m.end()
    return out


def _consoles(name: str) -> list[Console]:
    out = []
    for where, lang, body, before in _blocks(name):
        if lang != "console":
            continue
        marker = EDIT.search(before)
        edit = None
        if marker:
            e = json.loads(marker[1])
            edit = Edit(e["file"], e["from"], e["to"], e["exit"])
        commands: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                assert commands, f"{where}: output before the first `$ ` command"
                commands[-1][1].append(line)
        out.append(Console(where, edit, tuple((c, "\n".join(o)) for c, o in commands)))
    return out


CONSOLES = [c for name in GUIDES for c in _consoles(name)]


def _workdir(tmp_path: Path, edit: Edit | None = None) -> Path:
    """A fresh copy of docs/tutorial/, as the reader has it, with the mistake of the step made."""
    work = tmp_path / "work"
    shutil.copytree(TUTORIAL, work)
    if edit is not None:
        path = work / edit.file
        text = path.read_text(encoding="utf-8")
        assert text.count(edit.old) == 1, f"the edit {edit.old!r} must name exactly one place in {edit.file}"
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
    return work


def _pool(command: str) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv[0] == "pool", f"the tutorial only runs pool: {command}"
    result = CliRunner().invoke(main, argv[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _lines(text: str) -> list[str]:
    # Markdown editors strip trailing blanks; nothing else is forgiven.
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


# ------------------------------------------------------------------------------------- the files shown


@pytest.mark.parametrize("name", GUIDES)
def test_the_files_shown_are_the_files_tested(name: str) -> None:
    shown = [body for _, lang, body, _ in _blocks(name) if lang in ("pool", "json")]
    files = [path.read_text(encoding="utf-8") for path in GUIDES[name]]
    for path, text in zip(GUIDES[name], files, strict=True):
        assert text in shown, f"{name} must show {path.relative_to(ROOT)} in full, byte for byte"
    for body in shown:
        assert body in files, f"{name} shows a pool/json block that is not a file in docs/tutorial/:\n{body}"


@pytest.mark.parametrize("name", GUIDES)
def test_every_step_of_the_tutorial_is_run(name: str) -> None:
    consoles = [c for c in CONSOLES if c.where.startswith(f"{name}:")]
    run = {shlex.split(cmd)[1] for c in consoles for cmd, _ in c.commands}
    assert run >= STEPS, f"{name} does not show {STEPS - run}"
    assert any("--explain" in cmd for c in consoles for cmd, _ in c.commands)
    assert sum(c.edit is not None for c in consoles) >= 2, "the deliberate mistakes are gone"


# ------------------------------------------------------------------------------ the commands and outputs


@pytest.mark.parametrize("console", CONSOLES, ids=[c.where for c in CONSOLES])
def test_the_commands_print_what_the_tutorial_shows(
    console: Console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_workdir(tmp_path, console.edit))
    expected_exit = console.edit.exit if console.edit else 0
    for command, shown in console.commands:
        code, printed = _pool(command)
        assert _lines(printed) == _lines(shown), f"{console.where}: `{command}` prints something else"
        assert code == expected_exit, f"{console.where}: `{command}` exits {code}"
        argv = shlex.split(command)
        if "-o" in argv:
            written = Path(argv[argv.index("-o") + 1])
            assert written.stat().st_size > 0, f"{console.where}: `{command}` wrote nothing"


def test_the_policy_checks_clean_and_its_example_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    code, out = _pool("pool check --strict first_policy.pool first_policy.en.pool")
    assert code == 0, out
    assert out.count("I601") == 2  # the one open parameter, in each file
    code, out = _pool("pool test first_policy.pool first_policy.en.pool")
    assert (code, _lines(out)[-1]) == (0, "2 passed, 0 failed")


# ----------------------------------------------------------------------------- the money, worked by hand


def _fen(x: Fraction, rounding: str) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=rounding)


def _by_hand() -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Fraction]]:
    """The scenario settled independently of pool: half-up per transfer, largest remainder per allocation."""
    scenario = json.loads(SCENARIO.read_text(encoding="utf-8"))
    regions = scenario["regions"]
    rate = Fraction(5, 100)  # 上解比例, not overridden by the scenario
    assert "上解比例" not in scenario["params"]
    weight = Fraction(scenario["params"]["人数权重"].rstrip("%")) / 100
    collected = {r: _fen(Fraction(v["上年度征缴收入"]) * rate, ROUND_HALF_UP) for r, v in regions.items()}
    total = Fraction(sum(collected.values()))
    insured = {r: Fraction(v["参保人数"]) for r, v in regions.items()}
    elderly = {r: Fraction(v["老年参保人数"]) for r, v in regions.items()}
    exact = {
        r: total * (weight * insured[r] / sum(insured.values()) + (1 - weight) * elderly[r] / sum(elderly.values()))
        for r in regions
    }
    floors = {r: _fen(x, ROUND_FLOOR) for r, x in exact.items()}
    left = round((total - Fraction(sum(floors.values()))) * 100)
    order = sorted(regions, key=lambda r: -(exact[r] - Fraction(floors[r])))  # stable: ties to the earlier region
    allocated = {r: floors[r] + (Decimal("0.01") if r in order[:left] else 0) for r in regions}
    return collected, allocated, exact


def test_the_ledger_is_the_one_worked_out_by_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collected, allocated, _ = _by_hand()
    assert sum(allocated.values()) == sum(collected.values())  # every fen has a destination
    monkeypatch.chdir(_workdir(tmp_path))
    for policy in ("first_policy.pool", "first_policy.en.pool"):
        for engine in ("compiled", "interpreter"):
            code, out = _pool(f"pool run {policy} scenario.json --json --engine {engine}")
            assert code == 0, out
            values = json.loads(out)["values"]
            assert {r: Decimal(v) for r, v in values["上解额"].items()} == collected
            assert {r: Decimal(v) for r, v in values["分配额"].items()} == allocated


@pytest.mark.parametrize("name", GUIDES)
def test_the_arithmetic_in_the_prose_is_the_scenarios(name: str) -> None:
    """The guide walks through the fen by hand; its figures must be this scenario's."""
    collected, allocated, exact = _by_hand()
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    unrounded = Fraction(json.loads(SCENARIO.read_text(encoding="utf-8"))["regions"]["甲区"]["上年度征缴收入"]) / 20
    figures = [
        Decimal(unrounded.numerator) / unrounded.denominator,
        collected["甲区"],
        sum(collected.values()),
        *(Decimal(x.numerator) / x.denominator for x in exact.values()),
        allocated["甲区"],
    ]
    for figure in figures:
        assert f"{figure:,}" in text, f"{name} should show {figure:,} in its hand calculation"


# -------------------------------------------------------------------------- what compile and explain make


def test_the_evaluator_excerpt_is_in_the_compiled_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    assert _pool("pool compile first_policy.pool -o evaluator.py")[0] == 0
    module = Path("evaluator.py").read_text(encoding="utf-8")
    compile(module, "evaluator.py", "exec")
    for name in GUIDES:
        excerpts = [body for _, lang, body, _ in _blocks(name) if lang == "python"]
        assert excerpts, f"{name} shows no excerpt of the evaluator"
        for excerpt in excerpts:
            assert excerpt in module, f"{name}: the excerpt is not in what pool compile writes:\n{excerpt}"


@pytest.mark.parametrize(
    ("lang", "open_word", "results"),
    [("zh", "待定", ("920万元", "600万元", "480万元")), ("en", "open", ("¥9,200,000", "¥6,000,000", "¥4,800,000"))],
)
def test_the_explainer_shows_the_open_parameter_and_the_example(
    lang: str, open_word: str, results: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    assert _pool(f"pool explain first_policy.pool --lang {lang} -o explainer.html")[0] == 0
    page = Path("explainer.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "某市市级调剂金" in page and "三个区县的一年" in page
    # the parameter table marks 人数权重 as open, as the tutorial says
    assert re.search(rf"人数权重</td>\s*<td[^>]*>\s*<strong[^>]*>{open_word}</strong>", page)
    for figure in results:
        assert figure in page


def test_english_keywords_make_the_same_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """first_policy.en.pool is first_policy.pool with English keywords: same ledger, same explainer."""
    monkeypatch.chdir(_workdir(tmp_path))
    zh, en = (_pool(f"pool run {p} scenario.json --json")[1] for p in ("first_policy.pool", "first_policy.en.pool"))
    assert json.loads(zh) == json.loads(en)
    zh, en = (_pool(f"pool explain {p} --format md")[1] for p in ("first_policy.pool", "first_policy.en.pool"))
    assert zh == en.replace("first_policy.en.pool", "first_policy.pool")
    assert "上解 上解额" not in POLICY_EN.read_text(encoding="utf-8")  # it really is the English form


# ---------------------------------------------------------------------- the step on time, worked by hand


@attrs.frozen
class TimeByHand:
    base: Fraction  # 上解基数: the mean of the three years before
    levy: Decimal  # 调剂金上解
    budget: Decimal
    costs: tuple[Decimal, ...]  # 费用, January first
    prepaid: tuple[Decimal, ...]  # 预结算(1月) … 预结算(12月)
    closing: Decimal  # 市级调剂金 at the year's end


def _time_by_hand() -> TimeByHand:
    """time.json settled independently of pool: 4% in the policy's first year (2025) and 3% after, on the mean of
    the three years before; each month min(costs so far, budget × month ÷ 12) less what was paid, never below 0."""
    scenario = json.loads(TIME_SCENARIO.read_text(encoding="utf-8"))
    year = scenario["period"]
    (county,) = scenario["regions"]
    data = scenario["regions"][county]
    earlier = [Fraction(scenario["history"][str(year - n)]["regions"][county]["征缴收入"]) for n in (1, 2, 3)]
    base = sum(earlier) / 3
    rate = Fraction(4, 100) if year == 2025 else Fraction(3, 100)
    levy = _fen(base * rate, ROUND_HALF_UP)
    budget = Fraction(data["预算"])
    costs = [Fraction(c) for c in data["费用"]]
    assert len(costs) == 12
    prepaid: list[Decimal] = []
    for month in range(1, 13):
        due = max(min(sum(costs[:month]), budget * month / 12) - sum(map(Fraction, prepaid)), Fraction(0))
        prepaid.append(_fen(due, ROUND_HALF_UP))
    assert sum(prepaid) <= levy  # the fund never runs short, so 不足时 按比例 takes nothing away
    return TimeByHand(
        base, levy, Decimal(data["预算"]), tuple(map(Decimal, data["费用"])), tuple(prepaid), levy - sum(prepaid)
    )


def test_the_time_policy_checks_clean_and_its_example_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    code, out = _pool("pool check --strict time.pool")
    assert (code, _lines(out)) == (0, ["0 个错误,0 个警告,0 个提示"])
    code, out = _pool("pool test time.pool")
    assert (code, _lines(out)[-1]) == (0, "1 passed, 0 failed")


@pytest.mark.parametrize("engine", ["compiled", "interpreter", "vector"])
def test_the_time_ledger_is_the_one_worked_out_by_hand(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand = _time_by_hand()
    monkeypatch.chdir(_workdir(tmp_path))
    code, out = _pool(f"pool run time.pool time.json --json --engine {engine}")
    assert code == 0, out
    result = json.loads(out)
    values = result["values"]
    assert values["调剂金上解"] == {"甲县": f"{hand.levy}"}
    assert [Decimal(values[f"预结算({m}月)"]["甲县"]) for m in range(1, 13)] == list(hand.prepaid)
    assert Decimal(result["state"]["市级调剂金"]) == hand.closing
    # each month's prepayment falls due on the month's last day; the yearly levy has no due date
    dues = {t["rule"]: t.get("due") for t in result["transfers"]}
    assert dues["调剂金上解"] is None
    assert [dues[f"预结算({m}月)"] for m in (1, 2, 12)] == ["2026-01-31", "2026-02-28", "2026-12-31"]


@pytest.mark.parametrize("name", GUIDES)
def test_the_arithmetic_in_the_prose_is_the_time_scenarios(name: str) -> None:
    """The step on time checks the ledger by hand; its figures must be time.json's."""
    hand = _time_by_hand()
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    scenario = json.loads(TIME_SCENARIO.read_text(encoding="utf-8"))
    earlier = [Decimal(y["regions"]["甲县"]["征缴收入"]) for y in scenario["history"].values()]
    progress = hand.budget / 12
    figures = [
        *earlier,
        Decimal(hand.base.numerator) / hand.base.denominator,
        hand.levy,
        hand.budget,
        progress,
        hand.costs[0],  # January, above the progress
        hand.costs[0] - progress,  # January's costs left for February
        hand.costs[1],
        *hand.prepaid[:4],
        sum(hand.costs),  # the year's costs, above the budget
        sum(hand.prepaid[:11]),  # paid January to November
        hand.prepaid[11],
        hand.costs[11],
        sum(hand.prepaid),
        hand.closing,
    ]
    for figure in figures:
        assert f"{figure:,.2f}" in text, f"{name} should show {figure:,.2f} in its hand calculation"
    assert f"{hand.levy:,.2f} − {sum(hand.prepaid):,.2f} = {hand.closing:,.2f}" in text
