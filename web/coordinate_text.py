"""A route line's coordinates as JSON text, written by a compiled pass: the bytes orjson
writes for them.

Why: a route's line is ≈ 500 vertices, a thousand numbers, and orjson writes each
float64 of a numpy array in ≈ 32 ns — 35 µs of a served route, half of its
serialisation (issue 11). The numbers are already rounded (:meth:`routing.itinerary.
Itinerary.coordinates`: 7 decimals for lon and lat, 1 for elevation), so each is
written here as the decimal it was rounded to — its integer ``k = |v| * 10**d`` and a
point — in a few ns.

That is orjson's text to the byte: orjson writes a float's shortest text that reads
back as the same double. For a value ``v`` that is the double nearest to ``k / 10**d``
(checked: ``k / 10**d == |v|`` in floating point, both operands exact), that text is
``k``'s decimal with trailing zeros dropped (at least one kept after the point):
no shorter decimal reads back as ``v``, since two decimals of at most 15 significant
digits never read back as one double. orjson writes very small and very large
magnitudes with an exponent (``1e-7``, ``1e+16``): values below 1e-4 (zero aside)
or from 1e9 up, non-finite ones, and any that fail the check are not written here
(the caller gives orjson the array). ``tests/test_coordinate_text.py`` compares
with orjson on adversarial values.
"""
from __future__ import annotations

import math

import numpy as np
import orjson
from numba import njit

from routing.itinerary import COORDINATE_DIGITS

#: Powers of ten, as integers and as (exact) floats, by number of decimals.
_POWERS = np.array([10 ** d for d in range(16)], np.int64)
_SCALES = np.array([10.0 ** d for d in range(16)], np.float64)
#: "0000" to "9999", four bytes each: the digits :func:`_write_digits` copies.
_QUADS = np.frombuffer(b"".join(b"%04d" % i for i in range(10000)), np.uint8).copy()
#: Unsigned offsets (numba makes a float of an unsigned and a signed integer's sum).
_U1, _U2, _U3, _U4 = (np.uint64(i) for i in range(1, 5))
#: Magnitudes written here: [SMALLEST, LARGEST) and zero (orjson's plain decimals).
SMALLEST, LARGEST = 1e-4, 1e9
#: The most bytes a value takes: sign, 9 whole digits, point, 15 decimals.
_VALUE_BYTES = 26
#: An empty column: the arrays :func:`write_values` does not read.
_NO_COLUMN = np.zeros(0)
#: ``write_values``' answer when some value is not written here.
NOT_WRITTEN = -1
#: The digits of one route line's coordinates, as the kernel reads them.
_DIGITS: dict = {}


@njit(cache=True, nogil=True, inline="always")
def _write_digits(out, end, value, count):
    """The ``count`` last decimal digits of ``value`` (>= 0, below ``10**count``, leading
    zeros written), ending just before ``out[end]``: four a step, from a table (a
    division each).

    The indices are unsigned: numba reads a signed index below zero from the end of the
    array, a test and a branch at every access that LLVM cannot drop for a computed
    index — a third of the writer's time (issue 11). These never are below zero."""
    p = np.uint64(end)
    while count >= 4:
        quad = np.uint64(4 * (value % 10000))
        value //= 10000
        out[p - _U4] = _QUADS[quad]
        out[p - _U3] = _QUADS[quad + _U1]
        out[p - _U2] = _QUADS[quad + _U2]
        out[p - _U1] = _QUADS[quad + _U3]
        p -= _U4
        count -= 4
    first = np.uint64(4 * value + 4 - count)     # the last ``count`` of value's four
    start = p - np.uint64(count)
    for c in range(count):
        out[start + np.uint64(c)] = _QUADS[first + np.uint64(c)]


