"""Contraction-hierarchy queries in one compiled call each: the hot path of every route.

They read the packed hierarchy of :mod:`routing.ch_layout` (one array, one argument) and
one query's buffers, two arrays: distances of both directions interleaved (``dist[2 v]``
forward, ``dist[2 v + 1]`` backward: one cache line per node) and the heaps' keys;
predecessors (interleaved too), touched nodes, the heaps' nodes and room to unpack the
path. Through the search loop the arrays are raw pointers (:mod:`routing.unchecked`):
its inlined helpers then cost no reference counting.

The steps are :func:`routing.ch.ch_query`'s, in the same order (same seeds, same heap,
same arc order, same stall test), so costs, meeting nodes and paths are the same to the
bit; tests/test_fast_paths.py compares them on every pair of a fixture graph.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .ch_layout import ENDS
from .engine import INF, heap_pop, heap_push
from .prefetch import prefetch
from .unchecked import raw

@njit(cache=True, inline="always")
def _block(ch, ptr, u):
    """Where node ``u``'s block is (:func:`routing.ch_layout.pack_hierarchy`): (its first arc's number, its first head, its first
    downward head, the end of its heads, ``cost_at``: the cost of the arc whose head is
    ``ch[a]`` is ``chf[cost_at + a]``)."""
    start = ch[ptr + 2 * u]
    k = (ch[ptr + 2 * u + 2] - start - 1) // 3
    return (ch[start], start + 1, ch[ptr + 2 * u + 1], start + 1 + k,
            ((start + 1 + k + ((k + 1) & 1)) >> 1) - start - 1)


@njit(cache=True, inline="always")
def _seen(seen, v) -> bool:
    """Whether local node ``v`` was reached by this query (else both its distances are
    INF: the search need not read their cache line)."""
    return (seen[v >> 5] >> (v & 31)) & 1 != 0


@njit(cache=True, inline="always")
def _seed(node, cost, side, dist, pred, seen, keys, nodes, size, touched, n_touched):
    """Start one side of the search at local node ``node``; returns (heap size, touched)."""
    if not _seen(seen, node):
        seen[node >> 5] |= 1 << (node & 31)
        touched[n_touched] = node
        n_touched += 1
    if cost < dist[2 * node + side]:
        dist[2 * node + side] = cost
        pred[2 * node + side] = -1
        size = heap_push(keys, nodes, size, cost, node)
    return size, n_touched


@njit(cache=True, inline="always")
def _stalled(ch, chf, first, last, cost_at, dist, seen, side, key) -> bool:
    """Stall on demand: a higher node already reaches this one for less than ``key``
    (``first:last``: the heads of its arcs of the other direction; the cost of the arc
    with head ``ch[a]`` is ``chf[cost_at + a]``)."""
    for a in range(first, last):
        w = ch[a]
        if _seen(seen, w) and dist[2 * w + side] + chf[cost_at + a] < key:
            return True
    return False


@njit(cache=True, inline="always")
def _prefetch_block(ch, chf, ptr, w):
    """Ask for the heads and costs of node ``w``'s block (the next node a side settles,
    most likely): they come while the current node is relaxed."""
    _, first, _, _, cost_at = _block(ch, ptr, w)
    prefetch(ch, first)
    prefetch(chf, cost_at + first)


@njit(cache=True, inline="always")
def _settle(ch, chf, ptr, dist, pred, seen, touched, n_touched, keys, nodes, size, side,
            best, meet, want_path):
    """Settle the top of one side's heap: pop it, stall or relax its arcs of that side
    (forward: upward, stalling on the downward ones; backward the reverse); returns
    (heap size, touched count, best cost, meeting node)."""
    key, u, size = heap_pop(keys, nodes, size)
    if size > 0:
        _prefetch_block(ch, chf, ptr, nodes[0])
    if key > dist[2 * u + side]:
        return size, n_touched, best, meet
    arc0, first, mid, end, cost_at = _block(ch, ptr, u)
    lo, hi = (first, mid) if side == 0 else (mid, end)
    if _stalled(ch, chf, mid if side == 0 else first, end if side == 0 else mid,
                cost_at, dist, seen, side, key):
        return size, n_touched, best, meet
    for a in range(lo, hi):
        v = ch[a]
        nd = key + chf[cost_at + a]
        if _seen(seen, v):
            here, other = dist[2 * v + side], dist[2 * v + 1 - side]
        else:
            here, other = INF, INF
        if nd < here:
            if not _seen(seen, v):
                seen[v >> 5] |= 1 << (v & 31)
                touched[n_touched] = v
                n_touched += 1
            dist[2 * v + side] = nd
            if want_path:
                pred[2 * v + side] = arc0 + a - first         # its edge
            prefetch(ch, ptr + 2 * v)
            size = heap_push(keys, nodes, size, nd, v)
            if nd + other < best:
                best = nd + other
                meet = v
    return size, n_touched, best, meet


@njit(cache=True, inline="always")
def _search(ch, dist, pred, seen, touched, n_touched, keys_f, nodes_f, keys_r, nodes_r,
            size_f, size_r, want_path):
    """The bidirectional upward search from seeded heaps; returns (cost, local meeting
    node, touched count). The steps of :func:`routing.ch.ch_query`, in its order
    (predecessors are recorded only when ``want_path``).

    Each round settles one node of each side that can still improve the best cost:
    the two sides' chains of dependent loads (heap → block → heads → distances) then
    overlap in the processor, where settling the smaller key of the two ran them one
    after the other (−7 to −11 % a cost query, same costs)."""
    ptr = ch[1]
    # pointers, not arrays, through the loop and its inlined helpers (routing.unchecked)
    chf = raw(ch.view(np.float64))
    ch, dist, pred, seen, touched = raw(ch), raw(dist), raw(pred), raw(seen), raw(touched)
    keys_f, nodes_f, keys_r, nodes_r = raw(keys_f), raw(nodes_f), raw(keys_r), raw(nodes_r)
    best = INF
    meet = -1
    for i in range(n_touched):
        v = touched[i]
        if dist[2 * v] + dist[2 * v + 1] < best:
            best = dist[2 * v] + dist[2 * v + 1]
            meet = v
    while True:
        go_f = size_f > 0 and keys_f[0] < best
        go_r = size_r > 0 and keys_r[0] < best
        if not (go_f or go_r):
            break
        if go_f:
            size_f, n_touched, best, meet = _settle(ch, chf, ptr, dist, pred, seen, touched,
                                                    n_touched, keys_f, nodes_f, size_f, 0,
                                                    best, meet, want_path)
        if go_r:
            size_r, n_touched, best, meet = _settle(ch, chf, ptr, dist, pred, seen, touched,
                                                    n_touched, keys_r, nodes_r, size_r, 1,
                                                    best, meet, want_path)
    return best, meet, n_touched


@njit(cache=True, inline="always")
def _expand(edge, bottom, e_child1, e_child2, e_arc, out, count, stack):
    """Append the original arcs of hierarchy edge ``edge`` to ``out[count:]`` (shortcuts
    expanded depth first, ``stack[bottom:]`` as scratch); the new count, -1 if full."""
    if bottom >= stack.shape[0]:
        return -1
    stack[bottom] = edge
    top = bottom + 1
    while top > bottom:
        top -= 1
        x = stack[top]
        if e_child1[x] >= 0:
            if top + 2 > stack.shape[0]:
                return -1
            stack[top] = e_child2[x]
            stack[top + 1] = e_child1[x]
            top += 2
        else:
            if count >= out.shape[0]:
                return -1
            out[count] = e_arc[x]
            count += 1
    return count


@njit(cache=True, nogil=True)
def unpack_into(meet, pred, e_from, e_to, e_child1, e_child2, e_arc, out, stack):
    """The original arcs of the path through local node ``meet`` (``pred``: hierarchy
    edges, both directions interleaved; -1 at a seed) in travel order: ``out[:count]``;
    returns count, or -1 when a buffer is too small."""
    depth = 0
    v = meet
    while pred[2 * v] >= 0:                    # the forward half, pushed last edge first
        if depth >= stack.shape[0]:
            return -1
        stack[depth] = pred[2 * v]
        depth += 1
        v = e_from[pred[2 * v]]
    count = 0
    for i in range(depth - 1, -1, -1):         # from the source: the stack's top first
        count = _expand(stack[i], depth, e_child1, e_child2, e_arc, out, count, stack)
        if count < 0:
            return -1
    v = meet
    while pred[2 * v + 1] >= 0:                # the backward half, in travel order
        count = _expand(pred[2 * v + 1], 0, e_child1, e_child2, e_arc, out, count, stack)
        if count < 0:
            return -1
        v = e_to[pred[2 * v + 1]]
    return count


@njit(cache=True, inline="always")
def _section(ch, k):
    """Section ``k`` of a packed hierarchy (:data:`routing.ch_layout.SECTIONS`)."""
    return ch[ch[1 + k]:ch[ENDS + k]]


@njit(cache=True, inline="always")
def _finish(ch, meet, dist, pred, seen, touched, n_touched, rest, want_path):
    """The path's original arcs (int64; empty unless ``want_path``), then the buffers
    back to INF / -1 over the touched nodes."""
    arcs = np.zeros(0, np.int64)
    if meet >= 0 and want_path:
        e_from, e_to, e_child1, e_child2, e_arc = (_section(ch, 2), _section(ch, 3),
                                                   _section(ch, 4), _section(ch, 5),
                                                   _section(ch, 6))
        size = rest.shape[0] // 2
        out, stack = rest[:size], rest[size:2 * size]
        count = unpack_into(meet, pred, e_from, e_to, e_child1, e_child2, e_arc, out, stack)
        while count < 0:                        # longer than the pooled room: more, once
            size *= 2
            out, stack = np.empty(size, rest.dtype), np.empty(size, rest.dtype)
            count = unpack_into(meet, pred, e_from, e_to, e_child1, e_child2, e_arc, out,
                                stack)
        arcs = out[:count].astype(np.int64)
    for i in range(n_touched):
        v = touched[i]
        dist[2 * v] = INF
        dist[2 * v + 1] = INF
        seen[v >> 5] = 0
        if want_path:
            pred[2 * v] = -1
            pred[2 * v + 1] = -1
    return arcs


@njit(cache=True, inline="always")
def _buffers(ch, ws_f, ws_i):
    """The views of one query's buffers (see :func:`workspace`)."""
    n = ch[0]
    heap = (ws_f.shape[0] - 2 * n) // 2
    dist, keys_f, keys_r = ws_f[:2 * n], ws_f[2 * n:2 * n + heap], ws_f[2 * n + heap:]
    pred, touched = ws_i[:2 * n], ws_i[2 * n:3 * n + 2]
    at = 3 * n + 2 + (n >> 5) + 1
    seen = ws_i[3 * n + 2:at]
    nodes_f, nodes_r = ws_i[at:at + heap], ws_i[at + heap:at + 2 * heap]
    return dist, keys_f, keys_r, pred, seen, touched, nodes_f, nodes_r, ws_i[at + 2 * heap:]


