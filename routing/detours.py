"""Network detours to places along a route: both bounded searches in one compiled pass.

A place's detour is the shortest walk from the route to it plus the shortest
walk back (:mod:`routing.corridor`). Both come from a Dijkstra from all route
nodes at once, forward and on the reversed arcs: most of the stage's time.
:func:`measure_detours` runs the two searches interleaved, a batch of nodes at
a time, and stops both as soon as every candidate is *decided* (rather than
once every end of every candidate is settled: the far end of a long edge, or a
place across a river whose detour is over the bound, no longer widens the
searches around the whole route):

- measured: its nearest end is settled on both sides, and no unsettled end
  could still beat it (an unsettled node is at least as far as the last one
  settled, so its cost is bounded below by that radius plus its edge part);
- dropped: even these lower bounds put the detour over the bound.

Decisions are taken on exact values and lower bounds only, and a search
stopped early has settled a prefix of the same nodes in the same order as one
run to the end (distances and predecessors of settled nodes are final), so
the answers are bit-identical to those of the two searches run to the end
(tests/test_detours.py pins this against that computation and networkx).

:class:`PlaceEnds` holds, per network, every place's snapped ends as arrays,
computed once, so a route reads its candidates' ends with one fancy index.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .engine import INF, heap_pop, relax_arcs, seed_sources
from .errors import RoutingError
from .pieces import nodes_passed
from .reach import FOUND, MAX_PLACE_SEARCHES, SEARCH, scan_reach, search_open
from .search import SETTLED

#: Candidates are re-examined after each batch of this many settled nodes: rarely enough
#: to cost little, often enough to stop soon after the last is decided.
BATCH = 64
#: ``status`` of a candidate: still open, measured, dropped (over the bound or no way),
#: on the route (it passes the place's access point: nothing to search).
OPEN, MEASURED, DROPPED, ON_ROUTE = 0, 1, 2, 3


@njit(cache=True, nogil=True)
def _settle(indptr, heads, costs, arc_of, dist, pred, mark, touched, n_touched,
            heap_key, heap_node, size, max_cost, count):
    """Settle the next ``count`` nodes of one search, relaxing their arcs as
    :func:`routing.search.bounded_dijkstra` does (``pred`` empty: predecessors not kept,
    which the way back, a distance only, does not need).

    Returns ``(live, radius, size, n_touched)``: ``radius`` the last settled distance
    (a lower bound of every unsettled node's); ``live`` False once the heap ran out
    (``radius`` INF) or the next node lies beyond ``max_cost`` (``radius`` its distance).
    """
    radius = 0.0
    while count > 0:
        if size == 0:
            return False, INF, size, n_touched
        key, u, size = heap_pop(heap_key, heap_node, size)
        if mark[u] & SETTLED or key > dist[u]:
            continue
        if key > max_cost:
            return False, key, size, n_touched
        mark[u] |= SETTLED
        radius = key
        count -= 1
        size, n_touched = relax_arcs(u, key, indptr, heads, costs, arc_of, dist, pred, mark,
                                     touched, n_touched, heap_key, heap_node, size)
    return True, radius, size, n_touched


@njit(cache=True, nogil=True, inline="always")
def _nearest_end(nodes, ends_cost, p, dist, mark, radius, first_wins):
    """Best settled end of candidate ``p`` and whether it is final.

    Returns ``(value, k, lower, final)``: the least ``dist + cost`` over the settled
    ends (``k`` its column, the first on ties as ``np.argmin``), the lower bound of
    the candidate's best end counting the unsettled ones at ``radius``, and whether
    no unsettled end can change the value (``first_wins``: nor the column).
    """
    best, k_best = INF, -1
    for k in range(2):
        t = nodes[p, k]
        if t >= 0 and mark[t] & SETTLED:
            v = dist[t] + ends_cost[p, k]
            if v < best:
                best, k_best = v, k
    final = k_best >= 0
    lower = best
    for k in range(2):
        t = nodes[p, k]
        if t >= 0 and not mark[t] & SETTLED:
            bound = radius + ends_cost[p, k]
            lower = min(lower, bound)
            if first_wins and k < k_best:
                final = final and bound > best
            else:
                final = final and bound >= best
    return best, k_best, lower, final


@njit(cache=True, nogil=True)
def _decide(entry_node, entry_cost, exit_node, exit_cost, walk, max_cost, f_dist, f_mark,
            b_dist, b_mark, r_f, r_b, status, there, back, pick, done):
    """Decide what can be decided; returns (open count, forward needed, backward needed).

    ``done`` bit 1: ``there``/``pick`` final; bit 2: ``back`` final.
    """
    n_open = 0
    need_f = need_b = False
    for p in range(walk.shape[0]):
        if status[p] != OPEN:
            continue
        if done[p] & 1:
            low_t = there[p]
        else:
            v, k, low_t, final = _nearest_end(entry_node, entry_cost, p, f_dist, f_mark, r_f, True)
            if final:
                there[p], pick[p] = v, k
                done[p] |= 1
        if done[p] & 2:
            low_b = back[p]
        else:
            v, k, low_b, final = _nearest_end(exit_node, exit_cost, p, b_dist, b_mark, r_b, False)
            if final:
                back[p] = v
                done[p] |= 2
        if low_t + low_b + walk[p] > max_cost:
            status[p] = DROPPED
        elif done[p] == 3:
            status[p] = MEASURED
        else:
            n_open += 1
            need_f = need_f or not done[p] & 1
            need_b = need_b or not done[p] & 2
    return n_open, need_f, need_b


@njit(cache=True, nogil=True)
def measure_detours(indptr, heads, costs, rindptr, rtails, rarcs, tails, sources, at,
                    entry_node, entry_cost, exit_node, exit_cost, walk, max_cost,
                    f_dist, f_pred, f_mark, f_touched, f_key, f_node,
                    b_dist, b_pred, b_mark, b_touched, b_key, b_node,
                    status, there, back, leave_at, counts):
    """Measure candidates' network detours from a route (see the module's docstring).

    Parameters
    ----------
    indptr, heads, costs, rindptr, rtails, rarcs, tails : ndarray
        The network's forward CSR, its reversed CSR (arc ids into ``costs``), arc tails.
    sources, at : ndarray
        The route's nodes (repeats allowed) and the metres at which it passes each.
    entry_node, entry_cost, exit_node, exit_cost : ndarray, shape (m, 2)
        Per candidate, the nodes its place is reached from / reaches along its edge
        (-1: none) and the cost of the edge part in between.
    walk : ndarray, shape (m,)
        Metres walked off the network, there and back.
    max_cost : float
        Detour bound: candidates over it are dropped; the searches stop there.
    f_*, b_* : ndarray
        The forward and backward search's buffers (:class:`routing.search.SearchBuffers`),
        in their initial state.

    Returns
    -------
    int
        0, or -1 if an input is inconsistent (nothing written). Fills ``status``
        (:data:`MEASURED` or :data:`DROPPED`), ``there``/``back`` (metres on the
        network of the measured), ``leave_at`` (metres along the route where the
        way there leaves it; NaN if it starts at no route node) and ``counts`` (nodes
        each search touched: reset them with :func:`routing.search.reset_search`).
    """
    n, m = indptr.shape[0] - 1, walk.shape[0]
    arcs = heads.shape[0]
    if rtails.shape[0] != arcs or rarcs.shape[0] != arcs or costs.shape[0] < arcs \
            or tails.shape[0] < arcs or rindptr.shape[0] != n + 1 or at.shape[0] < sources.shape[0]:
        return -1
    for arr in (entry_node, exit_node):
        if arr.shape[0] != m or arr.shape[1] != 2 or (m and (arr.min() < -1 or arr.max() >= n)):
            return -1
    if entry_cost.shape[0] != m or exit_cost.shape[0] != m or entry_cost.shape[1] != 2 \
            or exit_cost.shape[1] != 2 or status.shape[0] < m or there.shape[0] < m \
            or back.shape[0] < m or leave_at.shape[0] < m or counts.shape[0] < 2:
        return -1
    if sources.shape[0] and (sources.min() < 0 or sources.max() >= n):
        return -1
    for dist, pred, mark, touched, key in ((f_dist, f_pred, f_mark, f_touched, f_key),
                                           (b_dist, b_pred, b_mark, b_touched, b_key)):
        if dist.shape[0] < n or pred.shape[0] < n or mark.shape[0] < n \
                or touched.shape[0] < n + 1 or key.shape[0] < arcs + sources.shape[0]:
            return -1
    if f_node.shape[0] < f_key.shape[0] or b_node.shape[0] < b_key.shape[0]:
        return -1
    own_costs = np.zeros(0, np.int64)       # the forward search reads its arcs' own costs
    no_pred = np.zeros(0, np.int64)         # the backward search keeps no predecessors
    done = np.zeros(m, np.int8)
    pick = np.zeros(m, np.int64)
    for p in range(m):
        status[p] = OPEN
        if (entry_node[p, 0] < 0 and entry_node[p, 1] < 0) or \
                (exit_node[p, 0] < 0 and exit_node[p, 1] < 0):
            status[p] = DROPPED                 # a one-way dead end: no way there or back
    zero = np.zeros(sources.shape[0])                  # every route node is a source at 0 m
    size_f, n_f = seed_sources(sources, zero, f_dist, f_pred, f_mark, f_touched, 0, f_key,
                               f_node)
    size_b, n_b = seed_sources(sources, zero, b_dist, b_pred, b_mark, b_touched, 0, b_key,
                               b_node)
    r_f = r_b = 0.0                      # radius of each search: its last settled distance
    live_f = live_b = True
    n_open, need_f, need_b = _decide(entry_node, entry_cost, exit_node, exit_cost, walk,
                                     max_cost, f_dist, f_mark, b_dist, b_mark, r_f, r_b,
                                     status, there, back, pick, done)
    while n_open > 0:
        go_f = need_f and live_f
        go_b = need_b and live_b
        if not go_f and not go_b:
            break                        # cannot happen: exhausted searches decide all
        # The search lagging behind goes on (both grow together, which the bound on the
        # detour's two halves needs), a batch at a time between decisions.
        if go_f and (not go_b or r_f <= r_b):
            live_f, r_f, size_f, n_f = _settle(indptr, heads, costs, own_costs, f_dist, f_pred,
                                               f_mark, f_touched, n_f, f_key, f_node, size_f,
                                               max_cost, BATCH)
        else:
            live_b, r_b, size_b, n_b = _settle(rindptr, rtails, costs, rarcs, b_dist, no_pred,
                                               b_mark, b_touched, n_b, b_key, b_node, size_b,
                                               max_cost, BATCH)
        n_open, need_f, need_b = _decide(entry_node, entry_cost, exit_node, exit_cost, walk,
                                         max_cost, f_dist, f_mark, b_dist, b_mark, r_f, r_b,
                                         status, there, back, pick, done)
    for p in range(m):
        if status[p] == OPEN:            # unreachable by construction; never keep a guess
            status[p] = DROPPED
        if status[p] != MEASURED:
            continue
        node = entry_node[p, pick[p]]
        if there[p] < max_cost:          # the search tree's root: where the way there starts
            for _ in range(n):
                a = f_pred[node]
                if a < 0:
                    break
                node = tails[a]
        leave_at[p] = np.nan
        for i in range(sources.shape[0]):
            if sources[i] == node:
                leave_at[p] = at[i]
                break
    counts[0], counts[1] = n_f, n_b
    return 0


@njit(cache=True, nogil=True)
def passes_access(piece_edge, piece_a, piece_b, edge, offset_m, out):
    """``out[i]``: whether a piece of the route covers point ``offset_m[i]`` of
    ``edge[i]`` (within a micrometre): the route passes the place's access point."""
    for i in range(edge.shape[0]):
        out[i] = False
        for j in range(piece_edge.shape[0]):
            if piece_edge[j] == edge[i]:
                lo, hi = min(piece_a[j], piece_b[j]), max(piece_a[j], piece_b[j])
                if lo - 1e-6 <= offset_m[i] <= hi + 1e-6:
                    out[i] = True
                    break
    return out


