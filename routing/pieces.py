"""Paths as pieces of edges, built and read with array operations (a route has hundreds).

A path is a list of pieces ``(edge, from_m, to_m)`` in travel order, offsets
along the edge's own direction. These functions replace per-piece Python loops
with numpy over all pieces at once, computing the same values in the same order
(running totals are sequential sums, as the loops were).
"""
from __future__ import annotations

import numpy as np


def path_pieces(network, a, b, arcs, target_node) -> list:
    """Pieces of the path leaving endpoint ``a``, through ``arcs`` (arc ids of the
    network), to endpoint ``b`` entered from ``target_node``; empty pieces dropped."""
    g = network.graph
    first_node = network.tails[arcs[0]] if len(arcs) else target_node
    first = (a.edge, a.offset_m, g.edge_len[a.edge] if first_node == g.edge_v[a.edge]
             and network.c["fwd"][a.edge] else 0.0)
    edges = network.arc_edge[arcs]
    length = g.edge_len[edges]
    forward = network.arc_forward[arcs]
    start, end = np.where(forward, 0.0, length), np.where(forward, length, 0.0)
    keep = start != end
    middle = list(zip(edges[keep].tolist(), start[keep].tolist(), end[keep].tolist()))
    forward_in = target_node == g.edge_u[b.edge] and network.c["fwd"][b.edge]
    last = (b.edge, 0.0 if forward_in else g.edge_len[b.edge], b.offset_m)
    return [p for p in (first,) if p[1] != p[2]] + middle + [p for p in (last,) if p[1] != p[2]]


def route_nodes(graph, pieces) -> tuple[np.ndarray, np.ndarray]:
    """Graph nodes an itinerary passes (an edge end a piece starts or ends at) and the
    metres at which it passes them, in travel order; ``pieces`` per leg."""
    flat = [piece for leg in pieces for piece in leg]
    if not flat:
        return np.zeros(0, np.int64), np.zeros(0)
    table = np.array(flat, np.float64).reshape(-1, 3)
    edge = table[:, 0].astype(np.int64)
    a, b = table[:, 1], table[:, 2]
    length = np.abs(b - a)
    total = np.concatenate([[0.0], np.cumsum(length)[:-1]])     # metres before each piece
    ends = np.stack([np.zeros(len(edge)), graph.edge_len[edge]], axis=1)      # u, v offsets
    nodes = np.stack([graph.edge_u[edge], graph.edge_v[edge]], axis=1).astype(np.int64)
    at_start = np.abs(ends - a[:, None]) < 1e-6
    at_end = ~at_start & (np.abs(ends - b[:, None]) < 1e-6)
    at = np.where(at_start, total[:, None], total[:, None] + length[:, None])
    passed = (at_start | at_end).ravel()
    return nodes.ravel()[passed], at.ravel()[passed]
