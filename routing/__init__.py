"""Compiled graph -> Itinerary: profiles, the engine, route/tour/loop/stages.

>>> import graphs, routing
>>> router = routing.RoutingService(graphs.load_graph("build/heidelberg"))  # doctest: +SKIP
>>> it = router.route([(49.41, 8.69), (49.40, 8.72)], profile="hike")   # doctest: +SKIP
>>> it.distance_m, it.duration_s, it.to_geojson()                        # doctest: +SKIP
"""
from graphs.lazy import lazy_exports

__all__ = ["RoutingService", "Router", "Itinerary", "PROFILES", "Profile", "get_profile", "parse_points",
           "RoutingError", "UnknownProfileError", "InvalidQueryError", "PointOffNetworkError",
           "UnreachableError", "TooManyStopsError", "ImpossibleLoopError", "NoRouteLeftError",
           "UnreachableStopsError", "TimeWindowError", "ImpossibleStagesError"]

__getattr__ = lazy_exports(__name__, {
    "ImpossibleLoopError": ".errors",
    "InvalidQueryError": ".errors",
    "NoRouteLeftError": ".errors",
    "PointOffNetworkError": ".errors",
    "RoutingError": ".errors",
    "TooManyStopsError": ".errors",
    "UnknownProfileError": ".errors",
    "UnreachableError": ".errors",
    "UnreachableStopsError": ".errors",
    "TimeWindowError": ".errors",
    "ImpossibleStagesError": ".errors",
    "Itinerary": ".itinerary",
    "PROFILES": ".profiles",
    "Profile": ".profiles",
    "get_profile": ".profiles",
    "parse_points": ".points",
    "Router": ".router",
    "RoutingService": ".router",
})