def workspace(n: int, heap: int) -> tuple[np.ndarray, np.ndarray]:
    """One query's buffers ``(ws_f, ws_i)`` on ``n`` nodes with heaps of ``heap`` entries,
    in their initial state: distances both ways (INF) and the heaps' keys; predecessors
    both ways (-1), touched nodes (n + 2), one bit per node (reached: 0), the heaps'
    nodes and room to unpack a path (its arcs and a stack)."""
    ws_f = np.empty(2 * n + 2 * heap)
    ws_f[:2 * n] = INF
    ws_i = np.zeros(3 * n + 2 + (n >> 5) + 1 + 2 * heap + 2 * (n + 64), np.int32)
    ws_i[:2 * n] = -1
    return ws_f, ws_i


@njit(cache=True, inline="always")
def _target_index(ch, meet, pred, tgt_nodes, tgt_costs):
    """Which target the path through local node ``meet`` ends at: the cheapest seed of
    the node its backward half ends on (the first of equals); -1 when none."""
    if meet < 0:
        return -1
    e_to, inv = _section(ch, 3), _section(ch, 8)
    v = meet
    while pred[2 * v + 1] >= 0:
        v = e_to[pred[2 * v + 1]]
    end = inv[v]
    best = -1
    for j in range(tgt_nodes.shape[0]):
        if tgt_nodes[j] == end and (best < 0 or tgt_costs[j] < tgt_costs[best]):
            best = j
    return best


