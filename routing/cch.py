"""Customizable contraction hierarchies: one topology per network, a metric per weights.

A contraction hierarchy (:mod:`routing.hierarchy`) is built for one set of weights, its
shortcuts chosen by witness searches. A customizable one (Dibbelt, Strasser, Wagner)
splits that work: the topology (:class:`CCHTopology`: a nested-dissection order,
:mod:`routing.cch_order`, and every shortcut that order can need) depends on the arcs
alone; a *customization* (:class:`CCHMetric`) then gives its arcs the weights of one
set of arc costs in milliseconds, so closures of the day (arcs at INF) get hierarchy-
speed answers without a new hierarchy. Its cost query walks the elimination tree
(:func:`routing.cch_kernels.tree_cost`): no heap, a fixed order and relaxations without
a branch, which make it faster than the witness hierarchy's search although it relaxes
more arcs.
"""
from __future__ import annotations

import hashlib
import threading
import time
import weakref
from pathlib import Path

import numpy as np

from graphs.arrays import cached_arrays
from graphs.progress import progress_bar

from .cch_kernels import arc_slots, chordal_completion, customize, seeded_table, tree_cost
from .cch_order import nested_dissection_rank, tree_stats, undirected_adjacency
from .engine import INF
from .unchecked import checked_nodes, compiled_for
from .workspace import WorkspacePool

#: Seeds a pooled workspace has room for (a query with more brings its own).
MAX_POOLED_SEEDS = 64
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
        self.n_arcs = len(self.slots)
        n = self.n
        #: query buffers, shared by every metric of the topology: distances (``2 n``
        #: values at INF) and where each seed's walk is
        #: (:func:`routing.cch_kernels.seeded_cost`)
        self.workspaces = WorkspacePool(
            lambda: (np.full(2 * n, INF), np.empty(MAX_POOLED_SEEDS, np.int64)))

    @property
    def stats(self) -> dict:
        """The order's quality (:func:`routing.cch_order.tree_stats`: it reads every
        node, so not at load) and, when this topology was built rather than mapped,
        ``order_s`` and ``completion_s``."""
        return {**tree_stats(self.parent, self.up_ptr), **self._timings}

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
        topo = self.topology
        s, t = checked_nodes(topo.n, s, t)
        pool = topo.workspaces
        buffers = pool.take()
        kernel = self._kernel or self._compiled(buffers[0])
        result = kernel(s, t, topo.topo, self.weights, buffers[0])
        pool.give(buffers)
        return result

    def cost(self, src, src_cost, tgt, tgt_cost) -> float:
        """The least cost from any source to any target, each seed's cost included
        (graph nodes; INF: none): what one search between two endpoints' edge ends
        finds.

        Raises
        ------
        IndexError
            When a node is not in the graph.
        ValueError
            When seeds and their costs differ in number.
        """
        return float(self.table([(src, src_cost)], [(tgt, tgt_cost)])[0, 0])

    def table(self, sources, targets) -> np.ndarray:
        """:meth:`cost` from each source group to each target group (a group: graph
        nodes and their costs), in one compiled call: ``out[i, j]``.

        Raises
        ------
        IndexError, ValueError
            As :meth:`cost`.
        """
        src_ptr, src, src_cost = _groups(sources, self.topology.n)
        tgt_ptr, tgt, tgt_cost = _groups(targets, self.topology.n)
        pool = self.topology.workspaces
        dist, at = buffers = pool.take()
        most = int(np.max(np.diff(src_ptr), initial=0) + np.max(np.diff(tgt_ptr), initial=0))
        if most > len(at):                      # rare: room of its own
            at = np.empty(most, np.int64)
        out = seeded_table(src_ptr, src, src_cost, tgt_ptr, tgt, tgt_cost,
                           self.topology.topo, self.weights, dist, at)
        pool.give(buffers)
        return out

    def _compiled(self, dist):
        """The query kernel compiled for these arrays' types, called without dispatch
        (:func:`routing.unchecked.compiled_for`); two threads may both take it."""
        self._kernel = compiled_for(tree_cost, 0, 0, self.topology.topo, self.weights, dist)
        return self._kernel


def _groups(groups, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pointers, nodes, costs) of seed groups given as (nodes, costs) pairs, checked."""
    nodes = [np.asarray(g[0], np.int64).ravel() for g in groups]
    costs = [np.asarray(g[1], np.float64).ravel() for g in groups]
    if any(len(a) != len(b) for a, b in zip(nodes, costs)):
        raise ValueError("one cost per seed")
    ptr = np.zeros(len(nodes) + 1, np.int64)
    np.cumsum([len(a) for a in nodes], out=ptr[1:])
    flat = np.concatenate(nodes) if nodes else np.zeros(0, np.int64)
    if len(flat) and not (flat.min() >= 0 and flat.max() < n):
        raise IndexError("a seed is not a node of the graph")
    return ptr, flat, np.concatenate(costs) if costs else np.zeros(0)


_TOPOLOGIES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_METRICS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def metric_of(network) -> CCHMetric:
    """The CCH metric of a network's own arc costs, made on first use and kept as long
    as the network (nothing is loaded for networks never asked).

    A request's restricted view (:class:`routing.restrict.RestrictedNetwork`: the same
    arcs, other costs) gets a customization of its base network's topology: closures
    and options cost milliseconds, not a hierarchy. One lock for all: a topology is
    mapped from the graph's cache (built once, under a second on a city) and a
    customization takes milliseconds.
    """
    with _LOCK:
        metric = _METRICS.get(network)
        if metric is None:
            base = getattr(network, "base", network)
            topology = _TOPOLOGIES.get(base)
            if topology is None:
                topology = _TOPOLOGIES[base] = CCHTopology.of_network(base)
            # a restricted view's forbidden arc of cost 0 costs 0 * inf = NaN: closed too
            costs = np.where(np.isnan(network.costs), INF, network.costs)
            metric = _METRICS[network] = topology.customize(costs)
        return metric


def endpoint_costs(network, endpoints) -> np.ndarray:
    """Endpoint-to-endpoint costs on a network (INF where no path, 0 on the diagonal):
    ``network.one_to_many`` from each endpoint to all, through :func:`metric_of`.

    Each endpoint leaves by its edge's ends (``network.exits``) and is reached by them
    (``network.entries``); two on one edge may also go straight along it, which
    ``network.one_to_many`` costs for those few pairs.
    """
    k = len(endpoints)
    if k == 0:
        return np.zeros((0, 0))
    out = metric_of(network).table([network.exits(a) for a in endpoints],
                                   [network.entries(b) for b in endpoints])
    np.minimum(out, INF, out=out)
    for i, a in enumerate(endpoints):
        for j, b in enumerate(endpoints):
            if i != j and a.edge == b.edge:
                out[i, j] = min(out[i, j], network.one_to_many(a, [b])[0])
    np.fill_diagonal(out, 0.0)
    return out
