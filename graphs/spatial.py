"""Nearest-edge queries: snap a point or a polygon onto the network.

A grid holds sample points every ``step`` metres along every segment; the
exact nearest segment is then found by projecting onto the few segments whose
samples are close. The true nearest segment always has a sample within
``d + step/2`` of the query, which is the radius searched, so results are exact.

The index keeps no projected copy of the shape points: the projection is one
multiplication per coordinate (:class:`graphs.geo.LocalProjection`), so
``shape_lon[a] * kx`` is bit for bit the ``x`` a stored copy would hold, read
from pages the itinerary's geometry reads anyway. Every serving process holds
the index resident (queries land all over it), hence the care for its size.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .arrays import cached_arrays
from .geo import LocalProjection, project_on_segments


@dataclasses.dataclass(frozen=True)
class Snap:
    """A point on the network: edge, position along it and distance from the query."""

    edge: int
    segment: int          # index of the segment's first shape point (global)
    t: float              # position along that segment, 0..1
    lat: float
    lon: float
    distance_m: float
    offset_m: float       # metres from the edge's start along its geometry


#: Bump when the index arrays are computed differently: cached ones are then rebuilt.
#: (3: no projected copy of the shapes, no segment lengths, the grid labels its samples
#: with their segment directly: 6 MB less resident on Heidelberg, same answers.)
INDEX_VERSION = 3
INDEX_ARRAYS = ("seg_a", "seg_edge", "seg_cum", "scale")


class EdgeIndex:
    """Spatial index over the segments of a compiled graph.

    Parameters
    ----------
    graph : graphs.graph.CompiledGraph
    step_m : float
        Sample spacing along segments.
    """

    def __init__(self, graph, step_m: float = 25.0):
        self.graph = graph
        self.step = float(step_m)
        self.proj = LocalProjection(float(np.mean(graph.node_lat)) if graph.n_nodes else 0.0)
        source = getattr(graph, "source_dir", None)
        cache = source / "cache" / f"index-v{INDEX_VERSION}-{self.step:g}m" if source else None
        arrays = cached_arrays(cache, self._compute, INDEX_ARRAYS + PointGrid.ARRAYS)
        for name in INDEX_ARRAYS:
            setattr(self, name, arrays[name])
        #: the shape points (the graph's arrays) and the projection's factors
        self.lat, self.lon = graph.shape_lat, graph.shape_lon
        self.kx, self.ky = float(self.proj.kx), float(self.proj.ky)
        #: samples in cells; a query returns the segments of the samples it finds
        self.tree = PointGrid.from_arrays(arrays)

    def xy(self, points) -> tuple[np.ndarray, np.ndarray]:
        """Projected (x, y) of shape points (indices), as ``proj.forward`` gives them."""
        return self.lon[points] * self.kx, self.lat[points] * self.ky

    def segments(self, segs) -> tuple:
        """``(ax, ay, bx, by)`` of segments: their first and last points, projected."""
        a = self.seg_a[segs]
        ax, ay = self.xy(a)
        bx, by = self.xy(a + 1)
        return ax, ay, bx, by

    def _compute(self) -> dict:
        """The index arrays (kept beside a loaded graph, mapped by every process)."""
        graph = self.graph
        ptr = graph.edge_geom_ptr
        x, y = self.proj.forward(graph.shape_lat, graph.shape_lon)
        counts = np.diff(ptr)
        seg_start = np.ones(len(x), bool)
        seg_start[ptr[1:] - 1] = False          # last shape point of an edge starts no segment
        # Indices as int32 (a graph has far fewer than 2**31 shape points), as the index
        # is resident in every serving process: every query reads pages all over it.
        seg_a = np.flatnonzero(seg_start).astype(np.int32)
        seg_edge = np.repeat(np.arange(len(counts)), counts - 1).astype(np.int32)
        ax, ay = x[seg_a], y[seg_a]
        bx, by = x[seg_a + 1], y[seg_a + 1]
        seg_len = np.hypot(bx - ax, by - ay)
        # cumulative metres from the edge start to each segment start (for offsets)
        edge_len_proj = np.bincount(seg_edge, weights=seg_len, minlength=len(counts))
        cum = np.cumsum(seg_len) - seg_len
        first_cum = np.zeros(len(counts))
        nonempty = counts > 1
        first_cum[nonempty] = cum[ptr[:-1][nonempty] - np.arange(len(counts))[nonempty]]
        scale = np.divide(graph.edge_len, edge_len_proj, out=np.ones(len(counts)),
                          where=edge_len_proj > 0)
        n_samples = np.maximum(1, np.ceil(seg_len / self.step).astype(np.int64)) + 1
        owner = np.repeat(np.arange(len(seg_len)), n_samples)
        k = np.arange(n_samples.sum()) - np.repeat(np.cumsum(n_samples) - n_samples, n_samples)
        frac = k / (n_samples[owner] - 1)
        sx = ax[owner] + frac * (bx - ax)[owner]
        sy = ay[owner] + frac * (by - ay)[owner]
        arrays = {"seg_a": seg_a, "seg_edge": seg_edge, "seg_cum": cum - first_cum[seg_edge],
                  "scale": scale}
        arrays.update(PointGrid(sx, sy, 4 * self.step, labels=owner.astype(np.int32)).arrays())
        return arrays

    def _best(self, px, py, segs, edge_mask):
        if edge_mask is not None:
            segs = segs[edge_mask[self.seg_edge[segs]]]
        if len(segs) == 0:
            return None
        t, dist = project_on_segments(px, py, *self.segments(segs))
        i = int(np.argmin(dist))
        return segs[i], float(t[i]), float(dist[i])

    def nearest(self, lat: float, lon: float, max_dist_m: float,
                edge_mask: np.ndarray | None = None) -> Snap | None:
        """Nearest point of an allowed edge within ``max_dist_m``, or None."""
        px, py = self.proj.forward(lat, lon)
        px, py = float(px), float(py)
        radius = self.step
        while True:
            found = self.tree.query_ball_point([px, py], radius)
            best = self._best(px, py, np.unique(found), edge_mask) if len(found) else None
            if best is not None and best[2] + self.step / 2 <= radius:
                break
            if radius >= max_dist_m + self.step:
                break
            radius = min(max(radius * 2, (best[2] + self.step) if best else 0), max_dist_m + self.step)
        if best is None or best[2] > max_dist_m:
            return None
        return self._snap(best)

    def candidates(self, lat: float, lon: float, radius_m: float, k: int = 6,
                   edge_mask: np.ndarray | None = None) -> list[Snap]:
        """Up to ``k`` distinct edges within ``radius_m``, nearest first (map matching)."""
        px, py = (float(v) for v in self.proj.forward(lat, lon))
        found = self.tree.query_ball_point([px, py], radius_m + self.step / 2)
        if not len(found):
            return []
        segs = np.unique(found)
        if edge_mask is not None:
            segs = segs[edge_mask[self.seg_edge[segs]]]
        if len(segs) == 0:
            return []
        t, dist = project_on_segments(px, py, *self.segments(segs))
        order = np.argsort(dist, kind="stable")
        out, seen = [], set()
        for i in order:
            if dist[i] > radius_m or len(out) >= k:
                break
            edge = int(self.seg_edge[segs[i]])
            if edge not in seen:
                seen.add(edge)
                out.append(self._snap((segs[i], float(t[i]), float(dist[i]))))
        return out

    def _snap(self, best) -> Snap:
        seg, t, dist = best
        a = self.seg_a[seg]
        ax, ay, bx, by = self.segments(seg)
        x = ax + t * (bx - ax)
        y = ay + t * (by - ay)
        lat, lon = self.proj.inverse(x, y)
        edge = int(self.seg_edge[seg])
        seg_len = np.hypot(bx - ax, by - ay)           # as the index computed it
        offset = (self.seg_cum[seg] + t * seg_len) * self.scale[edge]
        offset = float(min(offset, self.graph.edge_len[edge]))
        return Snap(edge, int(a), t, float(lat), float(lon), dist, offset)

    def nearest_to_polygon(self, polygon, max_dist_m: float,
                           edge_mask: np.ndarray | None = None) -> Snap | None:
        """Network point nearest to a WGS84 shapely polygon (0 m when the network enters it)."""
        import shapely  # only polygons need it: snapping points does not load GEOS

        projected = shapely.transform(polygon, lambda c: np.column_stack(
            self.proj.forward(c[:, 1], c[:, 0])))
        centroid = projected.centroid
        radius = shapely.hausdorff_distance(centroid, projected.exterior if hasattr(
            projected, "exterior") else projected.convex_hull.exterior) + max_dist_m
        found = self.tree.query_ball_point([centroid.x, centroid.y], radius)
        segs = np.unique(found) if len(found) else np.zeros(0, np.int64)
        if edge_mask is not None:
            segs = segs[edge_mask[self.seg_edge[segs]]]
        if len(segs) == 0:
            return None
        ax, ay, bx, by = self.segments(segs)
        lines = shapely.linestrings(np.stack([np.column_stack([ax, ay]),
                                              np.column_stack([bx, by])], axis=1))
        dist = shapely.distance(projected, lines)
        i = int(np.argmin(dist))
        if dist[i] > max_dist_m:
            return None
        point = shapely.get_point(shapely.shortest_line(lines[i], projected), 0)
        t, _ = project_on_segments(point.x, point.y, ax[i], ay[i], bx[i], by[i])
        return self._snap((segs[i], float(t), float(dist[i])))


class PointGrid:
    """Points bucketed in square cells, for "all points within r of p" queries.

    A plain sorted-array grid answers what a KD-tree would here (sample points
    spread evenly along the network) and needs no scipy.spatial import, which
    is a good part of a command's start-up.

    Points are kept as float32 offsets from the grid's corner and indices as
    int32 (half the resident memory of float64/int64): a query widens its radius
    by the float32 rounding of the grid's extent, so it still returns every point
    within ``r`` (and at most a few millimetres more, which callers re-measure).

    Parameters
    ----------
    x, y : ndarray
        Point coordinates (metres).
    cell : float
        Cell side (metres).
    labels : ndarray, optional
        What a query returns for each point (default: its index). The index labels
        its samples with their segment: one int32 array instead of a permutation
        and a lookup through it, and a query reads the labels of one cell row from
        consecutive entries.
    """

    ARRAYS = ("grid_order", "grid_xs", "grid_ys", "grid_start", "grid_shape")

    def __init__(self, x: np.ndarray, y: np.ndarray, cell: float,
                 labels: np.ndarray | None = None):
        self.cell = float(cell)
        self.x0 = float(x.min()) if len(x) else 0.0
        self.y0 = float(y.min()) if len(y) else 0.0
        cx = ((x - self.x0) // self.cell).astype(np.int64)
        cy = ((y - self.y0) // self.cell).astype(np.int64)
        self.nx = int(cx.max()) + 1 if len(x) else 1
        self.ny = int(cy.max()) + 1 if len(y) else 1
        key = cy * self.nx + cx
        order = np.argsort(key, kind="stable")
        #: the label of each point in cell order (``grid_order``)
        self.order = (order if labels is None else np.asarray(labels)[order]).astype(np.int32)
        self.xs = (x[order] - self.x0).astype(np.float32)
        self.ys = (y[order] - self.y0).astype(np.float32)
        self.start = np.searchsorted(key[order], np.arange(self.nx * self.ny + 1)).astype(np.int32)
        self.slack = self._slack()

    def _slack(self) -> float:
        """Metres by which float32 offsets may be off (twice the rounding at full extent)."""
        return 2.0 * float(np.spacing(np.float32(max(self.nx, self.ny) * self.cell)))

    def arrays(self) -> dict:
        """The grid as arrays (see :meth:`from_arrays`)."""
        return {"grid_order": self.order, "grid_xs": self.xs, "grid_ys": self.ys,
                "grid_start": self.start,
                "grid_shape": np.array([self.cell, self.x0, self.y0, self.nx, self.ny])}

    @classmethod
    def from_arrays(cls, arrays: dict) -> "PointGrid":
        """The grid of :meth:`arrays` (e.g. memory-mapped from a cache)."""
        grid = cls.__new__(cls)
        cell, grid.x0, grid.y0, nx, ny = (float(v) for v in arrays["grid_shape"])
        grid.cell, grid.nx, grid.ny = cell, int(nx), int(ny)
        grid.order, grid.xs, grid.ys = arrays["grid_order"], arrays["grid_xs"], arrays["grid_ys"]
        grid.start = arrays["grid_start"]
        grid.slack = grid._slack()
        return grid

    def query_ball_point(self, point, r: float) -> np.ndarray:
        """Labels (indices by default) of the points within ``r`` of ``point`` (in no
        particular order)."""
        px, py = float(point[0]), float(point[1])
        ix0 = max(int((px - r - self.x0) // self.cell), 0)
        ix1 = min(int((px + r - self.x0) // self.cell), self.nx - 1)
        iy0 = max(int((py - r - self.y0) // self.cell), 0)
        iy1 = min(int((py + r - self.y0) // self.cell), self.ny - 1)
        if ix0 > ix1 or iy0 > iy1:
            return np.zeros(0, np.int32)
        # the cells of one row are contiguous in the sorted order
        rows = np.arange(iy0, iy1 + 1) * self.nx
        lo, hi = self.start[rows + ix0], self.start[rows + ix1 + 1]
        counts = hi - lo
        idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        qx, qy, reach = px - self.x0, py - self.y0, r + self.slack
        near = ((self.xs[idx].astype(np.float64) - qx) ** 2
                + (self.ys[idx].astype(np.float64) - qy) ** 2 <= reach * reach)
        return self.order[idx[near]]
