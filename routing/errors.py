"""Typed errors of the routing layer; all are ``BassinRoutesError``s."""
from graphs.errors import BassinRoutesError


class RoutingError(BassinRoutesError):
    """Base class of routing errors (a query that cannot be answered)."""


class UnknownProfileError(RoutingError):
    """The profile name is not one of :data:`routing.profiles.PROFILES`."""


class InvalidQueryError(RoutingError):
    """Malformed points, options out of range, unknown place id."""


class PointOffNetworkError(RoutingError):
    """A point is farther than the snap bound from any edge usable by the profile."""


class UnreachableError(RoutingError):
    """No path joins two points for this profile."""


class TooManyStopsError(RoutingError):
    """A tour has more stops than the planner orders."""


class ImpossibleLoopError(RoutingError):
    """No loop of the asked length (±10 %) through the asked places could be found."""


class UnreachableStopsError(UnreachableError):
    """Some stops of a tour cannot be joined to the others; ``stops`` names them."""

    def __init__(self, message: str, stops: list[str]):
        super().__init__(message)
        self.stops = list(stops)
        self.problem = {"field": "stops", "stops": self.stops}


class TimeWindowError(RoutingError):
    """No order of a tour's stops meets their time windows; ``stops`` names the windows
    that cannot be met (or all windowed stops when no single one is to blame)."""

    def __init__(self, message: str, stops: list[str]):
        super().__init__(message)
        self.stops = list(stops)
        self.problem = {"field": "windows", "stops": self.stops}


class ImpossibleStagesError(RoutingError):
    """No split into the asked days meets the maximum km per day."""

    def __init__(self, message: str, field: str = "max_km"):
        super().__init__(message)
        self.problem = {"field": field}


class NoRouteLeftError(UnreachableError):
    """The request's options or avoided areas (or the configured closures) leave no path.

    ``field`` names the request field at fault (``avoid_areas``, an option, or ``date``
    when only the configured closures of that day are in the way); ``causes`` lists
    every restriction that applied.
    """

    def __init__(self, message: str, field: str = "avoid_areas", causes: tuple = (),
                 **extra):
        super().__init__(message)
        self.field, self.causes = field, tuple(causes) or (field,)
        self.problem = dict({"field": field, "causes": list(self.causes)}, **extra)