@njit(cache=True, nogil=True)
def route_detours(edge_u, edge_v, edge_len, table, indptr, heads, costs, rindptr, rtails, rarcs,
                  tails, place_edge, place_offset, entry_node, entry_cost, exit_node, exit_cost,
                  in_ptr, in_list, in_bound, out_ptr, out_list, out_bound,
                  candidates, walk, max_cost, f_dist, f_pred, f_mark, f_touched, f_key, f_node,
                  b_dist, b_pred, b_mark, b_touched, b_key, b_node,
                  status, there, back, leave_at, counts):
    """Detours of a route given by its pieces, for places of a :class:`PlaceEnds`.

    ``table`` is the route's :func:`routing.pieces.pieces_table`; ``candidates``
    indexes the places' arrays (``place_edge`` … ``exit_cost``, and their listed
    nearest nodes ``in_*``/``out_*``: :class:`routing.reach.PlaceReach`). A candidate
    whose access point the route passes is :data:`ON_ROUTE`; the others are read from
    their lists (:func:`routing.reach.scan_reach`), and those the lists leave
    undecided searched one by one (:func:`routing.reach.search_open`), or, when more
    than :data:`routing.reach.MAX_PLACE_SEARCHES`, measured by :func:`measure_detours`. Returns the number of graph nodes
    the route passes (0: nothing measured), or -1 if an input is inconsistent.
    """
    m, places = candidates.shape[0], place_edge.shape[0]
    if walk.shape[0] != m or status.shape[0] < m or there.shape[0] < m or back.shape[0] < m \
            or leave_at.shape[0] < m or place_offset.shape[0] != places \
            or entry_node.shape[0] != places or entry_cost.shape[0] != places \
            or exit_node.shape[0] != places or exit_cost.shape[0] != places \
            or in_bound.shape[0] != places:
        return -1
    if m and (candidates.min() < 0 or candidates.max() >= places):
        return -1
    if edge_u.shape[0] < edge_len.shape[0] or edge_v.shape[0] < edge_len.shape[0] \
            or table.shape[1] != 3:
        return -1
    for i in range(table.shape[0]):
        if not 0 <= table[i, 0] < edge_len.shape[0]:
            return -1
    sources, at = nodes_passed(edge_u, edge_v, edge_len, table)
    if sources.shape[0] == 0:
        return 0
    on_route = np.zeros(m, np.bool_)
    passes_access(table[:, 0].astype(np.int64), table[:, 1], table[:, 2],
                  place_edge[candidates], place_offset[candidates], on_route)
    read = np.flatnonzero(~on_route)
    k = read.shape[0]
    state, r_there, r_back, r_leave = np.empty(k, np.int8), np.empty(k), np.empty(k), np.empty(k)
    if scan_reach(sources, at, candidates[read], walk[read], max_cost, in_ptr, in_list, in_bound,
                  out_ptr, out_list, out_bound, indptr.shape[0] - 1, state, r_there,
                  r_back, r_leave) < 0:
        return -1
    n_open = int(np.sum(state >= SEARCH))
    if 0 < n_open <= MAX_PLACE_SEARCHES and search_open(
            sources, at, candidates[read], walk[read], max_cost, entry_node, entry_cost,
            exit_node, exit_cost, indptr, heads, costs, rindptr, rtails, rarcs,
            f_pred[:indptr.shape[0] - 1], b_dist, b_pred, b_mark, b_touched, b_key, b_node,
            state, r_there, r_back, r_leave) < 0:
        return -1
    for j in range(m):
        status[j], there[j], back[j], leave_at[j] = ON_ROUTE, 0.0, 0.0, np.nan
    for i in range(k):
        j = read[i]
        status[j] = MEASURED if state[i] == FOUND else DROPPED
        there[j], back[j], leave_at[j] = r_there[i], r_back[i], r_leave[i]
    search = read[state >= SEARCH]
    k = search.shape[0]
    counts[0] = counts[1] = 0
    if k == 0:
        return sources.shape[0]
    sub_status, sub_there, sub_back = np.empty(k, np.int8), np.empty(k), np.empty(k)
    sub_leave = np.empty(k)
    chosen = candidates[search]
    code = measure_detours(indptr, heads, costs, rindptr, rtails, rarcs, tails, sources, at,
                           entry_node[chosen], entry_cost[chosen], exit_node[chosen],
                           exit_cost[chosen], walk[search], max_cost,
                           f_dist, f_pred, f_mark, f_touched, f_key, f_node,
                           b_dist, b_pred, b_mark, b_touched, b_key, b_node,
                           sub_status, sub_there, sub_back, sub_leave, counts)
    if code < 0:
        return -1
    for i in range(k):
        j = search[i]
        status[j], there[j], back[j], leave_at[j] = sub_status[i], sub_there[i], sub_back[i], \
            sub_leave[i]
    return sources.shape[0]


