"""Many-to-many durations and distances (up to 100 x 100).

With the profile's own weights the table goes through the contraction hierarchy: the
bucket algorithm of :mod:`routing.buckets` (one upward search per source and one per
target). A request whose options, avoided areas or closures re-weight the edges has no
hierarchy: it falls back to one Dijkstra per source over the restricted network
(repeated one-to-many), and the answer's ``meta`` says so. Either way durations and
distances are summed along the cost-optimal paths, so the table agrees with the routes
the planner would return.
"""
from __future__ import annotations

import numpy as np

from . import engine
from .buckets import bucket_table
from .errors import InvalidQueryError
from .options import RouteOptions
from .restrict import is_restricted

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


def _arc_measures(network) -> tuple[np.ndarray, np.ndarray]:
    c, arc = network.c, network.arc_edge
    return (np.where(network.arc_forward, c["time_fwd"][arc], c["time_bwd"][arc]),
            network.graph.edge_len[arc])


def one_to_many_table(network, src_eps, dst_eps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(costs, durations, metres) by one Dijkstra per source (any weights: the fallback,
    and the reference the hierarchy's table is checked against). Unreachable: INF/NaN."""
    g, c = network.graph, network.c
    arc_time, arc_len = _arc_measures(network)
    entries = [network.entries(d) for d in dst_eps]
    tgt_nodes = np.concatenate([e[0] for e in entries]).astype(np.int64)
    dist = np.full(g.n_nodes, engine.INF)
    pred = np.full(g.n_nodes, -1, np.int64)
    shape = (len(src_eps), len(dst_eps))
    costs, durations, metres = np.full(shape, engine.INF), np.full(shape, np.nan), \
        np.full(shape, np.nan)
    for i, a in enumerate(src_eps):
        src, src_cost = network.exits(a)
        touched = engine.dijkstra(network.indptr, network.heads, network.costs, src, src_cost,
                                  tgt_nodes, engine.INF, dist, pred)
        start_t, start_m = _start_pieces(g, c, a, src)
        times = _tree_sums(network, pred, touched, arc_time, start_t)
        lengths = _tree_sums(network, pred, touched, arc_len, start_m)
        for j, (nodes, end_costs) in enumerate(entries):
            best, pick = engine.INF, -1
            for k, node in enumerate(nodes):
                if dist[node] + end_costs[k] < best:
                    best, pick = dist[node] + end_costs[k], k
            if pick < 0 or best >= engine.INF / 2:
                continue
            end_t, end_m = _end_piece(g, c, dst_eps[j], int(nodes[pick]))
            costs[i, j] = best
            durations[i, j] = times[nodes[pick]] + end_t
            metres[i, j] = lengths[nodes[pick]] + end_m
        dist[touched], pred[touched] = engine.INF, -1
    return costs, durations, metres


def _seeds(g, c, network, eps, leaving: bool) -> tuple:
    """Seed lists in CSR form for :func:`routing.buckets.bucket_table`."""
    ptr, nodes, costs, times, lengths = [0], [], [], [], []
    for ep in eps:
        ends, end_costs = network.exits(ep) if leaving else network.entries(ep)
        pieces = _start_pieces(g, c, ep, ends) if leaving else None
        for node, cost in zip(ends.tolist(), end_costs.tolist()):
            t, m = (pieces[0][node], pieces[1][node]) if leaving else _end_piece(g, c, ep, node)
            nodes.append(node)
            costs.append(cost)
            times.append(t)
            lengths.append(m)
        ptr.append(len(nodes))
    return (np.array(ptr, np.int64), np.array(nodes, np.int64), np.array(costs, np.float64),
            np.array(times, np.float64), np.array(lengths, np.float64))


def hierarchy_table(network, src_eps, dst_eps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(costs, durations, metres) through the network's contraction hierarchy (buckets)."""
    g, c, ch = network.graph, network.c, network.hierarchy
    e_time, e_len = ch.edge_measures(network)
    src, dst = _seeds(g, c, network, src_eps, True), _seeds(g, c, network, dst_eps, False)
    # The hierarchy's arrays number nodes by rank (routing.ch_layout): seeds are mapped.
    src, dst = (seeds[:1] + (ch.perm[seeds[1]],) + seeds[2:] for seeds in (src, dst))
    return bucket_table(*ch.up, *ch.dn, e_time, e_len, *src, *dst)


def table(router, sources, destinations, profile: str = "hike",
          options: RouteOptions | None = None, closed_areas=(), planner: str = "auto") -> dict:
    """Durations (s) and distances (m) from every source to every destination.

    Parameters
    ----------
    planner : {"auto", "ch", "one-to-many"}
        ``auto``: the hierarchy when the request's weights have one.

    Returns
    -------
    dict
        ``durations`` and ``distances``: lists of rows (None where unreachable),
        ``sources``/``destinations``: the snapped waypoints, ``planner`` and ``meta``
        (``planner``, and ``fallback``: why the hierarchy was not used, or None).

    Raises
    ------
    InvalidQueryError, PointOffNetworkError, NoRouteLeftError
    """
    if not sources or not destinations:
        raise InvalidQueryError("a matrix needs at least one source and one destination")
    if len(sources) > MAX_SIDE or len(destinations) > MAX_SIDE:
        raise InvalidQueryError(f"a matrix has at most {MAX_SIDE} sources and {MAX_SIDE} "
                                "destinations")
    if planner not in ("auto", "ch", "one-to-many"):
        raise InvalidQueryError("planner must be auto, ch or one-to-many")
    network = router.restricted(profile, None, options or RouteOptions(), closed_areas)
    g, c = router.graph, network.c
    src_eps = router.endpoints(sources, network, limit=MAX_SIDE)
    dst_eps = router.endpoints(destinations, network, limit=MAX_SIDE)
    meta: dict = {"fallback": None}
    if is_restricted(network):
        meta.update(fallback="custom-weights", restricted_by=list(network.causes),
                    closures_avoided=network.closures)
    elif network.hierarchy is None:
        meta["fallback"] = "no-hierarchy"
    use_ch = meta["fallback"] is None and planner != "one-to-many"
    if planner == "ch" and not use_ch:
        raise InvalidQueryError(f"planner 'ch': these weights have no hierarchy "
                                f"({meta['fallback']})")
    costs, durations, distances = (hierarchy_table if use_ch else one_to_many_table)(
        network, src_eps, dst_eps)
    factor = network.factor if is_restricted(network) else None
    on_edge: dict = {}
    for j, b in enumerate(dst_eps):
        on_edge.setdefault(b.edge, []).append(j)
    for i, a in enumerate(src_eps):            # pairs on one edge may not leave it
        for j in on_edge.get(a.edge, ()):
            b = dst_eps[j]
            direct = _same_edge(g, c, a, b, factor)
            if direct is not None and direct[0] <= costs[i, j]:
                durations[i, j], distances[i, j] = direct[1], direct[2]
    meta["planner"] = "ch-buckets" if use_ch else "one-to-many"
    return {"durations": _rows(durations, 1), "distances": _rows(distances, 1),
            "sources": [router.waypoint(e) for e in src_eps],
            "destinations": [router.waypoint(e) for e in dst_eps], "planner": meta["planner"],
            "meta": meta}


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
    """Rows of rounded values, None where unreachable (vectorised: 10,000 cells)."""
    rounded = np.round(values, digits)
    finite = np.isfinite(rounded)
    return [[v if ok else None for v, ok in zip(row, ok_row)]
            for row, ok_row in zip(rounded.tolist(), finite.tolist())]
