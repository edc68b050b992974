"""Shortest-path kernels compiled with numba.

Why this engine: the graph is a CSR array set (no Python objects per node),
queries run A* with ALT potentials (landmarks + triangle inequality), which
needs no per-weight preprocessing beyond a few one-to-all searches, so every
profile and every signed-route preference gets exact optimal paths in well
under a millisecond on a city graph. Contraction hierarchies would be faster
still but must be rebuilt for each weight; loops reweight edges per query.
All kernels take plain arrays so they are unit-testable against networkx.
"""
from __future__ import annotations

import numpy as np
from numba import njit

INF = 1e30


# A 4-ary heap: half the depth of a binary heap, and the four children of a
# node share a cache line; pops are what dominate a search's time.
@njit(cache=True, inline="always")
def heap_push(heap_key, heap_node, size, key, node):
    i = size
    while i > 0:
        parent = (i - 1) >> 2
        if heap_key[parent] <= key:
            break
        heap_key[i] = heap_key[parent]
        heap_node[i] = heap_node[parent]
        i = parent
    heap_key[i] = key
    heap_node[i] = node
    return size + 1


@njit(cache=True, inline="always")
def heap_pop(heap_key, heap_node, size):
    key, node = heap_key[0], heap_node[0]
    size -= 1
    last_key, last_node = heap_key[size], heap_node[size]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        best = first
        best_key = heap_key[first]
        stop = min(first + 4, size)
        for c in range(first + 1, stop):
            if heap_key[c] < best_key:
                best = c
                best_key = heap_key[c]
        if best_key >= last_key:
            break
        heap_key[i] = best_key
        heap_node[i] = heap_node[best]
        i = best
    if size > 0:
        heap_key[i] = last_key
        heap_node[i] = last_node
    return key, node, size


@njit(cache=True, inline="always")
def seed_sources(src_nodes, src_costs, dist, pred, mark, touched, n_touched, heap_key,
                 heap_node):
    """Push each source at its cost where that improves its distance; a node seen for the
    first time (``dist`` INF and ``mark`` 0) is appended to ``touched``. Every search
    seeds this way, so they settle nodes in the same order. Returns (heap size, touched)."""
    size = 0
    for i in range(src_nodes.shape[0]):
        s = src_nodes[i]
        if src_costs[i] < dist[s]:
            if dist[s] >= INF and mark[s] == 0:
                touched[n_touched] = s
                n_touched += 1
            dist[s] = src_costs[i]
            pred[s] = -1
            size = heap_push(heap_key, heap_node, size, src_costs[i], s)
    return size, n_touched


@njit(cache=True)
def _potential(v, lm_from, lm_to, t_from, t_to, tgt_costs, active, slack):
    """Lower bound of the cost from v to the cheapest target (ALT).

    Landmark tables are (node, landmark) so one node's values share a cache
    line; only the ``active`` landmarks (the best for this query) are read.
    """
    best = INF
    for j in range(tgt_costs.shape[0]):
        bound = 0.0
        for k in active:
            a = lm_to[v, k] - t_to[j, k]       # d(v,L) - d(t,L) <= d(v,t)
            b = t_from[j, k] - lm_from[v, k]   # d(L,t) - d(L,v) <= d(v,t)
            if a > bound:
                bound = a
            if b > bound:
                bound = b
        if bound >= 0.5 * INF:
            continue  # this target cannot be reached from v
        bound = bound - slack if bound > slack else 0.0
        total = bound + tgt_costs[j]
        if total < best:
            best = total
    return best


@njit(cache=True)
def _active_landmarks(lm_from, lm_to, src_nodes, t_from, t_to, n_active):
    """The ``n_active`` landmarks giving the best bound between sources and targets."""
    n_lm = lm_from.shape[1]
    score = np.zeros(n_lm)
    for k in range(n_lm):
        for i in range(src_nodes.shape[0]):
            s = src_nodes[i]
            for j in range(t_from.shape[0]):
                a = lm_to[s, k] - t_to[j, k]
                b = t_from[j, k] - lm_from[s, k]
                bound = a if a > b else b
                if bound > score[k]:
                    score[k] = bound
    order = np.argsort(-score)
    return order[:min(n_active, n_lm)]