class PlaceEnds:
    """Every place's snapped ends on one network, as arrays (read-only once built).

    Parameters
    ----------
    network : ProfileNetwork
    ids : sequence of str
        Place ids, in the order of the arrays.
    endpoint : callable
        ``endpoint(place_id, network)`` snaps a place (raises :class:`RoutingError`
        when no way is near).

    Attributes
    ----------
    ok : ndarray of bool
        Whether the place snapped (``snapped``: the same as a list).
    edge, offset_m, snap_m : ndarray
        Where it snapped and how far its access point is from the way.
    entry_node, entry_cost, exit_node, exit_cost : ndarray, shape (places, 2)
        :meth:`ProfileNetwork.entries` / :meth:`~ProfileNetwork.exits` of the snap,
        padded with node -1.
    """

    def __init__(self, network, ids, endpoint):
        m = len(ids)
        self.ok = np.zeros(m, bool)
        self.edge = np.full(m, -1, np.int64)
        self.offset_m = np.zeros(m)
        self.snap_m = np.zeros(m)
        self.entry_node = np.full((m, 2), -1, np.int64)
        self.exit_node = np.full((m, 2), -1, np.int64)
        self.entry_cost = np.zeros((m, 2))
        self.exit_cost = np.zeros((m, 2))
        for i, place_id in enumerate(ids):
            try:
                ep = endpoint(place_id, network)
            except RoutingError:
                continue
            self.ok[i] = True
            self.edge[i], self.offset_m[i], self.snap_m[i] = ep.edge, ep.offset_m, ep.snap_m
            for (nodes, costs), node_out, cost_out in (
                    (network.entries(ep), self.entry_node, self.entry_cost),
                    (network.exits(ep), self.exit_node, self.exit_cost)):
                node_out[i, :len(nodes)] = nodes
                cost_out[i, :len(costs)] = costs
        for array in vars(self).values():
            array.setflags(write=False)
        #: ``ok`` and ``snap_m`` as lists, for the per-candidate Python that reads them
        self.snapped, self.snap_list = self.ok.tolist(), self.snap_m.tolist()
