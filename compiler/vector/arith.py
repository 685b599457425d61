"""Exact rational arithmetic over numpy arrays, with overflow never silent.

A number is `Q(num, den)`: the value num/den elementwise, den > 0. `num` is an
int64 array while every bound says it fits, an object array of Python ints
otherwise; `den` is a Python int when it is the same for the whole batch (money
is n/100, 10% is 1/10, their product n/1000) and an array only after a division
by a value that varies. No float ever touches a value.

Every operation predicts a bound on |num| and den from its operands' bounds,
plain Python ints and no pass over the data (a batch's inputs are measured once,
when it is read). When the prediction could reach 2**62 (headroom for the 2n+d
of rounding): a product is kept as two factors (`fac`) until it is rounded, and
then divided by digits (`muldiv`) without ever being formed; largest-remainder
shares do the same; anything else runs on Python ints (exact, slower, counted in
`Ctx.promoted`) or, in strict mode, raises VectorOverflow naming the policy line.
An amount in fen that does not fit in int64 is always VectorOverflow.

A value may be poisoned where it could not be computed (division by zero, a
missing input, no band holding the subject): `bad` marks those elements. Poison
flows through arithmetic and `如果` takes it only from the branch it selects, as
the lazy engines do; it becomes an error only when a poisoned element reaches a
transfer, a weight or a cap.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Literal, Union, overload

import attrs
import numpy as np
import numpy.typing as npt

from compiler.messages import SETTLEMENT

Arr = npt.NDArray[Any]
Den = Union[int, Arr]
LIMIT = 2**62


class VectorOverflow(OverflowError):
    """An intermediate value cannot be held in int64 and strict mode forbids Python ints."""

    def __init__(
        self, line: int | None, what: str, why: str = "exact Python-int arithmetic was not allowed (strict)"
    ) -> None:
        at = f"line {line}: " if line else ""
        super().__init__(f"{at}{what} does not fit in int64; {why}")
        self.line = line


@attrs.frozen
class Why:
    """Why some draws cannot be settled: a sentence of compiler.messages.SETTLEMENT (the one
    every engine uses), and where in the policy."""

    key: str
    details: tuple[tuple[str, object], ...] = ()
    line: int | None = None  # where in the policy, as the other engines report it
    # Where it differs element by element (a band table names its first band out of order): the
    # line per element of the poison, 0 where there is none; `line` is then the first of them.
    lines: Arr | None = attrs.field(default=None, eq=False, repr=False)
    column: int | None = None  # a 约束's column: the per-draw engines name its span (file:line:column)

    def at(self, row: int) -> Why:
        """The reason as one draw has it: the line of its first element with one."""
        if self.lines is None:
            return self
        per = np.asarray(self.lines)
        per = per.reshape(per.shape[0], -1) if per.ndim else per.reshape(1, 1)
        mine = per[row if per.shape[0] > 1 else 0]
        found = mine[mine > 0]
        return attrs.evolve(self, line=int(found[0]) if found.size else self.line, lines=None)

    @property
    def zh(self) -> str:
        return SETTLEMENT[self.key].zh.format(**dict(self.details))

    @property
    def en(self) -> str:
        return SETTLEMENT[self.key].en.format(**dict(self.details))


def why(key: str, line: int | None = None, **details: object) -> Why:
    return Why(key, tuple(sorted(details.items())), line)


@attrs.define
class Ctx:
    """How to react when int64 is not enough, and where in the policy we are."""

    strict: bool = False
    line: int | None = None
    promoted: int = 0  # operations that fell back to Python ints, for benchmarks' honesty


def _array(x: Any) -> Arr:
    return np.asarray(x)


@attrs.frozen
class Q:
    num: Arr = attrs.field(converter=_array)
    den: Den
    mag: int  # ≥ max |num|
    dmag: int  # ≥ max den
    bad: Arr | None = None
    why: Why | None = None
    fac: Arr | None = None  # a deferred product: the value is num·fac/den (mag bounds |num·fac|)


def eager(ctx: Ctx, q: Q) -> Q:
    """A deferred product multiplied out (on Python ints if int64 cannot hold it)."""
    if q.fac is None:
        return q
    n, f = q.num, q.fac
    if q.mag >= LIMIT and n.dtype != object:
        if ctx.strict:
            raise VectorOverflow(ctx.line, "a product")
        ctx.promoted += 1
        n = pyints(n)
    return Q(n * f, q.den, q.mag, q.dmag, q.bad, q.why)


def lastsum(x: Arr) -> Arr:
    """Σ over the last axis, kept: numpy reduces a short last axis slowly, so add slices."""
    k = x.shape[-1]
    if k > 4:
        return np.asarray(x.sum(axis=-1, keepdims=True))
    out = x[..., 0:1]
    for i in range(1, k):
        out = out + x[..., i : i + 1]
    return out


def fen_sum(ctx: Ctx, terms: list[tuple[int, Arr, int]], size: int) -> Arr:
    """Σ sign·amount over fen arrays (draws,) with known bounds, refused when they could reach int64's limit."""
    total = np.zeros(size, dtype=np.int64)
    if sum(m for _sign, _a, m in terms) >= 2**63 - 1 or any(a.dtype == object for _sign, a, _m in terms):
        # The bounds are per rule and loose (or an amount was already widened to Python ints):
        # add in Python ints, then the result must fit.
        exact = np.zeros(size, dtype=object)
        for sign, a, _m in terms:
            exact = exact + a.astype(object) if sign > 0 else exact - a.astype(object)
        if _measure(exact) >= 2**63 - 1:
            raise VectorOverflow(ctx.line, "a sum of amounts in fen")
        return exact.astype(np.int64)
    for sign, a, _m in terms:
        (np.add if sign > 0 else np.subtract)(total, a, out=total)
    return total


