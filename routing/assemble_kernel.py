"""The compiled core of itinerary assembly: one call per itinerary.

:func:`assemble_pieces` walks the pieces of all legs once and returns every
number :func:`routing.assemble.assemble` reports: the geometry (whole edges
gathered, partial ones interpolated, walked backwards when travelled v -> u,
repeated vertices dropped), each leg's vertex span, distance, duration and
climb, the metres per surface, highway and signed-route label, the pieces
carrying a warning, and the pieces' offsets rounded as itineraries store them.

Each figure comes out exactly as the numpy code it replaced computed it: the
same operations in the same order (running sums as ``np.cumsum`` and
``np.bincount`` make them, sums as ``np.sum`` makes them, interpolation as
``np.interp``: :mod:`routing.numpy_exact`), so answers stay identical to the
last bit. Python is left with building the few dicts.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .numpy_exact import array_sum, climb_kernel, interp_at, round3

#: Columns of the per-leg table.
LEG_M, LEG_S, LEG_START, LEG_END, LEG_UP, LEG_DOWN, LEG_CLIMB = range(7)
LEG_COLUMNS = 7
#: ``LEG_CLIMB`` when the leg has no elevation at all (ascent and descent are None).
NO_ELEVATION = 0


@njit(cache=True, nogil=True, inline="always")
def _vertex_count(e, lo, hi, whole, geom_ptr, shape_off):
    """Vertices piece ``e`` [lo, hi] contributes: all shape points of a whole edge, else
    the two interpolated ends and the shape points strictly between them."""
    p, q = geom_ptr[e], geom_ptr[e + 1]
    if whole:
        return q - p
    if q - p < 1:
        raise ValueError("an edge without shape points")
    inner = 0
    for k in range(p, q):
        if lo < shape_off[k] < hi:
            inner += 1
    return inner + 2


@njit(cache=True, nogil=True, inline="always")
def _whole_piece(raw, at, e, backward, start_m, geom_ptr, edge_len, lat, lon, ele, off):
    """Shape points of a whole edge, in travel order, at metres from the route's start."""
    p, q = geom_ptr[e], geom_ptr[e + 1]
    length = edge_len[e]
    for k in range(q - p):
        idx = q - 1 - k if backward else p + k
        along = length - off[idx] if backward else off[idx]
        raw[0, at + k], raw[1, at + k] = lat[idx], lon[idx]
        raw[2, at + k], raw[3, at + k] = np.float64(ele[idx]), along + start_m
    return at + q - p


@njit(cache=True, nogil=True, inline="always")
def _partial_piece(raw, at, count, e, lo, hi, backward, start_m, geom_ptr, lat, lon, ele, off):
    """The part [lo, hi] of an edge (as :func:`routing.assemble.edge_slice` cuts it)."""
    p, q = geom_ptr[e], geom_ptr[e + 1]
    n = q - p
    known = True
    for k in range(p, q):
        known = known and math.isfinite(ele[k])
    ends = np.empty((2, 3))
    for side in range(2):
        x = lo if side == 0 else hi
        ends[side, 0] = interp_at(x, off, lat, p, n, 0)[0]
        ends[side, 1] = interp_at(x, off, lon, p, n, 0)[0]
    ends[0, 2] = ends[1, 2] = np.nan
    if known:                          # one np.interp call: the low end's index guides
        ends[0, 2], guess = interp_at(lo, off, ele, p, n, 0)
        ends[1, 2] = interp_at(hi, off, ele, p, n, guess)[0]
    span = hi - lo
    t = 0
    for v in range(count):             # v-th vertex along the edge's own direction
        if v == 0 or v == count - 1:
            side = 0 if v == 0 else 1
            y, x, z = ends[side, 0], ends[side, 1], ends[side, 2]
            c = (lo if side == 0 else hi) - lo
        else:
            while not lo < off[p + t] < hi:
                t += 1
            y, x, z, c = lat[p + t], lon[p + t], np.float64(ele[p + t]), off[p + t] - lo
            t += 1
        slot = at + (count - 1 - v if backward else v)
        raw[0, slot], raw[1, slot], raw[2, slot] = y, x, z
        raw[3, slot] = (span - c if backward else c) + start_m
    return at + count


