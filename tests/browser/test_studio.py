"""The studio page in a real browser: Debian's Chromium driven by Playwright (never a
browser Playwright downloads). Skipped only where Chromium is missing and CI is not set;
in CI these run. Screenshots go to the pytest temporary folder (printed), or to
$POOL_ARTIFACTS when set."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)

# Imported after the skip: where CI is set, a missing package fails here, as it should.
from playwright.sync_api import Page, expect, sync_playwright

from compiler.serve.app import create_app
from compiler.serve.background import running
from compiler.serve.catalog import Catalog, bundled_dir
from compiler.serve.service import Service

ROOT = Path(__file__).resolve().parent.parent.parent
GUIZHOU = ROOT / "policies" / "guizhou_risk_adjustment.pool"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Runs before the page's own script: records every CSP violation, for the last test to read.
PROBE = (
    "window.__violations = []; document.addEventListener('securitypolicyviolation', "
    "e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = (
        Path(os.environ["POOL_ARTIFACTS"])
        if os.environ.get("POOL_ARTIFACTS")
        else tmp_path_factory.mktemp("studio-screenshots")
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"studio screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    folder = bundled_dir()
    assert folder is not None
    with running(create_app(Service(Catalog([(folder, "bundled")])), hosts={"127.0.0.1"})) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM is not None, "CI is set but Chromium is missing: .ci/run installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.add_init_script(PROBE)
    errors: list[str] = []
    outside: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:", "about:")) else None
    )
    pg.goto(base + "/")
    pg.select_option("#policy", "guizhou_risk_adjustment")
    pg.wait_for_selector("#ledger tbody tr[data-rule='基础上解额']")
    yield pg
    assert errors == [], errors
    assert outside == [], f"the page reached outside the server: {outside}"
    assert pg.evaluate("window.__violations") == []
    context.close()


def ledger_amount(page: Page, rule: str, source: str) -> str:
    return page.inner_text(f"#ledger tbody tr[data-rule='{rule}'][data-from='{source}'] td.amount")


def test_a_misspelt_name_is_marked_at_its_line(page: Page, artifacts: Path) -> None:
    text = GUIZHOU.read_text(encoding="utf-8")
    lines = text.split("\n")
    line = next(i for i, s in enumerate(lines, 1) if s.strip().startswith("令 按实际标准上解额"))
    word = "上年度征缴收入"
    # Put the caret after the word on that line, then type over its last character, as a drafter would.
    at = sum(len(s) + 1 for s in lines[: line - 1]) + lines[line - 1].index(word) + len(word)
    page.evaluate(
        f"(() => {{ const s = document.getElementById('source'); s.focus(); s.setSelectionRange({at}, {at}); }})()"
    )
    page.keyboard.press("Backspace")
    page.keyboard.type("人")
    page.wait_for_selector(f"#gutter span.err[data-line='{line}']")
    item = page.inner_text("#diagnostics li[data-code='E201']")
    assert item.startswith(f"第 {line} 行第 ") and "未定义" in item and "上年度征缴收人" in item
    assert "你是不是想写“上年度征缴收入”" in item
    assert page.inner_text("#summary").startswith("1 个错误")
    assert page.inner_text("#highlight mark.error") == "上年度征缴收人"
    assert "政策有错误" in page.inner_text("#errors")
    page.screenshot(path=str(artifacts / "misspelt-name.png"))
    # Fixing it clears the mark and the ledger comes back.
    page.keyboard.press("Backspace")
    page.keyboard.type("入")
    page.wait_for_selector("#ledger tbody tr[data-rule='基础上解额']")
    assert page.query_selector("#gutter span.err") is None


def test_changing_a_citys_income_changes_the_ledger(page: Page, artifacts: Path) -> None:
    assert ledger_amount(page, "基础上解额", "贵阳市") == "50,000,000.00"
    # By hand: 贵阳市 950,000,000 this year, 900,000,000 the year before, so the increment is
    # 50,000,000; 10% of 950,000,000 less half the increment = 95,000,000 − 25,000,000 = 70,000,000.
    field = page.locator("input[data-field='regions.贵阳市.上年度征缴收入']")
    field.fill("950000000")
    # (expect polls from outside the page: the page's CSP forbids the eval that wait_for_function uses)
    expect(page.locator("#ledger tr[data-rule='基础上解额'][data-from='贵阳市'] td.amount")).to_have_text(
        "70,000,000.00"
    )
    assert ledger_amount(page, "基础上解额", "遵义市") == "80,000,000.00"
    page.click("#ledger tr[data-rule='基础上解额'][data-from='贵阳市'] td.amount a")
    expect(page.locator("#trace")).to_contain_text("基础上解额@贵阳市 = 70,000,000.00元")
    expect(page.locator("#trace")).to_contain_text("上年度征缴收入@贵阳市 = 950,000,000.00元")
    page.click("#values-block summary")
    assert page.inner_text("#values tr[data-value='同比增量']").split("\t")[-3:] == [
        "50000000.00",
        "0.00",
        "10000000.00",
    ]
    assert page.query_selector("#flow-svg svg g.edge") is not None
    page.screenshot(path=str(artifacts / "ledger-after-change.png"), full_page=True)
    # A value the scenario reader refuses is marked at its cell, with the reader's message.
    field.fill("abc")
    page.wait_for_selector("input[data-field='regions.贵阳市.上年度征缴收入'].invalid")
    assert "“abc”不是数字" in page.inner_text("#errors")


def test_uploading_the_bundled_scenario_as_xlsx_fills_the_table(page: Page, tmp_path: Path) -> None:
    from compiler.driver import check_file
    from compiler.scenario import load
    from compiler.sheets import template_bytes

    data = json.loads((ROOT / "policies" / "scenarios" / "guizhou_2026.json").read_text(encoding="utf-8"))
    data["regions"]["遵义市"]["上年度征缴收入"] = "900000000.00"  # so that the upload, not the sample, is what shows
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    checked = check_file(GUIZHOU).policy
    assert checked is not None
    scenario, errors = load(edited, checked)
    assert scenario is not None, errors
    upload = tmp_path / "贵州2026.xlsx"
    upload.write_bytes(template_bytes(checked, "xlsx", scenario))  # pool's own fill-in workbook, filled
    page.set_input_files("#upload", str(upload))
    expect(page.locator("#loaded")).to_have_text("已读入 贵州2026.xlsx")
    expect(page.locator("input[data-field='regions.遵义市.上年度征缴收入']")).to_have_value(
        "900000000"
    )  # a number cell
    # 遵义市: 10% of 900,000,000, less half the increment of 100,000,000 = 90,000,000 − 50,000,000.
    expect(page.locator("#ledger tr[data-rule='基础上解额'][data-from='遵义市'] td.amount")).to_have_text(
        "40,000,000.00"
    )
    # The bundled CSV (万元 cells, thousands separators) gives the bundled ledger back.
    page.set_input_files("#upload", str(ROOT / "policies" / "scenarios" / "guizhou_2026.csv"))
    expect(page.locator("#ledger tr[data-rule='基础上解额'][data-from='遵义市'] td.amount")).to_have_text(
        "80,000,000.00"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_results_download_as_pool_run_writes_them(page: Page, fmt: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import main

    out = tmp_path / f"cli.{fmt}"
    ran = CliRunner().invoke(
        main,
        [
            "run",
            str(GUIZHOU),
            str(ROOT / "policies" / "scenarios" / "guizhou_2026.json"),
            "--format",
            fmt,
            "-o",
            str(out),
        ],
    )
    assert ran.exit_code == 0, ran.output
    with page.expect_download() as got:
        page.click("#dl-results" if fmt == "csv" else "#dl-results-xlsx")
    assert got.value.suggested_filename == f"results.{fmt}"
    assert Path(got.value.path()).read_bytes() == out.read_bytes()


def test_the_scenario_downloads_as_json(page: Page) -> None:
    with page.expect_download() as got:
        page.click("#dl-scenario")
    scenario = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert scenario["regions"]["贵阳市"]["上年度征缴收入"] == "1000000000.00"


def test_switching_to_english(page: Page, artifacts: Path) -> None:
    page.click("#lang")
    expect(page.locator("h1")).to_have_text("pool studio")
    assert page.inner_text("#tab-data-button") == "Scenario and results"
    expect(page.locator("#summary")).to_have_text("0 error(s), 0 warning(s), 3 note(s)")
    assert "parameter" in page.inner_text("#diagnostics li")
    page.click("#tab-explainer-button")
    frame = page.frame_locator("#explainer")
    frame.locator("h2").first.wait_for()
    assert frame.locator("html").get_attribute("lang") == "en"
    assert frame.locator("h2").first.inner_text().startswith("1. ")  # an English section heading, not 一、
    page.screenshot(path=str(artifacts / "english-explainer.png"))
    page.click("#lang")
    expect(page.locator("h1")).to_have_text("pool 工作室")


def test_every_bundled_policy_opens_and_its_sample_settles(page: Page) -> None:
    names = page.eval_on_selector_all("#policy option", "options => options.map(o => o.value).filter(Boolean)")
    assert "ningbo_city_pooling" in names and len(names) >= 5
    for name in names:
        page.select_option("#policy", name)  # starts the requests at once: data-busy is above 0 until all are answered
        page.wait_for_selector("body[data-busy='0']")
        assert page.input_value("#source") == (ROOT / "policies" / f"{name}.pool").read_text(encoding="utf-8")
        assert page.inner_text("#summary").startswith("0 个错误"), name
        if page.eval_on_selector_all("#sample option", "options => options.filter(o => o.value).length"):
            assert page.inner_text("#errors") == "", name
            assert page.locator("#ledger tbody tr").count() > 0, name
