"""`pool run --engine dask`: the entity tables partitioned by region, each partition settled on a
Dask worker with the vector engine, the results combined exactly.

    checked, scen, out = settle_dask(policy, scenario, files, scheduler="tcp://10.0.0.5:8786")
    # out: the BatchResult settle_vector gives; ledger_rows, period_result, results_parquet as there

How: the client reads and checks the ids, regions and links of the files (compiler/entity_files.py,
the same problems as --engine vector), assigns whole regions to partitions (about as many
entities in each, one per worker thread at most), and sends each worker the positions of its
partition's rows. The worker reads those rows' inputs from the files itself (so the files must be
readable at the same path on every worker: a shared disk), checks them, and runs the rules of
compiler/vector on its regions only (without closing the funds). If a worker finds a problem in
its rows, or cannot read the files, the client reads and checks the files whole, as --engine
vector does: a problem is then refused with the same messages (the file's rows), and files only
the client can read are settled by shipping each partition's columns to its worker. Each worker
sends back its amounts (compiler/scale_wire.py) and its transfers' totals per region. The client
puts every per-entity amount back in the files' order, every per-region value in its region's
column, takes the global values of any one partition (they read global inputs only, so all
agree), and closes the funds once on the combined transfers (compiler.vector.settle_funds): a
fund every region pays into gets the exact integer sum of every partition's fen. The output is
then byte for byte that of --engine vector.

A policy with a rule that reads across regions (an allocation over regions, 不足时, a fund
word, a total over all regions or all entities: compiler/coupling.py) is refused with the rule
named: it cannot be settled one partition at a time. Without --entities files the scenario is
settled whole, as one task.

dask.distributed (the `dask` extra) is imported here only, when this engine runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np

from compiler.coupling import cross_region
from compiler.entity_files import EntityData, Ids, pyarrow_modules
from compiler.entity_rows import input_tables, read_rows
from compiler.evaluate import EvaluationFailed
from compiler.ir.checked import CheckedPolicy
from compiler.ir.nodes import RuleKind
from compiler.plan import plan_of
from compiler.scale import load_files, load_policy_and_scenario, settle_columns, settled
from compiler.scale_wire import Sent, received, sent
from compiler.scenario import Scenario
from compiler.vector import (
    BatchError,
    BatchResult,
    Columns,
    EntityFlow,
    batch_of,
    run_batch,
    settle_funds,
)
from compiler.vector.arith import LIMIT, Arr
from compiler.vector.flows import AnyFlow


@attrs.frozen
class Part:
    regions: tuple[int, ...]  # positions among the scenario's regions, in their order
    rows: dict[str, Arr]  # kind → positions of its entities in the files' order


def client_for(scheduler: str | None, workers: int = 2) -> Any:
    """A Client of the cluster at `scheduler`, or of a LocalCluster of `workers` processes."""
    try:
        import distributed
    except ImportError:
        raise EvaluationFailed(
            2,
            "--engine dask 需要 dask.distributed:pip install 'pool-lang[dask]'\n",
            "--engine dask needs dask.distributed: pip install 'pool-lang[dask]'\n",
        ) from None
    dist: Any = distributed  # untyped
    if scheduler:
        return dist.Client(scheduler)
    return dist.Client(n_workers=workers, threads_per_worker=1, processes=True)  # its own LocalCluster, closed with it


def settle_dask(
    policy: str | Path,
    scenario: str | Path,
    files: dict[str, str],
    encoding: str | None = None,
    readings: dict[str, str] | None = None,
    client: Any = None,
) -> tuple[CheckedPolicy, Scenario, BatchResult]:
    """settle_vector's result, settled partition by partition on `client`'s cluster."""
    checked, scen = load_policy_and_scenario(policy, scenario, encoding, readings)
    coupled = cross_region(checked)
    if coupled is not None:
        where = f"{checked.program.main.span.file}:{coupled.line}"
        what_zh = "检查这一约束" if coupled.constraint else f"结算规则“{coupled.rule}”"
        what_en = "check this constraint" if coupled.constraint else f"settle rule ‘{coupled.rule}’"
        raise EvaluationFailed(
            2,
            f"{where}: --engine dask 不能分地区{what_zh}:{coupled.zh};请用 --engine vector\n",
            f"{where}: --engine dask cannot {what_en} region by region: {coupled.en}; use --engine vector\n",
        )
    paths = {k: str(Path(f).resolve()) for k, f in files.items()}  # the workers' working directory may differ
    # Each worker reads the files' input columns while the client reads the ids, regions and links.
    early = Early(client, checked, paths) if files else None
    try:
        keys, planned = load_files(checked, scen, scenario, files, inputs=False)
    except EvaluationFailed:
        load_files(checked, scen, scenario, files)  # every problem, inputs' too, as --engine vector tells them
        raise

    def run() -> BatchResult:
        if keys is not None and early is not None:
            out = settle_reading(checked, planned, keys, client, early)
            if out is not None:
                return out
        data, _ = load_files(checked, scen, scenario, files)  # every problem, as --engine vector tells it
        return settle_parts(checked, planned, data, client)

    return checked, planned, settled(checked, scenario, run)


class Early:
    """The policy on every worker, and each worker reading the files' input columns (pinned to it)."""

    def __init__(self, client: Any, checked: CheckedPolicy, files: dict[str, str]) -> None:
        self.files = files
        self.workers = sorted(client.nthreads())
        self.policy = client.scatter(checked, broadcast=True)
        self.tables = [client.submit(input_tables, self.policy, files, workers=[w], pure=False) for w in self.workers]


