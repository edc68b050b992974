"""The Router: a graph plus everything per-profile that queries reuse."""
from __future__ import annotations

import re

from graphs.spatial import EdgeIndex

from .assemble import EdgeFacts, assemble
from .corridor import PlaceLayer
from .errors import InvalidQueryError, TooManyStopsError
from .itinerary import Itinerary
from .network import Endpoint, ProfileNetwork, check_snap
from .profiles import get_profile

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
MAX_POINTS = 50


def parse_points(text: str) -> list:
    """``'LAT,LON;LAT,LON;place-id'`` -> list of (lat, lon) tuples and place ids."""
    if not text or not text.strip():
        raise InvalidQueryError("no points given: expected 'LAT,LON;LAT,LON[;…]'")
    out = []
    for part in text.split(";"):
        part = part.strip()
        match = _COORD.match(part)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidQueryError(f"point {part!r} is not a latitude,longitude pair")
            out.append((lat, lon))
        elif part:
            out.append(part)
    return out


class Router:
    """Plans itineraries on a compiled graph.

    Parameters
    ----------
    graph : graphs.CompiledGraph
    snap_bound_m : float
        A query point farther than this from a usable way is an error.
    corridor_m : float
        Width (each side) of the corridor in which places count as "along".
    """

    def __init__(self, graph, snap_bound_m: float = 1000.0, corridor_m: float = 300.0):
        self.graph = graph
        self.snap_bound_m = snap_bound_m
        self.corridor_m = corridor_m
        self.index = EdgeIndex(graph)
        self._networks: dict = {}
        self._facts: dict = {}
        self._places = None

    @property
    def places(self) -> PlaceLayer:
        if self._places is None:
            self._places = PlaceLayer(self.graph)
        return self._places

    def network(self, profile: str, route_preference: float | None = None,
                metric: str = "cost") -> ProfileNetwork:
        """The (cached) network of a profile and signed-route preference.

        ``metric="length"`` weighs edges by their length (map matching)."""
        prof = get_profile(profile)
        if route_preference is not None and not 0 <= route_preference <= 10:
            raise InvalidQueryError("route_preference must be between 0 and 10")
        key = (prof.name, None if route_preference is None else round(float(route_preference), 3),
               metric)
        if key not in self._networks:
            if len(self._networks) >= 16:
                self._networks.pop(next(iter(self._networks)))
            # The hierarchy pays off for the default weights, which most queries use.
            self._networks[key] = ProfileNetwork(
                self.graph, prof, route_preference,
                hierarchy=route_preference is None and metric == "cost", metric=metric)
        return self._networks[key]

    def facts(self, network: ProfileNetwork) -> EdgeFacts:
        key = network.profile.name
        if key not in self._facts:
            self._facts[key] = EdgeFacts(network)
        return self._facts[key]

    # -- points -----------------------------------------------------------------------------
    def endpoint(self, point, network: ProfileNetwork) -> Endpoint:
        """Snap a (lat, lon) or a place id onto the nearest edge usable by the network."""
        place = None
        if isinstance(point, str):
            place = self.graph.place(point)
            if place is None:
                raise InvalidQueryError(f"unknown place id {point!r}")
            query = (place.link["lat"], place.link["lon"]) if place.link else (place.lat, place.lon)
        else:
            try:
                query = (float(point[0]), float(point[1]))
            except (TypeError, ValueError, IndexError):
                raise InvalidQueryError(f"bad point {point!r}: expected (lat, lon)") from None
        snap = self.index.nearest(query[0], query[1], self.snap_bound_m, network.snappable)
        if snap is None:
            snap = self.index.nearest(query[0], query[1], self.snap_bound_m, network.usable)
        check_snap(snap, query, self.snap_bound_m, network.profile.name)
        return Endpoint(snap.edge, snap.offset_m, snap.lat, snap.lon, snap.distance_m, query,
                        place.id if place else None)

    def waypoint(self, ep: Endpoint) -> dict:
        place = self.graph.place(ep.place_id) if ep.place_id else None
        return {"lat": round(ep.lat, 7), "lon": round(ep.lon, 7),
                "query": [round(ep.query[0], 7), round(ep.query[1], 7)],
                "snap_m": round(ep.snap_m, 1), "place_id": ep.place_id,
                "name": place.name if place else None,
                "kind": place.kind if place else None}

    def endpoints(self, points, network, limit: int = MAX_POINTS) -> list[Endpoint]:
        if isinstance(points, str):
            points = parse_points(points)
        if len(points) > limit:
            raise TooManyStopsError(f"{len(points)} points given; at most {limit}")
        return [self.endpoint(p, network) for p in points]

    # -- planning ---------------------------------------------------------------------------
    def itinerary(self, network, endpoints: list[Endpoint], kind: str, paths=None) -> Itinerary:
        """Assemble the itinerary through ``endpoints`` in order (paths computed if absent)."""
        if paths is None:
            paths = [network.path(a, b) for a, b in zip(endpoints[:-1], endpoints[1:])]
        return self.assemble(network, paths, [self.waypoint(e) for e in endpoints], kind)

    def assemble(self, network, paths: list, waypoints: list[dict], kind: str) -> Itinerary:
        """Itinerary of consecutive ``paths`` between ``waypoints`` (dicts), with places."""
        itinerary = assemble(network, self.facts(network), paths, waypoints, kind)
        itinerary.places = self.places.along(itinerary.lat, itinerary.lon, itinerary.cum_m,
                                             self.corridor_m)
        itinerary.meta["cost"] = round(float(sum(p.cost for p in paths)), 3)
        return itinerary

    def route(self, points, profile: str = "hike", route_preference: float | None = None) -> Itinerary:
        """Itinerary through ``points`` in the given order (at least two).

        Raises
        ------
        UnknownProfileError, InvalidQueryError, PointOffNetworkError, UnreachableError
        """
        network = self.network(profile, route_preference)
        endpoints = self.endpoints(points, network)
        if len(endpoints) < 2:
            raise InvalidQueryError("a route needs at least two points")
        return self.itinerary(network, endpoints, "route")

    def tour(self, stops, profile: str = "hike", **options) -> Itinerary:
        from .tour import plan_tour
        return plan_tour(self, stops, profile, **options)

    def loop(self, start, length_km: float, profile: str = "hike", **options) -> list[Itinerary]:
        from .loop import plan_loop
        return plan_loop(self, start, length_km, profile, **options)

    def stages(self, itinerary: Itinerary, **options) -> Itinerary:
        from .stages import split_stages
        return split_stages(self, itinerary, **options)


