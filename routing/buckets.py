"""Many-to-many costs through the contraction hierarchy: bucket kernels (numba).

Knopp et al.'s bucket algorithm: one upward search from each source, whose settled
nodes leave an entry ``(source, cost, duration, metres)`` in that node's bucket; then
one backward upward search from each target, which scans the bucket of every node it
settles. The cheapest source + target meeting over all nodes is the shortest path (its
highest node is settled by both sides with its exact cost), so a 100 x 100 table costs
200 searches of a few hundred nodes each instead of 100 Dijkstras over the graph.
Durations and metres travel with the costs along the same (cost-optimal) edges:
:func:`edge_sums` gives each hierarchy edge, shortcut or not, the sum over its arcs.

Kernels never read past their arrays; .ci/run runs their tests with
``NUMBA_BOUNDSCHECK=1``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .ch import stalled
from .engine import INF, heap_pop, heap_push


@njit(cache=True, nogil=True)
def edge_sums(e_arc, e_child1, e_child2, arc_values):
    """Per hierarchy edge, the sum of ``arc_values`` over the arcs it stands for.

    A shortcut is the sum of its two children, which form a DAG (a child never
    changes once its middle node is contracted); an explicit stack walks it.
    """
    m = e_arc.shape[0]
    out = np.zeros(m)
    done = np.zeros(m, np.bool_)
    stack = np.empty(m + 1, np.int64)
    for x in range(m):
        if done[x]:
            continue
        top = 0
        stack[0] = x
        while top >= 0:
            y = stack[top]
            a, b = e_child1[y], e_child2[y]
            if a < 0:
                arc = e_arc[y]
                out[y] = arc_values[arc] if 0 <= arc < arc_values.shape[0] else 0.0
                done[y] = True
                top -= 1
            elif not done[a] and top + 1 < m + 1:
                top += 1
                stack[top] = a
            elif not done[b] and top + 1 < m + 1:
                top += 1
                stack[top] = b
            else:
                out[y] = out[a] + out[b]
                done[y] = True
                top -= 1
    return out


@njit(cache=True, nogil=True)
def _upward(ptr, head, cost, edge, optr, ohead, ocost, e_time, e_len, seeds, seed_cost,
            seed_time, seed_len, dist, time, length, touched, settled, heap_key, heap_node):
    """Upward search with stall-on-demand from weighted seeds, to exhaustion.

    ``ptr/head/cost/edge``: the CSR of the search's direction; ``optr/ohead/ocost``:
    the other direction's (for stalling). Returns (touched count, settled count);
    ``settled`` lists the non-stalled settled nodes, whose ``dist``/``time``/``length``
    are final. The caller resets ``dist`` over ``touched``.
    """
    n_touched = 0
    n_settled = 0
    size = 0
    for i in range(seeds.shape[0]):
        v = seeds[i]
        if dist[v] >= INF:
            touched[n_touched] = v
            n_touched += 1
        if seed_cost[i] < dist[v]:
            dist[v] = seed_cost[i]
            time[v] = seed_time[i]
            length[v] = seed_len[i]
            if size < heap_key.shape[0]:
                size = heap_push(heap_key, heap_node, size, seed_cost[i], v)
    while size > 0:
        key, u, size = heap_pop(heap_key, heap_node, size)
        if key > dist[u]:
            continue
        if stalled(optr, ohead, ocost, dist, u, key):
            continue
        settled[n_settled] = u
        n_settled += 1
        for a in range(ptr[u], ptr[u + 1]):
            v = head[a]
            nd = key + cost[a]
            if nd < dist[v]:
                if dist[v] >= INF:
                    touched[n_touched] = v
                    n_touched += 1
                dist[v] = nd
                time[v] = time[u] + e_time[edge[a]]
                length[v] = length[u] + e_len[edge[a]]
                if size < heap_key.shape[0]:
                    size = heap_push(heap_key, heap_node, size, nd, v)
    return n_touched, n_settled


@njit(cache=True, nogil=True)
def bucket_table(up_ptr, up_head, up_cost, up_edge, dn_ptr, dn_head, dn_cost, dn_edge,
                 e_time, e_len, s_ptr, s_nodes, s_cost, s_time, s_len,
                 t_ptr, t_nodes, t_cost, t_time, t_len):
    """Cost, duration and metres from every source to every target.

    Sources and targets are weighted seed lists in CSR form (``s_ptr`` over
    ``s_nodes``…): the graph nodes an endpoint reaches along its own edge, with the
    cost, duration and metres of that piece. Unreachable pairs cost ``INF``
    (durations and metres NaN).
    """
    n = up_ptr.shape[0] - 1
    n_src, n_tgt = s_ptr.shape[0] - 1, t_ptr.shape[0] - 1
    heap = max(up_head.shape[0], dn_head.shape[0]) + s_nodes.shape[0] + t_nodes.shape[0] + 1
    dist = np.full(n, INF)
    time = np.zeros(n)
    length = np.zeros(n)
    touched = np.empty(n, np.int64)
    settled = np.empty(n, np.int64)
    heap_key = np.empty(heap)
    heap_node = np.empty(heap, np.int64)
    # 1. upward searches from the sources fill the buckets
    cap = 1024
    b_node = np.empty(cap, np.int64)
    b_src = np.empty(cap, np.int64)
    b_val = np.empty((cap, 3))
    count = 0
    for s in range(n_src):
        lo, hi = s_ptr[s], s_ptr[s + 1]
        nt, ns = _upward(up_ptr, up_head, up_cost, up_edge, dn_ptr, dn_head, dn_cost, e_time,
                         e_len, s_nodes[lo:hi], s_cost[lo:hi], s_time[lo:hi], s_len[lo:hi],
                         dist, time, length, touched, settled, heap_key, heap_node)
        if count + ns > cap:
            while count + ns > cap:
                cap *= 2
            nb_node = np.empty(cap, np.int64)
            nb_src = np.empty(cap, np.int64)
            nb_val = np.empty((cap, 3))
            nb_node[:count] = b_node[:count]
            nb_src[:count] = b_src[:count]
            nb_val[:count] = b_val[:count]
            b_node, b_src, b_val = nb_node, nb_src, nb_val
        for k in range(ns):
            v = settled[k]
            b_node[count] = v
            b_src[count] = s
            b_val[count, 0] = dist[v]
            b_val[count, 1] = time[v]
            b_val[count, 2] = length[v]
            count += 1
        for k in range(nt):
            dist[touched[k]] = INF
    # 2. the buckets grouped by node (a counting sort)
    ptr = np.zeros(n + 1, np.int64)
    for k in range(count):
        ptr[b_node[k] + 1] += 1
    for v in range(n):
        ptr[v + 1] += ptr[v]
    fill = ptr[:n].copy()
    order = np.empty(count, np.int64)
    for k in range(count):
        v = b_node[k]
        order[fill[v]] = k
        fill[v] += 1
    # 3. backward upward searches from the targets scan them
    out_cost = np.full((n_src, n_tgt), INF)
    out_time = np.full((n_src, n_tgt), np.nan)
    out_len = np.full((n_src, n_tgt), np.nan)
    for t in range(n_tgt):
        lo, hi = t_ptr[t], t_ptr[t + 1]
        nt, ns = _upward(dn_ptr, dn_head, dn_cost, dn_edge, up_ptr, up_head, up_cost, e_time,
                         e_len, t_nodes[lo:hi], t_cost[lo:hi], t_time[lo:hi], t_len[lo:hi],
                         dist, time, length, touched, settled, heap_key, heap_node)
        for k in range(ns):
            v = settled[k]
            for b in range(ptr[v], ptr[v + 1]):
                j = order[b]
                s = b_src[j]
                c = b_val[j, 0] + dist[v]
                if c < out_cost[s, t]:
                    out_cost[s, t] = c
                    out_time[s, t] = b_val[j, 1] + time[v]
                    out_len[s, t] = b_val[j, 2] + length[v]
        for k in range(nt):
            dist[touched[k]] = INF
    return out_cost, out_time, out_len
