"""Alternative routes by the penalty method.

After the best route, the edges it uses get dearer and the planner runs again; a
candidate is kept when it differs from every route kept so far by at least
``min_difference`` of its length and its cost stays within ``max_stretch`` of the
best. Penalties only raise costs, so the ALT planner with the profile's landmarks stays
exact for every round. Rounds run on the request's restricted network
(:meth:`routing.router.RoutingService.restricted`): avoided areas and closures hold for
every alternative.
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidQueryError, UnreachableError
from .options import RouteOptions
from .restrict import is_restricted

#: Factor on the edges of the routes found so far, per round.
PENALTY = 1.6
#: Rounds at most (each is one ALT query).
MAX_ROUNDS = 8
MAX_ALTERNATIVES = 3


def _metres_by_edge(path) -> dict:
    out: dict = {}
    for edge, a, b in path.pieces:
        out[edge] = out.get(edge, 0.0) + abs(b - a)
    return out


def _length(metres: dict) -> float:
    return float(sum(metres.values()))


def overlap(a: dict, b: dict) -> float:
    """Share of route ``a``'s length that route ``b`` also travels (0..1)."""
    shared = sum(min(m, b.get(e, 0.0)) for e, m in a.items())
    return shared / max(_length(a), 1e-9)


def path_cost(network, path, factor) -> float:
    """Cost of a path's pieces under the per-edge ``factor`` (None: the network's own)."""
    g, c = network.graph, network.c
    total = 0.0
    for edge, a, b in path.pieces:
        frac = abs(b - a) / g.edge_len[edge] if g.edge_len[edge] > 0 else 0.0
        cost = (c["cost_fwd"] if b > a else c["cost_bwd"])[edge] * frac
        total += cost * (1.0 if factor is None else float(factor[edge]))
    return total


def plan_alternatives(router, points, profile: str = "hike",
                      options: RouteOptions | None = None, closed_areas=(),
                      count: int = MAX_ALTERNATIVES, max_stretch: float = 1.4,
                      min_difference: float = 0.3) -> list:
    """The best route between two points and up to ``count - 1`` alternatives.

    Returns
    -------
    list of Itinerary
        Best first; each has ``meta["alternative"]`` (rank from 0), ``meta["stretch"]``
        (cost over the best's) and ``meta["overlap"]`` (largest share of its length
        shared with a better route).

    Raises
    ------
    InvalidQueryError, PointOffNetworkError, UnreachableError, NoRouteLeftError
    """
    if not 1 <= count <= MAX_ALTERNATIVES:
        raise InvalidQueryError(f"parameter 'alternatives' must be between 1 and {MAX_ALTERNATIVES}")
    options = options or RouteOptions()
    network = router.restricted(profile, None, options, closed_areas)
    restricted = is_restricted(network)
    factor = network.factor if restricted else None
    endpoints = router.endpoints(points, network)
    if len(endpoints) != 2:
        raise InvalidQueryError("alternatives are planned between exactly two points")
    best = network.path(*endpoints)
    best_cost = path_cost(network, best, factor)
    kept = [(best, _metres_by_edge(best), 1.0, 0.0)]
    penalty = np.ones(router.graph.n_edges)
    for _ in range(MAX_ROUNDS):
        if len(kept) >= count:
            break
        for edge in kept[-1][1]:
            penalty[edge] *= PENALTY
        try:
            candidate = network.path(*endpoints, penalty)
        except UnreachableError:
            break
        stretch = path_cost(network, candidate, factor) / max(best_cost, 1e-9)
        if stretch > max_stretch:
            break                       # further rounds only get longer
        metres = _metres_by_edge(candidate)
        shared = max(overlap(metres, other) for _, other, _, _ in kept)
        if shared <= 1.0 - min_difference:
            kept.append((candidate, metres, stretch, shared))
        else:                           # too close: make its own edges dearer next round
            for edge in metres:
                penalty[edge] *= PENALTY
    waypoints = [router.waypoint(e) for e in endpoints]
    out = []
    for rank, (path, _, stretch, shared) in enumerate(kept):
        itinerary = router.assemble(network, [path], waypoints, "route")
        if restricted:
            itinerary.meta.update(network.meta(), options=options.to_dict())
        itinerary.meta.update(alternative=rank, stretch=round(float(stretch), 3),
                              overlap=round(float(shared), 3),
                              planner="alt" if rank or restricted else "ch")
        out.append(itinerary)
    return out
