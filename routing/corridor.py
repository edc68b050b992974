"""Places along an itinerary: which lie within a corridor, at which km, at what detour.

The corridor (``corridor_m`` each side, straight line) only proposes
candidates. Their ``detour_m`` is measured on the network: the shortest walk
or ride from the route to the place and the shortest one back to the route
(:func:`network_detours`), by two searches from all route nodes at once
(forward and on the reversed arcs). The work is bounded, and the answer
deterministic: the searches stop at ``max_detour_m`` and at most
``MAX_MEASURED`` candidates (the nearest first) are measured.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import shape

from graphs.geo import LocalProjection

from . import engine
from .errors import RoutingError
from .near_line import PointCells, line_length
from .pieces import route_nodes

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

    def along(self, lat, lon, cum_m, corridor_m: float = 300.0, kinds=None) -> list[dict]:
        """Candidate places within ``corridor_m`` of the polyline, ordered by km.

        ``offset_m`` is the straight-line distance from the route (0 when it
        crosses an area place); ``detour_m`` is twice that until
        :func:`network_detours` replaces it by the network's there and back.
        """
        if not self.places or len(lat) < 2:
            return []
        hits, dists, at, length = self._near(lat, lon, corridor_m)
        scale = cum_m[-1] / length if length > 0 else 1.0
        if kinds:
            keep = np.array([self.places[i].kind in kinds for i in hits], bool)
            hits, dists, at = hits[keep], dists[keep], at[keep]
        kms = at * scale / 1000.0
        out = []
        for i, dist, km in zip(hits.tolist(), dists.tolist(), kms.tolist()):
            place = self.places[i]
            out.append({"id": place.id, "name": place.name, "names": place.names,
                        "kind": place.kind,
                        "category": place.category, "unesco_id": place.unesco_id,
                        "km": round(km, 2), "offset_m": round(dist, 1),
                        "access_m": float(place.link.get("distance_m", 0.0)) if place.link
                        else dist,
                        "detour_m": round(2 * dist, 0), "detour_by": "straight line",
                        "lat": round(float(place.lat), 7), "lon": round(float(place.lon), 7)})
        out.sort(key=lambda d: (d["km"], d["id"]))
        return out


def network_detours(network, itinerary, places: list[dict], endpoint,
                    max_detour_m: float, max_measured: int = MAX_MEASURED,
                    scratch=None) -> list[dict]:
    """Measure each candidate's there-and-back detour on ``network`` (a length network).

    Parameters
    ----------
    network : ProfileNetwork
        Weighted by length (``metric="length"``) for the itinerary's profile.
    places : list of dict
        Candidates from :meth:`PlaceLayer.along`.
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
        The places kept, with ``detour_m`` (there and back, metres, including
        the walk between the network and the place's access point),
        ``detour_by`` (``"network"``) and ``km`` where the detour leaves the route.
    """
    if not places or not itinerary.pieces:
        return places
    measured = {p["id"] for p in sorted(places, key=lambda p: (p["offset_m"], p["id"]))
                [:max_measured]}
    nodes, at = route_nodes(network.graph, itinerary.pieces)
    if not len(nodes):
        return places
    covered: dict = {}
    for leg in itinerary.pieces:
        for e, a, b in leg:
            covered.setdefault(int(e), []).append((min(a, b), max(a, b)))
    # Snap the measured candidates first: the two searches then stop as soon as they
    # have settled every place's ends (Dijkstra's answers for them are final by then).
    todo = {}
    for place in places:
        if place.get("offset_m", 1.0) == 0.0 or place["id"] not in measured:
            continue
        try:
            ep = endpoint(place["id"], network)
        except RoutingError:
            continue
        if any(lo - 1e-6 <= ep.offset_m <= hi + 1e-6 for lo, hi in covered.get(ep.edge, ())):
            todo[place["id"]] = (ep, None)    # the route passes the place's access point
        else:
            todo[place["id"]] = (ep, (network.entries(ep), network.exits(ep)))
    ends = [e for _, e in todo.values() if e is not None]
    if scratch is None:
        from .search import SearchBuffers
        fresh = SearchBuffers(len(network.indptr) - 1, len(network.heads))
        scratch = _Fresh(fresh, SearchBuffers(len(network.indptr) - 1, len(network.heads)))
    with scratch.borrow() as fwd, scratch.borrow() as back:
        n_fwd = n_back = 0
        try:
            if ends:
                zeros = np.zeros(len(nodes))
                n_fwd = fwd.run(network.indptr, network.heads, network.costs, nodes, zeros,
                                np.concatenate([e[0][0] for e in ends]), max_detour_m)
                n_back = back.run(network.rindptr, network.rtails, network.costs, nodes, zeros,
                                  np.concatenate([e[1][0] for e in ends]), max_detour_m,
                                  network.rarcs)
            out = _measure(network, places, measured, todo, nodes, at, fwd, back, max_detour_m)
        finally:
            fwd.reset(n_fwd)
            back.reset(n_back)
    out.sort(key=lambda d: (d["km"], d["id"]))
    return out


class _Fresh:
    """A pool stand-in handing out two given buffers, for callers without a pool."""

    def __init__(self, *buffers):
        self._buffers = list(buffers)

    def borrow(self):
        import contextlib
        return contextlib.nullcontext(self._buffers.pop())


def _measure(network, places, measured, todo, nodes, at, fwd, back, max_detour_m) -> list:
    """The detour of each candidate from the two searches' distances."""
    half = max_detour_m
    km_of = {}
    for node, m in zip(nodes.tolist(), at.tolist()):
        km_of.setdefault(node, m)
    out = []
    for place in places:
        if place.get("offset_m", 1.0) == 0.0:           # the route crosses the place
            out.append(dict(place, detour_m=0.0, there_m=0.0, back_m=0.0, detour_by="network"))
            continue
        if place["id"] not in measured:
            out.append(place)
            continue
        if place["id"] not in todo:                     # no usable way near it
            continue
        ep, ends = todo[place["id"]]
        walk = 2.0 * (ep.snap_m + place.get("access_m", 0.0))
        if ends is None:
            there = back_m = 0.0
            leave = None
        else:
            (t_nodes, t_costs), (b_nodes, b_costs) = ends
            if not len(t_nodes) or not len(b_nodes):
                continue
            reach = fwd.dist[t_nodes] + t_costs
            k = int(np.argmin(reach))
            there, back_m = float(reach[k]), float(np.min(back.dist[b_nodes] + b_costs))
            arcs = engine.arcs_to(fwd.pred, network.tails, int(t_nodes[k])) if there < half else []
            leave = km_of.get(int(network.tails[arcs[0]]) if len(arcs) else int(t_nodes[k]))
        detour = there + back_m + walk
        if detour > max_detour_m:
            continue
        km = place["km"] if leave is None else round(float(leave) / 1000.0, 2)
        out.append(dict(place, km=km, detour_m=round(detour, 0), there_m=round(there + walk / 2, 1),
                        back_m=round(back_m + walk / 2, 1), detour_by="network"))
    return out


def places_along(router, itinerary, corridor_m: float, kinds=None,
                 max_detour_m: float | None = None,
                 max_measured: int = MAX_MEASURED) -> list[dict]:
    """Places within ``corridor_m`` of the itinerary with their network detours.

    ``max_detour_m`` defaults to ``MAX_DETOUR_FACTOR × corridor_m``.
    """
    candidates = router.places.along(itinerary.lat, itinerary.lon, itinerary.cum_m,
                                     corridor_m, kinds)
    if not candidates:
        return candidates
    network = router.network(itinerary.profile, metric="length")
    limit = MAX_DETOUR_FACTOR * corridor_m if max_detour_m is None else max_detour_m
    return network_detours(network, itinerary, candidates, router.place_endpoint, limit,
                           max_measured, router.search_scratch)
