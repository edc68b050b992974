"""Contraction-hierarchy queries in one compiled call each: the hot path of every route.

A query settles ~80 nodes and relaxes ~500 arcs; what it costs is mostly the memory
it reads (a different part of the hierarchy for every pair) and the call itself. So:

* the whole hierarchy is one int32 array (:func:`pack_hierarchy`), passed as one
  argument: a header of section offsets, then one block per node (numbered by falling
  rank, so the upper nodes every search visits sit together): the heads of its upward
  then downward arcs, their float64 costs, then their hierarchy edges (read only for
  the path). A search that settles a node reads the arcs it relaxes and those of the
  other direction it stalls on from the same 12 bytes an arc (cache lines are what a
  query waits for: most of its time on a graph of this size);
* one query's buffers are two arrays: distances of both directions interleaved
  (``dist[2 v]`` forward, ``dist[2 v + 1]`` backward: one cache line per node) and
  the heaps' keys; predecessors (interleaved too), touched nodes, the heaps' nodes and
  room to unpack the path.

The steps are :func:`routing.ch.ch_query`'s, in the same order (same seeds, same heap,
same arc order, same stall test), so costs, meeting nodes and paths are the same to the
bit; tests/test_fast_paths.py compares them on every pair of a fixture graph.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .engine import INF, heap_pop, heap_push
from .prefetch import prefetch

#: Sections of a packed hierarchy after its header, in order.
SECTIONS = ("ptr", "arcs", "e_from", "e_to", "e_child1", "e_child2", "e_arc", "perm", "inv")
#: Words of the header: the number of nodes, then where each section starts, then where
#: each ends (word ``1 + k`` and word ``1 + len(SECTIONS) + k`` for section ``k``).
HEADER = 32
_ENDS = 1 + len(SECTIONS)
#: The last header word: which layout this is (a hierarchy cached by another version of
#: this module is rebuilt, never read wrongly: see :func:`check_layout`).
LAYOUT = 2


def pack_hierarchy(n: int, up: tuple, dn: tuple, edges: dict, perm, inv) -> np.ndarray:
    """The packed int32 array :func:`packed_query` reads.

    Parameters
    ----------
    n : int
        Number of nodes.
    up, dn : tuple
        (pointers, heads, costs, hierarchy edge ids) of the upward and downward CSR, on
        nodes numbered by rank.
    edges : dict
        ``e_from``, ``e_to``, ``e_child1``, ``e_child2``, ``e_arc`` of the hierarchy edges.
    perm, inv : ndarray
        Graph node -> local node, and back.

    Raises
    ------
    OverflowError
        When the hierarchy has more than 2**31 words (a graph far larger than this
        layout is meant for).
    """
    up_deg, dn_deg = np.diff(up[0]), np.diff(dn[0])
    k = up_deg + dn_deg
    first = np.zeros(n + 1, np.int64)          # where each node's block starts (words)
    np.cumsum(_block_words(k), out=first[1:])
    sizes = {"ptr": 2 * n + 1, "arcs": int(first[-1]),
             **{name: len(edges[name]) for name in SECTIONS[2:7]}, "perm": n, "inv": n}
    offsets, at = [], HEADER
    for name in SECTIONS:
        at += -at % 16                         # sections start on a 64-byte line
        offsets.append(at)
        at += sizes[name]
    at += -at % 16                             # an even length: a float64 view
    if at >= 2 ** 31:
        raise OverflowError(f"a hierarchy of {at} words does not fit the int32 layout")
    packed = np.zeros(at, np.int32)
    packed[0], packed[HEADER - 1] = n, LAYOUT
    packed[1:_ENDS] = offsets
    packed[_ENDS:_ENDS + len(SECTIONS)] = [offsets[k] + sizes[name]
                                           for k, name in enumerate(SECTIONS)]
    base = offsets[SECTIONS.index("arcs")]
    ptr = np.empty(2 * n + 1, np.int64)
    ptr[0::2] = base + first
    ptr[1:-1:2] = base + first[:-1] + up_deg
    packed[offsets[0]:offsets[0] + 2 * n + 1] = ptr
    floats = packed.view(np.float64)
    for (cptr, head, cost, edge), skip in ((up, np.zeros(n, np.int64)), (dn, up_deg)):
        owner = np.repeat(np.arange(n), np.diff(cptr))
        block, kk = base + first[owner], k[owner]
        at = block + skip[owner] + np.arange(len(head)) - cptr[:-1][owner]   # the head's word
        packed[at] = head
        floats[((block + kk + (kk & 1)) >> 1) + at - block] = cost
        packed[at + 3 * kk + (kk & 1)] = edge
    for name, values in (*((k, edges[k]) for k in SECTIONS[2:7]), ("perm", perm), ("inv", inv)):
        lo = offsets[SECTIONS.index(name)]
        packed[lo:lo + len(values)] = values
    return packed


def _block_words(k):
    """Words of the block of a node with ``k`` arcs: heads, padding to a float64, costs,
    edges, padding (even: every block starts on a float64)."""
    return 4 * k + 2 * (k & 1)


def check_layout(packed: np.ndarray, n: int) -> None:
    """Raise ValueError unless ``packed`` is a hierarchy of ``n`` nodes in this layout."""
    if len(packed) < HEADER or packed[HEADER - 1] != LAYOUT or packed[0] != n:
        raise ValueError("not a packed hierarchy of this layout and graph")


def section(packed: np.ndarray, name: str) -> np.ndarray:
    """The view of section ``name`` (:data:`SECTIONS`) of a packed hierarchy."""
    k = SECTIONS.index(name)
    return packed[packed[1 + k]:packed[_ENDS + k]]


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
    start = ch[ptr + 2 * w]
    k = (ch[ptr + 2 * w + 2] - start) >> 2
    prefetch(ch, start)
    prefetch(chf, (start + k + (k & 1)) >> 1)


@njit(cache=True, inline="always")
def _search(ch, dist, pred, seen, touched, n_touched, keys_f, nodes_f, keys_r, nodes_r,
            size_f, size_r, want_path):
    """The bidirectional upward search from seeded heaps; returns (cost, local meeting
    node, touched count). The steps of :func:`routing.ch.ch_query`, in its order
    (predecessors are recorded only when ``want_path``)."""
    chf = ch.view(np.float64)
    ptr = ch[1]
    best = INF
    meet = -1
    for i in range(n_touched):
        v = touched[i]
        if dist[2 * v] + dist[2 * v + 1] < best:
            best = dist[2 * v] + dist[2 * v + 1]
            meet = v
    while size_f > 0 or size_r > 0:
        top_f = keys_f[0] if size_f > 0 else INF
        top_r = keys_r[0] if size_r > 0 else INF
        if top_f >= best and top_r >= best:
            break
        if top_f <= top_r:
            key, u, size_f = heap_pop(keys_f, nodes_f, size_f)
            side = 0
            if size_f > 0:
                _prefetch_block(ch, chf, ptr, nodes_f[0])
        else:
            key, u, size_r = heap_pop(keys_r, nodes_r, size_r)
            side = 1
            if size_r > 0:
                _prefetch_block(ch, chf, ptr, nodes_r[0])
        if key > dist[2 * u + side]:
            continue
        # forward: relax the upward arcs, stall on the downward ones; backward the reverse
        start, mid = ch[ptr + 2 * u], ch[ptr + 2 * u + 1]
        k = (ch[ptr + 2 * u + 2] - start) >> 2
        cost_at = ((start + k + (k & 1)) >> 1) - start
        lo, hi = (start, mid) if side == 0 else (mid, start + k)
        if _stalled(ch, chf, mid if side == 0 else start, start + k if side == 0 else mid,
                    cost_at, dist, seen, side, key):
            continue
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
                    pred[2 * v + side] = ch[a + 3 * k + (k & 1)]
                prefetch(ch, ptr + 2 * v)
                if side == 0:
                    size_f = heap_push(keys_f, nodes_f, size_f, nd, v)
                else:
                    size_r = heap_push(keys_r, nodes_r, size_r, nd, v)
                if nd + other < best:
                    best = nd + other
                    meet = v
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
    """Section ``k`` of a packed hierarchy (:data:`SECTIONS`)."""
    return ch[ch[1 + k]:ch[_ENDS + k]]


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

    ``ch`` is :func:`pack_hierarchy`'s array, ``ws_f``/``ws_i`` one query's buffers
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
