"""Contraction hierarchies for the default weights of a profile.

Nodes are contracted in order of importance (edge difference + contracted
neighbours + level, updated lazily); each contraction adds the shortcuts that
no witness path makes redundant. Queries then run two upward Dijkstra
searches that meet at the highest node of the path and touch a few hundred
nodes, a hundred times fewer than plain Dijkstra. Weight changes (reuse
penalties, another signed-route preference) use the ALT search instead.
The Python side (building, caching, querying) is :mod:`routing.hierarchy`.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .engine import INF, heap_pop, heap_push


@njit(cache=True)
def _witness(start, skip, limit_cost, max_settled, out_head, e_next_out, e_to, e_cost,
             contracted, dist, touched, heap_key, heap_node):
    """Bounded Dijkstra from ``start`` avoiding ``skip``; fills ``dist``, returns touched count."""
    n_touched = 1
    touched[0] = start
    dist[start] = 0.0
    size = heap_push(heap_key, heap_node, 0, 0.0, start)
    settled = 0
    while size > 0:
        key, u, size = heap_pop(heap_key, heap_node, size)
        if key > dist[u]:
            continue
        if key > limit_cost or settled >= max_settled:
            break
        settled += 1
        e = out_head[u]
        while e >= 0:
            w = e_to[e]
            if w != skip and not contracted[w]:
                nd = key + e_cost[e]
                if nd < dist[w]:
                    if dist[w] >= INF:
                        touched[n_touched] = w
                        n_touched += 1
                    dist[w] = nd
                    if size < heap_key.shape[0]:
                        size = heap_push(heap_key, heap_node, size, nd, w)
            e = e_next_out[e]
    return n_touched


@njit(cache=True)
def _contract(v, apply, out_head, in_head, e_from, e_to, e_cost, e_next_out, e_next_in,
              e_child1, e_child2, n_edges, contracted, dist, touched, heap_key, heap_node,
              max_settled):
    """Shortcuts needed to contract ``v``: counted, and added when ``apply``.

    Returns (number of shortcuts, number of live edges removed, new edge count);
    the edge count is -1 when the edge pool is full.
    """
    shortcuts = 0
    removed = 0
    e_in = in_head[v]
    while e_in >= 0:
        u = e_from[e_in]
        if not contracted[u] and u != v:
            removed += 1
            limit = 0.0
            e_out = out_head[v]
            while e_out >= 0:
                w = e_to[e_out]
                if not contracted[w] and w != u and e_cost[e_in] + e_cost[e_out] > limit:
                    limit = e_cost[e_in] + e_cost[e_out]
                e_out = e_next_out[e_out]
            nt = _witness(u, v, limit, max_settled, out_head, e_next_out, e_to, e_cost,
                          contracted, dist, touched, heap_key, heap_node)
            e_out = out_head[v]
            while e_out >= 0:
                w = e_to[e_out]
                if not contracted[w] and w != u:
                    via = e_cost[e_in] + e_cost[e_out]
                    if dist[w] > via + 1e-12:
                        shortcuts += 1
                        if apply:
                            # update an existing u->w edge, else add one
                            f = out_head[u]
                            while f >= 0 and e_to[f] != w:
                                f = e_next_out[f]
                            if f >= 0:
                                if via < e_cost[f]:
                                    e_cost[f] = via
                                    e_child1[f] = e_in
                                    e_child2[f] = e_out
                            else:
                                if n_edges >= e_from.shape[0]:
                                    for i in range(nt):
                                        dist[touched[i]] = INF
                                    return shortcuts, removed, -1
                                f = n_edges
                                n_edges += 1
                                e_from[f] = u
                                e_to[f] = w
                                e_cost[f] = via
                                e_child1[f] = e_in
                                e_child2[f] = e_out
                                e_next_out[f] = out_head[u]
                                out_head[u] = f
                                e_next_in[f] = in_head[w]
                                in_head[w] = f
                e_out = e_next_out[e_out]
            for i in range(nt):
                dist[touched[i]] = INF
        e_in = e_next_in[e_in]
    e_out = out_head[v]
    while e_out >= 0:
        if not contracted[e_to[e_out]]:
            removed += 1
        e_out = e_next_out[e_out]
    return shortcuts, removed, n_edges


@njit(cache=True)
def build_ch(n, tails, heads, costs, capacity, max_settled):
    """Contract all nodes; returns (rank, edge arrays, edge count) or edge count -1."""
    e_from = np.empty(capacity, np.int64)
    e_to = np.empty(capacity, np.int64)
    e_cost = np.empty(capacity)
    e_next_out = np.empty(capacity, np.int64)
    e_next_in = np.empty(capacity, np.int64)
    e_child1 = np.full(capacity, -1, np.int64)
    e_child2 = np.full(capacity, -1, np.int64)
    out_head = np.full(n, -1, np.int64)
    in_head = np.full(n, -1, np.int64)
    m = tails.shape[0]
    for i in range(m):
        e_from[i], e_to[i], e_cost[i] = tails[i], heads[i], costs[i]
        e_next_out[i] = out_head[tails[i]]
        out_head[tails[i]] = i
        e_next_in[i] = in_head[heads[i]]
        in_head[heads[i]] = i
    n_edges = m
    contracted = np.zeros(n, np.bool_)
    deleted_nb = np.zeros(n, np.int64)
    level = np.zeros(n, np.int64)
    prio = np.empty(n)
    dist = np.full(n, INF)
    touched = np.empty(n + 1, np.int64)
    heap_key = np.empty(8 * n + 16)
    heap_node = np.empty(8 * n + 16, np.int64)
    pq_key = np.empty(16 * n + 16)
    pq_node = np.empty(16 * n + 16, np.int64)
    size = 0
    for v in range(n):
        sc, rm, _ = _contract(v, False, out_head, in_head, e_from, e_to, e_cost, e_next_out,
                              e_next_in, e_child1, e_child2, n_edges, contracted, dist, touched,
                              heap_key, heap_node, max_settled)
        prio[v] = 2.0 * (sc - rm) + deleted_nb[v] + level[v]
        size = heap_push(pq_key, pq_node, size, prio[v], v)
    rank = np.full(n, -1, np.int64)
    order = 0
    while size > 0:
        key, v, size = heap_pop(pq_key, pq_node, size)
        if contracted[v] or key != prio[v]:
            continue
        sc, rm, _ = _contract(v, False, out_head, in_head, e_from, e_to, e_cost, e_next_out,
                              e_next_in, e_child1, e_child2, n_edges, contracted, dist, touched,
                              heap_key, heap_node, max_settled)
        p = 2.0 * (sc - rm) + deleted_nb[v] + level[v]
        if size > 0 and p > pq_key[0]:
            prio[v] = p
            size = heap_push(pq_key, pq_node, size, p, v)
            continue
        sc, rm, n_edges = _contract(v, True, out_head, in_head, e_from, e_to, e_cost, e_next_out,
                                    e_next_in, e_child1, e_child2, n_edges, contracted, dist,
                                    touched, heap_key, heap_node, max_settled)
        if n_edges < 0:
            return rank, e_from, e_to, e_cost, e_child1, e_child2, -1
        contracted[v] = True
        rank[v] = order
        order += 1
        # Neighbours: one more contracted neighbour, a level above, a new priority.
        for direction in range(2):
            e = out_head[v] if direction == 0 else in_head[v]
            while e >= 0:
                w = e_to[e] if direction == 0 else e_from[e]
                if not contracted[w]:
                    deleted_nb[w] += 1
                    if level[v] + 1 > level[w]:
                        level[w] = level[v] + 1
                    sc, rm, _ = _contract(w, False, out_head, in_head, e_from, e_to, e_cost,
                                          e_next_out, e_next_in, e_child1, e_child2, n_edges,
                                          contracted, dist, touched, heap_key, heap_node,
                                          max_settled)
                    prio[w] = 2.0 * (sc - rm) + deleted_nb[w] + level[w]
                    if size < pq_key.shape[0]:
                        size = heap_push(pq_key, pq_node, size, prio[w], w)
                e = e_next_out[e] if direction == 0 else e_next_in[e]
    return rank, e_from, e_to, e_cost, e_child1, e_child2, n_edges


@njit(cache=True, inline="always")
def _seed(nodes, costs, dist, other, pred, heap, heap_node, touched, n_touched):
    """Start one side of the search from weighted nodes; returns (heap size, touched count)."""
    size = 0
    for i in range(nodes.shape[0]):
        v = nodes[i]
        if dist[v] >= INF and other[v] >= INF:
            touched[n_touched] = v
            n_touched += 1
        if costs[i] < dist[v]:
            dist[v] = costs[i]
            pred[v] = -1
            size = heap_push(heap, heap_node, size, costs[i], v)
    return size, n_touched


@njit(cache=True, inline="always")
def stalled(optr, ohead, ocost, dist, u, key) -> bool:
    """Stall on demand: a higher node already reaches ``u`` more cheaply than ``key``
    (``optr/ohead/ocost``: the CSR of the other direction), so ``u`` need not expand."""
    for a in range(optr[u], optr[u + 1]):
        if dist[ohead[a]] + ocost[a] < key:
            return True
    return False


@njit(cache=True, nogil=True)
def ch_query(up_ptr, up_head, up_cost, up_edge, dn_ptr, dn_head, dn_cost, dn_edge,
             src_nodes, src_costs, tgt_nodes, tgt_costs, dist_f, dist_r, pred_f, pred_r,
             touched, heap_f, node_f, heap_r, node_r):
    """Bidirectional upward search; returns (cost, meeting node, touched).

    ``pred_f``/``pred_r`` hold CH edge ids (-1 at a source/target). Buffers
    come in as INF / INF / -1 / -1 and are reset by the caller.
    """
    size_f, n_touched = _seed(src_nodes, src_costs, dist_f, dist_r, pred_f, heap_f, node_f,
                              touched, 0)
    size_r, n_touched = _seed(tgt_nodes, tgt_costs, dist_r, dist_f, pred_r, heap_r, node_r,
                              touched, n_touched)
    best = INF
    meet = -1
    for i in range(n_touched):
        v = touched[i]
        if dist_f[v] + dist_r[v] < best:
            best = dist_f[v] + dist_r[v]
            meet = v
    # a round settles one node of each side that can still improve ``best``, forward
    # first (routing.ch_packed does the same: its sides' loads overlap)
    while True:
        go_f = size_f > 0 and heap_f[0] < best
        go_r = size_r > 0 and heap_r[0] < best
        if not (go_f or go_r):
            break
        for forward in (True, False):
            if not (go_f if forward else go_r):
                continue
            if forward:
                key, u, size_f = heap_pop(heap_f, node_f, size_f)
                if key > dist_f[u] or stalled(dn_ptr, dn_head, dn_cost, dist_f, u, key):
                    continue
                ptr, head, cost, edge, dist, other, pred = up_ptr, up_head, up_cost, up_edge, dist_f, dist_r, pred_f
            else:
                key, u, size_r = heap_pop(heap_r, node_r, size_r)
                if key > dist_r[u] or stalled(up_ptr, up_head, up_cost, dist_r, u, key):
                    continue
                ptr, head, cost, edge, dist, other, pred = dn_ptr, dn_head, dn_cost, dn_edge, dist_r, dist_f, pred_r
            for a in range(ptr[u], ptr[u + 1]):
                v = head[a]
                nd = key + cost[a]
                if nd < dist[v]:
                    if dist_f[v] >= INF and dist_r[v] >= INF:
                        touched[n_touched] = v
                        n_touched += 1
                    dist[v] = nd
                    pred[v] = edge[a]
                    if forward:
                        size_f = heap_push(heap_f, node_f, size_f, nd, v)
                    else:
                        size_r = heap_push(heap_r, node_r, size_r, nd, v)
                    if nd + other[v] < best:
                        best = nd + other[v]
                        meet = v
    return best, meet, touched[:n_touched]


@njit(cache=True, nogil=True)
def unpack(meet, pred_f, pred_r, e_from, e_to, e_child1, e_child2, e_arc):
    """Original arc ids of the path through ``meet`` (shortcuts expanded)."""
    chain = []
    v = meet
    while pred_f[v] >= 0:
        chain.append(pred_f[v])
        v = e_from[pred_f[v]]
    chain.reverse()
    v = meet
    while pred_r[v] >= 0:
        chain.append(pred_r[v])
        v = e_to[pred_r[v]]
    out = []
    stack = []
    for e in chain:
        stack.append(e)
        while len(stack) > 0:
            x = stack.pop()
            if e_child1[x] >= 0:
                stack.append(e_child2[x])
                stack.append(e_child1[x])
            else:
                out.append(e_arc[x])
    return np.array(out, np.int64)


@njit(cache=True, nogil=True)
def reset_ch(touched, dist_f, dist_r, pred_f, pred_r):
    for v in touched:
        dist_f[v] = INF
        dist_r[v] = INF
        pred_f[v] = -1
        pred_r[v] = -1
