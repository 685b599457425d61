"""`pool run --engine vector`: one period on the vectorized backend, for millions of entities.

    checked, scen, out = settle_vector(policy, scenario, {"参保人员": "persons.parquet"})
    rows = ledger_rows(out, detail=())          # the ledger totalled per rule and region
    data = results_parquet(out)                 # one row per entity and rule amount (bytes)

The scenario gives the period, parameters, global and per-region inputs and opening
balances; the entities come from its `entities` records or from Parquet/CSV files
(compiler/entity_files.py). Nothing is materialised per entity as a Python object: the
backend keeps per-entity amounts as arrays (compiler/vector/flows.py) and totals them per
region exactly. `settle_columns` is the seam another engine (a chunked or Dask one) can
replace: it takes the checked policy, the scenario and the columnar entities, and gives a
BatchResult of one draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from compiler.entity_files import EntityData, FilesRefused, pyarrow_modules, read_entities
from compiler.evaluate import EvaluationFailed, check_policy, load_scenario, under_readings
from compiler.interpreter import PeriodResult, Transfer
from compiler.interpreter.values import Scalar
from compiler.ir.checked import CheckedPolicy
from compiler.ledger import Row, compact, dated, falling_due
from compiler.plan import Plan
from compiler.runtime import Entities, entity_account
from compiler.scenario import Scenario
from compiler.vector import BatchError, BatchResult, EntityFlow, VectorOverflow, batch_of, run_batch


def settle_vector(
    policy: str | Path,
    scenario: str | Path,
    files: dict[str, str],
    encoding: str | None = None,
    readings: dict[str, str] | None = None,
) -> tuple[CheckedPolicy, Scenario, BatchResult]:
    """One period on the vector engine; EvaluationFailed (exit 2) for bad files or a failed settlement."""
    checked, scen = load_policy_and_scenario(policy, scenario, encoding, readings)
    data, scen = load_files(checked, scen, scenario, files)
    return checked, scen, settled(checked, scenario, lambda: settle_columns(checked, scen, data))


def load_policy_and_scenario(
    policy: str | Path, scenario: str | Path, encoding: str | None, readings: dict[str, str] | None
) -> tuple[CheckedPolicy, Scenario]:
    """The checked policy under the readings asked for, and the scenario read against it."""
    checked = check_policy(policy)
    scen = load_scenario(checked, scenario, encoding)
    chosen = under_readings(checked, scen.readings, readings or {})
    if chosen is not checked:
        checked, scen = chosen, load_scenario(chosen, scenario, encoding)
    return checked, scen


def load_files(
    checked: CheckedPolicy, scen: Scenario, scenario: str | Path, files: dict[str, str], inputs: bool = True
) -> tuple[EntityData | None, Scenario]:
    """The --entities files, read and checked (compiler/entity_files.py); the scenario takes the
    regions they name. A kind may come from the scenario or a file, not both. Without `inputs`:
    only the ids, regions and links (the Dask engine's workers read the inputs)."""
    both = [k for k in files if scen.entities.ids.get(k)]
    if both:
        raise EvaluationFailed(
            2,
            f"{scenario}: 实体“{both[0]}”既在情景的 entities 中又由 --entities 给出\n",
            f"{scenario}: entities ‘{both[0]}’ are both in the scenario and given by --entities\n",
        )
    if not files:
        return None, scen
    try:
        pa = pyarrow_modules()[0]
        # glibc hands large freed blocks back at once; pyarrow's default pool keeps them (−20% peak).
        pa.set_memory_pool(pa.system_memory_pool())
        data, regions = read_entities(checked, files, scen.regions, inputs)
    except FilesRefused as e:
        raise EvaluationFailed(2, e.zh, e.en) from None
    return data, attrs.evolve(scen, regions=tuple(regions))


def settled(checked: CheckedPolicy, scenario: str | Path, settle: Callable[[], BatchResult]) -> BatchResult:
    """`settle()`, with a draw that cannot be settled (or past int64 fen) as EvaluationFailed, exit 2."""
    try:
        return settle()
    except BatchError as e:
        at = f"{e.line}:{e.column}" if e.column else f"{e.line}"
        where = f"{checked.program.main.span.file}:{at}: " if e.line else ""
        raise EvaluationFailed(
            2, f"{scenario}: 无法计算:{where}{e.zh}\n", f"{scenario}: cannot settle: {where}{e.en}\n"
        ) from None
    except VectorOverflow as e:
        raise EvaluationFailed(2, f"{scenario}: {e}\n", f"{scenario}: {e}\n") from None


def settle_columns(checked: CheckedPolicy, scen: Scenario, data: EntityData | None) -> BatchResult:
    """The seam for other engines: one draw of the scenario, with the files' entities if any."""
    batch = batch_of(checked, [scen])
    if data is not None:
        batch = attrs.evolve(batch, regions=scen.regions, inputs={**batch.inputs, **data.inputs}, entities=data.columns)
    return run_batch(checked, batch, constraints=True)  # a scenario breaking a 约束 is refused, as on every engine


def ledger_rows(
    out: BatchResult, detail: Iterable[str] = (), plan: Plan | None = None, period: int | None = None
) -> list[Row]:
    """The ledger of draw 0 as `pool run` prints it: entity transfers totalled per rule and
    region, in the order the scalar engines' ledger first reaches each group (compiler/ledger.py).
    A rule paid in instalments (分4期) goes through the same falling_due as the scalar engines',
    transfer by transfer, so its parts are theirs to the fen."""
    keep = set(detail)
    rows: list[Row] = []
    for f in out.flows:
        staged = plan is not None and f.rule in plan.by_name and plan.rule(f.rule).instalments is not None
        if not isinstance(f, EntityFlow):
            if f.amount[0]:
                row = Transfer(f.source, f.dest, Fraction(int(f.amount[0]), 100), f.rule, f.line)
                rows += (
                    falling_due([row], plan, period)
                    if staged
                    else [Row(row.source, row.dest, row.amount, row.rule, row.line)]
                )
            continue
        amount = f.amount[0]
        nz = np.flatnonzero(amount)
        if staged:
            rows += _staged(out, f, nz, plan, period, keep)
            continue
        if f.kind in keep:
            ids = out.ids.get(f.kind, [])
            for j in nz.tolist():
                mine, theirs = entity_account(f.kind, ids[j]), f.other[int(f.region[j])]
                src, dst = (mine, theirs) if f.paying else (theirs, mine)
                rows.append(Row(src, dst, Fraction(int(amount[j]), 100), f.rule, f.line))
            continue
        if not len(nz):
            continue
        where = f.region[nz]
        found, first = np.unique(where, return_index=True)
        counts = np.bincount(where, minlength=len(f.other))
        totals = f.by_region()[0]
        for r in found[np.argsort(first, kind="stable")].tolist():
            src, dst = (f.kind, f.other[r]) if f.paying else (f.other[r], f.kind)
            amount_r = Fraction(int(totals[r]), 100)
            rows.append(Row(src, dst, amount_r, f.rule, f.line, f.kind, out.regions[r], int(counts[r])))
    return [dated(r, plan, period) for r in rows]  # 按月: each month's copy falls due at its end


def _staged(
    out: BatchResult, f: EntityFlow, nz: npt.NDArray[Any], plan: Plan | None, period: int | None, keep: set[str]
) -> list[Row]:
    """An entity rule paid in instalments: each entity's transfer split, then totalled per region."""
    ids = out.ids.get(f.kind, [])
    amount = f.amount[0]
    moves = []
    region: dict[str, str] = {}
    for j in nz.tolist():
        mine, theirs = entity_account(f.kind, ids[j]), f.other[int(f.region[j])]
        region[ids[j]] = out.regions[int(f.region[j])]
        src, dst = (mine, theirs) if f.paying else (theirs, mine)
        moves.append(Transfer(src, dst, Fraction(int(amount[j]), 100), f.rule, f.line))
    entities = Entities({f.kind: list(region)}, {f.kind: region}, {f.kind: {}}, {f.kind: ()})
    return compact(falling_due(moves, plan, period), entities, keep)


def period_result(checked: CheckedPolicy, out: BatchResult, detail: Iterable[str] = ()) -> PeriodResult:
    """Draw 0 as a PeriodResult for the report: every rule's value (per entity only for the kinds
    in `detail`) and the closing balances; its ledger comes from `ledger_rows`."""
    keep = set(detail)
    values: dict[str, Scalar | dict[str, Scalar]] = {}
    for name, fen in out.values.items():
        t = checked.types[name]
        if t.entity is not None:
            if t.entity in keep:
                ids = out.ids.get(t.entity, [])
                values[name] = {ids[j]: Fraction(int(x), 100) for j, x in enumerate(fen[0].tolist())}
        elif t.per_region:
            values[name] = {r: Fraction(int(x), 100) for r, x in zip(out.regions, fen[0].tolist())}
        else:
            values[name] = Fraction(int(fen[0]), 100)
    closing = {k: Fraction(int(v[0]), 100) for k, v in out.closing.items()}
    return PeriodResult(values, [], closing)


def results_parquet(out: BatchResult) -> bytes:
    """Every per-entity rule's nonzero amounts, one row per entity and rule: 实体, id, 地区, 规则,
    金额(分) (int64 fen), in rule order then the order the entities are listed. Deterministic bytes
    (no timestamps; the same pyarrow writes the same file)."""
    pa, pc, _csv, pq = pyarrow_modules()
    parts = []
    regions = pa.array(list(out.regions), pa.string())
    for f in out.flows:
        if not isinstance(f, EntityFlow):
            continue
        nz = np.flatnonzero(f.amount[0])
        given: Any = getattr(out.ids.get(f.kind), "column", None)  # the file's own id column
        column = given if given is not None else pa.array(list(out.ids.get(f.kind, [])), pa.string())
        n = len(nz)
        parts.append(
            pa.table(
                {
                    "实体": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), pa.array([f.kind])),
                    "id": pc.take(column, pa.array(nz)),
                    "地区": pa.DictionaryArray.from_arrays(f.region[nz].astype(np.int32), regions),
                    "规则": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), pa.array([f.rule])),
                    "金额(分)": pa.array(f.amount[0][nz], pa.int64()),
                }
            )
        )
    table = pa.concat_tables(parts, promote_options="permissive") if parts else pa.table({"id": pa.array([], "str")})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data: bytes = sink.getvalue().to_pybytes()
    return data
