"""The numba kernels of a customizable contraction hierarchy (:mod:`routing.cch`).

Nodes are numbered by rank (0: contracted first). The *chordal arcs* are the edges of
the graph once every node, contracted in that order, has joined its upper neighbours
into a clique: no witness search decides which shortcuts to keep, so they fit every
metric. Each is stored once, at its lower end (CSR ``up_ptr``/``up_head``, heads
increasing), with two weights: upward (``w[a]``, lower to upper end) and downward
(``w[m + a]``, ``m`` arcs): the walks below the common ancestor read one direction
only, so those weights sit together. A node's upper neighbours are all its ancestors in
the elimination tree (its parent: its lowest upper neighbour), which is what lets a query
walk the tree instead of searching with a heap.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .engine import INF
from .unchecked import raw


@njit(cache=True, inline="always")
def _merge(src, lo, hi, x, mark, heads, count):
    """Append the nodes of ``src[lo:hi]`` above ``x`` not yet marked for ``x`` to
    ``heads[count:]`` (a bigger copy when full); returns (heads, count)."""
    for i in range(lo, hi):
        y = src[i]
        if y > x and mark[y] != x:
            mark[y] = x
            if count == heads.shape[0]:          # more room, twice as much
                grown = np.empty(2 * count, np.int64)
                grown[:count] = heads[:count]
                heads = grown
            heads[count] = y
            count += 1
    return heads, count


@njit(cache=True)
def chordal_completion(n, ptr, adj):
    """The chordal arcs and elimination tree of the order that numbers the nodes.

    ``ptr``/``adj``: the simple undirected graph (CSR, both directions), nodes numbered
    by rank. The upper neighbours of a node are its own plus those of its children in
    the elimination tree, but for itself (symbolic Cholesky): children come first, as
    they are numbered below their parent.

    Returns (``up_ptr``, ``up_head``, ``parent``): upward arcs (heads increasing) and
    each node's parent (``n`` at a root).
    """
    parent = np.full(n, n, np.int64)
    first_child = np.full(n, -1, np.int64)
    next_sibling = np.full(n, -1, np.int64)
    mark = np.full(n, -1, np.int64)
    up_ptr = np.zeros(n + 1, np.int64)
    up_head = np.empty(max(16, adj.shape[0]), np.int64)
    count = 0
    for x in range(n):
        start = count
        up_head, count = _merge(adj, ptr[x], ptr[x + 1], x, mark, up_head, count)
        c = first_child[x]
        while c >= 0:
            # a child's upper neighbours: x and x's ancestors (read from the array as
            # it was: a bigger copy keeps the same first entries)
            up_head, count = _merge(up_head, up_ptr[c], up_ptr[c + 1], x, mark, up_head,
                                    count)
            c = next_sibling[c]
        up_head[start:count] = np.sort(up_head[start:count])
        up_ptr[x + 1] = count
        if count > start:
            p = up_head[start]
            parent[x] = p
            next_sibling[x] = first_child[p]
            first_child[p] = x
    return up_ptr, up_head[:count].copy(), parent


@njit(cache=True)
def arc_slots(rank, up_ptr, up_head, tails, heads):
    """Where each input arc's cost goes in the weights: ``a`` (chordal arc ``a``
    upward) or ``m + a`` (downward; ``m`` chordal arcs); -1 for a loop."""
    m = up_head.shape[0]
    slots = np.full(tails.shape[0], -1, np.int64)
    for i in range(tails.shape[0]):
        u, v = rank[tails[i]], rank[heads[i]]
        if u == v:
            continue
        lo, hi = (u, v) if u < v else (v, u)
        a = up_ptr[lo] + np.searchsorted(up_head[up_ptr[lo]:up_ptr[lo + 1]], hi)
        slots[i] = a if u < v else m + a
    return slots


@njit(cache=True, nogil=True)
def customize(up_ptr, up_head, slots, costs, weights):
    """Fill ``weights`` (two per chordal arc) for the arc ``costs`` (INF or more: closed).

    Each arc first takes the cheapest input arc it stands for, then every lower
    triangle ``x - y - z`` (``x`` below both) offers a way round through ``x``: nodes
    in increasing order, so an arc's weights are final before the triangles above it
    read them (basic customization, exact for the elimination-tree query).
    """
    n, m = up_ptr.shape[0] - 1, up_head.shape[0]
    weights[:] = INF
    for i in range(slots.shape[0]):
        s = slots[i]
        if s >= 0 and costs[i] < weights[s]:
            weights[s] = costs[i]
    head, w = raw(up_head), raw(weights)
    for x in range(n):
        end = up_ptr[x + 1]
        for i in range(up_ptr[x], end):
            y = head[i]
            up_xy, down_xy = w[i], w[m + i]
            k = up_ptr[y]
            for j in range(i + 1, end):
                z = head[j]
                while head[k] != z:        # x's upper neighbours above y are y's too
                    k += 1
                w[k] = min(w[k], down_xy + w[j])                  # y -> x -> z
                w[m + k] = min(w[m + k], w[m + j] + up_xy)        # z -> x -> y


@njit(cache=True, inline="always")
def _relax(ptr, head, w, dist, x):
    """Offer ``dist[x]`` to ``x``'s upper neighbours (``w``, ``dist``: one direction's
    weights and distances). Without a branch: whether a neighbour improves is as good
    as random, and a mispredicted branch costs more than a store (4 µs, not 11, a
    query on Heidelberg)."""
    dx = dist[x]
    for a in range(ptr[x], ptr[x + 1]):
        v = head[a]
        dist[v] = min(dist[v], dx + w[a])


@njit(cache=True, inline="always")
def _sections(topo):
    """The parts of a packed topology (:func:`routing.cch.pack_topology`): node count,
    parents, upward arcs' pointers and heads, graph -> local node and back."""
    n = topo[0]
    return (n, topo[2:2 + n], topo[2 + n:3 + 2 * n], topo[3 + 2 * n:topo[1]],
            topo[topo[1]:topo[1] + n], topo[topo[1] + n:topo[1] + 2 * n])


