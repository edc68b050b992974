"""One request's restrictions on a profile network: avoided areas, closures, options.

Every planner (routes, alternatives, tours, loops, stages, node routes, isochrones,
matrices) asks the routing service for :meth:`RoutingService.restricted`, which returns
the plain shared network when the request changes nothing, else a
:class:`RestrictedNetwork`: the same network seen through per-edge factors
(:func:`routing.options.edge_multiplier`; ``inf`` = forbidden). Forbidden edges are
neither snapped onto nor travelled, and every search of the view multiplies its costs by
the factors, so a planner needs no code of its own for closures.

The edge masks of polygons are the costly part (geometry against every candidate
edge): the service keeps one per distinct set of polygons (:class:`AreaMasks`), built
once under a lock, so the configured closures of a day cost one intersection for all
the requests of that day.
"""
from __future__ import annotations

import numpy as np

from .avoid import edges_in_areas
from .engine import INF
from .errors import InvalidQueryError, NoRouteLeftError, UnreachableError
from .options import RouteOptions, edge_multiplier

#: The option fields, in the order a refusal names them.
OPTION_FIELDS = ("avoid_areas", "avoid_unpaved", "avoid_steps", "max_sac", "max_mtb",
                 "follow_route", "prefer_signed")


def area_key(polygons) -> tuple:
    """A hashable key of a set of polygons: their WKB, in a stable order."""
    import shapely              # only with polygons (routing.avoid: GEOS loaded on demand)

    return tuple(sorted(shapely.to_wkb(p) for p in polygons))


class AreaMasks:
    """Edge masks of polygon sets, each built once and kept (read-only) for later requests.

    Parameters
    ----------
    graph : graphs.CompiledGraph
    cache : callable
        ``cache(build)`` returns an object whose ``get(key)`` builds a key once (the
        routing service's :class:`routing.router.NetworkCache`).
    """

    def __init__(self, graph, cache):
        self.graph = graph
        #: the masks built so far (``hits``, ``misses``: lookups that found or built one)
        self.cache = cache(self._build)

    def _build(self, key: tuple) -> np.ndarray:
        import shapely

        mask = edges_in_areas(self.graph, tuple(shapely.from_wkb(k) for k in key))
        mask.setflags(write=False)
        return mask

    def __call__(self, graph, polygons) -> np.ndarray:
        """The mask of the edges entering ``polygons`` (the signature of
        :func:`routing.avoid.edges_in_areas`)."""
        if graph is not self.graph:
            return edges_in_areas(graph, polygons)
        return self.cache.get(area_key(polygons))


def causes_of(options: RouteOptions, closed_areas) -> tuple[str, ...]:
    """The request fields that restrict it, most specific first (``date``: closures)."""
    default = RouteOptions()
    causes = tuple(name for name in OPTION_FIELDS
                   if getattr(options, name) != getattr(default, name))
    return causes + (("date",) if closed_areas else ())