@njit(cache=True, nogil=True)
def dijkstra(indptr, heads, costs, src_nodes, src_costs, tgt_nodes, max_cost, dist, pred):
    """Dijkstra from weighted sources until every target is settled or ``max_cost``.

    Fills ``dist``/``pred`` (must come in as INF / -1). Returns touched nodes.
    """
    n = indptr.shape[0] - 1
    cap = heads.shape[0] + src_nodes.shape[0] + 1
    heap_key = np.empty(cap)
    heap_node = np.empty(cap, np.int64)
    touched = np.empty(cap, np.int64)
    settled = np.zeros(n, np.bool_)
    own_costs = np.zeros(0, np.int64)          # no ``arc_of``: arc a costs costs[a]
    is_target = np.zeros(n, np.bool_)
    remaining = 0
    for t in tgt_nodes:
        if not is_target[t]:
            is_target[t] = True
            remaining += 1
    # nothing is settled yet: ``settled`` serves as the all-zero mark
    size, n_touched = seed_sources(src_nodes, src_costs, dist, pred, settled, touched, 0,
                                   heap_key, heap_node)
    while size > 0:
        key, u, size = heap_pop(heap_key, heap_node, size)
        if settled[u] or key > dist[u]:
            continue
        if key > max_cost:
            break
        settled[u] = True
        if is_target[u]:
            remaining -= 1
            if remaining == 0 and tgt_nodes.shape[0] > 0:
                break
        # ``settled`` as the mark again: a node still at INF is never settled
        size, n_touched = relax_arcs(u, key, indptr, heads, costs, own_costs, dist, pred,
                                     settled, touched, n_touched, heap_key, heap_node, size)
    return touched[:n_touched]


@njit(cache=True, nogil=True, inline="always")
def relax_arcs(u, key, indptr, heads, costs, arc_of, dist, pred, mark, touched, n_touched,
               heap_key, heap_node, size):
    """Relax the arcs of node ``u``, settled at ``key``: a strict improvement sets the
    head's distance (and predecessor, unless ``pred`` is empty), records a first touch
    and pushes it. Returns ``(size, n_touched)``."""
    indirect = arc_of.shape[0] > 0
    keep_pred = pred.shape[0] > 0
    for a in range(indptr[u], indptr[u + 1]):
        v = heads[a]
        nd = key + (costs[arc_of[a]] if indirect else costs[a])
        if nd < dist[v]:
            if dist[v] >= INF and mark[v] == 0:
                touched[n_touched] = v
                n_touched += 1
            dist[v] = nd
            if keep_pred:
                pred[v] = a
            size = heap_push(heap_key, heap_node, size, nd, v)
    return size, n_touched


@njit(cache=True, nogil=True)
def _tree_arcs(pred, ends, node, root_first):
    """Arcs of a search tree's path between ``node`` and the tree's root, walked from
    ``node`` (``ends[a]``: the node arc ``a`` was reached from, whose ``pred`` comes next);
    listed from the root to ``node`` if ``root_first``, else from ``node`` to the root."""
    count = 0
    a = pred[node]
    while a >= 0:
        count += 1
        a = pred[ends[a]]
    out = np.empty(count, np.int64)
    a = pred[node]
    i = 0
    while a >= 0:
        out[count - 1 - i if root_first else i] = a
        i += 1
        a = pred[ends[a]]
    return out


@njit(cache=True, nogil=True)
def arcs_to(pred, tails, node):
    """Arcs of the search tree path ending at ``node``, in travel order."""
    return _tree_arcs(pred, tails, node, True)


@njit(cache=True, inline="always")
def _average_potential(v, lm_from, lm_to, s_from, s_to, t_from, t_to, src_costs, tgt_costs,
                       active, slack):
    """(bound to the targets - bound from the sources) / 2; INF if v is on no path.

    The bound from the sources is the same ALT bound on the reversed graph,
    where the roles of the "from" and "to" landmark tables swap.
    """
    pt = _potential(v, lm_from, lm_to, t_from, t_to, tgt_costs, active, slack)
    ps = _potential(v, lm_to, lm_from, s_to, s_from, src_costs, active, slack)
    if pt >= 0.5 * INF or ps >= 0.5 * INF:
        return INF
    return 0.5 * (pt - ps)


