"""Places along an itinerary: which lie within a corridor, at which km, at what detour.

The corridor (``corridor_m`` each side, straight line) only proposes
candidates. Their ``detour_m`` is measured on the network: the shortest walk
or ride from the route to the place and the shortest one back to the route
(:func:`network_detours`), read from each place's precomputed nearest nodes
(:mod:`routing.reach`: the first listed node the route passes), and for the
few the lists leave open by two searches from all route nodes at once (forward
and on the reversed arcs, in one compiled pass:
:func:`routing.detours.measure_detours`). The work is bounded, and the answer
deterministic: the searches stop at ``max_detour_m`` and at most
``MAX_MEASURED`` candidates (the nearest first) are measured.
"""
from __future__ import annotations

import threading

import numpy as np
import shapely
from shapely.geometry import shape

from graphs.geo import LocalProjection

from .detours import DROPPED, MEASURED, PlaceEnds, route_detours
from .near_line import PointCells, line_length
from .pieces import pieces_table
from .reach import ARRAYS, PlaceReach
from .search import SearchBuffers
from .workspace import WorkspacePool

#: Default there-and-back bound: a place farther than this by the network is not "along".
MAX_DETOUR_FACTOR = 10.0
#: Most candidates measured per itinerary (the nearest to the route first).
MAX_MEASURED = 400
#: Side of the cells point places are bucketed in (metres; about a corridor's width).
CELL_M = 300.0


class PlaceLayer:
    """All the graph's places, projected once for fast corridor queries.

    Point places (most) sit in a grid searched by :func:`routing.near_line.points_near_line`;
    places with an area go through GEOS.
    """

    def __init__(self, graph):
        self.places = [p for p in graph.places if p.kind != "peak"]
        lat0 = float(np.mean(graph.node_lat)) if graph.n_nodes else 0.0
        self.proj = LocalProjection(lat0)
        geoms = []
        for p in self.places:
            geom = shape(p.geometry) if p.geometry else shapely.Point(p.lon, p.lat)
            geoms.append(shapely.transform(geom, self._project_coords))
        self.geoms = np.array(geoms, dtype=object)
        is_point = np.array([shapely.get_type_id(g) == 0 for g in geoms], bool)
        #: indices of the point places, and of the others (in a tree)
        self.point_index = np.flatnonzero(is_point)
        self.area_index = np.flatnonzero(~is_point)
        xy = shapely.get_coordinates(self.geoms[self.point_index]) if len(self.point_index) \
            else np.zeros((0, 2))
        extent = float(np.ptp(xy, axis=0).max()) if len(xy) else 0.0
        self.cells = PointCells(xy[:, 0], xy[:, 1], max(CELL_M, extent / 1000.0))
        self.tree = shapely.STRtree(self.geoms[self.area_index]) if len(self.area_index) else None
        self.named = np.array([bool(p.name) for p in self.places], bool)
        # What every record of a place repeats, computed once.
        self._access = [float(p.link.get("distance_m", 0.0)) if p.link else None
                        for p in self.places]
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
        dist = shapely.distance(shapely.Point(float(x), float(y)), self.geoms)
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

    def line(self, lat, lon):
        x, y = self.proj.forward(lat, lon)
        return shapely.LineString(np.column_stack([x, y]))

    def _near(self, lat, lon, corridor_m: float):
        """(place index, distance, metres along the line, line length) of the places
        within ``corridor_m`` of the polyline."""
        x, y = self.proj.forward(lat, lon)
        x, y = np.ascontiguousarray(x), np.ascontiguousarray(y)
        index, dists, at = self.cells.near(x, y, corridor_m)
        index = self.point_index[index]
        if self.tree is not None:
            line = shapely.LineString(np.column_stack([x, y]))
            hits = self.tree.query(line, predicate="dwithin", distance=corridor_m)
            if len(hits):
                geoms = self.geoms[self.area_index[hits]]
                index = np.concatenate([index, self.area_index[hits]])
                dists = np.concatenate([dists, shapely.distance(line, geoms)])
                at = np.concatenate([at, shapely.line_locate_point(
                    line, shapely.get_point(shapely.shortest_line(line, geoms), 0))])
        return index, dists, at, line_length(x, y)


    def candidates(self, lat, lon, cum_m, corridor_m: float, kinds=None):
        """Places within ``corridor_m`` of the polyline, unordered: (index in
        ``places``, straight-line distance, km along the route), as arrays."""
        hits, dists, at, length = self._near(lat, lon, corridor_m)
        scale = cum_m[-1] / length if length > 0 else 1.0
        if kinds:
            keep = np.array([self.places[i].kind in kinds for i in hits.tolist()], bool)
            hits, dists, at = hits[keep], dists[keep], at[keep]
        return hits, dists, at * scale / 1000.0

    def record(self, i: int, dist: float, at_km: float, detour_m: float | None = None,
               detour_by: str = "straight line", there_m: float | None = None,
               back_m: float | None = None) -> dict:
        """The dict of candidate ``i`` at ``dist`` metres from the route, at ``at_km``
        (unrounded); its detour is twice ``dist`` unless measured (``detour_m``,
        ``detour_by``, then ``there_m`` and ``back_m`` after the others)."""
        place_id, name, kind, category, unesco_id, lat, lon = self._static[i]
        out = {"id": place_id, "name": name, "names": dict(self._names[i]), "kind": kind,
               "category": category, "unesco_id": unesco_id,
               "km": round(at_km, 2), "offset_m": round(dist, 1),
               "access_m": self.access_m(i, dist),
               "detour_m": round(2 * dist, 0) if detour_m is None else detour_m,
               "detour_by": detour_by, "lat": lat, "lon": lon}
        if there_m is not None:
            out["there_m"], out["back_m"] = there_m, back_m
        return out

    def along(self, lat, lon, cum_m, corridor_m: float = 300.0, kinds=None) -> list[dict]:
        """Candidate places within ``corridor_m`` of the polyline, ordered by km.

        ``offset_m`` is the straight-line distance from the route (0 when it
        crosses an area place); ``detour_m`` is twice that until
        :func:`network_detours` replaces it by the network's there and back.
        """
        if not self.places or len(lat) < 2:
            return []
        hits, dists, kms = self.candidates(lat, lon, cum_m, corridor_m, kinds)
        out = [self.record(i, d, km) for i, d, km in zip(hits.tolist(), dists.tolist(),
                                                         kms.tolist())]
        out.sort(key=lambda d: (d["km"], d["id"]))
        return out

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
        table = np.array([[edge, 0.0, float(network.graph.edge_len[edge])]])
        _search(network, self.ends(network, endpoint), table, [], [], 0.0, scratch)


