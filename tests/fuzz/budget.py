"""How many cases each fuzz test runs, and a tally of what ran.

CI runs the defaults (a few minutes in all on two cores). POOL_FUZZ_SCALE=N multiplies
every count for the long run; POOL_FUZZ_REPORT=FILE writes the tally at the end.
"""

from __future__ import annotations

import collections
import os
from typing import Any

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("POOL_FUZZ_SCALE", "1"))
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
COUNTS: collections.Counter[str] = collections.Counter()


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


def fuzz(n: int) -> Any:
    """Hypothesis settings for a fuzz test of n examples (derandomized in CI, so a red build reproduces)."""
    return settings(
        max_examples=examples(n),
        deadline=None,
        derandomize=CI and SCALE == 1,
        suppress_health_check=list(HealthCheck),
        database=None if CI else settings.default.database,
    )


def tally(surface: str, k: int = 1) -> None:
    COUNTS[surface] += k
