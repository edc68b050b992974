"""Customizable contraction hierarchies: one topology per network, a metric per weights.

A contraction hierarchy (:mod:`routing.hierarchy`) is built for one set of weights, its
shortcuts chosen by witness searches. A customizable one (Dibbelt, Strasser, Wagner)
splits that work: the topology (:class:`CCHTopology`: a nested-dissection order,
:mod:`routing.cch_order`, and every shortcut that order can need) depends on the arcs
alone; a *customization* (:class:`CCHMetric`) then gives its arcs the weights of one
set of arc costs in milliseconds, so closures of the day (arcs at INF) get hierarchy-
speed answers without a new hierarchy. Its cost query walks the elimination tree
(:func:`routing.cch_kernels.tree_cost`): no heap, a fixed order, which is what makes it
faster than the witness hierarchy's search although it relaxes more arcs.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np

from graphs.arrays import cached_arrays
from graphs.progress import progress_bar

from .cch_kernels import arc_slots, chordal_completion, customize, tree_cost
from .cch_order import nested_dissection_rank, tree_stats, undirected_adjacency
from .engine import INF
from .unchecked import compiled_for
from .workspace import WorkspacePool

#: Bump when the topology's construction changes: cached ones are then rebuilt.
CACHE_VERSION = 1
TOPOLOGY_ARRAYS = ("topo", "rank", "up_ptr", "up_head", "parent", "slots")


def pack_topology(parent, up_ptr, up_head, perm, inv) -> np.ndarray:
    """The int32 array :func:`routing.cch_kernels.tree_cost` reads: ``n``, where
    ``perm`` starts, then each node's parent (``n``: a root), the upward arcs' CSR
    pointers and heads, graph node -> local node (``perm``) and back (``inv``).

    Raises
    ------
    OverflowError
        When it would not fit int32 indices (a graph far larger than a region's).
    """
    n = len(parent)
    parts = (parent, up_ptr, up_head)
    perm_at = 2 + sum(len(p) for p in parts)
    if perm_at + 2 * n >= 2 ** 31:
        raise OverflowError(f"a topology of {perm_at + 2 * n} words does not fit int32")
    return np.concatenate([np.array([n, perm_at]), *parts, perm, inv]).astype(np.int32)


def _topology_key(n: int, tails, heads) -> str:
    """A digest of the arcs a topology is built on (the weights do not count)."""
    digest = hashlib.sha1(f"{CACHE_VERSION}:{n}".encode())
    for array in (tails, heads):
        digest.update(np.ascontiguousarray(array, np.int64).tobytes())
    return digest.hexdigest()[:20]


class CCHTopology:
    """The metric-independent part of a CCH on ``n`` nodes and arcs ``tails -> heads``.

    Parameters
    ----------
    n : int
        Number of nodes.
    tails, heads : ndarray
        The arcs (their order is the order of the costs :meth:`customize` takes).
    cache_dir : Path, optional
        Where to keep it (``<graph>/cache``; the directory name carries a digest of the
        arcs); None: computed, not kept.
    progress : bool, optional
        Show a progress bar while building (None: on a terminal only).
    rank : ndarray, optional
        Each node's rank in the order to use (a permutation of ``range(n)``; to compare
        orders): by default a nested-dissection order
        (:func:`routing.cch_order.nested_dissection_rank`). A topology built on a given
        order is not cached.

    Attributes
    ----------
    stats : dict
        The order's quality (:func:`routing.cch_order.tree_stats`) and, when it was
        built rather than loaded, ``order_s`` and ``completion_s``.
    """

    def __init__(self, n: int, tails, heads, cache_dir: Path | None = None,
                 progress: bool | None = None, rank=None):
        self.n = int(n)
        self._timings: dict = {}
        cache = None if cache_dir is None or rank is not None else \
            Path(cache_dir) / f"cch-{_topology_key(self.n, tails, heads)}"
        arrays = cached_arrays(cache, lambda: self._build(tails, heads, progress, rank),
                               TOPOLOGY_ARRAYS)
        for name in TOPOLOGY_ARRAYS:
            setattr(self, name, arrays[name])
        self.stats = {**tree_stats(self.parent, self.up_ptr), **self._timings}
        self.n_arcs = len(self.slots)
        n = self.n
        #: query buffers (``2 n`` values at INF), shared by every metric of the topology
        self.workspaces = WorkspacePool(lambda: np.full(2 * n, INF))

    @classmethod
    def of_network(cls, network, progress: bool | None = None) -> "CCHTopology":
        """The topology of a profile network's arcs, kept in its graph's cache."""
        source = getattr(network.graph, "source_dir", None)
        return cls(network.graph.n_nodes, network.tails, network.heads,
                   cache_dir=source / "cache" if source else None, progress=progress)

    def _build(self, tails, heads, progress, rank) -> dict:
        n = self.n
        tails, heads = np.asarray(tails, np.int64), np.asarray(heads, np.int64)
        with progress_bar(progress, total=3, desc="customizable hierarchy") as bar:
            t0 = time.perf_counter()
            if rank is None:
                rank = nested_dissection_rank(n, tails, heads)
            elif not np.array_equal(np.sort(rank), np.arange(n)):
                raise ValueError("a rank must be a permutation of the nodes")
            rank = np.asarray(rank, np.int64)
            t1 = time.perf_counter()
            bar.update()
            ptr, adj = undirected_adjacency(n, rank[tails], rank[heads])
            up_ptr, up_head, parent = chordal_completion(n, ptr, adj)
            t2 = time.perf_counter()
            bar.update()
            slots = arc_slots(rank, up_ptr, up_head, tails, heads)
            inv = np.argsort(rank).astype(np.int64)
            bar.update()
        self._timings = {"order_s": round(t1 - t0, 3), "completion_s": round(t2 - t1, 3)}
        return {"topo": pack_topology(parent, up_ptr, up_head, rank, inv), "rank": rank,
                "up_ptr": up_ptr, "up_head": up_head, "parent": parent, "slots": slots}

    def customize(self, costs) -> "CCHMetric":
        """The metric of these arc costs (one per arc, in the order the topology was
        built on; INF or ``inf``: the arc is closed).

        Raises
        ------
        ValueError
            When there is not one cost per arc, or a cost is negative or NaN.
        """
        costs = np.ascontiguousarray(costs, np.float64)
        if costs.shape != (self.n_arcs,):
            raise ValueError(f"{costs.shape[0] if costs.ndim else 0} costs for "
                             f"{self.n_arcs} arcs")
        if not np.all(costs >= 0):           # NaN too
            raise ValueError("arc costs must be non-negative numbers")
        weights = np.empty(2 * len(self.up_head))
        customize(self.up_ptr, self.up_head, self.slots, costs, weights)
        return CCHMetric(self, weights)


class CCHMetric:
    """One customization of a :class:`CCHTopology`: read-only, for any number of threads.

    Parameters
    ----------
    topology : CCHTopology
    weights : ndarray
        Two per chordal arc (:func:`routing.cch_kernels.customize`).
    """

    def __init__(self, topology: CCHTopology, weights: np.ndarray):
        self.topology = topology
        weights.setflags(write=False)
        self.weights = weights
        self._kernel = None

    def node_cost(self, s: int, t: int) -> tuple[float, int]:
        """(cost, meeting graph node) from graph node ``s`` to ``t`` (INF, -1: none).

        Raises
        ------
        IndexError
            When a node is not in the graph (the kernel does not check).
        """
        s, t = int(s), int(t)
        topo = self.topology
        if not (0 <= s < topo.n and 0 <= t < topo.n):
            raise IndexError(f"node {s if not 0 <= s < topo.n else t} is not in the graph")
        pool = topo.workspaces
        dist = pool.take()
        kernel = self._kernel or self._compiled(dist)
        result = kernel(s, t, topo.topo, self.weights, dist)
        pool.give(dist)
        return result

    def _compiled(self, dist):
        """The query kernel compiled for these arrays' types, called without dispatch
        (:func:`routing.unchecked.compiled_for`); two threads may both take it."""
        self._kernel = compiled_for(tree_cost, 0, 0, self.topology.topo, self.weights, dist)
        return self._kernel