def network_detours(layer: PlaceLayer, network, itinerary, found, endpoint,
                    max_detour_m: float, max_measured: int = MAX_MEASURED,
                    scratch=None) -> list[dict]:
    """Measure each candidate's there-and-back detour on ``network`` (a length network).

    Parameters
    ----------
    layer : PlaceLayer
    network : ProfileNetwork
        Weighted by length (``metric="length"``) for the itinerary's profile.
    found : tuple of ndarray
        Candidates from :meth:`PlaceLayer.candidates`.
    endpoint : callable
        ``endpoint(place_id, network)`` snaps a place onto the network.
    max_detour_m : float
        Places whose detour is longer are dropped (not along the route).
    max_measured : int
        At most this many candidates are measured, the nearest to the route
        first; the others keep their straight-line estimate, marked
        ``detour_by: "straight line"``.
    scratch : WorkspacePool of SearchBuffers, optional
        Where the two searches borrow their buffers (fresh ones if absent).

    Returns
    -------
    list of dict
        The places kept, ordered by km, with ``detour_m`` (there and back, metres,
        including the walk between the network and the place's access point),
        ``detour_by`` (``"network"``) and ``km`` where the detour leaves the route.
    """
    hits, dists, kms = (a.tolist() for a in found)
    offsets = [round(d, 1) for d in dists]
    measured = [True] * len(hits)
    if len(hits) > max_measured:           # the nearest (then by id) are measured
        order = sorted(range(len(hits)), key=lambda j: (offsets[j], layer.places[hits[j]].id))
        measured = [False] * len(hits)
        for j in order[:max_measured]:
            measured[j] = True
    ends_reach = layer.ends(network, endpoint)
    ends = ends_reach[0]
    # The route crossing a place (offset 0) needs no search; nor one without a way near it.
    todo = [j for j in range(len(hits)) if measured[j] and offsets[j] != 0.0
            and ends.snapped[hits[j]]]
    walk = [2.0 * (ends.snap_list[hits[j]] + layer.access_m(hits[j], dists[j])) for j in todo]
    result = _search(network, ends_reach, pieces_table(itinerary.pieces),
                     [hits[j] for j in todo], walk, max_detour_m, scratch)
    if result is None:                     # the route passes no graph node
        return _by_km([layer.record(i, d, km) for i, d, km in zip(hits, dists, kms)])
    result = dict(zip(todo, zip(walk, *result)))
    out = []
    for j, (i, dist, km) in enumerate(zip(hits, dists, kms)):
        if offsets[j] == 0.0:
            out.append(layer.record(i, dist, km, detour_m=0.0, there_m=0.0, back_m=0.0,
                                    detour_by="network"))
        elif not measured[j]:
            out.append(layer.record(i, dist, km))
        elif j in result:
            walk_m, status, there_m, back_m, leave_m = result[j]
            detour = there_m + back_m + walk_m
            if status == DROPPED or detour > max_detour_m:
                continue
            if status == MEASURED and leave_m == leave_m:          # not NaN
                km = leave_m / 1000.0
            out.append(layer.record(i, dist, km, detour_m=round(detour, 0),
                                    there_m=round(there_m + walk_m / 2, 1),
                                    back_m=round(back_m + walk_m / 2, 1), detour_by="network"))
    return _by_km(out)


