"""The routing service: a compiled graph and everything per profile, built once, read-only.

One :class:`RoutingService` serves every thread of a process (OSRM's engine is
the model: built once, ``const`` queries, scratch space per query). Networks
of the compiled profiles and their contraction hierarchies are built at
construction; networks for other weights (a signed-route preference, length
for map matching) are built on first use, once, under a lock, and never
changed afterwards. Planners (:mod:`routing.tour`, :mod:`routing.loop`,
:mod:`routing.stages`) are plain functions of the service.
"""
from __future__ import annotations

import threading
from types import MappingProxyType

from .resident import import_numba, release_compiler_pages, set_up_numba_without_blas

import_numba()      # first, before the modules below import it: 3 MB less per process

from .assemble import EdgeFacts, assemble_with_table  # noqa: E402
from .corridor import PlaceLayer, places_along  # noqa: E402
from .errors import InvalidQueryError, RoutingError, TooManyStopsError  # noqa: E402
from .itinerary import Itinerary, round_float  # noqa: E402
from .loop import plan_loop  # noqa: E402
from .network import Endpoint, ProfileNetwork, check_snap  # noqa: E402
from .numpy_exact import lat_lon_bounds  # noqa: E402
from .points import MAX_POINTS, parse_points, summit_point  # noqa: E402
from .profiles import PROFILES, get_profile  # noqa: E402
from .restrict import AreaMasks, is_restricted, restrict  # noqa: E402
from .search import SearchBuffers  # noqa: E402
from .snap import SnapIndex  # noqa: E402
from .stages import split_stages  # noqa: E402
from .tour import plan_tour  # noqa: E402
from .workspace import WorkspacePool  # noqa: E402

__all__ = ["RoutingService", "Router", "NetworkCache", "parse_points", "MAX_POINTS"]


class NetworkCache:
    """Networks built on first use, each exactly once, kept for later queries.

    Parameters
    ----------
    build : callable
        ``build(key)`` returns the network of a key.
    size : int
        How many to keep; the oldest is forgotten (queries holding it finish with it).
    """

    def __init__(self, build, size: int = 16):
        self._build = build
        self._size = size
        self._entries: dict = {}
        self._lock = threading.Lock()
        #: lookups that found the network already there, and those that built it
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                if len(self._entries) >= self._size:
                    self._entries.pop(next(iter(self._entries)))
                entry = self._entries[key] = _BuildOnce()
            else:
                self.hits += 1
        return entry.get(lambda: self._build(key))

    def __len__(self) -> int:
        return len(self._entries)