def measure(x: Arr) -> int:
    """max |x|, one pass each way."""
    return _measure(x)


def _measure(x: Arr) -> int:
    if x.size == 0:
        return 0
    return int(max(abs(int(x.max())), abs(int(x.min()))))


def _objs(x: Any) -> Arr:
    """Python-int results as an object array: arithmetic on 0-d object arrays gives back a plain int."""
    return x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)


def pyints(x: Any) -> Any:
    """An int64 array as Python ints (an object array), where a result may not fit in int64. An
    object array is made of Python ints too: one that met an int64 may hold numpy ints, which
    would turn a large Python int back into int64 (and overflow) in the next operation."""
    if isinstance(x, np.ndarray):
        return x.astype(object) if x.dtype != object else np.asarray(_INT(x), dtype=object)
    return int(x) if isinstance(x, np.integer) else x


_INT = np.frompyfunc(int, 1, 1)


def poison(a: Any, b: Any) -> tuple[Arr | None, Why | None]:
    """The union of two values' poison, and the reason of the first."""
    ba, bb = getattr(a, "bad", None), getattr(b, "bad", None)
    if ba is None:
        return bb, getattr(b, "why", None)
    if bb is None:
        return ba, getattr(a, "why", None)
    return ba | bb, getattr(a, "why", None)


def const(v: Fraction) -> Q:
    n, d = v.numerator, v.denominator
    arr = np.asarray(n, dtype=np.int64 if abs(n) < LIMIT else object)
    return Q(arr, d, abs(n), d)


def of_ints(x: Arr, den: int = 1) -> Q:
    return Q(x, den, _measure(x), den)


def _guard(ctx: Ctx, need: int, a: Q, b: Q | None = None) -> bool:
    """Whether to compute on Python ints: the predicted bound is too big for int64
    and the operands are not already Python ints (then nothing changes)."""
    if need < LIMIT or (a.num.dtype == object and (b is None or b.num.dtype == object)):
        return False
    if ctx.strict:
        raise VectorOverflow(ctx.line, "an intermediate value")
    ctx.promoted += 1
    return True


def align(ctx: Ctx, a: Q, b: Q) -> tuple[Arr, Arr, Den, int]:
    """Both numerators over one denominator: (na, nb, den, bound on |na|, |nb|), both int64 or
    both Python ints: an object array less an int64 one would turn its ints back into int64 (and
    overflow) element by element."""
    na, nb, den, m = _align(ctx, a, b)
    if na.dtype == object or nb.dtype == object:
        na, nb = pyints(na), pyints(nb)
        if isinstance(den, np.ndarray):
            den = pyints(den)
    return na, nb, den, m