def settle_reading(
    checked: CheckedPolicy, scen: Scenario, keys: EntityData, client: Any, early: Early
) -> BatchResult | None:
    """settle_parts with each worker reading its partitions' inputs from the files; None if a
    worker found a problem in its rows or could not read the files."""
    parts = partition(keys.columns, sum(client.nthreads().values()) or 1)
    futures = []
    n = {kind: len(codes) for kind, codes in keys.columns.region.items()}
    for j, part in enumerate(parts):
        regions, region, links = local_columns(keys.columns, part)
        rows = {kind: (np.packbits(_mask(at, n[kind])), n[kind]) for kind, at in part.rows.items()}
        sub_scen = attrs.evolve(scen, regions=regions)
        w = j % len(early.workers)
        mine = client.scatter(Rows(rows, region, links), workers=[early.workers[w]])
        futures.append(
            client.submit(
                read_and_settle,
                early.policy,
                sub_scen,
                early.files,
                mine,
                early.tables[w],
                workers=[early.workers[w]],
                pure=False,
            )
        )
    results = client.gather(futures)
    client.cancel(early.tables)  # the workers' copies of the columns, no longer needed
    if any(r is None for r in results):
        return None
    return combined(checked, scen, keys.columns, parts, results)


@attrs.frozen
class Rows:
    """What a worker is sent to read its partition: each kind's rows (bits, one a row of the file:
    1.25 MB for 10^7 rows), their regions among the partition's and their links renumbered."""

    rows: dict[str, tuple[Arr, int]]
    region: dict[str, Arr]
    links: dict[str, dict[str, Arr]]


def read_and_settle(
    checked: CheckedPolicy, scen: Scenario, files: dict[str, str], rows: Rows, tables: dict[str, Any]
) -> Sent | None:
    """On a worker: its rows' inputs taken from the columns it read (`tables`) and checked, then
    its regions settled; None if any of its rows has a problem (the client then tells them all)."""
    at = {kind: np.flatnonzero(np.unpackbits(bits, count=n)) for kind, (bits, n) in rows.rows.items()}
    inputs, ids, problems = read_rows(checked, files, at, tables)
    if problems:
        return None
    region, links = rows.region, rows.links
    kinds = {k: tuple(x.text for x in d.links) for k, d in checked.scope.entities.items()}
    cols = Columns(
        scen.regions,
        ids,
        {k: v.astype(np.int64) for k, v in region.items()},
        {k: {to: v.astype(np.int64) for to, v in m.items()} for k, m in links.items()},
        kinds,
    )
    return settle_part(checked, scen, EntityData(cols, inputs, ids))


def _mask(at: Arr, n: int) -> Arr:
    mask = np.zeros(n, dtype=bool)
    mask[at] = True
    return mask


def settle_parts(checked: CheckedPolicy, scen: Scenario, data: EntityData | None, client: Any) -> BatchResult:
    """One draw of the scenario, its regions settled in partitions on the cluster and combined."""
    if data is None:
        whole: BatchResult = client.submit(settle_columns, checked, scen, None, pure=False).result()
        return whole
    total = sum(client.nthreads().values()) or 1
    parts = partition(data.columns, total)
    policy = client.scatter(checked, broadcast=True)
    futures = []
    for part in parts:
        sub_scen, sub = cut(checked, scen, data, part)
        futures.append(client.submit(settle_part, policy, sub_scen, client.scatter(sub), pure=False))
    return combined(checked, scen, data.columns, parts, client.gather(futures))


