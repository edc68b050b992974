"""The kernels' copies of numpy routines give numpy's results, bit for bit.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``.
"""
import numpy as np
import pytest

from graphs.elevation import SMOOTH_M, STEP_M, climb
from routing.numpy_exact import (CLIMB_SHORT, array_sum, climb_kernel, interp_points, round3,
                                 round_scaled)


def _bits(x) -> bytes:
    return np.float64(x).tobytes()


def _adversarial(rng, n):
    """Values whose sum depends on the order of the additions."""
    kind = rng.integers(0, 4)
    if kind == 0:
        return rng.uniform(0, 1, n)
    if kind == 1:
        return rng.normal(0, 1, n) * 10.0 ** rng.integers(-8, 17, n)
    if kind == 2:
        return np.round(rng.uniform(0, 500, n), rng.integers(0, 4))
    return np.concatenate([[1e16], rng.uniform(-3, 3, n - 1)]) if n else np.zeros(0)


def test_array_sum_is_numpy_sum():
    rng = np.random.default_rng(1)
    sizes = list(range(0, 300)) + [511, 512, 513, 1000, 1023, 1024, 1025, 2049, 4097, 9000]
    for n in sizes:
        for _ in range(4):
            values = _adversarial(rng, n)
            assert _bits(array_sum(values, n)) == _bits(values.sum()), n
            part = rng.integers(0, n + 1)
            assert _bits(array_sum(values, part)) == _bits(values[:part].sum())
    assert _bits(array_sum(np.array([-0.0]), 1)) == _bits(np.array([-0.0]).sum())


def _interp(x, xp, fp, pieces):
    """``interp_points`` over ``x`` in ``pieces`` consecutive calls (the search goes on)."""
    out, guess = np.empty(len(x)), 0
    cuts = np.linspace(0, len(x), pieces + 1).astype(int)
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        guess = interp_points(x[lo:hi], xp, fp, 0, len(xp), out[lo:hi], guess)
    return out


def test_interp_is_numpy_interp():
    rng = np.random.default_rng(2)
    checked = 0
    for trial in range(3000):
        n = int(rng.integers(1, 40))
        xp = np.cumsum(rng.choice([0.0, 0.5, 1.0, 3.7], n) * rng.uniform(0, 2, n))
        if trial % 5 == 0:                 # offsets that step back a hair, as float sums do
            xp = xp + rng.choice([0.0, -1e-12, 1e-12], n)
        fp = rng.normal(100, 50, n)
        if trial % 7 == 0:
            fp = fp.astype(np.float32)
        if trial % 11 == 0:
            fp[rng.integers(0, n)] = np.inf
        x = np.concatenate([rng.uniform(xp[0] - 1, xp[-1] + 1, int(rng.integers(1, 60))),
                            rng.choice(xp, 5), [np.nan]])
        if trial % 3 == 0:
            x = np.sort(x)
        ref = np.interp(x, xp, fp)
        for pieces in (1, 3, len(x)):
            assert _interp(x, xp, fp, pieces).tobytes() == ref.tobytes(), (trial, pieces)
        checked += len(x)
    assert checked > 50000


def test_round3_is_python_round():
    rng = np.random.default_rng(3)
    ties = (2 * np.arange(-20000, 20000) + 1) / 2000.0            # k + 0.5 thousandths
    near = np.concatenate([ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf)])
    values = np.concatenate([
        near, rng.uniform(0, 5000, 200000), rng.uniform(0, 1, 50000) * 10.0 ** rng.integers(
            -12, 10, 50000), [0.0, -0.0, 0.0625, 0.1875, 2.675, 1e-300, -1e-300, 12345.0625]])
    for v in values.tolist():
        got = round3(v)
        assert _bits(got) == _bits(round(v, 3)), v


@pytest.mark.parametrize("digits", [(1,), (7, 7, 1), (3, 0)])
def test_round_scaled_is_numpy_rounding(digits):
    """The kernel is numpy's ``rint(v * s) / s``, to the bit, and flags every value where
    that may not be Python's round (each flagged one once, in order); empty input too."""
    rng = np.random.default_rng(len(digits))
    scales = np.array([10.0 ** d for d in digits])
    k = len(digits)
    for n in (0, 1, k, 999 * k):
        values = rng.uniform(-9000, 9000, n)
        values[::5] = (np.floor(values[::5] * scales[np.arange(0, n, 5) % k]) + 0.5) / \
            scales[np.arange(0, n, 5) % k]                           # halves: flagged
        if n > 3:
            values[1], values[2], values[3] = np.nan, np.inf, 2.0 ** 60
        out, doubt = np.empty(n), np.full(n, -1, np.int64)
        count = round_scaled(values, scales, out, doubt)
        s = scales[np.arange(n) % k]
        with np.errstate(invalid="ignore"):
            expected = np.rint(values * s) / s
            scaled = values * s
            flagged = ~(np.abs(scaled) < 2.0 ** 52) | (
                np.abs(scaled - np.floor(scaled) - 0.5) <= np.abs(scaled) * 2.0 ** -51)
        assert _bits(out) == _bits(expected)
        assert doubt[:count].tolist() == np.flatnonzero(flagged).tolist()
        assert (doubt[count:] == -1).all()