class _BuildOnce:
    """A value computed by the first caller while later callers wait for it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._done = False
        self._value = None

    def get(self, build):
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = build()
                    self._done = True
        return self._value


class RoutingService:
    """Plans itineraries on a compiled graph; immutable and safe under any number of threads.

    Parameters
    ----------
    graph : graphs.CompiledGraph
    profiles : iterable of str, optional
        Profiles whose default network and contraction hierarchy are built now
        (default: all of :data:`routing.profiles.PROFILES`); others on first use.
    snap_bound_m : float
        A query point farther than this from a usable way is an error.
    corridor_m : float
        Width (each side) of the corridor in which places count as "along".
    """

    def __init__(self, graph, profiles=None, snap_bound_m: float = 1000.0,
                 corridor_m: float = 300.0):
        self.graph = graph
        self.snap_bound_m = snap_bound_m
        self.corridor_m = corridor_m
        # Lazily computed graph properties are computed here, before any thread shares them.
        _ = graph.shape_offsets, graph.main_components, graph.place("")
        self.index = SnapIndex(graph)
        self.places = PlaceLayer(graph)
        names = tuple(PROFILES) if profiles is None else tuple(get_profile(p).name for p in profiles)
        # Facts of the compiled profiles now; of others (a custom network's) on first use.
        self._facts = NetworkCache(lambda name: EdgeFacts(graph, PROFILES[name]), len(PROFILES))
        # ... read without the cache's lock by every route of a compiled profile
        self._compiled_facts = MappingProxyType({name: self._facts.get(name) for name in names})
        self._compiled = MappingProxyType({(name, None, "cost"): self._build((name, None, "cost"))
                                           for name in names})
        self._custom = NetworkCache(self._build)
        #: edge masks of avoided areas and closures, one per distinct set of polygons
        self.area_mask = AreaMasks(graph, lambda build: NetworkCache(build, size=64))
        #: buffers of the bounded searches (detours to places along a route)
        self.search_scratch = WorkspacePool(lambda: SearchBuffers(graph.n_nodes, 2 * graph.n_edges))
        # Places snapped per network, on first use: (profile, weights digest) -> {id: Endpoint}
        self._place_ends: dict = {}
        self._place_lock = threading.Lock()

    def _build(self, key) -> ProfileNetwork:
        name, preference, metric = key
        profile = get_profile(name)
        if preference is not None and metric == "cost":
            # A signed-route preference only rescales signed edges by (1 + p0) / (1 + p):
            # the default network's landmarks, scaled by the smallest factor, stay lower
            # bounds, so a request's preference costs no landmark Dijkstras.
            scale = min(1.0, (1.0 + profile.route_preference) / (1.0 + preference))
            return ProfileNetwork(self.graph, profile, preference, hierarchy=False,
                                  metric=metric, landmarks_of=self.network(name),
                                  landmark_scale=scale)
        # The hierarchy pays off for the default weights, which most queries use.
        return ProfileNetwork(self.graph, profile, preference,
                              hierarchy=preference is None and metric == "cost", metric=metric)

    def cache_stats(self) -> dict:
        """Lookups of networks with custom weights: ``{"hits", "misses", "size"}``."""
        return {"hits": self._custom.hits, "misses": self._custom.misses,
                "size": len(self._custom)}

    @property
    def profiles(self) -> tuple[str, ...]:
        """Profiles whose networks were built at start-up."""
        return tuple(key[0] for key in self._compiled)

    def network(self, profile: str, route_preference: float | None = None,
                metric: str = "cost") -> ProfileNetwork:
        """The network of a profile and signed-route preference (shared, read-only).

        ``metric="length"`` weighs edges by their length (map matching).
        """
        prof = get_profile(profile)
        if route_preference is not None and not 0 <= route_preference <= 10:
            raise InvalidQueryError("route_preference must be between 0 and 10")
        if metric not in ("cost", "length"):
            raise InvalidQueryError(f"unknown metric {metric!r}: 'cost' or 'length'")
        key = (prof.name, None if route_preference is None else round(float(route_preference), 3),
               metric)
        network = self._compiled.get(key)
        return network if network is not None else self._custom.get(key)

    def restricted(self, profile: str, route_preference: float | None = None, options=None,
                   closed_areas=()):
        """The network of a profile as one request sees it: the shared network when its
        options and the active closures change nothing, else a
        :class:`routing.restrict.RestrictedNetwork` (forbidden edges neither snapped onto
        nor travelled). Every planner plans on what this returns.

        Raises
        ------
        UnknownProfileError, InvalidQueryError
        """
        if route_preference is not None and options is not None and \
                (options.prefer_signed or options.follow_route):
            raise InvalidQueryError("parameter 'route_preference' cannot be combined with "
                                    "'prefer_signed' or 'follow_route'")
        return restrict(self.network(profile, route_preference), options, closed_areas,
                        self.area_mask)

    def warm_up(self) -> None:
        """Plan one route per compiled profile, so that the first query finds the kernels
        compiled and the workspace pools filled (servers call this before accepting).

        The length networks that measure detours to places along a route are built
        too (else the first route passing a place builds them). Kernels load without
        SciPy's BLAS, and LLVM's code, not needed to run loaded kernels, is handed back
        afterwards (:mod:`routing.resident`).
        """
        set_up_numba_without_blas()
        for name in self.profiles:
            self._warm_profile(name)
        release_compiler_pages()

    def _warm_profile(self, name: str) -> None:
        g = self.graph
        self.places.warm_up(self.network(name, metric="length"), self.place_endpoint,
                            self.search_scratch)
        a, b = self.network(name).warm_up()
        if a >= 0:
            points = [(float(g.node_lat[a]), float(g.node_lon[a])),
                      (float(g.node_lat[b]), float(g.node_lon[b]))]
            try:     # and its GeoJSON: the kernels its line is written with load now too
                itinerary = self.route(points, name)
                itinerary.to_geojson(arrays=True)
                # the bounds' kernel, which an assembled route does not call (its kernel
                # measured them) but maps and pages of others do: loaded now, while
                # LLVM's pages are still there (routing.resident)
                lat_lon_bounds(itinerary.lat, itinerary.lon)
            except RoutingError:
                pass                 # a degenerate graph: the kernels ran all the same

    def facts(self, network: ProfileNetwork) -> EdgeFacts:
        """Per-edge facts itineraries of the network's profile report."""
        name = network.profile.name
        facts = self._compiled_facts.get(name)
        return facts if facts is not None else self._facts.get(name)

    # -- points -----------------------------------------------------------------------------
    def endpoint(self, point, network: ProfileNetwork) -> Endpoint:
        """Snap a (lat, lon) or a place id onto the nearest edge usable by the network."""
        query, place = self._query(point)
        return self._snapped(query, place, network, self.index.nearest(
            query[0], query[1], self.snap_bound_m, network.snappable))

    def _query(self, point) -> tuple:
        """The (lat, lon) a point or place id is snapped from, and the place (or None)."""
        if isinstance(point, str):
            place_id, _, part = point.partition("@")
            place = self.graph.place(place_id)
            if place is None or part not in ("", "summit"):
                raise InvalidQueryError(f"unknown place id {point!r}")
            query = (place.link["lat"], place.link["lon"]) if place.link else (place.lat, place.lon)
            if part:                                # « climb this terril »: its summit
                query = summit_point(self.graph, place)
            return query, place
        try:
            return (float(point[0]), float(point[1])), None
        except (TypeError, ValueError, IndexError):
            raise InvalidQueryError(f"bad point {point!r}: expected (lat, lon)") from None

    def _snapped(self, query, place, network, snap) -> Endpoint:
        """The endpoint of ``query`` given its snap onto the network's snappable edges
        (None: none near enough, the usable ones are tried, then the error told)."""
        if snap is None:
            snap = self.index.nearest(query[0], query[1], self.snap_bound_m, network.usable)
        if snap is None and is_restricted(network) and self.index.nearest(
                query[0], query[1], self.snap_bound_m, network.base.usable) is not None:
            raise network.no_route_left(
                f"point {query[0]:.5f},{query[1]:.5f}: no way within {self.snap_bound_m:.0f} m "
                "is left by the avoided areas and options", point=[query[0], query[1]])
        check_snap(snap, query, self.snap_bound_m, network.profile.name)
        return Endpoint(snap.edge, snap.offset_m, snap.lat, snap.lon, snap.distance_m, query,
                        place.id if place else None)

    def place_endpoint(self, place_id: str, network: ProfileNetwork) -> Endpoint:
        """:meth:`endpoint` of a place id, snapped once per network and remembered.

        A place's snap depends only on the place and the network's weights, so every
        route passing it reuses the first answer (errors included).
        """
        key = (network.profile.name, network.digest)
        table = self._place_ends.get(key)
        if table is None:
            with self._place_lock:
                table = self._place_ends.setdefault(key, {})
        found = table.get(place_id)
        if found is None:
            try:
                found = self.endpoint(place_id, network)
            except RoutingError as exc:
                found = (type(exc), exc.args)
            with self._place_lock:
                found = table.setdefault(place_id, found)
        if isinstance(found, tuple):               # a fresh exception, not a shared one
            raise found[0](*found[1])
        return found

    def waypoint(self, ep: Endpoint) -> dict:
        """The waypoint dict of an endpoint, as itineraries list them."""
        place = self.graph.place(ep.place_id) if ep.place_id else None
        query = ep.query
        return {"lat": round_float(ep.lat, 7), "lon": round_float(ep.lon, 7),
                "query": [round_float(query[0], 7), round_float(query[1], 7)],
                "snap_m": round_float(ep.snap_m, 1), "place_id": ep.place_id,
                "name": place.name if place else None,
                "names": place.names if place else {},
                "kind": place.kind if place else None}

    def endpoints(self, points, network, limit: int = MAX_POINTS) -> list[Endpoint]:
        """Snap many points (a list, or the text :func:`parse_points` reads)."""
        if isinstance(points, str):
            points = parse_points(points)
        if len(points) > limit:
            raise TooManyStopsError(f"{len(points)} points given; at most {limit}")
        try:
            queries = [self._query(p) for p in points]
            snaps = self.index.nearest_many([query for query, _ in queries], self.snap_bound_m,
                                            network.snappable)   # all in one compiled call
        except RoutingError:  # one by one instead, so that the first error in point order is told
            return [self.endpoint(p, network) for p in points]
        return [self._snapped(query, place, network, snap)
                for (query, place), snap in zip(queries, snaps)]

    # -- planning ---------------------------------------------------------------------------
    def itinerary(self, network, endpoints: list[Endpoint], kind: str, paths=None,
                  corridor_m: float | None = None) -> Itinerary:
        """Assemble the itinerary through ``endpoints`` in order (paths computed if absent)."""
        if paths is None:
            paths = [network.path(a, b) for a, b in zip(endpoints[:-1], endpoints[1:])]
        return self.assemble(network, paths, [self.waypoint(e) for e in endpoints], kind,
                             corridor_m)

    def assemble(self, network, paths: list, waypoints: list[dict], kind: str,
                 corridor_m: float | None = None) -> Itinerary:
        """Itinerary of consecutive ``paths`` between ``waypoints`` (dicts), with the places
        within ``corridor_m`` (default the service's; 0: none, and none measured)."""
        itinerary, table = assemble_with_table(network, self.facts(network), paths, waypoints,
                                               kind)
        corridor = self.corridor_m if corridor_m is None else corridor_m
        itinerary.places = places_along(self, itinerary, corridor, table=table) \
            if corridor > 0 else []
        itinerary.meta["cost"] = round_float(float(sum(p.cost for p in paths)), 3)
        return itinerary

    def route(self, points, profile: str = "hike", route_preference: float | None = None,
              corridor_m: float | None = None) -> Itinerary:
        """Itinerary through ``points`` in the given order (at least two).

        ``corridor_m``: the width of the corridor of places along (each side; default the
        service's, 0: no places).

        Raises
        ------
        UnknownProfileError, InvalidQueryError, PointOffNetworkError, UnreachableError
        """
        network = self.network(profile, route_preference)
        endpoints = self.endpoints(points, network)
        if len(endpoints) < 2:
            raise InvalidQueryError("a route needs at least two points")
        return self.itinerary(network, endpoints, "route", corridor_m=corridor_m)

    def tour(self, stops, profile: str = "hike", **options) -> Itinerary:
        """Best order through ``stops``: see :func:`routing.tour.plan_tour`."""
        return plan_tour(self, stops, profile, **options)

    def loop(self, start, length_km: float, profile: str = "hike", **options) -> list[Itinerary]:
        """Ranked loops from ``start``: see :func:`routing.loop.plan_loop`."""
        return plan_loop(self, start, length_km, profile, **options)

    def stages(self, itinerary: Itinerary, **options) -> Itinerary:
        """Split into days: see :func:`routing.stages.split_stages`."""
        return split_stages(self, itinerary, **options)


#: The name planners and layers have always used.
Router = RoutingService