def combined(checked: CheckedPolicy, scen: Scenario, cols: Columns, parts: list[Part], got: list[Sent]) -> BatchResult:
    """The partitions' results as one run's: values and transfers in the files' order, funds closed once."""
    results = [received(r) for r in got]
    del got
    for out in results:
        if out.failed.any():
            raise BatchError(out.failed, out.reasons)
    values = combine_values(checked, cols, parts, results)
    flows = combine_flows(checked, cols, parts, results, values)
    promoted = sum(r.promoted for r in results)
    del results
    closed = settle_funds(checked, batch_of(checked, [scen]), flows)
    return BatchResult(scen.regions, values, flows, closed.closing, closed.failed, promoted, {}, cols.ids)


def settle_part(checked: CheckedPolicy, scen: Scenario, data: EntityData) -> Sent:
    """On a worker: the rules over one partition's regions; the funds are closed by the client.
    What the client does not read is left out of the result it is sent: the ids, and each
    per-entity transfer's regions (the client has both)."""
    batch = batch_of(checked, [scen])
    batch = attrs.evolve(batch, regions=scen.regions, inputs={**batch.inputs, **data.inputs}, entities=data.columns)
    # 约束 within a partition's regions, as --engine vector checks them (one reading across regions
    # is refused before anything is sent: compiler/coupling.py)
    out = run_batch(checked, batch, raise_failures=False, funds=False, constraints=True)
    for f in out.flows:
        if isinstance(f, EntityFlow):
            f.by_region()  # totalled here, on the worker: its regions are the partition's alone
    none = np.zeros(0, dtype=np.int64)
    flows = [attrs.evolve(f, region=none) if isinstance(f, EntityFlow) else f for f in out.flows]
    return sent(attrs.evolve(out, flows=flows, ids={}))


def partition(cols: Columns, most: int) -> list[Part]:
    """Whole regions into at most `most` partitions of about as many entities each (largest first,
    each into the lightest partition); every partition keeps the regions' and the files' order."""
    n_regions = len(cols.regions)
    weight = np.zeros(n_regions, dtype=np.int64)
    for codes in cols.region.values():
        weight += np.bincount(codes, minlength=n_regions)[:n_regions]
    k = max(1, min(most, n_regions))
    load = np.zeros(k, dtype=np.int64)
    member: list[list[int]] = [[] for _ in range(k)]
    for r in sorted(range(n_regions), key=lambda r: (-int(weight[r]), r)):
        j = int(np.argmin(load))
        member[j].append(r)
        load[j] += weight[r]
    out = []
    for regions in member:
        if not regions:
            continue
        mine = np.zeros(max(n_regions, 1), dtype=bool)
        mine[regions] = True
        rows = {kind: np.flatnonzero(mine[codes]) if len(codes) else codes for kind, codes in cols.region.items()}
        out.append(Part(tuple(sorted(regions)), rows))
    return out


def local_columns(cols: Columns, part: Part) -> tuple[tuple[str, ...], dict[str, Arr], dict[str, dict[str, Arr]]]:
    """A partition's regions, and its entities' regions and links renumbered within it (as small
    integers as hold them: they are sent to a worker)."""
    local = np.full(len(cols.regions), -1, dtype=np.int64)
    local[list(part.regions)] = np.arange(len(part.regions))
    regions = tuple(cols.regions[r] for r in part.regions)
    region: dict[str, Arr] = {}
    renumber: dict[str, Arr] = {}
    for kind, rows in part.rows.items():
        region[kind] = (local[cols.region[kind][rows]] if len(rows) else cols.region[kind]).astype(np.int32)
        at = np.full(len(cols.region[kind]), -1, dtype=np.int64)
        at[rows] = np.arange(len(rows))
        renumber[kind] = at
    links = {
        kind: {
            to: np.where(idx[part.rows[kind]] >= 0, renumber[to][idx[part.rows[kind]]], -1).astype(np.int32)
            for to, idx in m.items()
        }
        for kind, m in cols.links.items()
    }
    return regions, region, links


def cut(checked: CheckedPolicy, scen: Scenario, data: EntityData, part: Part) -> tuple[Scenario, EntityData]:
    """A partition's scenario (its regions) and columns (its entities, links renumbered)."""
    pa = pyarrow_modules()[0]
    cols = data.columns
    regions, small, narrow = local_columns(cols, part)
    region = {k: v.astype(np.int64) for k, v in small.items()}
    links = {k: {to: v.astype(np.int64) for to, v in m.items()} for k, m in narrow.items()}
    ids: dict[str, Any] = {}
    for kind, rows in part.rows.items():
        column = data.ids[kind]
        ids[kind] = column.take(pa.array(rows)) if len(column) else column
    inputs: dict[str, Any] = {}
    for name, v in data.inputs.items():
        of = checked.types[name].entity
        inputs[name] = _take(v, part.rows[of] if of is not None else None)
    sub_cols = Columns(regions, {k: Ids(v) for k, v in ids.items()}, region, links, cols.kinds)
    return attrs.evolve(scen, regions=regions), EntityData(sub_cols, inputs, ids)


