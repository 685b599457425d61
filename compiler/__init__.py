"""pool: a declarative language and compiler for medical-insurance fund pooling policies.

The Python API for analysts (docs/api.md)::

    import compiler as pool

    policy = pool.load("policies/guizhou_risk_adjustment.pool")      # checked once; PoolError otherwise
    result = policy.run("cities.xlsx")                                 # or a dict, or a DataFrame
    result.values["基础上解额"]["贵阳市"]                               # Decimal('50000000.00')
    result.to_frames()["资金往来"]                                      # with pandas installed

The lower-level functions the CLI is built on::

    checked = pool.load_policy("policies/guizhou_risk_adjustment.pool")   # raises EvaluationFailed on errors
    checked, scenario, result = pool.evaluate_file("policies/guizhou_risk_adjustment.pool",
                                                   "policies/scenarios/guizhou_2026.json")
    result.values["基础上解额"]["贵阳市"]        # Fraction(50000000)
    result.transfers[0]                            # Transfer(source, dest, amount, rule, line)
    result.closing                                 # carried funds' balances
    _, trace = pool.explain_file(policy, scenario, "基础上解额@贵阳市")   # Step, with .operands
    checked, runs = pool.simulate_files(policy, [scenario_2026, scenario_2027])
    module = pool.compiled_module(checked, source_text)                   # the compiled evaluator

Names are loaded lazily so that `pool --help` does not import the compiler.
"""

from __future__ import annotations

from typing import Any

_API = {
    "load": "compiler.api",
    "from_text": "compiler.api",
    "Policy": "compiler.api",
    "Result": "compiler.api",
    "Transfer": "compiler.api",
    "PoolError": "compiler.api",
    "check_file": "compiler.driver",
    "load_policy": "compiler.evaluate",
    "evaluate_file": "compiler.evaluate",
    "explain_file": "compiler.evaluate",
    "simulate_files": "compiler.evaluate",
    "compiled_module": "compiler.evaluate",
    "EvaluationFailed": "compiler.evaluate",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(name)
