"""Point places near a polyline, in one compiled pass: which, how far, where along it.

:meth:`routing.corridor.PlaceLayer.along` asked GEOS, through shapely, for the
places within a corridor (an STR-tree query), their distance, their nearest
point and that point's position along the line: four passes over the line's
vertices per place, each with its own Python and GEOS call overhead. For point
places the kernel below does the same in one pass over a grid of the places,
with GEOS's own formulas (``Distance::pointToSegment``,
``LineSegment::closestPoint``, ``LengthIndexOfPoint``), so the answers are the
same to the bit (tests/test_fast_paths.py compares them with shapely's).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always", error_model="numpy")
def _dist(px, py, qx, qy):
    dx = px - qx
    dy = py - qy
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True, inline="always", error_model="numpy")
def _point_to_segment(px, py, ax, ay, bx, by):
    """GEOS ``Distance::pointToSegment``."""
    if ax == bx and ay == by:
        return _dist(px, py, ax, ay)
    len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
    if r <= 0.0:
        return _dist(px, py, ax, ay)
    if r >= 1.0:
        return _dist(px, py, bx, by)
    s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
    return abs(s) * math.sqrt(len2)


@njit(cache=True, inline="always", error_model="numpy")
def _projection_factor(px, py, ax, ay, bx, by):
    """GEOS ``LineSegment::projectionFactor``."""
    if px == ax and py == ay:
        return 0.0
    if px == bx and py == by:
        return 1.0
    dx = bx - ax
    dy = by - ay
    len2 = dx * dx + dy * dy
    return ((px - ax) * dx + (py - ay) * dy) / len2


@njit(cache=True, inline="always", error_model="numpy")
def _closest_point(px, py, ax, ay, bx, by):
    """GEOS ``LineSegment::closestPoint``."""
    factor = _projection_factor(px, py, ax, ay, bx, by)
    if 0.0 < factor < 1.0:
        if (px == ax and py == ay) or (px == bx and py == by):
            return px, py
        return ax + factor * (bx - ax), ay + factor * (by - ay)
    if _dist(ax, ay, px, py) < _dist(bx, by, px, py):
        return ax, ay
    return bx, by


@njit(cache=True, inline="always", error_model="numpy")
def _outside(px, py, ax, ay, bx, by):
    """How far (px, py) lies outside the segment's bounding box, on the farther axis: a
    lower bound of its distance to the segment (one rounding off)."""
    return max(min(ax, bx) - px, px - max(ax, bx), min(ay, by) - py, py - max(ay, by), 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _slack(d):
    """Margin above a distance under which a segment is examined: far above the rounding
    of the bounding-box bound, so a segment skipped is truly farther."""
    return d + 1e-6 + 1e-9 * d


@njit(cache=True, inline="always", error_model="numpy")
def _locate(qx, qy, xs, ys, lengths, starts, near_seg, runs, boxes, n_runs):
    """GEOS ``LengthIndexOfPoint::indexOf``: metres along the line to its point nearest q.

    GEOS takes the first segment at the least distance from q; segments whose bounding
    box lies farther from q than segment ``near_seg`` does are skipped, as they cannot
    be it (``lengths``/``starts``: each segment's length and the sum before it, in order).
    The segments are visited by runs (``runs[r]``: the first and last segment of run
    ``r``, ``boxes[r]``: their bounding box): a run whose box lies that far holds only
    segments that would be skipped, and is skipped whole — a point is located in time
    that grows with the runs near it, not with the whole line.
    """
    reach = _slack(_point_to_segment(qx, qy, xs[near_seg], ys[near_seg], xs[near_seg + 1],
                                     ys[near_seg + 1]))
    min_distance = np.inf
    measure = -1.0
    for r in range(n_runs):
        if max(boxes[r, 0] - qx, qx - boxes[r, 1], boxes[r, 2] - qy, qy - boxes[r, 3],
               0.0) > reach:
            continue
        for i in range(runs[r, 0], runs[r, 1] + 1):
            ax, ay, bx, by = xs[i], ys[i], xs[i + 1], ys[i + 1]
            if _outside(qx, qy, ax, ay, bx, by) > reach:
                continue
            seg_distance = _point_to_segment(qx, qy, ax, ay, bx, by)
            length, start = lengths[i], starts[i]
            factor = _projection_factor(qx, qy, ax, ay, bx, by)
            if factor <= 0.0:
                at = start
            elif factor <= 1.0:
                at = start + factor * length
            else:
                at = start + length
            if seg_distance < min_distance and at > -1.0:
                measure = at
                min_distance = seg_distance
                reach = min(reach, _slack(seg_distance))
    return measure


@njit(cache=True, nogil=True, error_model="numpy")
def line_length(xs, ys):
    """GEOS ``Length::ofLine``: the segments' lengths summed in order."""
    total = 0.0
    for i in range(xs.shape[0] - 1):
        dx = xs[i + 1] - xs[i]
        dy = ys[i + 1] - ys[i]
        total += math.sqrt(dx * dx + dy * dy)
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def points_near_line(xs, ys, px, py, cell_start, cell_items, grid, radius):
    """Points within ``radius`` of the polyline ``(xs, ys)`` (at least two vertices).

    The points are bucketed in a grid: ``grid = (cell, x0, y0, nx, ny)``,
    ``cell_items[cell_start[c]:cell_start[c + 1]]`` the points of cell ``c``
    (row-major, ``c = iy * nx + ix``).

    Returns
    -------
    index, distance, measure : ndarray
        The points within ``radius`` (in the order the runs of segments find them),
        their distance to the line and the metres along it to their nearest point on it.
    """
    cell, x0, y0 = grid[0], grid[1], grid[2]
    nx, ny = int(grid[3]), int(grid[4])
    seen = np.zeros(px.shape[0], np.bool_)
    candidates = np.empty(px.shape[0], np.int64)
    # the first and last segment of the runs whose cells hold each candidate
    first, last = np.empty(px.shape[0], np.int64), np.empty(px.shape[0], np.int64)
    count = 0
    n_seg = xs.shape[0] - 1
    # each run's first and last segment and bounding box (min x, max x, min y, max y)
    runs = np.empty((max(n_seg, 1), 2), np.int64)
    boxes = np.empty((max(n_seg, 1), 4))
    n_runs = 0
    i = 0
    while i < n_seg:
        # A run of consecutive segments whose box spans at most a cell: its cells are
        # scanned once (a route's segments are a few metres; the cells, hundreds).
        lo_x, hi_x = min(xs[i], xs[i + 1]), max(xs[i], xs[i + 1])
        lo_y, hi_y = min(ys[i], ys[i + 1]), max(ys[i], ys[i + 1])
        j = i + 1
        while j < n_seg:
            x, y = xs[np.uint64(j + 1)], ys[np.uint64(j + 1)]
            if max(hi_x, x) - min(lo_x, x) > cell or max(hi_y, y) - min(lo_y, y) > cell:
                break
            lo_x, hi_x, lo_y, hi_y = min(lo_x, x), max(hi_x, x), min(lo_y, y), max(hi_y, y)
            j += 1
        runs[n_runs, 0], runs[n_runs, 1] = i, j - 1
        boxes[n_runs, 0], boxes[n_runs, 1], boxes[n_runs, 2], boxes[n_runs, 3] = \
            lo_x, hi_x, lo_y, hi_y
        n_runs += 1
        ix0 = max(int(math.floor((lo_x - radius - x0) / cell)), 0)
        ix1 = min(int(math.floor((hi_x + radius - x0) / cell)), nx - 1)
        iy0 = max(int(math.floor((lo_y - radius - y0) / cell)), 0)
        iy1 = min(int(math.floor((hi_y + radius - y0) / cell)), ny - 1)
        for iy in range(iy0, iy1 + 1):
            for ix in range(ix0, ix1 + 1):
                c = iy * nx + ix
                for k in range(cell_start[np.uint64(c)], cell_start[np.uint64(c + 1)]):
                    p = np.uint64(cell_items[np.uint64(k)])       # (unsigned, as below)
                    if not seen[p]:
                        seen[p] = True
                        candidates[count] = p
                        count += 1
                        first[p] = i
                    last[p] = j - 1
        i = j
    index = np.empty(count, np.int64)
    distance = np.empty(count)
    measure = np.empty(count)
    lengths, starts = np.empty(max(n_seg, 0)), np.empty(max(n_seg, 0))
    start = 0.0
    for i in range(n_seg):                        # GEOS's running sum, in the same order
        lengths[i] = _dist(xs[i], ys[i], xs[i + 1], ys[i + 1])
        starts[i] = start
        start += lengths[i]
    hits = 0
    for j in range(count):
        p = candidates[j]
        best = np.inf
        best_seg = -1
        # Segments whose bounding box is farther than the radius, or than the nearest so
        # far, cannot be the first nearest: skipped without computing their distance.
        reach = _slack(radius)
        # GEOS DistanceOp: the first nearest segment. A segment of no run that scanned the
        # point's cell is farther than the radius from it (its box grown by the radius
        # misses the cell): it can be neither within the radius nor the nearest of those.
        x_p, y_p = px[p], py[p]
        for i in range(first[p], last[p] + 1):
            # unsigned: numba tests a signed computed index for wrap-around at each read
            a, b = np.uint64(i), np.uint64(i + 1)
            if _outside(x_p, y_p, xs[a], ys[a], xs[b], ys[b]) > reach:
                continue
            d = _point_to_segment(x_p, y_p, xs[a], ys[a], xs[b], ys[b])
            if d < best:
                best = d
                best_seg = i
                reach = min(reach, _slack(d))
            if best <= 0.0:
                break
        if best > radius:
            continue
        qx, qy = _closest_point(px[p], py[p], xs[best_seg], ys[best_seg], xs[best_seg + 1],
                                ys[best_seg + 1])
        index[hits] = p
        distance[hits] = best
        measure[hits] = _locate(qx, qy, xs, ys, lengths, starts, best_seg, runs, boxes,
                                n_runs)
        hits += 1
    return index[:hits], distance[:hits], measure[:hits]


@njit(cache=True, nogil=True, error_model="numpy")
def places_near_route(lat, lon, kx, ky, px, py, cell_start, cell_items, grid, radius,
                      point_index, total_m):
    """The points within ``radius`` of a route given in degrees, in one call: its
    equirectangular projection (``x = lon·kx``, ``y = lat·ky``, as
    :class:`graphs.geo.LocalProjection` makes it), :func:`points_near_line` and
    :func:`line_length` of it, each point's km along the route (its metres along the
    projected line scaled to the route's ``total_m``).

    Why: as separate numpy operations (projection, contiguous copies, the index taken,
    the scale) these were ten calls around the search on a route's 400 vertices, as
    long as the search itself. The same operations in the same order: the same floats.

    Returns
    -------
    hits, distance, kms : ndarray
        ``point_index`` of the points found, their distance to the projected line, and
        their km along the route.
    xs, ys : ndarray
        The projected line.
    scale : float
        Route metres per projected metre along it (1 for a line of no length).
    """
    n = min(lat.shape[0], lon.shape[0])
    xs, ys = np.empty(n), np.empty(n)
    for i in range(n):
        xs[i] = lon[i] * kx
        ys[i] = lat[i] * ky
    index, distance, measure = points_near_line(xs, ys, px, py, cell_start, cell_items, grid,
                                                radius)
    length = line_length(xs, ys)
    scale = total_m / length if length > 0 else 1.0
    hits, kms = np.empty(index.shape[0], np.int64), np.empty(index.shape[0])
    for j in range(index.shape[0]):
        hits[j] = point_index[index[j]]
        kms[j] = measure[j] * scale / 1000.0
    return hits, distance, kms, xs, ys, scale


class PointCells:
    """Points bucketed in square cells of ``cell`` metres (the layout of :func:`points_near_line`)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, cell: float):
        self.x, self.y = np.ascontiguousarray(x, np.float64), np.ascontiguousarray(y, np.float64)
        x0 = float(x.min()) if len(x) else 0.0
        y0 = float(y.min()) if len(y) else 0.0
        cx = np.floor((self.x - x0) / cell).astype(np.int64)
        cy = np.floor((self.y - y0) / cell).astype(np.int64)
        nx = int(cx.max()) + 1 if len(x) else 1
        ny = int(cy.max()) + 1 if len(y) else 1
        key = cy * nx + cx
        self.items = np.argsort(key, kind="stable").astype(np.int64)
        self.start = np.searchsorted(key[self.items], np.arange(nx * ny + 1)).astype(np.int64)
        self.grid = np.array([cell, x0, y0, nx, ny], np.float64)

    def near(self, xs, ys, radius: float):
        """:func:`points_near_line` over these points."""
        return points_near_line(xs, ys, self.x, self.y, self.start, self.items, self.grid,
                                float(radius))