def _take(v: Any, rows: Arr | None) -> Any:
    if rows is None:
        return v
    if hasattr(v, "num") and hasattr(v, "den"):
        return attrs.evolve(v, num=v.num[:, rows])
    return v[:, rows]


def combine_values(
    checked: CheckedPolicy, cols: Columns, parts: list[Part], results: list[BatchResult]
) -> dict[str, Arr]:
    """Every rule's value as one run would give it: per entity in the files' order, per region in
    the scenario's order, a global one from the first partition (all partitions agree)."""
    out: dict[str, Arr] = {}
    for name, first in results[0].values.items():
        t = checked.types[name]
        if t.entity is not None:
            full = np.zeros((1, len(cols.region[t.entity])), dtype=first.dtype)
            for part, res in zip(parts, results):
                full[:, part.rows[t.entity]] = res.values[name]
        elif t.per_region:
            full = np.zeros((1, len(cols.regions)), dtype=first.dtype)
            for part, res in zip(parts, results):
                full[:, list(part.regions)] = res.values[name]
        else:
            full = first
        out[name] = full
    return out


def combine_flows(
    checked: CheckedPolicy, cols: Columns, parts: list[Part], results: list[BatchResult], values: dict[str, Arr]
) -> list[AnyFlow]:
    """The transfers in the order one run lists them: rule by rule; a per-entity rule's amounts
    put back in the files' order; a per-region rule's flows region by region (a 弥补's tier by
    tier), as compiler/vector/rules.py writes them; a global rule's from the first partition."""
    plan = plan_of(checked)
    by_rule: list[dict[str, list[AnyFlow]]] = []
    for res in results:
        grouped: dict[str, list[AnyFlow]] = {}
        for f in res.flows:
            grouped.setdefault(f.rule, []).append(f)
        by_rule.append(grouped)
    out: list[AnyFlow] = []
    for p in plan.rules:
        mine = [g.get(p.name, []) for g in by_rule]
        if p.entity is not None:
            each = [m[0] for m in mine]
            out.append(_entity_flow(cols, parts, [f for f in each if isinstance(f, EntityFlow)], values.get(p.name)))
        elif not p.regional:
            out += mine[0]
        else:
            keyed: list[tuple[tuple[int, int, int], AnyFlow]] = []
            for part, flows in zip(parts, mine):
                cover = p.kind is RuleKind.COVER
                blocks = [len(t.payers) for t in p.tiers] if cover else [len(flows) // len(part.regions)]
                at = 0
                for b, width in enumerate(blocks):
                    for r in part.regions:
                        for j in range(width):
                            keyed.append(((b, r, j), flows[at]))
                            at += 1
            out += [f for _, f in sorted(keyed, key=lambda kf: kf[0])]
    return out


def _entity_flow(cols: Columns, parts: list[Part], flows: list[EntityFlow], value: Arr | None) -> EntityFlow:
    """One per-entity rule's transfers over every partition; its amounts are the rule's value
    (the same array: a rule's transfers are its value, entity by entity)."""
    first = flows[0]
    n = len(cols.region[first.kind])
    amount = value if value is not None and value.shape == (first.amount.shape[0], n) else None
    if amount is None:
        amount = np.zeros((first.amount.shape[0], n), dtype=first.amount.dtype)
        for part, f in zip(parts, flows):
            amount[:, part.rows[first.kind]] = f.amount
    other = [""] * len(cols.regions)
    for part, f in zip(parts, flows):
        for local, r in enumerate(part.regions):
            other[r] = f.other[local]
    mag = max(f.mag for f in flows)
    totals: dict[str, Arr] = {}
    if mag * max(n, 1) < LIMIT and all("region" in f.totals for f in flows):
        # Every region is one partition's: its total is that partition's, as by_region would sum it.
        by_region = np.zeros((amount.shape[0], len(cols.regions)), dtype=np.int64)
        for part, f in zip(parts, flows):
            by_region[:, list(part.regions)] = f.totals["region"]
        totals["region"] = by_region
    return EntityFlow(
        first.rule, first.line, first.kind, first.paying, tuple(other), amount, mag, cols.region[first.kind], totals
    )
