"""routing.unchecked: raw pointers and dispatch-free calls give the checked answers.

.ci/run runs this file once more with ``NUMBA_BOUNDSCHECK=1``: :func:`raw` is then the
array itself, and an index past the end is an IndexError.
"""
import numpy as np
import pytest
from numba import njit
from numba.core import config

from routing.prefetch import prefetch
from routing.unchecked import compiled_for, raw


@njit(cache=True)
def _scaled_sum(values, out, factor):
    """out[i] = factor * values[i] through raw pointers; returns the sum."""
    src, dst = raw(values), raw(out)
    total = 0.0
    for i in range(values.shape[0]):
        prefetch(src, i + 8 if i + 8 < values.shape[0] else i)
        dst[i] = factor * src[i]
        total += dst[i]
    return total


@njit(cache=True)
def _read(values, i):
    return raw(values)[i]


def test_raw_pointers_read_and_write_like_arrays():
    values = np.arange(50, dtype=np.float64)
    out = np.zeros(50)
    assert _scaled_sum(values, out, 2.0) == 2 * values.sum()
    assert np.array_equal(out, 2 * values)
    ints = np.arange(7, dtype=np.int32)
    assert _read(ints, 6) == 6


@pytest.mark.skipif(not config.BOUNDSCHECK, reason="a pointer is checked only with NUMBA_BOUNDSCHECK=1")
def test_bounds_checked_builds_index_the_arrays():
    with pytest.raises(IndexError):
        _read(np.arange(7, dtype=np.int32), 7)


def test_raw_is_for_kernels_only():
    with pytest.raises(TypeError):
        raw(np.zeros(3))


def test_compiled_for_answers_as_the_dispatcher():
    values, out = np.arange(10, dtype=np.float64), np.zeros(10)
    direct = compiled_for(_scaled_sum, values, out, 3.0)
    assert direct is not _scaled_sum and callable(direct)
    assert direct(values, out, 3.0) == _scaled_sum(values, out, 3.0) == 135.0
