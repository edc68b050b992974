"""Many-to-many durations and distances (up to 100 x 100), one search per source.

Each source runs one Dijkstra over the profile's costs that stops once every
destination is settled (repeated one-to-many, which on graphs of this size answers a
100 x 100 table in about the time of a few hundred single routes); durations and
distances are then summed along the search tree of the cost-optimal paths, so the
table agrees with the routes the planner would return.
"""
from __future__ import annotations

import numpy as np
from . import engine
from .errors import InvalidQueryError
from .options import RouteOptions, allowed_endpoint, edge_multiplier

MAX_SIDE = 100


def _tree_sums(network, pred, touched, arc_values, root_values) -> np.ndarray:
    """Sum of ``arc_values`` along the search tree from its roots to every touched node
    (``root_values``: node -> value of the start piece), by pointer jumping: each round
    adds the ancestor's partial sum and doubles the jump, so a tree of depth d takes
    log2(d) vectorised rounds."""
    n = network.graph.n_nodes
    local = np.full(n, -1, np.int64)
    local[touched] = np.arange(len(touched))
    arcs = pred[touched]
    inner = arcs >= 0
    parent = np.full(len(touched), -1, np.int64)
    parent[inner] = local[network.tails[arcs[inner]]]
    value = np.zeros(len(touched))
    value[inner] = arc_values[arcs[inner]]
    for i in np.flatnonzero(~inner):
        value[i] = root_values.get(int(touched[i]), 0.0)
    while (parent >= 0).any():
        has = parent >= 0
        value[has] += value[parent[has]]
        parent = np.where(has, parent[np.maximum(parent, 0)], -1)
    out = np.full(n, np.nan)
    out[touched] = value
    return out


def table(router, sources, destinations, profile: str = "hike",
          options: RouteOptions | None = None, closed_areas=()) -> dict:
    """Durations (s) and distances (m) from every source to every destination.

    Returns
    -------
    dict
        ``durations`` and ``distances``: lists of rows (None where unreachable),
        ``sources``/``destinations``: the snapped waypoints.

    Raises
    ------
    InvalidQueryError, PointOffNetworkError, NoRouteLeftError
    """
    if not sources or not destinations:
        raise InvalidQueryError("a matrix needs at least one source and one destination")
    if len(sources) > MAX_SIDE or len(destinations) > MAX_SIDE:
        raise InvalidQueryError(f"a matrix has at most {MAX_SIDE} sources and {MAX_SIDE} "
                                "destinations")
    network = router.network(profile)
    g, c = router.graph, network.c
    factor = edge_multiplier(network, options or RouteOptions(), closed_areas)
    src_eps = router.endpoints(sources, network, limit=MAX_SIDE)
    dst_eps = router.endpoints(destinations, network, limit=MAX_SIDE)
    if factor is not None:
        src_eps = [allowed_endpoint(router, network, e, factor) for e in src_eps]
        dst_eps = [allowed_endpoint(router, network, e, factor) for e in dst_eps]
    costs = network.costs if factor is None else network.costs * factor[network.arc_edge]
    arc_time = np.where(network.arc_forward, c["time_fwd"][network.arc_edge],
                        c["time_bwd"][network.arc_edge])
    arc_len = g.edge_len[network.arc_edge]
    entries = [network.entries(d, factor) for d in dst_eps]
    tgt_nodes = np.concatenate([e[0] for e in entries]).astype(np.int64)
    dist = np.full(g.n_nodes, engine.INF)
    pred = np.full(g.n_nodes, -1, np.int64)
    durations = np.full((len(src_eps), len(dst_eps)), np.nan)
    distances = np.full((len(src_eps), len(dst_eps)), np.nan)
    for i, a in enumerate(src_eps):
        src, src_cost = network.exits(a, factor)
        touched = engine.dijkstra(network.indptr, network.heads, costs, src, src_cost,
                                  tgt_nodes, engine.INF, dist, pred)
        start_t, start_m = _start_pieces(g, c, a, src)
        times = _tree_sums(network, pred, touched, arc_time, start_t)
        metres = _tree_sums(network, pred, touched, arc_len, start_m)
        for j, (nodes, end_costs) in enumerate(entries):
            best, pick = engine.INF, -1
            for k, node in enumerate(nodes):
                if dist[node] + end_costs[k] < best:
                    best, pick = dist[node] + end_costs[k], k
            if pick < 0 or best >= engine.INF / 2:
                continue
            end_t, end_m = _end_piece(g, c, dst_eps[j], int(nodes[pick]))
            durations[i, j] = times[nodes[pick]] + end_t
            distances[i, j] = metres[nodes[pick]] + end_m
            direct = _same_edge(g, c, a, dst_eps[j], factor)
            if direct is not None and direct[0] <= best:
                durations[i, j], distances[i, j] = direct[1], direct[2]
        dist[touched], pred[touched] = engine.INF, -1
    return {"durations": _rows(durations, 1), "distances": _rows(distances, 1),
            "sources": [router.waypoint(e) for e in src_eps],
            "destinations": [router.waypoint(e) for e in dst_eps], "planner": "one-to-many"}


def _start_pieces(g, c, ep, src) -> tuple[dict, dict]:
    """Duration and metres from a source endpoint to each exit node of its edge."""
    e, length = ep.edge, g.edge_len[ep.edge]
    frac = ep.offset_m / length if length > 0 else 0.0
    times, metres = {}, {}
    for node in src.tolist():
        if node == g.edge_v[e] and c["fwd"][e]:
            times[node], metres[node] = (1 - frac) * c["time_fwd"][e], (1 - frac) * length
        else:
            times[node], metres[node] = frac * c["time_bwd"][e], frac * length
    return times, metres


def _end_piece(g, c, ep, node: int) -> tuple[float, float]:
    """Duration and metres from an entry node to a destination endpoint along its edge."""
    e, length = ep.edge, g.edge_len[ep.edge]
    frac = ep.offset_m / length if length > 0 else 0.0
    if node == g.edge_u[e] and c["fwd"][e]:
        return frac * c["time_fwd"][e], frac * length
    return (1 - frac) * c["time_bwd"][e], (1 - frac) * length


def _same_edge(g, c, a, b, factor):
    """(cost, duration, metres) from ``a`` to ``b`` along their shared edge, or None."""
    if a.edge != b.edge:
        return None
    e, length = a.edge, g.edge_len[a.edge]
    k = 1.0 if factor is None else float(factor[e])
    share = abs(b.offset_m - a.offset_m) / length if length > 0 else 0.0
    direction = "fwd" if b.offset_m >= a.offset_m else "bwd"
    if not c[direction][e]:
        return None
    return (k * c["cost_" + direction][e] * share, c["time_" + direction][e] * share,
            share * length)


def _rows(values: np.ndarray, digits: int) -> list:
    return [[None if not np.isfinite(v) else round(float(v), digits) for v in row]
            for row in values]
