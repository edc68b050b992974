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

from .numpy_exact import array_sum, climb_kernel, interp_points, min_max, round3
from .prefetch import prefetch

#: Columns of the per-leg table.
LEG_M, LEG_S, LEG_START, LEG_END, LEG_UP, LEG_DOWN, LEG_CLIMB = range(7)
LEG_COLUMNS = 7
#: ``LEG_CLIMB`` when the leg has no elevation at all (ascent and descent are None).
NO_ELEVATION = 0
#: How many floats the line's bounds take (south, west, north, east).
BOUNDS = 4


@njit(cache=True, nogil=True)
def _partial_piece(raw, at, count, e, lo, hi, backward, start_m, geom_ptr, lat, lon, ele, off):
    """The part [lo, hi] of an edge (as :func:`routing.assemble.edge_slice` cuts it): a
    function of its own, called for the route's two ends only (a call with arrays costs
    reference counting, which the per-piece code inline in :func:`assemble_pieces` avoids)."""
    p, q = geom_ptr[e], geom_ptr[e + 1]
    n = q - p
    known = True
    for k in range(p, q):
        known = known and math.isfinite(ele[k])
    x = np.empty(2)
    x[0], x[1] = lo, hi
    ends = np.empty((3, 2))                      # lat, lon, ele at lo and at hi
    for side in range(2):                        # np.interp(ends[:1]), np.interp(ends[1:])
        interp_points(x[side:side + 1], off, lat, p, n, ends[0, side:side + 1], 0)
        interp_points(x[side:side + 1], off, lon, p, n, ends[1, side:side + 1], 0)
    ends[2, 0] = ends[2, 1] = np.nan
    if known:                                    # np.interp(ends): one search goes on
        interp_points(x, off, ele, p, n, ends[2], 0)
    span = hi - lo
    t = 0
    for v in range(count):             # v-th vertex along the edge's own direction
        if v == 0 or v == count - 1:
            side = 0 if v == 0 else 1
            y, x_, z = ends[0, side], ends[1, side], ends[2, side]
            c = (lo if side == 0 else hi) - lo
        else:
            while not lo < off[p + t] < hi:
                t += 1
            y, x_, z, c = lat[p + t], lon[p + t], np.float64(ele[p + t]), off[p + t] - lo
            t += 1
        slot = at + (count - 1 - v if backward else v)
        raw[0, slot], raw[1, slot], raw[2, slot] = y, x_, z
        raw[3, slot] = (span - c if backward else c) + start_m
    return at + count


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
        the line's bounds (south, west, north, east, as
        :func:`routing.numpy_exact.lat_lon_bounds` gives them; NaN for a line of no
        vertex); each piece's ``round(a, 3)``, ``round(b, 3)``.

    Three arrays rather than a dozen: each array handed back to Python costs more
    than the arithmetic of a whole route.
    """
    n = len(edge)
    n_legs = len(leg_ptr) - 1
    n_edges = len(edge_len)
    start_m, length = np.empty(n), np.empty(n)
    counts = np.empty(n, np.int64)
    total, n_raw = 0.0, 0
    for i in range(n):            # lengths, running totals (as np.cumsum), vertices per piece
        e = edge[i]
        if e < 0 or e >= n_edges:
            raise IndexError("a piece on an edge the graph does not have")
        length[i] = abs(b[i] - a[i])
        start_m[i] = total
        total += length[i]
        lo, hi = min(a[i], b[i]), max(a[i], b[i])
        p, q = geom_ptr[e], geom_ptr[e + 1]
        # What the later passes read of this edge, asked for now: the reads of all the
        # pieces then overlap instead of each waiting on memory in turn.
        if p < q:
            prefetch(lat, p)
            prefetch(lon, p)
            prefetch(ele, p)
            prefetch(off, p)
        prefetch(time_fwd, e)
        prefetch(time_bwd, e)
        prefetch(surface, e)
        prefetch(highway, e)
        prefetch(route_ptr, e)
        prefetch(signed, e)
        prefetch(warn_any, e)
        if lo <= 0.0 and hi >= edge_len[e]:           # a whole edge: all its shape points
            counts[i] = q - p
        elif q - p < 1:
            raise ValueError("an edge without shape points")
        else:                                        # both ends and the points between
            inner = 0
            for k in range(p, q):
                if lo < off[k] < hi:
                    inner += 1
            counts[i] = inner + 2
        n_raw += counts[i]
    raw = np.empty((4, n_raw))
    at = 0
    for i in range(n):                                   # the geometry, piece by piece
        e = edge[i]
        lo, hi = min(a[i], b[i]), max(a[i], b[i])
        backward = a[i] > b[i]
        if lo <= 0.0 and hi >= edge_len[e]:
            p, q = geom_ptr[e], geom_ptr[e + 1]
            length_e, start = edge_len[e], start_m[i]
            # unsigned indices (here and below): numba tests a signed computed index for
            # wrap-around at every access; these are never below zero (8 % of the kernel)
            for k in range(q - p):                       # walked backwards from v to u
                idx = np.uint64(q - 1 - k if backward else p + k)
                slot = np.uint64(at + k)
                raw[0, slot], raw[1, slot], raw[2, slot] = lat[idx], lon[idx], ele[idx]
                raw[3, slot] = (length_e - off[idx] if backward else off[idx]) + start
            at += q - p
        else:
            at = _partial_piece(raw, at, counts[i], e, lo, hi, backward, start_m[i],
                                geom_ptr, lat, lon, ele, off)
    kept = np.empty(n_raw, np.int64)                     # np.cumsum(keep) - 1
    n_kept = 0
    for v in range(n_raw):
        if v == 0 or abs(raw[0, v] - raw[0, np.uint64(v - 1)]) > 1e-9 \
                or abs(raw[1, v] - raw[1, np.uint64(v - 1)]) > 1e-9:
            n_kept += 1
        kept[v] = n_kept - 1
    geometry = np.empty((4, n_kept))
    for v in range(n_raw):
        if v == 0 or kept[v] != kept[np.uint64(v - 1)]:
            slot = np.uint64(kept[v])
            for r in range(4):
                geometry[r, slot] = raw[r, v]
    floats = np.zeros(2 + LEG_COLUMNS * n_legs + n_surface + n_highway + n_routes + BOUNDS
                      + 4 * n)
    leg_time = np.zeros(n_legs)
    vertex_end = 0
    for leg in range(n_legs):            # distance, time (as np.bincount) and vertex span
        row = 2 + LEG_COLUMNS * leg
        first, stop = leg_ptr[leg], leg_ptr[leg + 1]
        before = vertex_end
        m_before = 0.0 if first == 0 else (start_m[first] if first < n else total)
        for i in range(first, stop):
            e = edge[i]
            frac = length[i] / edge_len[e] if edge_len[e] > 0 else 0.0
            leg_time[leg] += (time_fwd[e] if b[i] > a[i] else time_bwd[e]) * frac
            vertex_end += counts[i]
        m_through = start_m[stop - 1] + length[stop - 1] if stop > first else m_before
        floats[row + LEG_M], floats[row + LEG_S] = m_through - m_before, leg_time[leg]
        lo = kept[_python_index(before, n_raw)]
        hi = kept[_python_index(vertex_end - 1, n_raw)] + 1
        floats[row + LEG_START], floats[row + LEG_END] = lo, hi - 1
        known = False
        for v in range(lo, hi):
            known = known or math.isfinite(geometry[2, v])
        if known:
            floats[row + LEG_UP], floats[row + LEG_DOWN], floats[row + LEG_CLIMB] = \
                climb_kernel(geometry[3], geometry[2], lo, hi, step, half)
    # Metres per surface, highway and signed-route code (np.bincount: piece order), codes
    # in order of first appearance; pieces on signed routes; pieces with a warning.
    sizes = (n_surface, n_highway, n_routes)
    width = max(n_surface, n_highway, n_routes)
    sums, seen = np.zeros((3, width)), np.zeros((3, width), np.bool_)
    order, found = np.empty((3, width), np.int64), np.zeros(3, np.int64)
    warned, warned_m = np.empty(n, np.int64), np.empty(2 * n)
    on_signed = np.empty(n)
    n_warned = n_signed = 0
    for i in range(n):
        e = edge[i]
        first_route = route_ptr[e]
        for t in range(2 + route_ptr[e + 1] - first_route):
            if t < 2:
                kind, code = t, (surface[e] if t == 0 else highway[e])
            else:
                route = route_idx[first_route + t - 2]
                if route < 0 or route >= len(label_of):
                    raise IndexError("a signed route the graph does not have")
                kind, code = 2, label_of[route]
            if code < 0 or code >= sizes[kind]:
                raise IndexError("a code outside its vocabulary")
            if not seen[kind, code]:
                seen[kind, code] = True
                order[kind, found[kind]] = code
                found[kind] += 1
            sums[kind, code] += length[i]
        if signed[e]:
            on_signed[n_signed] = length[i]
            n_signed += 1
        if warn_any[e]:
            warned[n_warned] = e
            warned_m[2 * n_warned], warned_m[2 * n_warned + 1] = start_m[i], start_m[i] + length[i]
            n_warned += 1
    n_codes = found[0] + found[1] + found[2]
    ints = np.empty(4 + n_codes + n_warned, np.int64)
    ints[0], ints[1], ints[2], ints[3] = found[0], found[1], found[2], n_warned
    floats[0], floats[1] = array_sum(leg_time, n_legs), array_sum(on_signed, n_signed)
    at, out = 4, 2 + LEG_COLUMNS * n_legs
    for kind in range(3):
        for k in range(found[kind]):
            ints[at], floats[out] = order[kind, k], sums[kind, order[kind, k]]
            at, out = at + 1, out + 1
    for k in range(n_warned):
        ints[at + k] = warned[k]
        floats[out + 2 * k], floats[out + 2 * k + 1] = warned_m[2 * k], warned_m[2 * k + 1]
    out += 2 * n_warned
    # the bounds here, not in a call of their own: a GeoJSON answer asks for them
    if n_kept > 0:
        floats[out], floats[out + 2] = min_max(geometry[0])
        floats[out + 1], floats[out + 3] = min_max(geometry[1])
    else:
        floats[out:out + BOUNDS] = np.nan
    out += BOUNDS
    for i in range(n):
        floats[out + 2 * i], floats[out + 2 * i + 1] = round3(a[i]), round3(b[i])
    return geometry, ints, floats[:out + 2 * n]
