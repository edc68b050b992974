"""Paths as pieces of edges, built and read with array operations (a route has hundreds).

A path is a list of pieces ``(edge, from_m, to_m)`` in travel order, offsets
along the edge's own direction. These functions replace per-piece Python loops
with numpy over all pieces at once (or one compiled pass), computing the same
values in the same order (running totals are sequential sums, as the loops were).
"""
from __future__ import annotations

import itertools

import numpy as np
from numba import njit


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


def pieces_table(pieces) -> np.ndarray:
    """The pieces of all legs (``pieces`` per leg) as one ``(n, 3)`` array: edge, from_m, to_m."""
    flat = [piece for leg in pieces for piece in leg]
    return np.fromiter(itertools.chain.from_iterable(flat), np.float64,
                       3 * len(flat)).reshape(-1, 3)


def route_nodes(graph, pieces, table=None) -> tuple[np.ndarray, np.ndarray]:
    """Graph nodes an itinerary passes (an edge end a piece starts or ends at) and the
    metres at which it passes them, in travel order; ``pieces`` per leg (or their
    :func:`pieces_table`, if already made)."""
    table = pieces_table(pieces) if table is None else table
    return nodes_passed(graph.edge_u, graph.edge_v, graph.edge_len, table)


@njit(cache=True, nogil=True)
def nodes_passed(edge_u, edge_v, edge_len, table):
    """:func:`route_nodes` of a pieces table, in one pass (the metres before each piece a
    sequential sum, as a loop over the pieces makes it)."""
    n = table.shape[0]
    nodes = np.empty(2 * n, np.int64)
    at = np.empty(2 * n)
    count = 0
    total = 0.0
    for i in range(n):
        e = int(table[i, 0])
        a, b = table[i, 1], table[i, 2]
        if e < 0 or e >= edge_len.shape[0]:
            raise IndexError("a piece's edge is not an edge of this graph")
        length = abs(b - a)
        for end in range(2):
            node, offset = (edge_u[e], 0.0) if end == 0 else (edge_v[e], edge_len[e])
            if abs(offset - a) < 1e-6:
                nodes[count], at[count] = node, total
                count += 1
            elif abs(offset - b) < 1e-6:
                nodes[count], at[count] = node, total + length
                count += 1
        total += length
    return nodes[:count].copy(), at[:count].copy()
