"""numpy's floating-point results, bit for bit, inside numba kernels.

The itinerary kernel (:mod:`routing.assemble_kernel`) replaces dozens of numpy
calls per route, and every answer must stay identical to the last bit. So the
few numpy routines it stands in for are reproduced here with the same
operations in the same order:

- :func:`pairwise_sum`: ``np.add.reduce`` over a contiguous float64 array
  (numpy's pairwise summation: blocks of up to 128 summed with eight
  accumulators, halves of longer arrays summed separately, the result added
  to the identity 0.0);
- :func:`interp_points`: ``np.interp`` (numpy's search "with guess",
  the index of one point being the guess for the next, its slope formula and
  its NaN fallbacks), so repeated points and non-monotonic offsets interpolate
  as numpy does;
- :func:`round3`: Python's ``round(x, 3)`` (correctly rounded, ties to even),
  from an exact product (Dekker's two-product) instead of a decimal string;
- :func:`climb_kernel`: :func:`graphs.elevation.climb` (``np.arange``'s fill,
  ``np.interp``, the centred moving average of ``np.convolve(..., "same")``
  summed left to right, the sums of rises and falls).

``tests/test_numpy_exact.py`` checks each against numpy and Python on
adversarial inputs.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

#: numpy's ``LIKELY_IN_CACHE_SIZE`` (``binary_search_with_guess``).
_NEAR = 8
#: numpy's ``PW_BLOCKSIZE`` (pairwise summation).
_BLOCK = 128
#: Veltkamp's splitter for float64 (2**27 + 1).
_SPLIT = 134217729.0
#: :func:`climb_kernel` cannot follow ``np.convolve`` on profiles shorter than its
#: kernel (numpy swaps the operands there): the caller uses the numpy code.
CLIMB_SHORT = -1


@njit(cache=True, nogil=True)
def _block_sum(values, lo, n):
    """numpy's pairwise sum of at most ``_BLOCK`` values: eight accumulators."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += values[i]
        return res
    r0, r1, r2, r3 = values[lo], values[lo + 1], values[lo + 2], values[lo + 3]
    r4, r5, r6, r7 = values[lo + 4], values[lo + 5], values[lo + 6], values[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        k = lo + i
        r0 += values[k]
        r1 += values[k + 1]
        r2 += values[k + 2]
        r3 += values[k + 3]
        r4 += values[k + 4]
        r5 += values[k + 5]
        r6 += values[k + 6]
        r7 += values[k + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += values[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def pairwise_sum(values, lo, n):
    """numpy's pairwise sum of ``values[lo:lo + n]`` (without the identity added).

    numpy recurses on halves (cut at a multiple of 8) above ``_BLOCK`` values; the
    same tree is walked here with an explicit stack (numba's cache cannot hold
    recursive kernels called from other modules).
    """
    if n <= _BLOCK:
        return _block_sum(values, lo, n)
    depth = 64                                  # halves: far deeper than any array
    at, size, stage = np.empty(depth, np.int64), np.empty(depth, np.int64), \
        np.empty(depth, np.int64)
    partial = np.empty(depth + 1)
    top, done = 0, 0
    at[0], size[0], stage[0] = lo, n, 0
    while top >= 0:
        m = size[top]
        if m <= _BLOCK:
            partial[done] = _block_sum(values, at[top], m)
            done += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 2:                     # both halves summed: add them
            partial[done - 2] = partial[done - 2] + partial[done - 1]
            done -= 1
            top -= 1
            continue
        child_at = at[top] + (half if stage[top] == 1 else 0)
        child_size = m - half if stage[top] == 1 else half
        stage[top] += 1
        top += 1
        at[top], size[top], stage[top] = child_at, child_size, 0
    return partial[0]


@njit(cache=True, nogil=True)
def array_sum(values, n):
    """``float(values[:n].sum())`` as numpy computes it."""
    return 0.0 + pairwise_sum(values, 0, n)


@njit(cache=True, nogil=True)
def interp_points(x, xp, fp, lo, n, out, guess):
    """``out[:len(x)] = np.interp(x, xp[lo:lo + n], fp[lo:lo + n])`` (``n >= 1``, ``fp``
    read as float64), starting numpy's search from index ``guess``; returns the last index
    found (the guess of a following call that continues numpy's).

    numpy's ``binary_search_with_guess`` is written out here rather than called: a
    kernel called with arrays costs reference counting on each call, more than the
    search itself.
    """
    left, right = np.float64(fp[lo]), np.float64(fp[lo + n - 1])
    j = guess
    for i in range(len(x)):
        key = x[i]
        if n == 1:
            out[i] = left if key < xp[lo] else (right if key > xp[lo] else left)
            continue
        if math.isnan(key):
            out[i] = key
            continue
        # -- binary_search_with_guess(key, xp, n, j) --
        if key > xp[lo + n - 1]:
            j = n
        elif key < xp[lo]:
            j = -1
        elif n <= 4:
            j = 1
            while j < n and key >= xp[lo + j]:
                j += 1
            j -= 1
        else:
            g = min(max(j, 1), n - 3)
            imin, imax, found = 0, n, -2
            if key < xp[lo + g]:
                if key < xp[lo + g - 1]:
                    imax = g - 1
                    if g > _NEAR and key >= xp[lo + g - _NEAR]:
                        imin = g - _NEAR
                else:
                    found = g - 1
            elif key < xp[lo + g + 1]:
                found = g
            elif key < xp[lo + g + 2]:
                found = g + 1
            else:
                imin = g + 2
                if g < n - _NEAR - 1 and key < xp[lo + g + _NEAR]:
                    imax = g + _NEAR
            if found == -2:
                while imin < imax:
                    mid = imin + ((imax - imin) >> 1)
                    if key >= xp[lo + mid]:
                        imin = mid + 1
                    else:
                        imax = mid
                found = imin - 1
            j = found
        # -- the value at j --
        if j == -1:
            out[i] = left
        elif j == n:
            out[i] = right
        elif j == n - 1 or xp[lo + j] == key:
            out[i] = np.float64(fp[lo + j])
        else:
            y0, y1 = np.float64(fp[lo + j]), np.float64(fp[lo + j + 1])
            slope = (y1 - y0) / (xp[lo + j + 1] - xp[lo + j])
            value = slope * (key - xp[lo + j]) + y0
            if math.isnan(value):
                value = slope * (key - xp[lo + j + 1]) + y1
                if math.isnan(value) and y0 == y1:
                    value = y0
            out[i] = value
    return j


@njit(cache=True, nogil=True)
def round3(x):
    """Python's ``round(x, 3)`` for a finite float with ``|x| < 2**52 / 1000``.

    ``x * 1000`` is split exactly into its rounded product and the product's
    error; the nearest integer of the exact value (ties to even) divided by
    1000 is the double nearest to the decimal Python's ``round`` makes.
    """
    p = x * 1000.0
    t = _SPLIT * x
    hi = t - (t - x)
    low = x - hi
    err = (hi * 1000.0 - p) + low * 1000.0       # 1000 needs no split: both products exact
    r = np.rint(p)                               # ties to even, as exact ties need
    d = p - r                                    # exact: |d| <= 0.5
    if d == 0.5 and err > 0.0:                   # p on a tie, the exact value above it
        r += 1.0
    elif d == -0.5 and err < 0.0:                # ... below it
        r -= 1.0
    return math.copysign(r / 1000.0, x)


@njit(cache=True, nogil=True, inline="always")
def _arange_at(i, start, first, delta):
    """Item ``i`` of ``np.arange``: its first two items, then numpy's fill."""
    if i == 0:
        return start
    if i == 1:
        return first
    return start + i * delta


@njit(cache=True, nogil=True)
def climb_kernel(cum, ele, lo, hi, step, half):
    """:func:`graphs.elevation.climb` of ``cum[lo:hi]``, ``ele[lo:hi]`` with ``half`` =
    ``int(round(window_m / step_m)) // 2``: ``(ascent, descent, status)``, status 1, or
    :data:`CLIMB_SHORT` when the resampled profile is shorter than the smoothing kernel."""
    m = 0
    xs, ys = np.empty(max(hi - lo, 0)), np.empty(max(hi - lo, 0))
    for i in range(lo, hi):
        if math.isfinite(ele[i]) and math.isfinite(cum[i]):
            xs[m], ys[m] = cum[i], ele[i]
            m += 1
    if m < 2 or xs[m - 1] - xs[0] <= 0:
        return 0.0, 0.0, 1
    start, stop = xs[0], xs[m - 1]
    count = int(math.ceil((stop - start) / step))        # np.arange(start, stop, step)
    first = start + step
    delta = first - start
    size = count + 1 if _arange_at(count - 1, start, first, delta) < stop else count
    at = np.empty(size)
    for i in range(size):
        at[i] = stop if i == count else _arange_at(i, start, first, delta)
    profile = np.empty(size)
    interp_points(at, xs, ys, 0, m, profile, 0)
    width = 2 * half + 1
    if half > 0 and size > 2:
        if size < width:
            return 0.0, 0.0, CLIMB_SHORT
        smooth = np.empty(size)
        for i in range(size):
            a, b = max(0, i - half), min(size - 1, i + half)
            total = 0.0
            for k in range(a, b + 1):
                total += profile[k]
            smooth[i] = total / float(b - a + 1)
        profile = smooth
    rises, falls = np.empty(max(size - 1, 0)), np.empty(max(size - 1, 0))
    n_up = n_down = 0
    for i in range(size - 1):
        rise = profile[i + 1] - profile[i]
        if rise > 0:
            rises[n_up] = rise
            n_up += 1
        elif rise < 0:
            falls[n_down] = rise
            n_down += 1
    return array_sum(rises, n_up), -array_sum(falls, n_down), 1


@njit(cache=True, nogil=True)
def round_scaled(values, scales, out, doubt):
    """What :func:`routing.itinerary.rounded` computes with numpy, in one pass.

    ``out[i] = rint(values[i] * s) / s`` with ``s = scales[i % len(scales)]`` (the
    same products, ties-to-even and quotients as numpy's, so the same bits); the
    indices ``i`` where that may differ from Python's ``round`` (the scaled value
    within its rounding error of a half, huge, infinite or NaN) are written to
    ``doubt``, which holds ``len(values)``. Returns how many were.
    """
    k = scales.shape[0]
    count = 0
    for i in range(min(values.shape[0], out.shape[0], doubt.shape[0])):
        s = scales[i % k]
        scaled = values[i] * s
        out[i] = np.rint(scaled) / s
        magnitude = abs(scaled)
        if not magnitude < 2.0 ** 52 or abs(scaled - np.floor(scaled) - 0.5) <= magnitude * 2.0 ** -51:
            doubt[count] = i
            count += 1
    return count


@njit(cache=True, nogil=True)
def round_columns(first, second, third, scales, out, doubt):
    """:func:`round_scaled` of the rows ``(first[i], second[i], third[i])`` into the rows
    of ``out`` (as many columns as ``out`` has, at most three; ``scales`` one per
    column): numpy's ``column_stack`` and the rounding in one pass. ``doubt`` gets the
    flat indices into ``out`` to leave to Python's ``round``; returns how many."""
    n, cols = out.shape[0], min(out.shape[1], scales.shape[0], 3)
    count = 0
    for i in range(min(n, first.shape[0], second.shape[0], third.shape[0] if cols > 2 else n)):
        for c in range(cols):
            value = first[i] if c == 0 else second[i] if c == 1 else third[i]
            s = scales[c]
            scaled = value * s
            out[i, c] = np.rint(scaled) / s
            magnitude = abs(scaled)
            if not magnitude < 2.0 ** 52 or abs(scaled - np.floor(scaled) - 0.5) <= magnitude * 2.0 ** -51:
                if count < doubt.shape[0]:
                    doubt[count] = i * out.shape[1] + c
                count += 1
    return count


@njit(cache=True, nogil=True)
def min_max(values):
    """numpy's ``values.min()`` and ``values.max()`` (not empty): NaN for both when it
    holds a NaN, and of equal values the later (see :func:`lat_lon_bounds`)."""
    lo = hi = values[0]
    for i in range(values.shape[0]):
        v = values[i]
        if v != v:
            return np.nan, np.nan
        if v <= lo:
            lo = v
        if v >= hi:
            hi = v
    return lo, hi


@njit(cache=True, nogil=True)
def lat_lon_bounds(lat, lon):
    """(south, west, north, east): numpy's ``lat.min()``, ``lon.min()``, ``lat.max()``,
    ``lon.max()`` in one call (neither array empty): NaN where an array holds a NaN, and
    of equal values the later (``np.minimum`` keeps its second operand: ``-0.0`` and
    ``0.0`` as numpy)."""
    south, north = min_max(lat)
    west, east = min_max(lon)
    return south, west, north, east