def _align(ctx: Ctx, a: Q, b: Q) -> tuple[Arr, Arr, Den, int]:
    a, b = eager(ctx, a), eager(ctx, b)
    if isinstance(a.den, int) and isinstance(b.den, int):
        if a.den == b.den:
            return a.num, b.num, a.den, max(a.mag, b.mag)
        den = a.den * b.den // math.gcd(a.den, b.den)
        ka, kb = den // a.den, den // b.den
        bound = max(a.mag * ka, b.mag * kb, den)
        obj = _guard(ctx, bound, a, b)
        na, nb = (pyints(a.num), pyints(b.num)) if obj else (a.num, b.num)
        na, nb = (na * ka if ka != 1 else na), (nb * kb if kb != 1 else nb)
        if obj:
            na, nb = _objs(na), _objs(nb)
        return na, nb, den, max(a.mag * ka, b.mag * kb)
    if a.den is b.den:
        return a.num, b.num, a.den, max(a.mag, b.mag)
    bound = max(a.mag * b.dmag, b.mag * a.dmag, a.dmag * b.dmag)
    obj = _guard(ctx, bound, a, b)
    if obj:
        return (
            _objs(pyints(a.num) * pyints(b.den)),
            _objs(pyints(b.num) * pyints(a.den)),
            _objs(pyints(a.den) * pyints(b.den)),
            bound,
        )
    # Over the least common denominator, so later products stay small (10·S₁·S₂, not 100·S₁·S₂).
    g = np.gcd(a.den, b.den)
    sa, sb = b.den // g, a.den // g
    return a.num * sa, b.num * sb, a.den * sa, bound


def _dmag(den: Den, a: Q, b: Q) -> int:
    return den if isinstance(den, int) else a.dmag * b.dmag


def add(ctx: Ctx, a: Q, b: Q, sign: int = 1) -> Q:
    na, nb, den, m = align(ctx, a, b)
    bad, why = poison(a, b)
    if 2 * m >= LIMIT and na.dtype != object:
        if ctx.strict:
            raise VectorOverflow(ctx.line, "a sum")
        ctx.promoted += 1
        na, nb = pyints(na), pyints(nb)
    return Q(na + nb if sign > 0 else na - nb, den, 2 * m, _dmag(den, a, b), bad, why)


def neg(a: Q) -> Q:
    return attrs.evolve(a, num=-a.num)


def mul(ctx: Ctx, a: Q, b: Q) -> Q:
    a, b = eager(ctx, a), eager(ctx, b)
    bound = max(a.mag * b.mag, a.dmag * b.dmag)
    if a.mag * b.mag >= LIMIT and a.dmag * b.dmag < LIMIT and a.num.dtype != object and b.num.dtype != object:
        # Too big for int64 but perhaps only until it is rounded: keep the factors apart.
        bad, why = poison(a, b)
        return Q(a.num, a.den * b.den, a.mag * b.mag, a.dmag * b.dmag, bad, why, b.num)
    obj = _guard(ctx, bound, a, b)
    an, bn, ad, bd = (
        (pyints(a.num), pyints(b.num), pyints(a.den), pyints(b.den)) if obj else (a.num, b.num, a.den, b.den)
    )
    bad, why = poison(a, b)
    return Q(_times(an, bn), ad * bd, a.mag * b.mag, a.dmag * b.dmag, bad, why)


def _times(x: Any, y: Any) -> Any:
    """x·y, without a pass over the data when one side is the constant 1 (10% is 1/10)."""
    if np.ndim(y) == 0 and y == 1:
        return x
    if np.ndim(x) == 0 and x == 1:
        return y
    return x * y


DIV0 = why("division-by-zero")


