"""What `pool test --coverage` learns from the reference interpreter.

The interpreter calls `hit` on an optional recorder where evaluation takes a
branch; without one it does nothing more than a `None` test, and a recorder
only observes: it never changes a value. `node` is the IR node (an `If`, `Match`,
`Bands`, `Rule`, `Exception_` or `Tier`) and `branch` says which way it went.
"""

from __future__ import annotations

from typing import Protocol

THEN, ELSE = 0, 1  # 如果 … 则 … 否则 …: on an If
MOVED, WHEN_TRUE, WHEN_FALSE, NO_EXCEPTION = 0, 1, 2, 3  # on a Rule
CAP_BINDS, CAP_FREE, CUMULATIVE_BINDS, CUMULATIVE_FREE = 4, 5, 6, 7  # on a Rule: 上限, 累计上限
SHORT, ENOUGH = 8, 9  # on a Rule with 不足时: the fund held less than asked, or enough
WITHIN, RAISED, LOWERED = 0, 1, 2  # on a 限定(x, 下限, 上限) call
# A Match arm, a band row, the argument 取大/取小 returned: its index. An exception
# that applied, a tier that paid: 0.


class Recorder(Protocol):
    def hit(self, node: object, branch: int) -> None: ...