@njit(cache=True, nogil=True)
def tree_cost(s, t, topo, weights, dist):
    """(cost, meeting graph node; INF, -1: none) from graph node ``s`` to ``t``.

    ``topo``: the packed topology (:func:`routing.cch.pack_topology`); ``weights``: a
    customization of it; ``dist``: one query's buffer (``2 n`` values at INF: from the
    source, then to the target), left as it came.

    Both ends walk up the elimination tree, the lower first, each relaxing its node's
    upward arcs (no heap: the tree gives the order); from their lowest common ancestor
    on they walk together, and the meeting node is the best of that common part.
    """
    n, parent, ptr, head, perm, inv = _sections(topo)
    m = weights.shape[0] // 2
    x, y = perm[s], perm[t]
    # pointers through the loops (routing.unchecked): each direction's own part
    parent, ptr, head = raw(parent), raw(ptr), raw(head)
    w_up, w_down = raw(weights[:m]), raw(weights[m:])
    d_from, d_to = raw(dist[:n]), raw(dist[n:])
    d_from[x] = 0.0
    d_to[y] = 0.0
    while x != y:                       # below the common ancestor: one side at a time
        if x < y:
            _relax(ptr, head, w_up, d_from, x)
            x = parent[x]
        else:
            _relax(ptr, head, w_down, d_to, y)
            y = parent[y]
    best, meet, common = INF, -1, x
    while x != n:                       # the common part (none: another tree)
        df, db = d_from[x], d_to[x]
        if df + db < best:
            best, meet = df + db, x
        # a side no shorter than the best cannot improve it above (weights >= 0)
        if df < best:
            _relax(ptr, head, w_up, d_from, x)
        if db < best:
            _relax(ptr, head, w_down, d_to, x)
        x = parent[x]
    # what was touched: the two walks' nodes (arcs only lead to ancestors)
    for v, stop in ((perm[s], n), (perm[t], common)):
        while v != stop:
            d_from[v] = INF
            d_to[v] = INF
            v = parent[v]
    return best, (inv[meet] if meet >= 0 else -1)


@njit(cache=True, nogil=True)
def seeded_cost(src, src_cost, tgt, tgt_cost, topo, weights, dist, at):
    """The least ``src_cost[i] + cost(src[i], tgt[j]) + tgt_cost[j]`` over every source
    and target (graph nodes; INF: none), as :func:`tree_cost` walks, from every seed.

    ``at``: room for one int64 per seed (where each seed's walk is). The walks advance
    lowest node first: when a node is the lowest of them all, every walk that will
    ever reach it is on it, so its two distances are final and it is relaxed once.
    ``dist`` comes and goes back at INF.
    """
    n, parent, ptr, head, perm, _ = _sections(topo)
    m = weights.shape[0] // 2
    k = src.shape[0]
    parent, ptr, head = raw(parent), raw(ptr), raw(head)
    w_up, w_down = raw(weights[:m]), raw(weights[m:])
    d_from, d_to = raw(dist[:n]), raw(dist[n:])
    for i in range(k):
        at[i] = perm[src[i]]
        d_from[at[i]] = min(d_from[at[i]], src_cost[i])
    for j in range(tgt.shape[0]):
        at[k + j] = perm[tgt[j]]
        d_to[at[k + j]] = min(d_to[at[k + j]], tgt_cost[j])
    walks = k + tgt.shape[0]
    best = INF
    while True:
        x = n
        for i in range(walks):
            x = min(x, at[i])
        if x == n:                      # every walk past its root
            break
        forward, backward = False, False
        for i in range(walks):
            if at[i] == x:
                if i < k:
                    forward = True
                else:
                    backward = True
                at[i] = parent[x]
        df, db = d_from[x], d_to[x]
        best = min(best, df + db)
        if forward and df < best:
            _relax(ptr, head, w_up, d_from, x)
        if backward and db < best:
            _relax(ptr, head, w_down, d_to, x)
    for i in range(walks):              # back to INF along every walk, to its root
        v = perm[src[i]] if i < k else perm[tgt[i - k]]
        while v != n:
            d_from[v] = INF
            d_to[v] = INF
            v = parent[v]
    return best


@njit(cache=True, nogil=True)
def seeded_table(src_ptr, src, src_cost, tgt_ptr, tgt, tgt_cost, topo, weights, dist, at):
    """:func:`seeded_cost` from every group of sources to every group of targets
    (group ``i``: ``src[src_ptr[i]:src_ptr[i + 1]]``), in one call; ``out[i, j]``."""
    out = np.empty((src_ptr.shape[0] - 1, tgt_ptr.shape[0] - 1))
    for i in range(out.shape[0]):
        a, b = src_ptr[i], src_ptr[i + 1]
        for j in range(out.shape[1]):
            c, d = tgt_ptr[j], tgt_ptr[j + 1]
            out[i, j] = seeded_cost(src[a:b], src_cost[a:b], tgt[c:d], tgt_cost[c:d], topo,
                                    weights, dist, at)
    return out