@njit(cache=True, nogil=True, inline="always")
def _write_fixed(out, pos, k, d, negative):
    """Write ``k / 10**d`` (``k >= 0``) at ``out[pos]``, as orjson writes the double
    nearest to it (module doc); returns where the text ends."""
    if negative:                                  # -0.0 is written "-0.0", as orjson does
        out[np.uint64(pos)] = 45                  # (unsigned: see _write_digits)
        pos += 1
    whole = k // _POWERS[d]
    size = 1
    while size < 10 and whole >= _POWERS[size]:
        size += 1
    _write_digits(out, pos + size, whole, size)
    pos += size
    out[np.uint64(pos)] = 46                      # .
    pos += 1
    _write_digits(out, pos + d, k - whole * _POWERS[d], d)
    end = pos + d
    while end > pos + 1 and out[np.uint64(end - 1)] == 48:   # trailing zeros dropped, one kept
        end -= 1
    return end


@njit(cache=True, nogil=True)
def write_values(rows, first, second, third, m, digits, out):
    """Write rows of ``m`` values (2 or 3, column ``j`` to ``digits[j]`` decimals, each
    below 16) into ``out`` (uint8, at least :func:`capacity` bytes) as a JSON array of
    arrays; returns the bytes written, or ``NOT_WRITTEN`` (module doc).

    The values are ``rows`` (flat, row after row, already rounded) when it is not
    empty; else the columns ``first``, ``second`` and (``m`` 3) ``third``, rounded as
    they are written: ``rint(v * 10**d) / 10**d``, the values
    :func:`routing.itinerary.rounded_columns` makes (:func:`routing.numpy_exact.
    round_columns`' products, ties to even), so their text. A value whose rounding
    only Python's ``round`` decides (within its error of a half, huge, NaN) is
    ``NOT_WRITTEN`` there, as is, in ``rows``, one with more decimals than said.
    """
    from_rows = rows.shape[0] > 0
    n = rows.shape[0] // m if from_rows and m > 0 else first.shape[0]
    if m < 2 or m > 3 or digits.shape[0] != m or (from_rows and rows.shape[0] != n * m) or \
            (not from_rows and (second.shape[0] != n or (m > 2 and third.shape[0] != n))):
        raise IndexError("values, columns or digits of the wrong size")
    if out.shape[0] < 2 + n * (m * (_VALUE_BYTES + 1) + 3):
        raise IndexError("output too small")
    for j in range(m):
        if digits[j] < 0 or digits[j] >= _POWERS.shape[0]:
            raise IndexError("digits out of range")
    out[0] = 91                                   # [
    pos = 1
    for i in range(n):
        if i > 0:
            out[pos] = 44                         # ,
            pos += 1
        out[pos] = 91
        pos += 1
        for j in range(m):
            if j > 0:
                out[pos] = 44
                pos += 1
            scale = _SCALES[digits[j]]
            if from_rows:
                v = rows[i * m + j]
                a = abs(v)
                if not a * scale < 2.0 ** 52:     # k exact (NaN fails too)
                    return NOT_WRITTEN
                k = np.int64(a * scale + 0.5)
                if k / scale != a:                # not the double nearest to k / 10**d
                    return NOT_WRITTEN
                negative = math.copysign(1.0, v) < 0
            else:
                scaled = (first[i] if j == 0 else second[i] if j == 1 else third[i]) * scale
                magnitude = abs(scaled)
                if not magnitude < 2.0 ** 52 or \
                        abs(scaled - np.floor(scaled) - 0.5) <= magnitude * 2.0 ** -51:
                    return NOT_WRITTEN
                r = np.rint(scaled)
                k = np.int64(abs(r))
                negative = math.copysign(1.0, r) < 0
            a = k / scale
            if not (a < LARGEST and (k == 0 or a >= SMALLEST)):    # orjson: an exponent
                return NOT_WRITTEN
            pos = _write_fixed(out, pos, k, digits[j], negative)
        out[pos] = 93                             # ]
        pos += 1
    out[pos] = 93
    return pos + 1