def _by_km(places: list[dict]) -> list[dict]:
    places.sort(key=lambda d: (d["km"], d["id"]))
    return places


def search_detours(network, ends, reach, table, candidates, walk, max_detour_m, fwd, back):
    """:func:`routing.detours.route_detours` of ``candidates`` on the search buffers
    ``fwd`` and ``back``, fitted here; the caller resets them with the returned counts.

    Parameters
    ----------
    network : routing.network.ProfileNetwork
        The network the detours are measured on (arc costs in metres).
    ends : routing.detours.PlaceEnds
        The places' edge ends.
    reach : routing.reach.PlaceReach
        The places' nearest-node lists (any object with the :data:`routing.reach.ARRAYS`).
    table : numpy.ndarray
        The route's pieces (:func:`routing.pieces.pieces_table`).
    candidates : numpy.ndarray
        int64 indices into ``ends`` of the places to measure.
    walk : numpy.ndarray
        float64 straight-line metres of each candidate to its edge.
    max_detour_m : float
        Where the searches stop.
    fwd, back : routing.search.SearchBuffers
        The forward and backward search's buffers, in their initial state.

    Returns
    -------
    passed : int
        What ``route_detours`` returns (negative: inconsistent input).
    out : tuple of numpy.ndarray
        (status, there, back, leave) of each candidate.
    counts : numpy.ndarray
        The nodes each search touched, for ``fwd.reset`` and ``back.reset``.
    """
    for buffers in (fwd, back):
        buffers.fit(len(network.heads) + 2 * len(table))
    m = len(candidates)
    out = np.empty(m, np.int8), np.empty(m), np.empty(m), np.empty(m)
    counts = np.zeros(2, np.int64)
    g = network.graph
    passed = route_detours(g.edge_u, g.edge_v, g.edge_len, table, network.indptr, network.heads,
                           network.costs, network.rindptr, network.rtails, network.rarcs,
                           network.tails, ends.edge, ends.offset_m, ends.entry_node,
                           ends.entry_cost, ends.exit_node, ends.exit_cost,
                           *(getattr(reach, name) for name in ARRAYS), candidates, walk,
                           max_detour_m, fwd.dist, fwd.pred, fwd.mark, fwd.touched, fwd.heap_key,
                           fwd.heap_node, back.dist, back.pred, back.mark, back.touched,
                           back.heap_key, back.heap_node, *out, counts)
    return passed, out, counts


def _search(network, ends_reach, table, places, walk, max_detour_m, scratch):
    """(status, there, back, leave) lists of ``places`` (indices into the
    :meth:`PlaceLayer.ends` ``ends_reach``) from :func:`routing.detours.route_detours`,
    or None if the route passes no graph node."""
    ends, reach = ends_reach
    pool = scratch if scratch is not None else WorkspacePool(
        lambda: SearchBuffers(len(network.indptr) - 1, len(network.heads)))
    fwd, back = pool.take(), pool.take()
    passed, (status, there, back_m, leave), counts = search_detours(
        network, ends, reach, table, np.array(places, np.int64), np.array(walk, np.float64),
        max_detour_m, fwd, back)
    if passed < 0:
        raise ValueError("inconsistent network, places or search buffers")
    fwd.reset(int(counts[0]))
    back.reset(int(counts[1]))
    pool.give(fwd)
    pool.give(back)
    if passed == 0:
        return None
    return status.tolist(), there.tolist(), back_m.tolist(), leave.tolist()


def places_along(router, itinerary, corridor_m: float, kinds=None,
                 max_detour_m: float | None = None,
                 max_measured: int = MAX_MEASURED) -> list[dict]:
    """Places within ``corridor_m`` of the itinerary with their network detours.

    ``max_detour_m`` defaults to ``MAX_DETOUR_FACTOR × corridor_m``.
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
                           max_measured, router.search_scratch)
