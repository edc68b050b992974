"""Snapping in one compiled call: the nearest allowed segment, as :class:`graphs.spatial.EdgeIndex`.

``EdgeIndex.nearest`` gathers the samples near the query with numpy, takes
their unique segments, masks them and projects the point onto each: a dozen
numpy calls, most of a route's snapping time. :func:`nearest_segment` does the
same over the same packed grid in one pass, with the same arithmetic and the
same tie-break (the lowest segment id), so it snaps every point exactly where
``EdgeIndex.nearest`` did (tests/test_fast_paths.py checks it).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from graphs.spatial import EdgeIndex, Snap

from .prefetch import prefetch

#: ``edge_mask`` that allows every edge.
NO_MASK = np.zeros(0, np.bool_)


@njit(cache=True, nogil=True)
def _best_within(px, py, r, labels, xs, ys, start, cell, x0, y0, nx, ny, seg_a, seg_edge,
                 lat, lon, kx, ky, edge_mask, slack):
    """(segment, t, distance) of the allowed segment nearest to p among the segments with a
    sample within ``r``; segment -1 when there is none."""
    best_seg, best_t, best = -1, 0.0, np.inf
    # One cell more each side than the samples within r can fall in (the distance test
    # below decides), so floor rounding can never drop one.
    ix0 = min(max(int(math.floor((px - r - x0) / cell)) - 1, 0), nx)
    ix1 = max(min(int(math.floor((px + r - x0) / cell)) + 1, nx - 1), -1)
    iy0 = min(max(int(math.floor((py - r - y0) / cell)) - 1, 0), ny)
    iy1 = max(min(int(math.floor((py + r - y0) / cell)) + 1, ny - 1), -1)
    if ix0 > ix1 or iy0 > iy1:
        return best_seg, best_t, best
    masked = edge_mask.shape[0] > 0
    # Samples are float32 offsets from the grid's corner: compare as PointGrid does, in
    # float64 against the radius widened by the rounding slack.
    qx, qy, reach = px - x0, py - y0, r + slack
    size = 0
    for iy in range(iy0, iy1 + 1):
        size += start[iy * nx + ix1 + 1] - start[iy * nx + ix0]
    near = np.empty(size, np.int64)
    n_near = 0
    for iy in range(iy0, iy1 + 1):          # the samples within reach, in grid order
        row = iy * nx
        for k in range(start[row + ix0], start[row + ix1 + 1]):
            sx, sy = np.float64(xs[k]) - qx, np.float64(ys[k]) - qy
            if not sx * sx + sy * sy > reach * reach:     # (NaN kept, as before)
                near[n_near] = k
                n_near += 1
                prefetch(seg_a, labels[k])      # each level read below asked for ahead,
                prefetch(seg_edge, labels[k])   # for all samples at once
    for j in range(n_near):
        seg = labels[near[j]]
        prefetch(lat, seg_a[seg])
        prefetch(lon, seg_a[seg])
        if masked:
            prefetch(edge_mask, seg_edge[seg])
    for j in range(n_near):
        seg = labels[near[j]]
        if masked and not edge_mask[seg_edge[seg]]:
            continue
        a = seg_a[seg]
        # projected as LocalProjection.forward does (one product: the same bits)
        ax, ay = lon[a] * kx, lat[a] * ky
        dx, dy = lon[a + 1] * kx - ax, lat[a + 1] * ky - ay
        seg2 = dx * dx + dy * dy
        t = ((px - ax) * dx + (py - ay) * dy) / seg2 if seg2 > 0 else 0.0
        t = min(max(t, 0.0), 1.0)
        d = math.hypot(px - (ax + t * dx), py - (ay + t * dy))
        if d < best or (d == best and seg < best_seg):
            best_seg, best_t, best = seg, t, d
    return best_seg, best_t, best


@njit(cache=True, nogil=True)
def nearest_segment(px, py, max_dist, step, labels, xs, ys, start, shape, seg_a, seg_edge,
                    lat, lon, edge_mask):
    """The search of ``EdgeIndex.nearest``: grow the radius until the nearest allowed
    segment found is certainly the nearest; (segment, t, distance), segment -1 if none
    is within ``max_dist``."""
    cell, x0, y0, slack, kx, ky = shape[0], shape[1], shape[2], shape[5], shape[6], shape[7]
    nx, ny = int(shape[3]), int(shape[4])
    radius = step
    while True:
        seg, t, d = _best_within(px, py, radius, labels, xs, ys, start, cell, x0, y0, nx, ny,
                                 seg_a, seg_edge, lat, lon, kx, ky, edge_mask, slack)
        if seg >= 0 and d + step / 2 <= radius:
            break
        if radius >= max_dist + step:
            break
        grown = (d + step) if seg >= 0 else 0.0
        radius = min(max(radius * 2, grown), max_dist + step)
    if seg < 0 or d > max_dist:
        return -1, 0.0, 0.0
    return seg, t, d


@njit(cache=True, nogil=True)
def snap_point(lat, lon, max_dist, step, labels, xs, ys, start, shape, seg_a, seg_edge,
               shape_lat, shape_lon, edge_mask, seg_cum, scale, edge_len):
    """:meth:`EdgeIndex.nearest` whole: the point projected as ``LocalProjection``
    does, :func:`nearest_segment`, then the snapped point as ``EdgeIndex._snap`` makes
    it, with the same arithmetic; (edge, segment, t, lat, lon, distance, offset along the
    edge), edge -1 when nothing is within ``max_dist``."""
    kx, ky = shape[6], shape[7]
    px, py = lon * kx, lat * ky
    seg, t, d = nearest_segment(px, py, max_dist, step, labels, xs, ys, start, shape, seg_a,
                                seg_edge, shape_lat, shape_lon, edge_mask)
    if seg < 0:
        return -1, -1, 0.0, 0.0, 0.0, 0.0, 0.0
    a = seg_a[seg]
    ax, ay = shape_lon[a] * kx, shape_lat[a] * ky
    bx, by = shape_lon[a + 1] * kx, shape_lat[a + 1] * ky
    sx = ax + t * (bx - ax)
    sy = ay + t * (by - ay)
    edge = seg_edge[seg]
    seg_len = math.hypot(bx - ax, by - ay)           # as the index computed it
    offset = min((seg_cum[seg] + t * seg_len) * scale[edge], edge_len[edge])
    return edge, a, t, sy / ky, sx / kx, d, offset


@njit(cache=True, nogil=True)
def snap_points(points, max_dist, step, labels, xs, ys, start, shape, seg_a, seg_edge,
                shape_lat, shape_lon, edge_mask, seg_cum, scale, edge_len):
    """:func:`snap_point` of each ``(lat, lon)`` row of ``points``: one row of its seven
    numbers each (edge -1 when nothing is within ``max_dist``), in one call."""
    out = np.empty((points.shape[0], 7))
    for i in range(points.shape[0]):
        edge, a, t, lat, lon, d, offset = snap_point(
            points[i, 0], points[i, 1], max_dist, step, labels, xs, ys, start, shape, seg_a,
            seg_edge, shape_lat, shape_lon, edge_mask, seg_cum, scale, edge_len)
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = edge, a, t, lat
        out[i, 4], out[i, 5], out[i, 6] = lon, d, offset
    return out


class SnapIndex(EdgeIndex):
    """An :class:`~graphs.spatial.EdgeIndex` whose :meth:`nearest` is one compiled call."""

    def __init__(self, graph, step_m: float = 25.0):
        super().__init__(graph, step_m)
        tree = self.tree
        self._shape = np.array([tree.cell, tree.x0, tree.y0, tree.nx, tree.ny, tree.slack,
                                self.kx, self.ky], np.float64)
        self._edge_len = np.asarray(graph.edge_len, np.float64)

    def nearest(self, lat: float, lon: float, max_dist_m: float, edge_mask=None):
        """Nearest point of an allowed edge within ``max_dist_m``, or None (as the base):
        one compiled call, projection and snapped point included."""
        tree = self.tree
        if len(tree.xs) == 0:
            return None
        edge, a, t, snap_lat, snap_lon, dist, offset = snap_point(
            float(lat), float(lon), float(max_dist_m), self.step, tree.order, tree.xs,
            tree.ys, tree.start, self._shape, self.seg_a, self.seg_edge, self.lat, self.lon,
            NO_MASK if edge_mask is None else edge_mask, self.seg_cum, self.scale,
            self._edge_len)
        return None if edge < 0 else Snap(edge, a, t, snap_lat, snap_lon, dist, offset)

    def nearest_many(self, points: list, max_dist_m: float, edge_mask=None) -> list:
        """:meth:`nearest` of each ``(lat, lon)`` of ``points`` (a Snap or None each), in
        one compiled call."""
        tree = self.tree
        if len(tree.xs) == 0 or not points:
            return [None] * len(points)
        rows = snap_points(
            np.array(points, np.float64).reshape(-1, 2), float(max_dist_m), self.step,
            tree.order, tree.xs, tree.ys, tree.start, self._shape, self.seg_a, self.seg_edge,
            self.lat, self.lon, NO_MASK if edge_mask is None else edge_mask, self.seg_cum,
            self.scale, self._edge_len).tolist()
        return [None if row[0] < 0 else Snap(int(row[0]), int(row[1]), *row[2:])
                for row in rows]
