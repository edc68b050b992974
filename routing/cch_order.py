"""The metric-independent order of a customizable contraction hierarchy: nested dissection.

A customizable hierarchy (:mod:`routing.cch`) contracts the nodes in one order fixed by
the topology alone, whatever the weights; its query walks the elimination tree of that
order, so what it costs is the depth of that tree and the arcs along it. Nested
dissection keeps both small on road networks: a small separator goes to the top, the
two halves below it, recursively. METIS's ``NodeND`` (through :mod:`pymetis`) computes
it; RoutingKit's inertial flow is another way to find the separators.
"""
from __future__ import annotations

import numpy as np


def undirected_adjacency(n: int, tails, heads) -> tuple[np.ndarray, np.ndarray]:
    """(pointers, neighbours) of the simple undirected graph under the arcs: both
    directions of every arc, without loops or repeats, neighbours in increasing order."""
    tails, heads = np.asarray(tails, np.int64), np.asarray(heads, np.int64)
    keep = tails != heads
    a = np.concatenate([tails[keep], heads[keep]])
    b = np.concatenate([heads[keep], tails[keep]])
    key = np.unique(a * n + b)               # sorted by (a, b), each pair once
    a, b = key // n, key % n
    ptr = np.searchsorted(a, np.arange(n + 1)).astype(np.int64)
    return ptr, b.astype(np.int64)


def nested_dissection_rank(n: int, tails, heads) -> np.ndarray:
    """Each node's rank (0: contracted first) in a METIS nested-dissection order of the
    undirected graph under the arcs ``tails -> heads`` (int64, a permutation of
    ``range(n)``; nodes without arcs come in too)."""
    import pymetis      # loaded to build a hierarchy only, never by a serving process

    if n == 0:
        return np.zeros(0, np.int64)
    ptr, adj = undirected_adjacency(n, tails, heads)
    if len(adj) == 0:
        return np.arange(n, dtype=np.int64)
    # NodeND's perm[i] is the node eliminated i-th, iperm[v] the position of node v
    _, iperm = pymetis.nested_dissection(pymetis.CSRAdjacency(ptr, adj))
    rank = np.asarray(iperm, np.int64)
    if not np.array_equal(np.sort(rank), np.arange(n)):
        raise ValueError("METIS returned an order that is not a permutation of the nodes")
    return rank


def tree_stats(parent: np.ndarray, up_ptr: np.ndarray) -> dict:
    """Measures of an order's quality, on its elimination tree (``parent``: node -> its
    parent, ``n`` at a root; nodes numbered by rank, parents above children) and its
    chordal arcs (``up_ptr``: each node's upward arcs, CSR pointers).

    Returns ``depth_max``/``depth_mean`` (nodes from a node to its root, itself
    included: what a query's walk visits from one end), ``arcs_mean``/``arcs_max`` (the
    upward arcs along that walk: what it relaxes) and ``chordal_arcs``.
    """
    n = len(parent)
    degree = np.diff(up_ptr)
    depth = np.zeros(n + 1, np.int64)
    arcs = np.zeros(n + 1, np.int64)
    for v in range(n - 1, -1, -1):       # parents are numbered above their children
        depth[v] = depth[parent[v]] + 1
        arcs[v] = arcs[parent[v]] + degree[v]
    return {"chordal_arcs": int(up_ptr[-1]),
            "depth_max": int(depth[:n].max(initial=0)),
            "depth_mean": round(float(depth[:n].mean()), 1) if n else 0.0,
            "arcs_max": int(arcs[:n].max(initial=0)),
            "arcs_mean": round(float(arcs[:n].mean()), 1) if n else 0.0}
