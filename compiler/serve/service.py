"""What each endpoint of `pool serve` computes, with no HTTP in it.

A request is a decoded JSON object; an answer is text the CLI would print (so `/run`
is byte for byte `pool run --json`) or a JSON-ready dict. Whatever is wrong with a
request raises Refused, carrying the HTTP status and the same messages, codes and
positions the CLI gives. Checked policies are cached by the hash of their text.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import attrs

from compiler import report
from compiler.diagnostics import render_text, to_json
from compiler.driver import Checked, check_file, check_sent
from compiler.evaluate import (
    EvaluationFailed,
    env_of,
    explain_scenario,
    settle_with,
    simulate_checked,
    under_readings,
)
from compiler.interpreter import PeriodResult
from compiler.ir.checked import CheckedPolicy
from compiler.messages import TEXTS, Severity, Text
from compiler.scenario import Document, Scenario, ScenarioError, load_periods
from compiler.serve.catalog import Catalog
from compiler.serve.requests import (
    LANGS,
    Refused,
    allow,
    bad_field,
    choice,
    decode,
    lang_of,
    scenario_document,
)

SOURCE_NAME = "policy.pool"  # how a policy sent as text is named in diagnostics
# What /run and /simulate answer in: the CLI's JSON, or its spreadsheets (compiler/sheets).
FORMATS = ("json", "csv", "xlsx")
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UPLOADS = ("json", "csv", "tsv", "xlsx", "xlsm")


@attrs.frozen
class Answer:
    """A body and its media type; `download` names the file a browser saves it as."""

    body: str | bytes
    media: str
    download: str | None = None


@attrs.frozen
class Limits:
    body_bytes: int = 4 * 1024 * 1024
    periods: int = 50  # scenarios (periods) in one /simulate
    draws: int = 10_000  # random futures in one /simulate with draws (the vectorized engine)
    seconds: float = 30.0  # time per request before the client is answered 503
    # Requests computed at once. The work is pure Python, one core under the GIL: more threads
    # only interleave it, so every request takes as long as the slowest (docs/serve.md).
    workers: int = 2


# ---- the service --------------------------------------------------------------


class Service:
    def __init__(self, catalog: Catalog, limits: Limits = Limits(), cache_size: int = 64) -> None:
        self.catalog = catalog
        self.limits = limits
        self._cache: OrderedDict[str, Checked] = OrderedDict()
        self._explained: OrderedDict[tuple[str, str, str, str, bool], str] = OrderedDict()
        self._samples: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._cache_size = cache_size

    # -- policies

    def checked(self, req: dict[str, Any], prefix: str = "") -> tuple[str, Checked]:
        """The policy a request names or sends, checked (or from the cache): (key, result)."""
        has_name, has_source = "policy" in req, "source" in req
        if has_name == has_source:
            raise Refused.of(400, "request", "serve-policy-or-source")
        if has_source:
            text = req["source"]
            if not isinstance(text, str):
                raise bad_field(prefix + "source", "政策原文（字符串）", "the policy text (a string)")
            key = "source:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
            return key, self._cached(key, lambda: check_sent(text, SOURCE_NAME))
        entry = self.catalog.get(req["policy"])
        data = self.catalog.read(entry)
        # The main file's hash: an edited file is checked again. (An edited relative import is not noticed.)
        key = f"named:{entry.path}:" + hashlib.sha256(data).hexdigest()
        return key, self._cached(key, lambda: check_file(entry.path))

    def _cached(self, key: str, compute: Callable[[], Checked]) -> Checked:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        result = compute()
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def policy(self, req: dict[str, Any], lang: str, prefix: str = "") -> tuple[str, CheckedPolicy]:
        key, result = self.checked(req, prefix)
        if result.policy is None:
            details = json.loads(to_json(result.errors, lang))
            message = Text(
                render_text(result.errors, result.sources, "zh"), render_text(result.errors, result.sources, "en")
            )
            raise Refused(422, "policy", message, details)
        return key, result.policy

    # -- endpoints

    def list_policies(self) -> list[dict[str, Any]]:
        out = []
        for entry in self.catalog.entries.values():
            _, result = self.checked({"policy": entry.name})
            policy = result.policy.policy if result.policy is not None else None
            out.append(
                {
                    "name": entry.name,
                    "title": policy.name.text if policy is not None else None,
                    "origin": entry.origin,
                    "ok": result.ok,
                    "scenarios": sorted(self.samples(entry.name)),
                }
            )
        return out

    def samples(self, name: str) -> dict[str, Any]:
        """The JSON scenarios beside a named policy (`scenarios/*.json`) that fit it."""
        with self._lock:
            if name in self._samples:
                return self._samples[name]
        entry = self.catalog.get(name)
        _, result = self.checked({"policy": name})
        found: dict[str, Any] = {}
        folder = entry.path.parent / "scenarios"
        if result.policy is not None and folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                periods, errors = load_periods(path, result.policy)
                if not errors and len(periods) == 1:
                    found[path.stem] = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=str)
        with self._lock:
            self._samples[name] = found
        return found

    def show_policy(self, name: str) -> dict[str, Any]:
        entry = self.catalog.get(name)
        source = self.catalog.read(entry).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        return {"name": name, "source": source, "scenarios": self.samples(name)}

    def check(self, req: dict[str, Any]) -> dict[str, Any]:
        allow(req, {"policy", "source", "lang"})
        lang = lang_of(req)
        _, result = self.checked(req)
        diags = result.diagnostics
        return {
            "ok": result.ok,
            "diagnostics": json.loads(to_json(diags, lang)),  # exactly `pool check --format json`
            "counts": {s.value: sum(d.severity is s for d in diags) for s in Severity},
        }

    def run(self, req: dict[str, Any]) -> Answer:
        """Exactly `pool run --json`; with "format": "csv" or "xlsx", `pool run --format …`."""
        allow(req, {"policy", "source", "scenario", "lang", "format"})
        lang = lang_of(req)
        fmt = choice(req, "format", FORMATS)
        _, checked = self.policy(req, lang)
        doc = scenario_document(req.get("scenario"), "scenario")
        scen = self._validate(checked, [doc], lang, single=True)[0]
        try:
            chosen = under_readings(checked, scen.readings)  # a scenario's "readings", as pool run reads them
            if chosen is not checked:
                checked, scen = chosen, self._validate(chosen, [doc], lang, single=True)[0]
            res = settle_with(checked, env_of(scen), "interpreter", doc.name)
        except EvaluationFailed as e:
            raise Refused(422, "evaluation", Text(e.zh, e.en)) from None
        return self._results(checked, [(scen.period, res)], fmt, lang, single=True, missing=scen.missing)

    def simulate(self, req: dict[str, Any]) -> Answer:
        """Several periods (`scenarios`), or `draws` random futures of a stochastic `scenario`."""
        allow(req, {"policy", "source", "scenarios", "scenario", "draws", "seed", "values", "lang", "format"})
        if "draws" in req:
            return Answer(self._draws(req), MEDIA["json"])
        lang = lang_of(req)
        fmt = choice(req, "format", FORMATS)
        _, checked = self.policy(req, lang)
        items = req.get("scenarios")
        if not isinstance(items, list) or not items:
            raise bad_field(
                "scenarios", "情景对象的非空列表，每期一个", "a non-empty list of scenario objects, one a period"
            )
        if len(items) > self.limits.periods:
            raise Refused.of(413, "request", "serve-too-many", field="scenarios", limit=self.limits.periods)
        docs = [scenario_document(x, f"scenarios[{i}]") for i, x in enumerate(items)]
        self._validate(checked, docs, lang)
        try:
            checked, runs = simulate_checked(checked, list(docs), "interpreter")
        except EvaluationFailed as e:
            raise Refused(422, "evaluation", Text(e.zh, e.en)) from None
        missing = tuple(dict.fromkeys(r for scen, _ in runs for r in scen.missing))
        return self._results(
            checked, [(scen.period, res) for scen, res in runs], fmt, lang, single=False, missing=missing
        )

    def trace(self, req: dict[str, Any]) -> str:
        """How one value was computed, as `pool run --explain 名称@地区` prints it."""
        from compiler.interpreter.trace import render

        allow(req, {"policy", "source", "scenario", "target", "lang"})
        lang = lang_of(req)
        target = req.get("target")
        if not isinstance(target, str) or not target or len(target) > 200:
            raise bad_field("target", "名称或 名称@地区", "a name, or name@region")
        _, checked = self.policy(req, lang)
        scen = self._validate(checked, [scenario_document(req.get("scenario"), "scenario")], lang, single=True)[0]
        try:
            return render(explain_scenario(checked, scen, target), checked, lang)
        except EvaluationFailed as e:
            raise Refused(422, "evaluation", Text(e.zh, e.en)) from None

    def _results(
        self,
        checked: CheckedPolicy,
        runs: list[tuple[int | None, PeriodResult]],
        fmt: str,
        lang: str,
        single: bool,
        missing: tuple[str, ...] = (),
    ) -> Answer:
        if fmt == "json":  # exactly what `pool run --json` / `pool simulate --json` print
            text = (
                report.to_json(checked, runs[0][0], runs[0][1], missing)
                if single
                else report.simulation_json(checked, runs, missing)
            )
            return Answer(text, MEDIA["json"])
        from compiler.sheets import SheetError, write_results

        try:
            data = write_results(checked, runs, fmt, lang)
        except SheetError as e:  # openpyxl missing, say
            raise Refused(422, "request", Text(e.render("results", "zh"), e.render("results", "en"))) from None
        return Answer(data, MEDIA[fmt], f"results.{fmt}")

    def _draws(self, req: dict[str, Any]) -> str:
        """As `pool simulate --draws N --seed S --json --engine vector`: arrays, no generated code."""
        from compiler.stochastic import simulate_checked as stochastic
        from compiler.stochastic.summary import to_json as draws_json

        lang = lang_of(req)
        draws, seed, values = req["draws"], req.get("seed", 0), req.get("values", [])
        if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
            raise bad_field("draws", "正整数", "a positive integer")
        if draws > self.limits.draws:
            raise Refused.of(413, "request", "serve-too-many", field="draws", limit=self.limits.draws)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise bad_field("seed", "非负整数", "a non-negative integer")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise bad_field("values", "名称的列表（名称或 名称@地区）", "a list of names (name or name@region)")
        _, checked = self.policy(req, lang)
        doc = scenario_document(req.get("scenario"), "scenario")
        try:
            run = stochastic(checked, doc, draws, seed, values, "vector")
        except EvaluationFailed as e:
            raise Refused(422, "scenario", Text(e.zh, e.en)) from None
        return draws_json(run.plan, run.outcome, run.summaries, seed, "vector", run.checked.readings)

    def _validate(
        self, checked: CheckedPolicy, docs: list[Document], lang: str, single: bool = False
    ) -> list[Scenario]:
        """The periods the documents hold; their errors with fields and positions, as data
        (the CLI prints the same lines)."""
        found: list[tuple[Document, ScenarioError]] = []
        scenarios: list[Scenario] = []
        for doc in docs:
            got, errors = load_periods(doc, checked)
            found += [(doc, e) for e in errors]
            scenarios += got
        periods = len(scenarios)
        if single and periods > 1 and not found:  # as `pool run` says of a file of several periods
            several = TEXTS["serve-several-periods"]
            found.append((docs[0], ScenarioError("periods", 1, 1, several.zh, several.en)))
        if periods > self.limits.periods:
            raise Refused.of(413, "request", "serve-too-many", field="periods", limit=self.limits.periods)
        if not found:
            return scenarios
        details = [
            {
                "scenario": doc.name,
                "field": e.field,
                "line": e.line,
                "column": e.column,
                "message": e.zh if lang == "zh" else e.en,
            }
            for doc, e in found
        ]
        message = Text(*("".join(e.render(doc.name, x) + "\n" for doc, e in found) for x in LANGS))
        raise Refused(422, "scenario", message, details)

    def explain(self, req: dict[str, Any]) -> tuple[str, str]:
        """(text, media type): the explainer as one HTML page or Markdown."""
        allow(req, {"policy", "source", "lang", "format", "audience", "appendix"})
        lang = lang_of(req)
        fmt = choice(req, "format", ("html", "md"))
        audience = choice(req, "audience", ("public", "review"))  # as `pool explain --audience`
        appendix = req.get("appendix", False)
        if not isinstance(appendix, bool):
            raise bad_field("appendix", "true 或 false", "true or false")
        key, checked = self.policy(req, lang)
        if checked.policy is None:
            raise Refused.of(422, "policy", "serve-no-policy")
        with self._lock:
            hit = self._explained.get((key, lang, fmt, audience, appendix))
        if hit is None:
            from compiler.explain.priced import price
            from compiler.explain.render import render_html, render_markdown
            from compiler.explain.viewmodel import Audience, build

            # A named policy's readings are priced on its own scenario, as `pool explain` does;
            # a policy sent as text has none (and names no file to read).
            pricing = price(checked, self.catalog.get(req["policy"]).path if "policy" in req else None)
            view = build(checked, lang, audience=Audience(audience), appendix=appendix, pricing=pricing)
            hit = render_html(view) if fmt == "html" else render_markdown(view)
            with self._lock:
                self._explained[(key, lang, fmt, audience, appendix)] = hit
                while len(self._explained) > self._cache_size:
                    self._explained.popitem(last=False)
        return hit, "text/html; charset=utf-8" if fmt == "html" else "text/markdown; charset=utf-8"

    def diff(self, req: dict[str, Any]) -> tuple[str, str]:
        allow(req, {"old", "new", "scenario", "lang", "format"})
        lang = lang_of(req)
        fmt = choice(req, "format", ("json", "md"))
        from compiler.tools.diff import compare
        from compiler.tools.diff_render import to_json as diff_json
        from compiler.tools.diff_render import to_markdown
        from compiler.tools.impact import impact

        versions: list[CheckedPolicy] = []
        names: list[str] = []
        for side in ("old", "new"):
            sub = req.get(side)
            if not isinstance(sub, dict):
                raise bad_field(
                    side,
                    '对象：{"policy": 名称} 或 {"source": 原文}',
                    'an object: {"policy": name} or {"source": text}',
                )
            allow(sub, {"policy", "source"})
            versions.append(self.policy(sub, lang, side + ".")[1])
            names.append(str(sub["policy"]) if "policy" in sub else f"{side}.pool")
        changes = compare(versions[0], versions[1], names[0], names[1], lang)
        effect = None
        if "scenario" in req and not changes.identical:
            doc = scenario_document(req["scenario"], "scenario")
            try:
                effect = impact(versions[0], versions[1], doc, engine="interpreter")
            except EvaluationFailed as e:
                raise Refused(422, "scenario", Text(e.zh, e.en)) from None
        if fmt == "json":
            return diff_json(changes, effect, lang), "application/json"
        return to_markdown(changes, effect, lang), "text/markdown; charset=utf-8"

    def schema(self, req: dict[str, Any]) -> dict[str, Any]:
        allow(req, {"policy", "source", "lang"})
        from compiler.schema import scenario_schema

        _, checked = self.policy(req, lang_of(req))
        return scenario_schema(checked)

    def import_scenario(self, data: bytes, fmt: str, lang: str = "zh") -> dict[str, Any]:
        """An uploaded scenario file → the scenario object the other endpoints take: JSON as
        it is (numbers kept as text), a spreadsheet through compiler/sheets (values as text)."""
        if fmt not in UPLOADS:
            raise Refused.of(422, "request", "serve-import-format", format=fmt[:20], known=", ".join(UPLOADS))
        if fmt == "json":
            return {"scenario": decode(data)}
        from compiler.sheets import SheetError, read_scenario_bytes

        name = f"upload.{fmt}"
        try:
            return {"scenario": read_scenario_bytes(data, name)}
        except SheetError as e:
            details = [{"cell": p.cell, "message": p.zh if lang == "zh" else p.en} for p in e.problems]
            raise Refused(422, "scenario", Text(e.render(name, "zh"), e.render(name, "en")), details) from None
