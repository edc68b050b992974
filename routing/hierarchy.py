"""The contraction hierarchy of a profile network: built once, cached, queried.

The numba kernels are in :mod:`routing.ch` (contraction, the reference search) and
:mod:`routing.ch_packed` (the queries, on the layout of :mod:`routing.ch_layout`); this
module prepares their input, keeps the result beside the graph and hands each query
pooled buffers.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np

from graphs.arrays import cached_arrays

from .buckets import edge_sums
from .ch import build_ch
from .ch_layout import LAYOUT, SECTIONS, arc_order, check_layout, pack_hierarchy, section
from .ch_packed import node_cost, node_path, packed_query, workspace
from .unchecked import checked_nodes, compiled_for
from .workspace import WorkspacePool

#: Queries with more sources and targets than this get buffers of their own.
MAX_POOLED_SEEDS = 64
#: The arcs of a cost-only query (read-only: shared by every caller).
NO_ARCS = np.zeros(0, np.int64)
NO_ARCS.setflags(write=False)
#: Arrays kept in the cache: the packed hierarchy the queries read (``packed``: see
#: :func:`routing.ch_layout.pack_hierarchy`) and the upward/downward CSR the many-to-many
#: table reads (``up_*``/``dn_*``); memory-mapped, each is resident only once used.
CSR = ("ptr", "head", "cost", "edge")
CACHE_ARRAYS = ("rank", "packed", *(f"{d}_{k}" for d in ("up", "dn") for k in CSR))
#: Bump when the construction changes: cached hierarchies are then rebuilt (as they are
#: when :data:`routing.ch_layout.LAYOUT` changes).
CACHE_VERSION = 9


def _weights_key(network) -> str:
    """A digest of exactly the weights a hierarchy was built for."""
    digest = hashlib.sha1(f"{CACHE_VERSION}.{LAYOUT}".encode())
    for array in (network.tails, network.heads, network.costs):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:20]


class ContractionHierarchy:
    """A CH over a profile network's arcs, queried like the ALT search.

    Parameters
    ----------
    network : routing.network.ProfileNetwork
    max_settled : int
        Witness searches stop after this many nodes (more: fewer shortcuts).
    cache_dir : Path, optional
        Where to keep built hierarchies (``<graph>/cache``): building one takes
        seconds to minutes on a large graph, mapping it milliseconds. The
        directory name carries a digest of the weights, so a stale one is never
        used; its ``.npy`` arrays are memory-mapped read-only, shared by every
        process serving the graph.
    """

    def __init__(self, network, max_settled: int = 60, cache_dir: Path | None = None):
        n = network.graph.n_nodes
        cache = None if cache_dir is None else \
            Path(cache_dir) / f"ch-{network.profile.name}-{_weights_key(network)}"
        self._setup(n, cached_arrays(cache, lambda: self._build(network, n, max_settled),
                                     CACHE_ARRAYS))

    def _build(self, network, n: int, max_settled: int) -> None:
        tails, heads, costs = network.tails, network.heads, network.costs
        order = np.lexsort((costs, heads, tails))
        t, h = tails[order], heads[order]
        first = np.ones(len(order), bool)
        first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
        keep = order[first]
        keep = keep[tails[keep] != heads[keep]]
        capacity = 4 * len(keep) + 1024
        while True:
            rank, e_from, e_to, e_cost, c1, c2, m = build_ch(
                n, tails[keep], heads[keep], costs[keep], capacity, max_settled)
            if m >= 0:
                break
            capacity *= 2
        e_arc = np.full(m, -1, np.int64)
        e_arc[: len(keep)] = keep
        # copies, so that the over-allocated edge pools are freed
        arrays = {"rank": rank, "e_from": e_from[:m].copy(), "e_to": e_to[:m].copy(),
                  "e_cost": e_cost[:m].copy(), "e_child1": c1[:m].copy(),
                  "e_child2": c2[:m].copy(), "e_arc": e_arc}
        up = rank[arrays["e_to"]] > rank[arrays["e_from"]]
        # Number nodes by falling rank (every node is contracted once: rank is a permutation).
        perm = (n - 1 - rank).astype(np.int64) if np.array_equal(
            np.sort(rank), np.arange(n)) else np.arange(n, dtype=np.int64)
        arrays["perm"], arrays["inv"] = perm, np.argsort(perm).astype(np.int64)
        arrays["e_from"], arrays["e_to"] = perm[arrays["e_from"]], perm[arrays["e_to"]]
        # Renumber the edges in the packed arc order: a search then records an arc's edge
        # as its number (children follow; the order of every node's arcs is unchanged).
        order = arc_order(np.where(up, arrays["e_from"], arrays["e_to"]), up)
        renumber = np.empty(m, np.int64)
        renumber[order] = np.arange(m)
        for key in ("e_from", "e_to", "e_cost", "e_child1", "e_child2", "e_arc"):
            arrays[key] = arrays[key][order]
        for key in ("e_child1", "e_child2"):
            children = arrays[key]
            arrays[key] = np.where(children >= 0, renumber[np.maximum(children, 0)], -1)
        up = up[order]
        for prefix, owner, head, mask in (("up", "e_from", "e_to", up),
                                          ("dn", "e_to", "e_from", ~up)):
            csr = _csr(n, arrays[owner][mask], arrays[head][mask], np.flatnonzero(mask),
                       arrays["e_cost"])
            arrays.update(zip((f"{prefix}_ptr", f"{prefix}_head", f"{prefix}_cost",
                               f"{prefix}_edge"), csr))
        out = {"rank": rank.astype(np.int32)}
        for prefix in ("up", "dn"):
            out.update({f"{prefix}_{k}": arrays[f"{prefix}_{k}"].astype(
                np.float64 if k == "cost" else np.int32) for k in CSR})
        out["packed"] = pack_hierarchy(
            n, *(tuple(out[f"{d}_{k}"] for k in CSR) for d in ("up", "dn")),
            {k: arrays[k] for k in ("e_from", "e_to", "e_child1", "e_child2", "e_arc")},
            arrays["perm"], arrays["inv"])
        return out

    def _setup(self, n: int, arrays: dict) -> None:
        self.rank, self._packed, self._n = arrays["rank"], arrays["packed"], n
        check_layout(self._packed, n)
        # Views of the packed sections (no copies: memory-mapped pages stay shared).
        for name in SECTIONS:
            setattr(self, name, section(self._packed, name))
        self.shortcuts = int(np.sum(self.e_child1 >= 0))
        self.up = tuple(arrays[f"up_{k}"] for k in CSR)
        self.dn = tuple(arrays[f"dn_{k}"] for k in CSR)
        # A node is expanded at most once per side (only a strict improvement pushes), so
        # a side pushes at most once per arc of its direction plus once per seed.
        self._heap = max(len(self.up[1]), len(self.dn[1])) + MAX_POOLED_SEEDS
        self._scratch = WorkspacePool(lambda: workspace(n, self._heap))
        self._kernels = {}         # see _kernel
        self._measures = None
        self._measures_lock = threading.Lock()

    def edge_measures(self, network) -> tuple[np.ndarray, np.ndarray]:
        """Duration (s) and length (m) of every hierarchy edge, a shortcut's being the sum
        over its arcs; computed on first use (the matrix needs them), then kept read-only.

        ``network`` is the profile network the hierarchy was built on.
        """
        with self._measures_lock:
            if self._measures is None:
                c, arc = network.c, network.arc_edge
                arc_time = np.where(network.arc_forward, c["time_fwd"][arc], c["time_bwd"][arc])
                arc_len = np.asarray(network.graph.edge_len, np.float64)[arc]
                measures = tuple(edge_sums(self.e_arc, self.e_child1, self.e_child2,
                                           np.ascontiguousarray(v, np.float64))
                                 for v in (arc_time, arc_len))
                for array in measures:
                    array.setflags(write=False)
                self._measures = measures
            return self._measures

    def query(self, src, src_cost, tgt, tgt_cost):
        """(cost, meeting node, original arc ids, index of the target reached; -1: none)
        between weighted sources and targets."""
        if len(src) + len(tgt) > MAX_POOLED_SEEDS:     # rare: buffers of its own, big enough
            ws_f, ws_i = workspace(len(self.rank), self._heap + len(src) + len(tgt))
            return packed_query(src, src_cost, tgt, tgt_cost, self._packed, ws_f, ws_i)
        buffers = self._scratch.take()
        result = packed_query(src, src_cost, tgt, tgt_cost, self._packed, *buffers)
        self._scratch.give(buffers)
        return result

    def node_query(self, s: int, t: int, path: bool = True):
        """(cost, meeting node, original arc ids; empty unless ``path``) from node ``s`` to
        node ``t``: one compiled call."""
        if not path:
            return (*self.node_cost(s, t), NO_ARCS)
        return self._node_call(node_path, s, t)

    def node_cost(self, s: int, t: int) -> tuple[float, int]:
        """(cost, meeting node) from node ``s`` to node ``t``: :meth:`node_query` without
        the path, and without building a result it does not need."""
        return self._node_call(node_cost, s, t)

    def _node_call(self, dispatcher, s, t):
        """One node-to-node kernel's answer from ``s`` to ``t`` (checked first: the
        kernels index with them unchecked), on pooled buffers."""
        s, t = checked_nodes(self._n, s, t)
        kernel = self._kernels.get(dispatcher) or self._kernel(dispatcher)
        ws_f, ws_i = buffers = self._scratch.take()
        result = kernel(s, t, self._packed, ws_f, ws_i)
        self._scratch.give(buffers)
        return result

    def _kernel(self, dispatcher):
        """``dispatcher`` (a node-to-node kernel) compiled for these very arrays' types,
        called without type dispatch (:func:`routing.unchecked.compiled_for`). Taken on
        its first query, not when the hierarchy is built: the service loads its kernels
        in its warm-up, once numba's target is set up without SciPy's BLAS (17 MB), and
        only those it uses (a route never asks for a bare cost). Two threads may both
        take it: they get the same function."""
        buffers = self._scratch.take()
        kernel = compiled_for(dispatcher, 0, 0, self._packed, *buffers)
        self._scratch.give(buffers)
        self._kernels[dispatcher] = kernel
        return kernel


def _csr(n, owner, head, edges, e_cost) -> tuple:
    """(pointers, heads, costs, CH edge ids) of ``edges`` grouped by ``owner``."""
    order = np.argsort(owner, kind="stable")
    ptr = np.searchsorted(owner[order], np.arange(n + 1)).astype(np.int64)
    return ptr, head[order].astype(np.int64), e_cost[edges[order]], edges[order]
