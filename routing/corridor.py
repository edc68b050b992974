"""Places along an itinerary: which lie within a corridor, at which km, at what detour.

The corridor (``corridor_m`` each side, straight line) only proposes
candidates. Their ``detour_m`` is measured on the network: the shortest walk
or ride from the route to the place and the shortest one back to the route
(:func:`routing.place_detours.network_detours`), read from each place's precomputed nearest nodes
(:mod:`routing.reach`: the first listed node the route passes), and for the
few the lists leave open by two searches from all route nodes at once (forward
and on the reversed arcs, in one compiled pass:
:func:`routing.detours.measure_detours`). The work is bounded, and the answer
deterministic: the searches stop at ``max_detour_m`` and at most
``MAX_MEASURED`` candidates (the nearest first) are measured.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np

from graphs.geo import LocalProjection

from .corridor_kernels import GONE, NETWORK, STRAIGHT_LINE
from .detours import PlaceEnds
from .itinerary import rounded
from .near_line import PointCells, places_near_route
from .place_detours import FIGURE_DIGITS, MAX_MEASURED, OFFSET_DIGITS, by_km, network_detours
from .reach import PlaceReach
from .search import SearchBuffers

#: Default there-and-back bound: a place farther than this by the network is not "along".
MAX_DETOUR_FACTOR = 10.0
#: Side of the cells point places are bucketed in (metres; about a corridor's width).
CELL_M = 300.0


class PlaceLayer:
    """All the graph's places, projected once for fast corridor queries.

    Point places (most) sit in a grid searched by :func:`routing.near_line.points_near_line`;
    places with an area go through GEOS, which is loaded only for a graph that has some
    (shapely and GEOS are ≈ 4 MB of a serving process: issue 11).
    """

    def __init__(self, graph):
        self.places = [p for p in graph.places if p.kind != "peak"]
        lat0 = float(np.mean(graph.node_lat)) if graph.n_nodes else 0.0
        self.proj = LocalProjection(lat0)
        points = [_point_of(p) for p in self.places]
        is_point = np.array([lon_lat is not None for lon_lat in points], bool)
        #: indices of the point places, and of the others (in a tree)
        self.point_index = np.flatnonzero(is_point)
        self.area_index = np.flatnonzero(~is_point)
        lon_lat = np.array([points[i] for i in self.point_index.tolist()], np.float64)
        xy = self._project_coords(lon_lat.reshape(-1, 2))   # as shapely.transform projects
        extent = float(np.ptp(xy, axis=0).max()) if len(xy) else 0.0
        self.cells = PointCells(xy[:, 0], xy[:, 1], max(CELL_M, extent / 1000.0))
        #: the point places' projected coordinates, in ``point_index`` order
        self.point_xy = xy
        #: the area places' projected shapes (shapely), in ``area_index`` order, in a tree
        self.area_geoms, self.tree = None, None
        if len(self.area_index):
            import shapely
            from shapely.geometry import shape

            self.area_geoms = np.array([shapely.transform(shape(self.places[i].geometry),
                                                          self._project_coords)
                                        for i in self.area_index.tolist()], dtype=object)
            self.tree = shapely.STRtree(self.area_geoms)
        self.named = np.array([bool(p.name) for p in self.places], bool)
        # What every record of a place repeats, computed once.
        self._access = [float(p.link.get("distance_m", 0.0)) if p.link else None
                        for p in self.places]
        #: the same as arrays: whether a place has a link, and its length (0 without)
        self.linked = np.array([a is not None for a in self._access], bool)
        self.link_m = np.array([a or 0.0 for a in self._access], np.float64)
        self._names = [p.names for p in self.places]
        self._static = [(p.id, p.name, p.kind, p.category, p.unesco_id, round(float(p.lat), 7),
                         round(float(p.lon), 7)) for p in self.places]
        #: snapped ends per network: (profile, weights digest) -> (PlaceEnds, PlaceReach)
        self._ends: dict = {}
        self._ends_lock = threading.Lock()

    def nearest_named(self, lat: float, lon: float, radius_m: float) -> tuple[int, float] | None:
        """(index in ``places``, metres) of the nearest named place within ``radius_m`` of a
        point (an area place: of its outline), or None. One vectorised GEOS distance over
        the layer's few thousand places: bounded work for a reverse lookup."""
        if not self.places or radius_m <= 0:
            return None
        x, y = self.proj.forward(lat, lon)
        x, y = float(x), float(y)
        dist = np.empty(len(self.places))
        dx, dy = self.point_xy[:, 0] - x, self.point_xy[:, 1] - y
        dist[self.point_index] = np.sqrt(dx * dx + dy * dy)      # GEOS' point distance
        if self.area_geoms is not None:
            import shapely

            dist[self.area_index] = shapely.distance(shapely.Point(x, y), self.area_geoms)
        dist = np.where(self.named, dist, np.inf)
        best = int(np.argmin(dist))
        return (best, float(dist[best])) if dist[best] <= radius_m else None

    def access_m(self, i: int, dist: float) -> float:
        """Metres between place ``i`` and its access point (its link to the network, else
        its straight-line distance ``dist`` from the route)."""
        access = self._access[i]
        return dist if access is None else access

    def _project_coords(self, coords):
        x, y = self.proj.forward(coords[:, 1], coords[:, 0])
        return np.column_stack([x, y])

    def candidates(self, lat, lon, cum_m, corridor_m: float, kinds=None):
        """Places within ``corridor_m`` of the polyline, unordered: (index in
        ``places``, straight-line distance, km along the route), as arrays.

        Point places in one compiled call (:func:`routing.near_line.places_near_route`),
        places with an area through GEOS on the line it projected."""
        cells = self.cells
        hits, dists, kms, x, y, scale = places_near_route(
            lat, lon, self.proj.kx, self.proj.ky, cells.x, cells.y, cells.start, cells.items,
            cells.grid, float(corridor_m), self.point_index, float(cum_m[-1]))
        if self.tree is not None:
            import shapely

            line = shapely.LineString(np.column_stack([x, y]))
            found = self.tree.query(line, predicate="dwithin", distance=corridor_m)
            if len(found):
                geoms = self.area_geoms[found]
                at = shapely.line_locate_point(line, shapely.get_point(
                    shapely.shortest_line(line, geoms), 0))
                hits = np.concatenate([hits, self.area_index[found]])
                dists = np.concatenate([dists, shapely.distance(line, geoms)])
                kms = np.concatenate([kms, at * scale / 1000.0])
        if kinds:
            keep = np.array([self.places[i].kind in kinds for i in hits.tolist()], bool)
            hits, dists, kms = hits[keep], dists[keep], kms[keep]
        return hits, dists, kms

    def records(self, hits: np.ndarray, dists: np.ndarray, offsets: np.ndarray,
                figures: np.ndarray, how: np.ndarray, rounded_figures=None) -> list[dict]:
        """The dicts of candidates ``hits``, in that order, each made once with its final
        values; those whose ``how`` is ``GONE`` are left out.

        Parameters
        ----------
        hits : ndarray of int
            Indices in ``places``.
        dists, offsets : ndarray of float
            Straight-line metres from the route, unrounded and rounded (``offset_m``).
        figures : ndarray, shape (candidates, 4)
            Unrounded km, detour, there and back metres
            (:func:`routing.corridor_kernels.detour_figures`).
        how : ndarray of int8
            ``NETWORK`` (``detour_by: "network"``, then ``there_m`` and ``back_m``
            after the other keys), ``STRAIGHT_LINE`` or ``GONE``.
        rounded_figures : ndarray, optional
            ``figures`` rounded as the dicts show them, when the caller has them
            (``figures`` is then not read).
        """
        if rounded_figures is None:
            rounded_figures = rounded(figures, FIGURE_DIGITS)
        static, names, access, out = self._static, self._names, self._access, []
        for i, dist, offset, (km, detour_m, there_m, back_m), found_by in zip(
                hits.tolist(), dists.tolist(), offsets.tolist(), rounded_figures.tolist(),
                how.tolist()):
            if found_by == GONE:
                continue
            place_id, name, kind, category, unesco_id, lat, lon = static[i]
            row = {"id": place_id, "name": name, "names": dict(names[i]), "kind": kind,
                   "category": category, "unesco_id": unesco_id, "km": km,
                   "offset_m": offset, "access_m": dist if access[i] is None else access[i],
                   "detour_m": detour_m,
                   "detour_by": "network" if found_by == NETWORK else "straight line",
                   "lat": lat, "lon": lon}
            if found_by == NETWORK:
                row["there_m"], row["back_m"] = there_m, back_m
            out.append(row)
        return out

    def straight_records(self, hits: np.ndarray, dists: np.ndarray, kms: np.ndarray,
                         offsets: np.ndarray | None = None) -> list[dict]:
        """:meth:`records` of candidates whose detour is twice their offset."""
        figures = np.zeros((len(hits), 4))
        figures[:, 0], figures[:, 1] = kms, 2.0 * dists
        offsets = rounded(dists, OFFSET_DIGITS) if offsets is None else offsets
        return self.records(hits, dists, offsets, figures,
                            np.full(len(hits), STRAIGHT_LINE, np.int8))

    def along(self, lat, lon, cum_m, corridor_m: float = 300.0, kinds=None) -> list[dict]:
        """Candidate places within ``corridor_m`` of the polyline, ordered by km.

        ``offset_m`` is the straight-line distance from the route (0 when it
        crosses an area place); ``detour_m`` is twice that until
        :func:`routing.place_detours.network_detours` replaces it by the network's there and back.
        """
        if not self.places or len(lat) < 2:
            return []
        return by_km(self.straight_records(*self.candidates(lat, lon, cum_m, corridor_m,
                                                             kinds)))

    def ends(self, network, endpoint) -> tuple[PlaceEnds, PlaceReach]:
        """Every place's snapped ends on ``network`` and their nearest nodes by the network
        (built on first use, once: servers do it at warm-up)."""
        key = (network.profile.name, network.digest)
        found = self._ends.get(key)
        if found is None:
            with self._ends_lock:
                found = self._ends.get(key)
                if found is None:
                    ends = PlaceEnds(network, [p.id for p in self.places], endpoint)
                    found = self._ends[key] = (ends, PlaceReach(network, ends))
        return found

    def warm_up(self, network, endpoint, scratch=None) -> None:
        """Snap every place onto ``network`` and run the detour kernels once, so that no
        request pays for either (servers warm up before accepting)."""
        if not self.places or not len(network.heads):
            return
        edge = int(network.arc_edge[0])
        # A route of one edge, passing the first place at 1 m: every kernel on the way.
        route = SimpleNamespace(pieces=[[[edge, 0.0, float(network.graph.edge_len[edge])]]])
        network_detours(self, network, route, (np.zeros(1, np.int64), np.ones(1), np.zeros(1)),
                        endpoint, 0.0, scratch=scratch)
        # the buffers' reset, which only a route whose lists leave a candidate open runs:
        # a kernel first loaded by a request brings LLVM's pages back (routing.resident)
        SearchBuffers(1, 1).reset(0)