@njit(cache=True, nogil=True, inline="always")
def _tally(sums, seen, order, n_order, code, weight):
    """``np.bincount`` of one more weight, remembering the order codes first appear in."""
    if code < 0 or code >= len(sums):
        raise IndexError("a code outside its vocabulary")
    if not seen[code]:
        seen[code] = True
        order[n_order] = code
        n_order += 1
    sums[code] += weight
    return n_order


@njit(cache=True, nogil=True, inline="always")
def _python_index(index, n):
    """``sequence[index]``'s position (negative from the end), as Python reads it."""
    if index < 0:
        index += n
    if index < 0 or index >= n:
        raise IndexError("a leg outside the itinerary's vertices")
    return index


@njit(cache=True, nogil=True)
def assemble_pieces(edge, a, b, leg_ptr, edge_len, geom_ptr, lat, lon, ele, off,
                    time_fwd, time_bwd, surface, highway, n_surface, n_highway,
                    route_ptr, route_idx, label_of, n_routes, signed, warn_any, step, half):
    """Everything an itinerary reports about pieces ``(edge, a, b)``, legs ``leg_ptr``.

    Returns
    -------
    geometry : (4, n) float64
        lat, lon, ele (NaN unknown), metres from the start, repeated vertices dropped.
    ints : int64
        How many surface, highway and signed-route codes and warned pieces there are,
        the codes (each kind in order of first appearance), the warned pieces' edges.
    floats : float64
        Duration (s) and metres on signed routes; per leg the ``LEG_*`` columns:
        metres, seconds, first and last vertex, ascent, descent and how the climb was
        measured (:data:`NO_ELEVATION`, 1, or :data:`routing.numpy_exact.CLIMB_SHORT`:
        by numpy); the metres of each code; where each warned piece starts and ends;
        each piece's ``round(a, 3)``, ``round(b, 3)``.

    Three arrays rather than a dozen: each array handed back to Python costs more
    than the arithmetic of a whole route.
    """
    n = len(edge)
    n_legs = len(leg_ptr) - 1
    start_m, length = np.empty(n), np.empty(n)
    counts = np.empty(n, np.int64)
    n_edges = len(edge_len)
    total, n_raw = 0.0, 0
    for i in range(n):                                   # lengths, running totals, sizes
        e = edge[i]
        if e < 0 or e >= n_edges:
            raise IndexError("a piece on an edge the graph does not have")
        length[i] = abs(b[i] - a[i])
        start_m[i] = total
        total += length[i]
        lo, hi = min(a[i], b[i]), max(a[i], b[i])
        counts[i] = _vertex_count(e, lo, hi, lo <= 0.0 and hi >= edge_len[e], geom_ptr, off)
        n_raw += counts[i]
    raw = np.empty((4, n_raw))
    at = 0
    for i in range(n):                                   # the geometry, piece by piece
        e = edge[i]
        lo, hi = min(a[i], b[i]), max(a[i], b[i])
        if lo <= 0.0 and hi >= edge_len[e]:
            at = _whole_piece(raw, at, e, a[i] > b[i], start_m[i], geom_ptr, edge_len,
                              lat, lon, ele, off)
        else:
            at = _partial_piece(raw, at, counts[i], e, lo, hi, a[i] > b[i], start_m[i],
                                geom_ptr, lat, lon, ele, off)
    kept = np.empty(n_raw, np.int64)                     # np.cumsum(keep) - 1
    n_kept = 0
    for v in range(n_raw):
        if v == 0 or abs(raw[0, v] - raw[0, v - 1]) > 1e-9 or abs(raw[1, v] - raw[1, v - 1]) > 1e-9:
            n_kept += 1
        kept[v] = n_kept - 1
    geometry = np.empty((4, n_kept))
    for v in range(n_raw):
        if v == 0 or kept[v] != kept[v - 1]:
            for r in range(4):
                geometry[r, kept[v]] = raw[r, v]
    legs = np.zeros((n_legs, LEG_COLUMNS))
    leg_time = np.zeros(n_legs)
    vertex_end = 0
    for leg in range(n_legs):
        first, stop = leg_ptr[leg], leg_ptr[leg + 1]
        before, m_before = vertex_end, start_m[first] if first < n else total
        for i in range(first, stop):
            e = edge[i]
            edge_m = edge_len[e]
            frac = length[i] / edge_m if edge_m > 0 else 0.0
            leg_time[leg] += (time_fwd[e] if b[i] > a[i] else time_bwd[e]) * frac
            vertex_end += counts[i]
        m_through = start_m[stop - 1] + length[stop - 1] if stop > first else m_before
        if first == 0:
            m_before = 0.0
        legs[leg, LEG_M] = m_through - m_before
        legs[leg, LEG_S] = leg_time[leg]
        legs[leg, LEG_START] = kept[_python_index(before, n_raw)]
        legs[leg, LEG_END] = kept[_python_index(vertex_end - 1, n_raw)]
    for leg in range(n_legs):
        lo, hi = int(legs[leg, LEG_START]), int(legs[leg, LEG_END]) + 1
        known = False
        for v in range(lo, hi):
            known = known or math.isfinite(geometry[2, v])
        if known:
            legs[leg, LEG_UP], legs[leg, LEG_DOWN], legs[leg, LEG_CLIMB] = climb_kernel(
                geometry[3], geometry[2], lo, hi, step, half)
    sums_s, sums_h, sums_r = np.zeros(n_surface), np.zeros(n_highway), np.zeros(n_routes)
    seen_s, seen_h = np.zeros(n_surface, np.bool_), np.zeros(n_highway, np.bool_)
    seen_r = np.zeros(n_routes, np.bool_)
    order_s, order_h = np.empty(n_surface, np.int64), np.empty(n_highway, np.int64)
    order_r = np.empty(n_routes, np.int64)
    n_s = n_h = n_r = 0
    warned = np.empty(n, np.int64)
    warned_m = np.empty((n, 2))
    on_signed = np.empty(n)
    n_warned = n_signed = 0
    for i in range(n):                       # np.bincount per label, in piece order
        e = edge[i]
        n_s = _tally(sums_s, seen_s, order_s, n_s, surface[e], length[i])
        n_h = _tally(sums_h, seen_h, order_h, n_h, highway[e], length[i])
        for r in range(route_ptr[e], route_ptr[e + 1]):
            route = route_idx[r]
            if route < 0 or route >= len(label_of):
                raise IndexError("a signed route the graph does not have")
            n_r = _tally(sums_r, seen_r, order_r, n_r, label_of[route], length[i])
        if signed[e]:
            on_signed[n_signed] = length[i]
            n_signed += 1
        if warn_any[e]:
            warned[n_warned] = e
            warned_m[n_warned, 0], warned_m[n_warned, 1] = start_m[i], start_m[i] + length[i]
            n_warned += 1
    n_codes = n_s + n_h + n_r
    ints = np.empty(4 + n_codes + n_warned, np.int64)
    ints[0], ints[1], ints[2], ints[3] = n_s, n_h, n_r, n_warned
    for k in range(n_s):
        ints[4 + k] = order_s[k]
    for k in range(n_h):
        ints[4 + n_s + k] = order_h[k]
    for k in range(n_r):
        ints[4 + n_s + n_h + k] = order_r[k]
    for k in range(n_warned):
        ints[4 + n_codes + k] = warned[k]
    floats = np.empty(2 + LEG_COLUMNS * n_legs + n_codes + 2 * n_warned + 2 * n)
    floats[0], floats[1] = array_sum(leg_time, n_legs), array_sum(on_signed, n_signed)
    at = 2
    for leg in range(n_legs):
        for col in range(LEG_COLUMNS):
            floats[at] = legs[leg, col]
            at += 1
    for k in range(n_codes):
        code = ints[4 + k]
        floats[at + k] = sums_s[code] if k < n_s else (sums_h[code] if k < n_s + n_h
                                                       else sums_r[code])
    at += n_codes
    for k in range(n_warned):
        floats[at], floats[at + 1] = warned_m[k, 0], warned_m[k, 1]
        at += 2
    for i in range(n):
        floats[at], floats[at + 1] = round3(a[i]), round3(b[i])
        at += 2
    return geometry, ints, floats
