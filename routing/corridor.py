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

#: Default there-and-back bound: a place farther than this by the network is not "along".
MAX_DETOUR_FACTOR = 10.0
#: Most candidates measured per itinerary (the nearest to the route first).
MAX_MEASURED = 400


class PlaceLayer:
    """All the graph's places, projected once for fast corridor queries."""

    def __init__(self, graph):
        self.places = [p for p in graph.places if p.kind != "peak"]
        lat0 = float(np.mean(graph.node_lat)) if graph.n_nodes else 0.0
        self.proj = LocalProjection(lat0)
        geoms = []
        for p in self.places:
            geom = shape(p.geometry) if p.geometry else shapely.Point(p.lon, p.lat)
            geoms.append(shapely.transform(geom, self._project_coords))
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if geoms else None

    def _project_coords(self, coords):
        x, y = self.proj.forward(coords[:, 1], coords[:, 0])
        return np.column_stack([x, y])

    def line(self, lat, lon):
        x, y = self.proj.forward(lat, lon)
        return shapely.LineString(np.column_stack([x, y]))

    def along(self, lat, lon, cum_m, corridor_m: float = 300.0, kinds=None) -> list[dict]:
        """Candidate places within ``corridor_m`` of the polyline, ordered by km.

        ``offset_m`` is the straight-line distance from the route (0 when it
        crosses an area place); ``detour_m`` is twice that until
        :func:`network_detours` replaces it by the network's there and back.
        """
        if self.tree is None or len(lat) < 2:
            return []
        line = self.line(lat, lon)
        hits = self.tree.query(line, predicate="dwithin", distance=corridor_m)
        out = []
        scale = cum_m[-1] / line.length if line.length > 0 else 1.0
        if kinds:
            hits = np.array([i for i in hits if self.places[i].kind in kinds], np.int64)
        # One vectorised GEOS call per measure for all candidates, not one per place.
        geoms = self.geoms[hits]
        dists = shapely.distance(line, geoms)
        kms = shapely.line_locate_point(
            line, shapely.get_point(shapely.shortest_line(line, geoms), 0)) * scale / 1000.0
        for j, i in enumerate(hits):
            place = self.places[i]
            dist, km = float(dists[j]), float(kms[j])
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


def _route_nodes(network, pieces) -> tuple[np.ndarray, np.ndarray]:
    """Graph nodes the itinerary passes and the metres at which it passes them."""
    g = network.graph
    nodes, at, total = [], [], 0.0
    for leg in pieces:
        for edge, a, b in leg:
            length = abs(b - a)
            ends = ((g.edge_u[edge], 0.0), (g.edge_v[edge], g.edge_len[edge]))
            for node, offset in ends:
                if abs(offset - a) < 1e-6:
                    nodes.append(node), at.append(total)
                elif abs(offset - b) < 1e-6:
                    nodes.append(node), at.append(total + length)
            total += length
    return np.array(nodes, np.int64), np.array(at)


def _search(indptr, heads, costs, sources, limit):
    n = len(indptr) - 1
    dist, pred = np.full(n, engine.INF), np.full(n, -1, np.int64)
    engine.dijkstra(indptr, heads, costs, sources, np.zeros(len(sources)),
                    np.zeros(0, np.int64), limit, dist, pred)
    return dist, pred


def network_detours(network, itinerary, places: list[dict], endpoint,
                    max_detour_m: float, max_measured: int = MAX_MEASURED) -> list[dict]:
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
    nodes, at = _route_nodes(network, itinerary.pieces)
    if not len(nodes):
        return places
    half = max_detour_m
    fwd, pred = _search(network.indptr, network.heads, network.costs, nodes, half)
    back, _ = _search(network.rindptr, network.rtails, network.costs[network.rarcs], nodes, half)
    km_of = {}
    for node, m in zip(nodes, at):
        km_of.setdefault(int(node), m)
    covered: dict = {}
    for leg in itinerary.pieces:
        for e, a, b in leg:
            covered.setdefault(int(e), []).append((min(a, b), max(a, b)))
    out = []
    for place in places:
        if place.get("offset_m", 1.0) == 0.0:           # the route crosses the place
            out.append(dict(place, detour_m=0.0, there_m=0.0, back_m=0.0, detour_by="network"))
            continue
        if place["id"] not in measured:
            out.append(place)
            continue
        try:
            ep = endpoint(place["id"], network)
        except RoutingError:
            continue
        walk = 2.0 * (ep.snap_m + place.get("access_m", 0.0))
        if any(lo - 1e-6 <= ep.offset_m <= hi + 1e-6 for lo, hi in covered.get(ep.edge, ())):
            there = back_m = 0.0              # the route passes the place's access point
            leave = None
        else:
            t_nodes, t_costs = network.entries(ep)
            b_nodes, b_costs = network.exits(ep)
            if not len(t_nodes) or not len(b_nodes):
                continue
            reach = fwd[t_nodes] + t_costs
            k = int(np.argmin(reach))
            there, back_m = float(reach[k]), float(np.min(back[b_nodes] + b_costs))
            arcs = engine.arcs_to(pred, network.tails, int(t_nodes[k])) if there < half else []
            leave = km_of.get(int(network.tails[arcs[0]]) if len(arcs) else int(t_nodes[k]))
        detour = there + back_m + walk
        if detour > max_detour_m:
            continue
        km = place["km"] if leave is None else round(float(leave) / 1000.0, 2)
        out.append(dict(place, km=km, detour_m=round(detour, 0), there_m=round(there + walk / 2, 1),
                        back_m=round(back_m + walk / 2, 1), detour_by="network"))
    out.sort(key=lambda d: (d["km"], d["id"]))
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
    return network_detours(network, itinerary, candidates, router.endpoint, limit, max_measured)
