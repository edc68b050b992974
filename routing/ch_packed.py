"""Contraction-hierarchy queries in one compiled call each: the hot path of every route.

A numba call pays for each argument it is given (a few hundred ns each, more
than the search itself on a short route), and a Python-side unpacking with
growing lists costs as much again. Here the hierarchy's integer arrays come
packed in one array, one query's buffers in two, and the path is unpacked into
preallocated space: :func:`packed_query` runs :func:`routing.ch.ch_query`
itself, so the answers are the same to the bit.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .ch import ch_query, reset_ch, unpack

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
def unpack_into(meet, pred_f, pred_r, e_from, e_to, e_child1, e_child2, e_arc, out, stack):
    """:func:`unpack` into preallocated buffers: the arcs, in the same order, are
    ``out[:count]``; returns count, or -1 when a buffer is too small (use :func:`unpack`)."""
    depth = 0
    v = meet
    while pred_f[v] >= 0:                      # the forward half, pushed last edge first
        if depth >= stack.shape[0]:
            return -1
        stack[depth] = pred_f[v]
        depth += 1
        v = e_from[pred_f[v]]
    count = 0
    for i in range(depth - 1, -1, -1):         # from the source: the stack's top first
        count = _expand(stack[i], depth, e_child1, e_child2, e_arc, out, count, stack)
        if count < 0:
            return -1
    v = meet
    while pred_r[v] >= 0:                      # the backward half, in travel order
        count = _expand(pred_r[v], 0, e_child1, e_child2, e_arc, out, count, stack)
        if count < 0:
            return -1
        v = e_to[pred_r[v]]
    return count


#: Order of the integer arrays in a packed hierarchy (see :func:`packed_query`). Nodes
#: are numbered by falling rank (``local = perm[node]``, ``node = inv[local]``), so the
#: few thousand nodes every upward search visits sit together in memory.
PACKED_INTS = ("up_ptr", "up_head", "up_edge", "dn_ptr", "dn_head", "dn_edge",
               "e_from", "e_to", "e_child1", "e_child2", "e_arc", "perm", "inv")


@njit(cache=True, nogil=True)
def packed_query(src_nodes, src_costs, tgt_nodes, tgt_costs, ints, up_cost, dn_cost, off,
                 ws_f, ws_i, want_path):
    """:func:`ch_query`, :func:`unpack` and :func:`reset_ch` in one call; returns (cost,
    meeting node, original arc ids) (arcs empty unless ``want_path``).

    A numba call pays for every argument it is given (a few hundred ns each): the
    hierarchy's integer arrays come concatenated in ``ints`` (:data:`PACKED_INTS` in
    that order, ``off`` their bounds) and one query's buffers in ``ws_f``
    (``dist_f``, ``dist_r``, the two heaps' keys) and ``ws_i`` (``pred_f``, ``pred_r``,
    ``touched`` (n + 2), the two heaps' nodes). Sources, targets and the meeting node
    are graph node ids; inside, nodes are numbered by rank. The search is
    :func:`ch_query`'s, whose steps never depend on how nodes are numbered, so the
    answers are the same to the bit.
    """
    n = off[1] - off[0] - 1
    heap = (ws_f.shape[0] - 2 * n) // 2
    up_ptr, up_head, up_edge = ints[off[0]:off[1]], ints[off[1]:off[2]], ints[off[2]:off[3]]
    dn_ptr, dn_head, dn_edge = ints[off[3]:off[4]], ints[off[4]:off[5]], ints[off[5]:off[6]]
    e_from, e_to = ints[off[6]:off[7]], ints[off[7]:off[8]]
    e_child1, e_child2, e_arc = ints[off[8]:off[9]], ints[off[9]:off[10]], ints[off[10]:off[11]]
    perm, inv = ints[off[11]:off[12]], ints[off[12]:off[13]]
    src_local = np.empty(src_nodes.shape[0], np.int64)
    for i in range(src_nodes.shape[0]):
        src_local[i] = perm[src_nodes[i]]
    tgt_local = np.empty(tgt_nodes.shape[0], np.int64)
    for i in range(tgt_nodes.shape[0]):
        tgt_local[i] = perm[tgt_nodes[i]]
    dist_f, dist_r = ws_f[:n], ws_f[n:2 * n]
    heap_f, heap_r = ws_f[2 * n:2 * n + heap], ws_f[2 * n + heap:2 * n + 2 * heap]
    pred_f, pred_r, touched = ws_i[:n], ws_i[n:2 * n], ws_i[2 * n:3 * n + 2]
    node_f = ws_i[3 * n + 2:3 * n + 2 + heap]
    node_r = ws_i[3 * n + 2 + heap:3 * n + 2 + 2 * heap]
    rest = ws_i[3 * n + 2 + 2 * heap:]                # path unpacking: arcs, then a stack
    cost, meet, reached = ch_query(up_ptr, up_head, up_cost, up_edge, dn_ptr, dn_head, dn_cost,
                                   dn_edge, src_local, src_costs, tgt_local, tgt_costs, dist_f,
                                   dist_r, pred_f, pred_r, touched, heap_f, node_f, heap_r,
                                   node_r)
    if meet >= 0 and want_path:
        half = rest.shape[0] // 2
        count = unpack_into(meet, pred_f, pred_r, e_from, e_to, e_child1, e_child2, e_arc,
                            rest[:half], rest[half:])
        if count >= 0:
            arcs = rest[:count].copy()
        else:                                   # longer than the buffers: lists grow
            arcs = unpack(meet, pred_f, pred_r, e_from, e_to, e_child1, e_child2, e_arc)
    else:
        arcs = np.zeros(0, np.int64)
    reset_ch(reached, dist_f, dist_r, pred_f, pred_r)
    return cost, (inv[meet] if meet >= 0 else meet), arcs


@njit(cache=True, nogil=True)
def packed_node_query(s, t, ints, up_cost, dn_cost, off, ws_f, ws_i, want_path):
    """:func:`packed_query` between two graph nodes."""
    src = np.full(1, s, np.int64)
    tgt = np.full(1, t, np.int64)
    zero = np.zeros(1)
    return packed_query(src, zero, tgt, zero, ints, up_cost, dn_cost, off, ws_f, ws_i,
                        want_path)