@njit(cache=True, nogil=True)
def bidir_astar(indptr, heads, costs, rindptr, rtails, rarcs, lm_from, lm_to,
                src_nodes, src_costs, tgt_nodes, tgt_costs,
                dist_f, dist_r, pred_f, pred_r, pot, touched, heap_f, node_f, heap_r, node_r,
                n_active, slack):
    """Bidirectional A* with average ALT potentials (Ikeda et al.).

    ``p(v) = (bound_to_targets(v) - bound_from_sources(v)) / 2`` gives
    consistent reduced costs in both directions, so the search stops as soon
    as the two queue tops add up to the best meeting cost. Buffers (one entry
    per node) come in as INF / INF / -1 / -1 / NaN and are reset by the caller
    from the returned touched nodes. ``pred_r`` holds forward-arc ids.
    Returns (cost, meeting node, touched); meeting node -1 when unreachable.
    """
    n_lm = lm_from.shape[1]
    n_s, n_t = src_nodes.shape[0], tgt_nodes.shape[0]
    s_from = np.empty((n_s, n_lm))
    s_to = np.empty((n_s, n_lm))
    t_from = np.empty((n_t, n_lm))
    t_to = np.empty((n_t, n_lm))
    for i in range(n_s):
        for k in range(n_lm):
            s_from[i, k] = lm_from[src_nodes[i], k]
            s_to[i, k] = lm_to[src_nodes[i], k]
    for j in range(n_t):
        for k in range(n_lm):
            t_from[j, k] = lm_from[tgt_nodes[j], k]
            t_to[j, k] = lm_to[tgt_nodes[j], k]
    active = _active_landmarks(lm_from, lm_to, src_nodes, t_from, t_to, n_active)
    n_touched = 0
    size_f = 0
    size_r = 0
    best = INF
    meet = -1
    for side in range(2):
        nodes = src_nodes if side == 0 else tgt_nodes
        init = src_costs if side == 0 else tgt_costs
        for i in range(nodes.shape[0]):
            v = nodes[i]
            if np.isnan(pot[v]):
                touched[n_touched] = v
                n_touched += 1
                pot[v] = _average_potential(v, lm_from, lm_to, s_from, s_to, t_from, t_to,
                                            src_costs, tgt_costs, active, slack)
            if side == 0 and init[i] < dist_f[v]:
                dist_f[v] = init[i]
                pred_f[v] = -1
                size_f = heap_push(heap_f, node_f, size_f, init[i] + pot[v], v)
            if side == 1 and init[i] < dist_r[v]:
                dist_r[v] = init[i]
                pred_r[v] = -1
                size_r = heap_push(heap_r, node_r, size_r, init[i] - pot[v], v)
            if dist_f[v] + dist_r[v] < best:
                best = dist_f[v] + dist_r[v]
                meet = v
    cap = heap_f.shape[0]
    while size_f > 0 and size_r > 0:
        if heap_f[0] + heap_r[0] >= best:
            break
        forward = heap_f[0] <= heap_r[0]
        if forward:
            key, u, size_f = heap_pop(heap_f, node_f, size_f)
            du = dist_f[u]
            if key > du + pot[u] + 1e-9:
                continue
            lo, hi = indptr[u], indptr[u + 1]
        else:
            key, u, size_r = heap_pop(heap_r, node_r, size_r)
            du = dist_r[u]
            if key > du - pot[u] + 1e-9:
                continue
            lo, hi = rindptr[u], rindptr[u + 1]
        for a in range(lo, hi):
            if forward:
                v = heads[a]
                nd = du + costs[a]
                if nd >= dist_f[v]:
                    continue
            else:
                arc = rarcs[a]
                v = rtails[a]
                nd = du + costs[arc]
                if nd >= dist_r[v]:
                    continue
            if np.isnan(pot[v]):
                touched[n_touched] = v
                n_touched += 1
                pot[v] = _average_potential(v, lm_from, lm_to, s_from, s_to, t_from, t_to,
                                            src_costs, tgt_costs, active, slack)
            if pot[v] >= 0.5 * INF:
                continue   # no path from a source through v to a target
            if forward:
                dist_f[v] = nd
                pred_f[v] = a
                if size_f == cap:
                    return -2.0, -2, touched[:n_touched]
                size_f = heap_push(heap_f, node_f, size_f, nd + pot[v], v)
                total = nd + dist_r[v]
            else:
                dist_r[v] = nd
                pred_r[v] = arc
                if size_r == cap:
                    return -2.0, -2, touched[:n_touched]
                size_r = heap_push(heap_r, node_r, size_r, nd - pot[v], v)
                total = nd + dist_f[v]
            if total < best:
                best = total
                meet = v
    return best, meet, touched[:n_touched]


@njit(cache=True, nogil=True)
def reset_bidir(touched, dist_f, dist_r, pred_f, pred_r, pot):
    """Put the bidirectional buffers back to their initial state (O(touched))."""
    for v in touched:
        dist_f[v] = INF
        dist_r[v] = INF
        pred_f[v] = -1
        pred_r[v] = -1
        pot[v] = np.nan


@njit(cache=True, nogil=True)
def arcs_from(pred_r, heads, node):
    """Forward arcs from ``node`` to the end of the backward search tree."""
    return _tree_arcs(pred_r, heads, node, False)