def div(ctx: Ctx, a: Q, b: Q, why: Why = DIV0) -> Q:
    """a ÷ b; where b is zero the result is poisoned (an error only if it is used)."""
    a, b = eager(ctx, a), eager(ctx, b)
    if isinstance(a.den, int) and isinstance(b.den, int):
        g = math.gcd(a.den, b.den)  # money ÷ money: the two 100s cancel
        a = attrs.evolve(a, den=a.den // g, dmag=a.den // g)
        b = attrs.evolve(b, den=b.den // g, dmag=b.den // g)
    bound = max(a.mag * b.dmag, a.dmag * b.mag)
    obj = _guard(ctx, bound, a, b)
    an, bn, ad, bd = (
        (pyints(a.num), pyints(b.num), pyints(a.den), pyints(b.den)) if obj else (a.num, b.num, a.den, b.den)
    )
    zero = bn == 0
    if bn.dtype != object and np.size(bn) and int(bn.min()) > 0:  # a positive divisor, the usual case
        num, den = _times(an, bd), _times(ad, bn)
    else:
        sign = np.where(bn < 0, -1, 1)
        num = an * bd * sign
        den = np.where(zero, 1, ad * bn * sign)
    bad, first = poison(a, b)
    if bool(np.any(zero)):
        bad = zero if bad is None else (bad | zero)
        first = first or why
    return Q(num, den, a.mag * b.dmag, a.dmag * b.mag, bad, first)


def compare(ctx: Ctx, op: str, a: Q, b: Q) -> Arr:
    na, nb, _den, _m = align(ctx, a, b)
    if op == "=":
        return np.asarray(na == nb)
    if op == "!=":
        return np.asarray(na != nb)
    return np.asarray({"<": na < nb, "<=": na <= nb, ">": na > nb, ">=": na >= nb}[op])


def where(ctx: Ctx, c: Arr, a: Q, b: Q) -> Q:
    bad = None
    if a.bad is not None or b.bad is not None:
        ba = a.bad if a.bad is not None else False
        bb = b.bad if b.bad is not None else False
        bad = np.where(c, ba, bb)
    why = pick_why(c, a.bad, a.why, b.bad, b.why) if bad is not None else None
    if a.fac is not None and b.fac is None and b.mag == 0:  # 如果 … 则 x × share 否则 0: stays deferred
        return Q(np.where(c, a.num, 0), a.den, a.mag, a.dmag, bad, why, a.fac)
    if b.fac is not None and a.fac is None and a.mag == 0:
        return Q(np.where(c, 0, b.num), b.den, b.mag, b.dmag, bad, why, b.fac)
    na, nb, den, m = align(ctx, a, b)
    return Q(np.where(c, na, nb), den, m, _dmag(den, a, b), bad, why)


def pick_why(c: Arr, abad: Arr | None, awhy: Why | None, bbad: Arr | None, bwhy: Why | None) -> Why | None:
    """The reason of the branch whose poison is actually selected somewhere."""
    if abad is not None and bool(np.any(np.logical_and(c, abad))):
        return awhy
    return bwhy if bbad is not None else awhy


def maximum(ctx: Ctx, a: Q, b: Q, larger: bool = True) -> Q:
    na, nb, den, m = align(ctx, a, b)
    bad, why = poison(a, b)
    return Q(np.maximum(na, nb) if larger else np.minimum(na, nb), den, m, _dmag(den, a, b), bad, why)


def with_poison(q: Q, bad: Arr | None, why: Why | None) -> Q:
    if bad is None:
        return q
    merged = bad if q.bad is None else (q.bad | bad)
    return attrs.evolve(q, bad=merged, why=q.why or why)


def to_fen(ctx: Ctx, q: Q) -> Arr:
    """Half-up (away from zero on a tie) to the fen, in integers: the int64 fen array."""
    if q.fac is not None:
        got = _fen_deferred(q)
        if got is not None:
            return got
        q = eager(ctx, q)
    n, d = q.num, q.den
    if isinstance(d, int) and d <= 100 and 100 % d == 0:
        k = 100 // d
        if q.mag * k >= LIMIT:
            return fen64(ctx, pyints(n) * k)
        return n * k if k != 1 else n
    bound = 200 * q.mag + q.dmag
    if bound >= LIMIT:
        if ctx.strict:
            raise VectorOverflow(ctx.line, "an amount before rounding")
        ctx.promoted += 1
        n, d = pyints(n), pyints(d)
    positive = n.dtype != object and np.size(n) and int(n.min()) >= 0  # skips the sign passes
    a = n if positive else np.abs(n)
    if isinstance(d, int) and d % 100 == 0:
        k = d // 100  # n/d 元 = n/k fen
        r = (2 * a + k) // (2 * k)
    else:
        r = (200 * a + d) // (2 * d)
    out = r if positive else np.where(n < 0, -r, r)
    return fen64(ctx, out) if out.dtype == object else out


def _fen_deferred(q: Q) -> Arr | None:
    """num·fac/den to the fen by long division, when the quotient fits; None otherwise."""
    assert q.fac is not None
    # Amounts are mostly non-negative: then the sign passes (abs, and back) are skipped.
    signed = _negative(q.num) or _negative(q.fac)
    a, b = (np.abs(q.num), np.abs(q.fac)) if signed else (q.num, q.fac)
    d: Arr
    if isinstance(q.den, int) and q.den % 100 == 0:
        d = np.asarray(q.den // 100)
    elif not isinstance(q.den, int) and q.den.dtype != object and not (q.den % 100).any():
        d = q.den // 100  # money × share of money: the 100 cancels, fewer digits to divide by
    else:
        if _measure(b) * 100 >= LIMIT:
            return None
        b, d = b * 100, np.asarray(q.den)
    if int(d.min()) <= 0 or int(d.max()) >= 2**60:
        return None
    got = muldiv(a, b, d, checked=True)
    if got is None:
        return None
    whole, rem = got
    fen = whole + (2 * rem >= d)
    return np.where((q.num < 0) != (q.fac < 0), -fen, fen) if signed else fen


def _negative(x: Arr) -> bool:
    return bool(np.size(x)) and int(np.min(x)) < 0


@overload
def muldiv(a: Arr, b: Arr, d: Arr) -> tuple[Arr, Arr]: ...
@overload
def muldiv(a: Arr, b: Arr, d: Arr, checked: Literal[True]) -> tuple[Arr, Arr] | None: ...
def muldiv(a: Arr, b: Arr, d: Arr, checked: bool = False) -> tuple[Arr, Arr] | None:
    """(a·b // d, a·b % d) for non-negative int64 a, b, exactly, without forming
    a·b (0 < d < 2**60, quotient within int64): b = q·d + r, then a·r/d by
    schoolbook division of a in s-bit digits, every partial sum below 2**63.
    `checked`: None when the quotient might not fit (a·b/d < a·(b//d + 1))."""
    bq, br = np.divmod(b, d)
    if checked and _measure(a) * (_measure(bq) + 1) >= LIMIT:
        return None
    hi = a * bq
    s = 62 - int(np.max(d)).bit_length()
    nbits = int(np.max(a)).bit_length() if np.size(a) else 0
    mask = (1 << s) - 1
    q: Arr | None = None
    r: Arr = np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(d)), dtype=np.int64)
    for shift in range(((nbits + s - 1) // s - 1) * s, -1, -s):
        digit = ((a >> shift) & mask) * br
        r = digit if q is None else (r << s) + digit
        qd, r = np.divmod(r, d)
        q = qd if q is None else (q << s) + qd
    return (hi if q is None else hi + q), r


def fen64(ctx: Ctx, x: Arr) -> Arr:
    """Python-int fen back to int64, or an error: a transfer must fit."""
    if x.dtype != object:
        return x
    if _measure(x) >= 2**63 - 1:
        raise VectorOverflow(ctx.line, "an amount in fen")
    return x.astype(np.int64)


def fen_q(fen: Arr, mag: int | None = None) -> Q:
    """Whole fen as a value in 元; `mag` ≥ max |fen| when already known."""
    return Q(fen, 100, _measure(fen) if mag is None else mag, 100)


def common_den(ctx: Ctx, q: Q, axis_len: int) -> tuple[Arr, Arr | int]:
    """Numerators over one denominator per draw (the last axis shares it)."""
    q = eager(ctx, q)
    if isinstance(q.den, int) or q.den.shape[-1:] in ((), (1,)):
        return q.num, q.den
    # Dens differ along the last axis: multiply each by the others' dens.
    num, den = pyints(q.num), pyints(np.broadcast_to(q.den, q.num.shape))
    ctx.promoted += 1
    if ctx.strict:
        raise VectorOverflow(ctx.line, "weights over different denominators")
    total = np.prod(den, axis=-1, keepdims=True)
    return num * (total // den), total
