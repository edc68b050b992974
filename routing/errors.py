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


class NoRouteLeftError(UnreachableError):
    """The request's options or avoided areas (or the configured closures) leave no path."""
