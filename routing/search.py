"""Bounded one-way searches on reusable workspaces: work in O(nodes touched), not O(graph).

:func:`routing.engine.dijkstra` allocates (and zeroes) graph-sized arrays on
every call, which on a 16x tiled graph costs more than the search itself.
:func:`bounded_dijkstra` runs the same search, settling nodes in the same
order (so it gives bit-identical distances and predecessors), on buffers
borrowed from a :class:`~routing.workspace.WorkspacePool` and put back in their
initial state by :meth:`SearchBuffers.reset`, in O(touched).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .engine import INF, heap_pop, relax_arcs, seed_sources

#: ``mark`` bits: a target of the running search, a node already settled.
TARGET, SETTLED = 1, 2
#: ``arc_of`` of a search reading its own arcs' costs
NO_ARCS = np.zeros(0, np.int64)
NO_ARCS.setflags(write=False)


@njit(cache=True, nogil=True)
def bounded_dijkstra(indptr, heads, costs, arc_of, src_nodes, src_costs, tgt_nodes, max_cost,
                     dist, pred, mark, touched, heap_key, heap_node):
    """Dijkstra from weighted sources until every target is settled or ``max_cost``.

    Arc ``a`` costs ``costs[arc_of[a]]`` when ``arc_of`` is not empty (a reverse CSR
    reads the forward costs through its arc ids, without a gathered copy), else
    ``costs[a]``.

    ``dist``/``pred``/``mark`` come in as INF / -1 / 0 (one entry per node);
    ``touched`` holds at least ``nodes + 1`` entries; the heaps at least
    ``arcs + sources``, which bounds the pushes: a push is a strict improvement
    through an arc of a node settled once, or a source.

    Returns
    -------
    int
        Number of nodes touched (``touched[:count]``), the targets included; -1 if a
        buffer was too small (nothing is left half-reset: the caller resets and retries).
    """
    n = indptr.shape[0] - 1
    indirect = arc_of.shape[0] > 0
    if indirect and (arc_of.shape[0] < heads.shape[0] or costs.shape[0] < heads.shape[0]):
        return -1
    if heap_key.shape[0] < heads.shape[0] + src_nodes.shape[0] or touched.shape[0] < n + 1 \
            or mark.shape[0] < n or dist.shape[0] < n or pred.shape[0] < n:
        return -1
    n_touched = 0
    remaining = 0
    for t in tgt_nodes:
        if mark[t] & TARGET == 0:
            if dist[t] >= INF and mark[t] == 0:
                touched[n_touched] = t
                n_touched += 1
            mark[t] |= TARGET
            remaining += 1
    size, n_touched = seed_sources(src_nodes, src_costs, dist, pred, mark, touched, n_touched,
                                   heap_key, heap_node)
    while size > 0:
        key, u, size = heap_pop(heap_key, heap_node, size)
        if mark[u] & SETTLED or key > dist[u]:
            continue
        if key > max_cost:
            break
        mark[u] |= SETTLED
        if mark[u] & TARGET:
            remaining -= 1
            if remaining == 0 and tgt_nodes.shape[0] > 0:
                break
        size, n_touched = relax_arcs(u, key, indptr, heads, costs, arc_of, dist, pred, mark,
                                     touched, n_touched, heap_key, heap_node, size)
    return n_touched


@njit(cache=True, nogil=True)
def reset_search(touched, count, dist, pred, mark):
    """Put back the entries of the first ``count`` touched nodes (INF / -1 / 0)."""
    for i in range(count):
        v = touched[i]
        dist[v] = INF
        pred[v] = -1
        mark[v] = 0


class SearchBuffers:
    """One search's buffers for :func:`bounded_dijkstra` on a graph of ``n`` nodes whose
    networks have at most ``arcs`` arcs."""

    def __init__(self, n: int, arcs: int):
        self.dist = np.full(n, INF)
        self.pred = np.full(n, -1, np.int64)
        self.mark = np.zeros(n, np.int8)
        self.touched = np.empty(n + 1, np.int64)
        self.heap_key = np.empty(arcs + 64)
        self.heap_node = np.empty(arcs + 64, np.int64)

    def fit(self, pushes: int) -> None:
        """Make the heaps hold ``pushes`` entries (a search's arcs plus its sources)."""
        if pushes > len(self.heap_key):
            self.heap_key = np.empty(pushes)
            self.heap_node = np.empty(pushes, np.int64)

    def run(self, indptr, heads, costs, sources, source_costs, targets, max_cost,
            arc_of=None) -> int:
        """:func:`bounded_dijkstra` on these buffers; returns the touched count."""
        arc_of = NO_ARCS if arc_of is None else arc_of
        self.fit(len(heads) + len(sources))                    # many seeds: a bigger heap
        count = bounded_dijkstra(indptr, heads, costs, arc_of, sources, source_costs, targets,
                                 max_cost, self.dist, self.pred, self.mark, self.touched,
                                 self.heap_key, self.heap_node)
        if count < 0:
            raise ValueError("search buffers smaller than the graph")
        return count

    def reset(self, count: int) -> None:
        """Back to the initial state after a search that touched ``count`` nodes."""
        reset_search(self.touched, count, self.dist, self.pred, self.mark)