@njit(cache=True, nogil=True)
def packed_query(src_nodes, src_costs, tgt_nodes, tgt_costs, ch, ws_f, ws_i):
    """Cost, meeting graph node (-1: none), original arc ids and target index (-1: none
    reached) of the best path from weighted sources to weighted targets.

    ``ch`` is :func:`routing.ch_layout.pack_hierarchy`'s array, ``ws_f``/``ws_i`` one query's buffers
    (:func:`workspace`; they come back in their initial state). Sources,
    targets and the meeting node are graph node ids.
    """
    dist, keys_f, keys_r, pred, seen, touched, nodes_f, nodes_r, rest = _buffers(
        ch, ws_f, ws_i)
    perm, inv = _section(ch, 7), _section(ch, 8)
    size_f, size_r, n_touched = 0, 0, 0
    for i in range(src_nodes.shape[0]):
        size_f, n_touched = _seed(perm[src_nodes[i]], src_costs[i], 0, dist, pred, seen,
                                  keys_f, nodes_f, size_f, touched, n_touched)
    for i in range(tgt_nodes.shape[0]):
        size_r, n_touched = _seed(perm[tgt_nodes[i]], tgt_costs[i], 1, dist, pred, seen,
                                  keys_r, nodes_r, size_r, touched, n_touched)
    cost, meet, n_touched = _search(ch, dist, pred, seen, touched, n_touched, keys_f,
                                    nodes_f, keys_r, nodes_r, size_f, size_r, True)
    target = _target_index(ch, meet, pred, tgt_nodes, tgt_costs)
    arcs = _finish(ch, meet, dist, pred, seen, touched, n_touched, rest, True)
    return cost, (inv[meet] if meet >= 0 else meet), arcs, target