class RestrictedNetwork:
    """A profile network seen through a request's per-edge factors.

    It answers what planners ask of a :class:`routing.network.ProfileNetwork`
    (``path``, ``one_to_many``, ``costs_from``, ``exits``, ``entries``, ``usable``,
    ``snappable``, ``costs``…); everything else is the base network's. The bidirectional
    ALT search runs with the base landmarks, which stay lower bounds because no factor
    is below 1.

    Parameters
    ----------
    base : ProfileNetwork
    factor : ndarray
        Per-edge factors (>= 1, ``inf`` = forbidden).
    causes : tuple of str
        The request fields behind the factors (:func:`causes_of`).
    closures : int
        How many configured closures apply.
    """

    use_hierarchy = False
    hierarchy = None

    def __init__(self, base, factor: np.ndarray, causes: tuple, closures: int = 0):
        self.base, self.factor, self.causes, self.closures = base, factor, causes, closures
        self.allowed = np.isfinite(factor)
        self.usable = base.usable & self.allowed
        self.snappable = base.snappable & self.allowed
        with np.errstate(invalid="ignore"):
            self.costs = base.costs * factor[base.arc_edge]

    def __getattr__(self, name):
        return getattr(self.base, name)

    @property
    def field(self) -> str:
        """The field a refusal names."""
        return self.causes[0] if self.causes else "avoid_areas"

    def meta(self) -> dict:
        """What an itinerary's ``meta`` records of the restriction."""
        return {"planner": "alt", "restricted_by": list(self.causes),
                "closures_avoided": self.closures}

    def no_route_left(self, message: str, **extra) -> NoRouteLeftError:
        """The typed refusal of this request (naming its field)."""
        return NoRouteLeftError(f"{message} ({', '.join(self.causes)})", self.field,
                                self.causes, **extra)

    def _penalty(self, penalty):
        return self.factor if penalty is None else self.factor * penalty

    def exits(self, ep, penalty=None):
        """Graph nodes an endpoint reaches along its edge, costed under the factors."""
        return self.base.exits(ep, self._penalty(penalty))

    def entries(self, ep, penalty=None):
        """Graph nodes an endpoint is reached from along its edge, under the factors."""
        return self.base.entries(ep, self._penalty(penalty))

    def path(self, a, b, penalty=None, arc_costs=None):
        """Optimal path under the factors (times ``penalty``).

        Raises
        ------
        NoRouteLeftError
            The restrictions cut every path the plain network has.
        UnreachableError
            There was no path even without them.
        """
        if penalty is None and arc_costs is None:
            arc_costs = self.costs
        try:
            path = self.base.path(a, b, self._penalty(penalty), arc_costs)
        except UnreachableError as exc:
            try:
                self.base.path(a, b)
            except UnreachableError:
                raise exc from None
            raise self.no_route_left("no path is left between these points") from None
        if not np.isfinite(path.cost) or path.cost >= INF / 2:
            raise self.no_route_left("no path is left between these points")
        return path

    def one_to_many(self, a, targets, max_cost: float = INF, penalty=None, arc_costs=None):
        """Costs from ``a`` to each target under the factors (INF: cut off or unreachable)."""
        costs = self.costs if penalty is None and arc_costs is None else arc_costs
        return self.base.one_to_many(a, targets, max_cost, self._penalty(penalty), costs)

    def costs_from(self, a, max_cost: float, penalty=None, arc_costs=None):
        """Cost from ``a`` to every node within ``max_cost`` under the factors (a copy)."""
        costs = self.costs if penalty is None and arc_costs is None else arc_costs
        return self.base.costs_from(a, max_cost, self._penalty(penalty), costs)

    def node_query(self, s: int, t: int, alt: bool = True):
        """Cost and arcs between two graph nodes under the factors (always ALT)."""
        return self.base.node_query(s, t, costs=self.costs)


def restrict(network, options: RouteOptions | None, closed_areas=(),
             area_mask=edges_in_areas):
    """``network`` itself when the request changes nothing, else its restricted view.

    Raises
    ------
    InvalidQueryError
        An option that cannot apply (a followed route the graph lacks).
    """
    options = options or RouteOptions()
    factor = edge_multiplier(network, options, closed_areas, area_mask)
    if factor is None:
        return network
    factor.setflags(write=False)
    return RestrictedNetwork(network, factor, causes_of(options, closed_areas),
                             len(closed_areas))


def is_restricted(network) -> bool:
    """Whether a network is a request's restricted view."""
    return isinstance(network, RestrictedNetwork)


def plan_route(router, points, profile: str = "hike", options: RouteOptions | None = None,
               closed_areas=(), route_preference: float | None = None,
               corridor_m: float | None = None):
    """Itinerary through ``points`` with per-request options and closures.

    Default options (and no closure) go to the profile's contraction hierarchy; anything
    else to the ALT planner on the restricted network. ``route_preference`` (the plain
    route API's) picks the network of that preference; it cannot be combined with
    ``prefer_signed`` or ``follow_route``. ``corridor_m``: the corridor of places along
    (the service's by default; 0: no places).

    Raises
    ------
    UnknownProfileError, InvalidQueryError, PointOffNetworkError, UnreachableError,
    NoRouteLeftError
    """
    options = options or RouteOptions()
    network = router.restricted(profile, route_preference, options, closed_areas)
    if not is_restricted(network):
        itinerary = router.route(points, profile, route_preference, corridor_m)
        itinerary.meta["planner"] = "ch" if network.use_hierarchy else "alt"
        return itinerary
    endpoints = router.endpoints(points, network)
    if len(endpoints) < 2:
        raise InvalidQueryError("a route needs at least two points")
    itinerary = router.itinerary(network, endpoints, "route", corridor_m=corridor_m)
    itinerary.meta.update(network.meta(), options=options.to_dict())
    return itinerary
