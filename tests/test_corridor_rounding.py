"""The roundings the places along a route use (:func:`routing.itinerary.rounded` with 0, 1
and 2 digits, per column, on any shape) are Python's ``round`` to the bit."""
from __future__ import annotations

import numpy as np

from routing.itinerary import rounded


def test_place_figures_round_as_python_does():
    rng = np.random.default_rng(7)
    halves = (np.floor(rng.uniform(0, 5000, 3000)) + 0.5) / 100.0
    values = np.concatenate([rng.uniform(0, 5000, 6000), halves, np.nextafter(halves, 0.0),
                             [0.0, -0.0, 0.05, 0.049999999999999996, np.inf, np.nan]])
    figures = values[:len(values) // 4 * 4].reshape(-1, 4)
    digits = (2, 0, 1, 1)
    got = rounded(figures, digits)
    expected = np.array([[round(float(v), d) for v, d in zip(row, digits)] for row in figures])
    assert got.shape == figures.shape
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    strided = figures[:, ::2]                      # not contiguous
    expected = np.array([[round(float(v), d) for v, d in zip(row, (2, 1))] for row in strided])
    assert np.array_equal(rounded(strided, (2, 1)).view(np.int64), expected.view(np.int64))
    assert rounded(3.14159, 2).shape == () and float(rounded(3.14159, 2)) == 3.14