def _point_of(place) -> tuple[float, float] | None:
    """(lon, lat) of a point place (its geometry a GeoJSON point, or none), else None."""
    geometry = place.geometry
    if not geometry:
        return float(place.lon), float(place.lat)
    if geometry.get("type") == "Point":
        coordinates = geometry.get("coordinates") or ()
        if len(coordinates) >= 2:
            return float(coordinates[0]), float(coordinates[1])
    return None


def places_along(router, itinerary, corridor_m: float, kinds=None,
                 max_detour_m: float | None = None,
                 max_measured: int = MAX_MEASURED, table=None) -> list[dict]:
    """Places within ``corridor_m`` of the itinerary with their network detours.

    ``max_detour_m`` defaults to ``MAX_DETOUR_FACTOR × corridor_m``; ``table``: the
    itinerary's :func:`routing.pieces.pieces_table`, when the caller has it.
    """
    layer = router.places
    if not layer.places or len(itinerary.lat) < 2:
        return []
    found = layer.candidates(itinerary.lat, itinerary.lon, itinerary.cum_m, corridor_m, kinds)
    if not len(found[0]):
        return []
    network = router.network(itinerary.profile, metric="length")
    limit = MAX_DETOUR_FACTOR * corridor_m if max_detour_m is None else max_detour_m
    return network_detours(layer, network, itinerary, found, router.place_endpoint, limit,
                           max_measured, router.search_scratch, table)