@njit(cache=True, inline="always")
def _node_search(s, t, ch, ws_f, ws_i, want_path):
    dist, keys_f, keys_r, pred, seen, touched, nodes_f, nodes_r, rest = _buffers(
        ch, ws_f, ws_i)
    perm, inv = _section(ch, 7), _section(ch, 8)
    size_f, n_touched = _seed(perm[s], 0.0, 0, dist, pred, seen, keys_f, nodes_f, 0, touched, 0)
    size_r, n_touched = _seed(perm[t], 0.0, 1, dist, pred, seen, keys_r, nodes_r, 0, touched,
                              n_touched)
    cost, meet, n_touched = _search(ch, dist, pred, seen, touched, n_touched, keys_f,
                                    nodes_f, keys_r, nodes_r, size_f, size_r, want_path)
    arcs = _finish(ch, meet, dist, pred, seen, touched, n_touched, rest, want_path)
    return cost, (inv[meet] if meet >= 0 else meet), arcs


@njit(cache=True, nogil=True)
def node_path(s, t, ch, ws_f, ws_i):
    """:func:`packed_query` from graph node ``s`` to graph node ``t``, with the path."""
    return _node_search(s, t, ch, ws_f, ws_i, True)


@njit(cache=True, nogil=True)
def node_cost(s, t, ch, ws_f, ws_i):
    """(cost, meeting graph node) from graph node ``s`` to ``t``: no array built or
    returned (boxing one costs as much as a short search)."""
    cost, meet, _ = _node_search(s, t, ch, ws_f, ws_i, False)
    return cost, meet
