"""The HTML explainers in a real browser: scripts/check_html_in_chromium.py's checks, run by the suite.

Each bundled policy's public zh page is opened in headless Chromium: the sections it should have,
the diagram, sorting, no network request and no CSP violation, a screenshot, and the printed PDF
at most six A4 pages. Skipped only where Chromium is missing outside CI; in CI it must run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pool"))
BROWSER = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

if BROWSER is None and not os.environ.get("CI"):
    pytest.skip("no Chromium here (apt-get install chromium fonts-noto-cjk); CI installs it", allow_module_level=True)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_html_in_chromium", ROOT / "scripts" / "check_html_in_chromium.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("policy", POLICIES, ids=[p.stem for p in POLICIES])
def test_public_page_in_chromium(policy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert BROWSER is not None, "CI is set but Chromium is missing: .ci/run installs it"
    script = _script()
    monkeypatch.chdir(ROOT)  # the committed explainers are made from the checkout, with relative paths
    r = script.check(BROWSER, policy.relative_to(ROOT), "zh", tmp_path)
    assert not r.problems, "\n".join(r.problems)
    assert r.screenshot is not None and r.screenshot.stat().st_size > 10_000
    pages = int(r.pdf_pages.split()[0])
    assert 1 <= pages <= script.MAX_PAGES and "A4" in r.pdf_pages, r.pdf_pages
