"""Paths as pieces of edges, built and read with array operations (a route has hundreds).

A path is a list of pieces ``(edge, from_m, to_m)`` in travel order, offsets
along the edge's own direction. :class:`Path` holds them as arrays when a search
made them (:func:`path_pieces`, one compiled call), which is what the itinerary
kernel reads; the list of tuples is made only if someone asks. The other
functions replace per-piece Python loops with numpy over all pieces at once (or
one compiled pass), computing the same values in the same order (running totals
are sequential sums, as the loops were).
"""
from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
from numba import njit

from .engine import INF
from .prefetch import prefetch


class PieceArrays(NamedTuple):
    """A path's pieces as three arrays: edges (int64), from_m and to_m (float64)."""

    edge: np.ndarray
    from_m: np.ndarray
    to_m: np.ndarray


class Path:
    """Optimal path between two endpoints: its cost and its pieces ``(edge, from_m, to_m)``
    in travel order (offsets along the edge's own direction).

    ``pieces`` is a list of tuples or :class:`PieceArrays` (what :func:`path_pieces`
    makes); each form is made from the other on first use, so a route assembled from
    arrays never builds the list.
    """

    __slots__ = ("cost", "_list", "_arrays")

    def __init__(self, cost: float, pieces):
        self.cost = cost
        self._list, self._arrays = (None, pieces) if isinstance(pieces, PieceArrays) \
            else (pieces if isinstance(pieces, list) else list(pieces), None)

    @property
    def pieces(self) -> list:
        """``[(edge, from_m, to_m), …]``."""
        if self._list is None:
            self._list = list(zip(*(array.tolist() for array in self._arrays)))
        return self._list

    @property
    def arrays(self) -> PieceArrays:
        """The pieces as :class:`PieceArrays`."""
        if self._arrays is None:
            pieces, n = self._list, len(self._list)
            self._arrays = PieceArrays(np.fromiter((p[0] for p in pieces), np.int64, n),
                                       np.fromiter((p[1] for p in pieces), np.float64, n),
                                       np.fromiter((p[2] for p in pieces), np.float64, n))
        return self._arrays

    def __eq__(self, other) -> bool:
        if not isinstance(other, Path):
            return NotImplemented
        return self.cost == other.cost and self.pieces == other.pieces

    def __repr__(self) -> str:
        return f"Path(cost={self.cost!r}, pieces={self.pieces!r})"


@njit(cache=True, nogil=True)
def _path_pieces(arcs, target_node, a_edge, a_m, b_edge, b_m, tails, arc_edge, arc_forward,
                 edge_len, edge_u, edge_v, fwd):
    n_arcs, n_edges = len(arc_edge), len(edge_len)
    for arc in arcs:
        if arc < 0 or arc >= n_arcs or arc_edge[arc] < 0 or arc_edge[arc] >= n_edges:
            raise IndexError("an arc the network does not have")
        prefetch(arc_forward, arc)        # read below: the arcs' reads overlap
        prefetch(edge_len, arc_edge[arc])
    if a_edge < 0 or a_edge >= n_edges or b_edge < 0 or b_edge >= n_edges:
        raise IndexError("an endpoint on an edge the graph does not have")
    edge, from_m, to_m = np.empty(len(arcs) + 2, np.int64), np.empty(len(arcs) + 2), \
        np.empty(len(arcs) + 2)
    first_node = tails[arcs[0]] if len(arcs) else target_node
    k = 0
    end = edge_len[a_edge] if first_node == edge_v[a_edge] and fwd[a_edge] else 0.0
    if a_m != end:
        edge[k], from_m[k], to_m[k] = a_edge, a_m, end
        k += 1
    for arc in arcs:
        e = arc_edge[arc]
        start, stop = (0.0, edge_len[e]) if arc_forward[arc] else (edge_len[e], 0.0)
        if start != stop:
            edge[k], from_m[k], to_m[k] = e, start, stop
            k += 1
    start = 0.0 if target_node == edge_u[b_edge] and fwd[b_edge] else edge_len[b_edge]
    if start != b_m:
        edge[k], from_m[k], to_m[k] = b_edge, start, b_m
        k += 1
    return edge[:k], from_m[:k], to_m[:k]