def capacity(rows: int, columns: int) -> int:
    """Bytes :func:`write_values` may write for ``rows`` rows of ``columns`` values."""
    return 2 + rows * (columns * (_VALUE_BYTES + 1) + 3)


def coordinates_fragment(values, digits) -> orjson.Fragment | None:
    """``values`` (a 2-D float64 array, rounded to ``digits`` decimals a column) as the
    JSON text orjson would write for it, ready for orjson to copy; None where the kernel
    does not write it (module doc), or for anything else than such an array."""
    if not isinstance(values, np.ndarray) or values.ndim != 2 or values.dtype != np.float64 \
            or values.shape[1] != len(digits) or not values.flags.c_contiguous:
        return None
    key = tuple(digits)
    if key not in _DIGITS and not all(type(d) is int and 0 <= d < len(_POWERS) for d in key):
        return None
    out = np.empty(capacity(*values.shape), np.uint8)
    written = write_values(values.reshape(-1), _NO_COLUMN, _NO_COLUMN, _NO_COLUMN,
                           values.shape[1], _kernel_digits(key), out)
    if written == NOT_WRITTEN:
        return None
    return orjson.Fragment(out[:written].tobytes())


def with_line_text(document: dict) -> dict:
    """``document`` with each line's coordinates array (``Itinerary.to_geojson(arrays=True)``)
    replaced by its JSON text (:func:`coordinates_fragment`): the same
    bytes in half orjson's time. A shallow copy: ``document`` is left as it is."""
    features = document.get("features")
    if not isinstance(features, list):
        return document
    copied = list(features)
    for i, feature in enumerate(features):
        try:
            geometry = feature["geometry"]
            coordinates = geometry["coordinates"]
        except (KeyError, TypeError, IndexError):
            continue
        # only arrays: a point's (lists) is passed by in one test
        if type(coordinates) is np.ndarray and coordinates.ndim == 2 \
                and geometry.get("type") == "LineString":
            text = coordinates_fragment(coordinates, COORDINATE_DIGITS[:coordinates.shape[1]])
            if text is not None:
                copied[i] = dict(feature, geometry=dict(geometry, coordinates=text))
    return dict(document, features=copied)


def line_fragment(itinerary):
    """The coordinates of ``itinerary``'s line (``Itinerary.coordinates``) as orjson
    writes them, rounded and written in one compiled pass (:func:`write_values`); where
    that declines, the rounded array's text (:func:`coordinates_fragment`), else the
    coordinates themselves (lists where some vertex has no elevation)."""
    digits = COORDINATE_DIGITS if itinerary.has_elevation else COORDINATE_DIGITS[:2]
    columns = [np.asarray(c) for c in (itinerary.lon, itinerary.lat, itinerary.ele)]
    if all(c.dtype == np.float64 and c.ndim == 1 for c in columns):
        out = np.empty(capacity(len(columns[0]), len(digits)), np.uint8)
        written = write_values(_NO_COLUMN, *columns, len(digits), _kernel_digits(digits), out)
        if written != NOT_WRITTEN:
            return orjson.Fragment(out[:written].tobytes())
    coordinates = itinerary.coordinates(as_array=True)
    return coordinates_fragment(coordinates, digits) or coordinates


def _kernel_digits(digits: tuple):
    found = _DIGITS.get(digits)
    if found is None:
        found = _DIGITS.setdefault(digits, np.array(digits, np.int64))
    return found


def warm_up() -> None:
    """Load the kernels (servers call this before LLVM's pages are handed back)."""
    coordinates_fragment(np.zeros((1, 2)), (7, 7))
    coordinates_fragment(np.zeros((1, 3)), (7, 7, 1))
    line = np.zeros(1)
    write_values(_NO_COLUMN, line, line, line, 2, _kernel_digits(COORDINATE_DIGITS[:2]),
                 np.empty(capacity(1, 2), np.uint8))
