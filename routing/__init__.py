"""Compiled graph -> Itinerary: profiles, the engine, route/tour/loop/stages.

>>> import graphs, routing
>>> router = routing.RoutingService(graphs.load_graph("build/heidelberg"))  # doctest: +SKIP
>>> it = router.route([(49.41, 8.69), (49.40, 8.72)], profile="hike")   # doctest: +SKIP
>>> it.distance_m, it.duration_s, it.to_geojson()                        # doctest: +SKIP
"""
from .errors import (ImpossibleLoopError, ImpossibleStagesError, InvalidQueryError,
                     NoRouteLeftError, PointOffNetworkError, RoutingError, TimeWindowError,
                     TooManyStopsError, UnknownProfileError, UnreachableError,
                     UnreachableStopsError)
from .itinerary import Itinerary
from .profiles import PROFILES, Profile, get_profile
from .points import parse_points
from .router import Router, RoutingService

__all__ = ["RoutingService", "Router", "Itinerary", "PROFILES", "Profile", "get_profile", "parse_points",
           "RoutingError", "UnknownProfileError", "InvalidQueryError", "PointOffNetworkError",
           "UnreachableError", "TooManyStopsError", "ImpossibleLoopError", "NoRouteLeftError",
           "UnreachableStopsError", "TimeWindowError", "ImpossibleStagesError"]