def _profile(rng, n, trial):
    cum = np.cumsum(rng.choice([0.0, 0.3, 4.0, 11.0, 37.0], n) * rng.uniform(0.5, 1.5, n))
    cum += rng.uniform(0, 1e4)
    ele = rng.normal(300, 30, n).cumsum() / 10 + rng.choice([0.0, 1e6], 1)
    if trial % 4 == 0:
        ele[rng.random(n) < 0.2] = np.nan
    if trial % 9 == 0:
        ele = np.round(ele, 1).astype(np.float32).astype(np.float64)
    return cum, ele


def test_climb_kernel_is_climb():
    rng = np.random.default_rng(4)
    half = int(round(SMOOTH_M / STEP_M)) // 2
    short = 0
    for trial in range(3000):
        n = int(rng.integers(0, 120)) if trial % 10 else int(rng.integers(200, 2000))
        cum, ele = _profile(rng, n, trial)
        lo = int(rng.integers(0, max(n // 3, 1)))
        hi = int(rng.integers(lo, n + 1)) if n else 0
        up, down, status = climb_kernel(cum, ele, lo, hi, STEP_M, half)
        ref = climb(cum[lo:hi], ele[lo:hi])
        if status == CLIMB_SHORT:
            short += 1
            continue
        assert (_bits(up), _bits(down)) == (_bits(ref[0]), _bits(ref[1])), trial
    assert 0 < short < 300


@pytest.mark.parametrize("half", [0, 1, 3])
def test_climb_kernel_other_windows(half):
    rng = np.random.default_rng(5 + half)
    for trial in range(300):
        cum, ele = _profile(rng, int(rng.integers(2, 300)), trial)
        up, down, status = climb_kernel(cum, ele, 0, len(cum), 7.0, half)
        if status != CLIMB_SHORT:
            ref = climb(cum, ele, 7.0, 7.0 * (2 * half + 0.5))
            assert (_bits(up), _bits(down)) == (_bits(ref[0]), _bits(ref[1]))


def test_round_columns_is_column_stack_then_rounded():
    from routing.itinerary import rounded, rounded_columns

    rng = np.random.default_rng(21)
    n = 3000
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)
    ele = rng.uniform(-400, 4800, n)
    # halves of the last digit (Python's round decides), whole numbers, zeros, NaN
    lon[:50] = np.round(lon[:50], 7) + 5e-8
    ele[:50] = np.round(ele[:50]) + 0.05
    lat[50:60], ele[60:70] = 0.0, -0.0
    ele[70:75] = np.nan
    for columns, digits in (((lon, lat), (7, 7)), ((lon, lat, ele), (7, 7, 1)),
                            ((ele, lat), (0, 3))):
        got = rounded_columns(columns, digits)
        ref = rounded(np.column_stack(columns), digits)
        assert got.shape == ref.shape and got.tobytes() == ref.tobytes()
    with pytest.raises(ValueError):
        rounded_columns((lon, lat[:-1]), (7, 7))
    with pytest.raises(ValueError):
        rounded_columns((lon, lat), (7, 7, 1))
    assert rounded_columns((lon[:0], lat[:0]), (7, 7)).shape == (0, 2)


def test_lat_lon_bounds_are_numpys_min_and_max():
    from routing.numpy_exact import lat_lon_bounds

    rng = np.random.default_rng(22)
    cases = [rng.uniform(-90, 90, 500), np.array([-0.0, 0.0]), np.array([0.0, -0.0]),
             np.array([1.0, -0.0, 0.0, 2.0]), np.array([3.0, np.nan, 1.0]), np.array([7.5])]
    for lat in cases:
        for lon in cases:
            got = lat_lon_bounds(lat, lon)
            ref = (lat.min(), lon.min(), lat.max(), lon.max())
            assert [repr(float(v)) for v in got] == [repr(float(v)) for v in ref]
