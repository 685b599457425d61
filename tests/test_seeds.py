"""docs/seeds.md maps every row of the seeds README to declarations: they must exist.

A rename or a deleted rule in a policy makes the checklist lie; this test catches it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.driver import check_file
from compiler.ir import nodes as ir

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DOC = ROOT / "docs" / "seeds.md"
SECTIONS = re.split(r"^## ", SEEDS_DOC.read_text(encoding="utf-8"), flags=re.M)[1:]


def _policy_sections() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    out = []
    for section in SECTIONS:
        head, *lines = section.splitlines()
        m = re.search(r"`(policies/[\w.]+\.pool)`", head)
        assert m, head
        rows = []
        for line in lines:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and not set(cells[1]) <= set("-") and cells[0] != "要编码的内容 What to encode":
                rows.append((cells[0], re.findall(r"`([^`]+)`", cells[2])))
        out.append((m[1], rows))
    return out


CASES = _policy_sections()


def test_every_seed_has_a_section() -> None:
    seeds = sorted(p.name[:3] for p in (ROOT.parent / "shared" / "seeds").glob("0*.txt"))
    covered = {re.match(r"(\d{3})", s)[1] for s in SECTIONS if re.match(r"\d{3}", s)}  # type: ignore[index]
    assert not seeds or set(seeds) <= covered


@pytest.mark.parametrize(("policy", "rows"), CASES, ids=[c[0] for c in CASES])
def test_every_named_declaration_exists(policy: str, rows: list[tuple[str, list[str]]]) -> None:
    checked = check_file(ROOT / policy).policy
    assert checked is not None, policy
    scope = checked.scope
    decls = [d for _m, d in checked.program.all_decls()]
    has = {
        "时间表": any(isinstance(d, ir.Timeline) for d in decls),
        "任务表": any(isinstance(d, ir.TaskTable) for d in decls),
    }
    # A value or rule kept per month is named as written (月度预结算额), as well as by its months' copies.
    written = {c.base for d in scope.values.values() if (c := getattr(d, "sub_copy", None)) is not None}
    for item, names in rows:
        for name in names:
            if name.startswith("stdlib/"):
                assert (ROOT / f"{name}.pool").exists(), (item, name)
                continue
            known = has.get(name, False) or name in scope.values or name in scope.parties or name in scope.enums
            known = known or name in written
            assert known, f"{policy}: “{item}” names {name}, which the policy does not declare"
