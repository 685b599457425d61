"""A Dask worker's amounts come back to the client as the same int64 fen, however they are
narrowed or thinned on the way (compiler/scale_wire.py)."""

from __future__ import annotations

import numpy as np
import pytest

from compiler.scale_wire import Wire


@pytest.mark.parametrize(
    "a",
    [
        np.arange(-5000, 5000, dtype=np.int64).reshape(1, -1),  # int16 range, dense
        np.where(np.arange(10000) % 50 == 0, 123_456_789, 0).astype(np.int64).reshape(1, -1),  # sparse, int32
        np.full((1, 5000), 2**40, dtype=np.int64),  # past int32: sent as int64
        np.array([[2**63 - 1, -(2**63)] + [0] * 5000], dtype=np.int64),  # the extremes, mostly zero
        np.zeros((2, 4096), dtype=np.int64),
    ],
)
def test_every_amount_comes_back_exactly(a: np.ndarray) -> None:
    w = Wire.of(a)
    back = w.array() if isinstance(w, Wire) else w
    assert back.dtype == np.int64 and back.shape == a.shape
    assert np.array_equal(back, a)


def test_a_mostly_zero_column_is_sent_in_fewer_bytes() -> None:
    a = np.where(np.arange(100_000) % 100 == 0, 60_000, 0).astype(np.int64).reshape(1, -1)
    w = Wire.of(a)
    assert isinstance(w, Wire)
    sent = w.data.nbytes + (w.at.nbytes if w.at is not None else 0)
    assert sent * 50 < a.nbytes