@njit(cache=True, nogil=True, error_model="numpy")
def path_seeds(a_edge, a_m, a_k, b_edge, b_m, b_k, edge_len, edge_u, edge_v, fwd, bwd,
               cost_fwd, cost_bwd):
    """The seeds of a search from endpoint a to endpoint b, in one call: a's exits and b's
    entries (``ProfileNetwork.exits``/``entries``: nodes at ``[0:n_src]`` and
    ``[2:2 + n_tgt]``, costs alike) and the cost of going from a to b along their shared
    edge (INF if none), each with the same operations in the same order (``a_k``,
    ``b_k``: the penalty factors of the two edges, 1.0 without).

    Returns (nodes, costs, n_src, n_tgt, direct).
    """
    n_edges = len(edge_len)
    if a_edge < 0 or a_edge >= n_edges or b_edge < 0 or b_edge >= n_edges:
        raise IndexError("an endpoint on an edge the graph does not have")
    nodes, costs = np.empty(4, np.int64), np.empty(4)
    n_src = n_tgt = 0
    frac = a_m / edge_len[a_edge] if edge_len[a_edge] > 0 else 0.0
    if fwd[a_edge]:                       # leaving a along u -> v
        nodes[n_src], costs[n_src] = edge_v[a_edge], a_k * cost_fwd[a_edge] * (1 - frac)
        n_src += 1
    if bwd[a_edge]:                       # ... along v -> u
        nodes[n_src], costs[n_src] = edge_u[a_edge], a_k * cost_bwd[a_edge] * frac
        n_src += 1
    frac = b_m / edge_len[b_edge] if edge_len[b_edge] > 0 else 0.0
    if fwd[b_edge]:                       # reaching b along u -> v
        nodes[2 + n_tgt], costs[2 + n_tgt] = edge_u[b_edge], b_k * cost_fwd[b_edge] * frac
        n_tgt += 1
    if bwd[b_edge]:
        nodes[2 + n_tgt], costs[2 + n_tgt] = edge_v[b_edge], b_k * cost_bwd[b_edge] * (1 - frac)
        n_tgt += 1
    direct = INF
    if a_edge == b_edge:
        length = edge_len[a_edge]
        if b_m >= a_m and fwd[a_edge]:
            direct = a_k * cost_fwd[a_edge] * (b_m - a_m) / length
        elif b_m <= a_m and bwd[a_edge]:
            direct = a_k * cost_bwd[a_edge] * (a_m - b_m) / length
    return nodes, costs, n_src, n_tgt, direct


def path_pieces(network, a, b, arcs, target_node) -> PieceArrays:
    """Pieces of the path leaving endpoint ``a``, through ``arcs`` (arc ids of the
    network), to endpoint ``b`` entered from ``target_node``; empty pieces dropped."""
    g = network.graph
    return PieceArrays(*_path_pieces(
        np.asarray(arcs, np.int64), int(target_node), int(a.edge), float(a.offset_m),
        int(b.edge), float(b.offset_m), network.tails, network.arc_edge, network.arc_forward,
        g.edge_len, g.edge_u, g.edge_v, network.c["fwd"]))


def piece_table(paths: list) -> tuple[PieceArrays, np.ndarray]:
    """The pieces of consecutive paths as one :class:`PieceArrays`, and where each path's
    pieces start (``len(paths) + 1`` offsets)."""
    if len(paths) == 1:
        arrays = paths[0].arrays
        return arrays, np.array([0, len(arrays.edge)], np.int64)
    parts = [path.arrays for path in paths]
    ptr = np.zeros(len(parts) + 1, np.int64)
    np.cumsum([len(part.edge) for part in parts], out=ptr[1:])
    if not parts:
        return PieceArrays(np.zeros(0, np.int64), np.zeros(0), np.zeros(0)), ptr
    return PieceArrays(*(np.concatenate(column) for column in zip(*parts))), ptr


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
