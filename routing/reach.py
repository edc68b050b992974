"""Every place's nearest nodes by the network, precomputed: detours read, not searched.

A place's detour from a route (:mod:`routing.corridor`) is the shortest way from
any route node to the place plus the shortest way back. The distance from the
route to the place is the distance to the place from its *nearest route node*;
so, listing once per place the nodes in order of their network distance to it
(a Dijkstra from the place on the reversed arcs: its *reach in*) and from it
(forward: its *reach out*), a route finds a candidate's way there as the first
listed node it passes, and its way back likewise: a scan of a few dozen entries
instead of two searches grown around the whole route.

The lists are bounded (:data:`MAX_ENTRIES` nodes, :data:`MAX_METRES`): beyond
the last listed node every other is at least ``bound`` away, so a candidate
whose lists hold no route node is either provably over the detour bound or
searched (rare: a place across a river, a corridor far wider than the default):
one Dijkstra from the place to the first route node (:func:`search_open`), or,
for more than :data:`MAX_PLACE_SEARCHES` such candidates, the searches from the
whole route of :mod:`routing.detours`. The lists are built per network at
warm-up and kept in the graph's cache directory, memory-mapped read-only and
shared by every worker; a route touches the pages of its candidates only.

The values are the same shortest distances as those of the searches, summed
from the place's end (the searches sum from the route's end), so they may
differ in the last bits, never in a figure served (rounded to decimetres), and
on exact ties the node the way there leaves from may be another of equal
distance.
"""
from __future__ import annotations

import hashlib

import numpy as np
from numba import njit

from graphs.arrays import cached_arrays

from .engine import INF, heap_pop, relax_arcs, seed_sources
from .search import SETTLED, SearchBuffers

#: Nodes listed per place and direction: with the default 300 m corridor the nearest
#: route node of 99 % of Heidelberg's candidates is among the first 500 (the others are
#: searched). The lists are memory-mapped: a process keeps what routes read of them.
MAX_ENTRIES = 512
#: Nodes farther than this (metres) are not listed: the default corridor's detour bound.
MAX_METRES = 3000.0
#: Bump when the lists' construction or layout changes (cached lists are then rebuilt).
CACHE_VERSION = 4
#: A candidate's state after :func:`scan_reach`: decided either way, or left to search.
FOUND, OVER, SEARCH = 0, 1, 2
#: Added to :data:`SEARCH`: the way there / back is not in the lists.
OPEN_IN, OPEN_OUT = 1, 2
#: Candidates the lists leave open are searched one by one up to this many (each search
#: grows around one place); more, and both searches from the whole route serve them all.
MAX_PLACE_SEARCHES = 4
ARRAYS = tuple(f"{side}_{k}" for side in ("in", "out") for k in ("ptr", "list", "bound"))


@njit(cache=True, nogil=True)
def build_reach(indptr, heads, costs, arc_of, seed_node, seed_cost, ok, max_entries,
                max_cost, dist, pred, mark, touched, heap_key, heap_node,
                out_ptr, out_list, out_bound):
    """List, for each place, the nodes in the order a Dijkstra from its seeds settles them.

    Place ``p``'s search starts at ``seed_node[p, k]`` (-1: none) at ``seed_cost[p, k]``
    and settles at most ``max_entries`` nodes, none beyond ``max_cost``; arc ``a``
    costs ``costs[arc_of[a]]`` when ``arc_of`` is not empty (the reversed CSR), else
    ``costs[a]``. ``out_list`` gets a row (node, distance) per settled node (laid out
    for scans afterwards: :func:`list_blocks`; ``out_ptr``: CSR offsets; room for
    ``max_entries`` per place), ``out_bound[p]`` the least distance of a node not listed
    (INF if none is left). The buffers
    (:class:`routing.search.SearchBuffers`) come in and go back initial.

    Returns
    -------
    int
        Entries written, or -1 if an input is inconsistent (nothing written).
    """
    m, n = seed_node.shape[0], indptr.shape[0] - 1
    arcs = heads.shape[0]
    if seed_node.shape[1] != 2 or seed_cost.shape[0] != m or seed_cost.shape[1] != 2 \
            or ok.shape[0] != m or out_ptr.shape[0] != m + 1 or out_bound.shape[0] != m \
            or out_list.shape[0] < m * max_entries or out_list.shape[1] != 2:
        return -1
    if (m and (seed_node.min() < -1 or seed_node.max() >= n)) or max_entries < 1:
        return -1
    if (arc_of.shape[0] and (arc_of.shape[0] < arcs or costs.shape[0] < arcs)) \
            or (not arc_of.shape[0] and costs.shape[0] < arcs):
        return -1
    if dist.shape[0] < n or pred.shape[0] < n or mark.shape[0] < n or touched.shape[0] < n + 1 \
            or heap_key.shape[0] < arcs + 2 or heap_node.shape[0] < heap_key.shape[0]:
        return -1
    count = 0
    no_first = np.zeros(0, np.int64)
    for p in range(m):
        out_ptr[p] = count
        out_bound[p] = INF
        if ok[p]:
            listed, out_bound[p], _ = search_place(
                indptr, heads, costs, arc_of, seed_node[p], seed_cost[p], max_cost, max_entries,
                no_first, out_list, count, dist, pred, mark, touched, heap_key, heap_node)
            count += listed
    out_ptr[m] = count
    return count


@njit(cache=True, nogil=True)
def search_place(indptr, heads, costs, arc_of, seed_node, seed_cost, max_cost, max_entries,
                 first, rows, row0, dist, pred, mark, touched, heap_key, heap_node):
    """One place's Dijkstra from its (up to two) seeds, as :func:`build_reach` lists it.

    Settles at most ``max_entries`` nodes, none beyond ``max_cost``, writing each as a
    row (node, distance) of ``rows`` from ``row0`` on (``rows`` empty: none written),
    and stops at the first node the route passes (``first[node] >= 0``; ``first``
    empty: never). The buffers come in and go back initial; the caller checked sizes.

    Returns
    -------
    (listed, value, hit) : (int, float, int)
        Nodes settled; the distance of ``hit``, the route node found (else -1 and
        ``value`` the least distance not settled: INF if none is left).
    """
    seeds, seed_at = np.empty(2, np.int64), np.empty(2)
    k_seeds = 0
    for k in range(min(2, seed_node.shape[0])):
        if seed_node[k] >= 0:                       # -1 pads a place with one end
            seeds[k_seeds], seed_at[k_seeds] = seed_node[k], seed_cost[k]
            k_seeds += 1
    size, n_touched = seed_sources(seeds[:k_seeds], seed_at[:k_seeds], dist, pred, mark,
                                   touched, 0, heap_key, heap_node)
    listed, value, hit = 0, INF, -1
    record, stop = rows.shape[0] > 0, first.shape[0] > 0
    while size > 0:
        key, u, size = heap_pop(heap_key, heap_node, size)
        if mark[u] & SETTLED or key > dist[u]:
            continue
        if key > max_cost or listed == max_entries:
            value = key                              # the least distance not settled
            break
        mark[u] |= SETTLED
        if record:
            rows[row0 + listed, 0], rows[row0 + listed, 1] = u, key
        listed += 1
        if stop and first[u] >= 0:
            value, hit = key, u
            break
        size, n_touched = relax_arcs(u, key, indptr, heads, costs, arc_of, dist, pred, mark,
                                     touched, n_touched, heap_key, heap_node, size)
    for i in range(n_touched):
        v = touched[i]
        dist[v], pred[v], mark[v] = INF, -1, 0
    return listed, value, hit


@njit(cache=True, nogil=True)
def scan_reach(sources, at, candidates, walk, max_cost, in_ptr, in_list, in_bound,
               out_ptr, out_list, out_bound, n, state, there, back, leave_at):
    """Candidates' detours read from their listed nodes (see the module's docstring).

    Parameters
    ----------
    sources, at : ndarray
        The route's nodes (repeats allowed) and the metres at which it passes each.
    candidates : ndarray
        Places (rows of the lists) to measure; ``walk`` the metres each walks off the
        network there and back; ``max_cost`` the detour bound.
    in_*, out_* : ndarray
        The lists (:func:`build_reach`, in :func:`list_blocks`' layout) to the places
        and from them.
    n : int
        The graph's node count.

    Returns
    -------
    int
        0, or -1 if an input is inconsistent. Fills ``state`` (:data:`FOUND`: ``there``,
        ``back`` and ``leave_at`` read, the detour within ``max_cost``; :data:`OVER`: the
        detour, or its lower bound, is over ``max_cost``; from :data:`SEARCH` on: undecided,
        plus :data:`OPEN_IN` / :data:`OPEN_OUT` for the way whose list holds no route node:
        its ``there`` / ``back`` is then a lower bound).
    """
    m, places = candidates.shape[0], in_bound.shape[0]
    if walk.shape[0] != m or state.shape[0] < m or there.shape[0] < m or back.shape[0] < m \
            or leave_at.shape[0] < m or at.shape[0] < sources.shape[0]:
        return -1
    if in_ptr.shape[0] != places + 1 or out_ptr.shape[0] != places + 1 \
            or out_bound.shape[0] != places \
            or (places and (2 * in_ptr[places] > in_list.shape[0]
                            or 2 * out_ptr[places] > out_list.shape[0])):
        return -1
    if (m and (candidates.min() < 0 or candidates.max() >= places)) \
            or (sources.shape[0] and (sources.min() < 0 or sources.max() >= n)):
        return -1
    keys, passes = _route_table(sources)
    for j in range(m):
        p = candidates[j]
        value_t, pass_t = _nearest_listed(in_ptr, in_list, in_bound, p, keys, passes, n)
        value_b, pass_b = _nearest_listed(out_ptr, out_list, out_bound, p, keys, passes, n)
        there[j], back[j] = value_t, value_b
        leave_at[j] = at[pass_t] if pass_t >= 0 else np.nan
        if value_t + value_b + walk[j] > max_cost:     # over, or bounded below over
            state[j] = OVER
        elif pass_t >= 0 and pass_b >= 0:
            state[j] = FOUND
        else:           # which way is left open: SEARCH, + OPEN_IN and / or + OPEN_OUT
            state[j] = SEARCH + (OPEN_IN if pass_t < 0 else 0) + (OPEN_OUT if pass_b < 0 else 0)
    return 0


@njit(cache=True, nogil=True)
def search_open(sources, at, candidates, walk, max_cost, entry_node, entry_cost, exit_node,
                exit_cost, indptr, heads, costs, rindptr, rtails, rarcs, first, dist, pred, mark,
                touched, heap_key, heap_node, state, there, back, leave_at):
    """Decide the candidates :func:`scan_reach` left open, one place's search per open way.

    ``state``/``there``/``back``/``leave_at`` are :func:`scan_reach`'s for these
    ``candidates`` (rows of the places' ends) and are updated in place: each open way
    is the first route node a Dijkstra from the place settles (on the reversed arcs to
    the place, from its entries; on the arcs from it, from its exits), bounded by what
    the detour bound leaves. ``first`` is all -1 and left so; the buffers
    (:class:`routing.search.SearchBuffers` for the network) initial, and left so.

    Returns
    -------
    int
        0, or -1 if an input is inconsistent.
    """
    m, n = candidates.shape[0], indptr.shape[0] - 1
    arcs = heads.shape[0]
    if walk.shape[0] != m or state.shape[0] < m or there.shape[0] < m or back.shape[0] < m \
            or leave_at.shape[0] < m or at.shape[0] < sources.shape[0] or first.shape[0] < n:
        return -1
    places = entry_node.shape[0]
    if entry_cost.shape[0] != places or exit_node.shape[0] != places \
            or exit_cost.shape[0] != places or (m and (candidates.min() < 0
                                                   or candidates.max() >= places)):
        return -1
    if (places and (entry_node.max() >= n or exit_node.max() >= n)) \
            or (sources.shape[0] and (sources.min() < 0 or sources.max() >= n)):
        return -1
    if rindptr.shape[0] != n + 1 or rtails.shape[0] != arcs or rarcs.shape[0] != arcs \
            or costs.shape[0] < arcs or dist.shape[0] < n or pred.shape[0] < n \
            or mark.shape[0] < n or touched.shape[0] < n + 1 or heap_key.shape[0] < arcs + 2 \
            or heap_node.shape[0] < heap_key.shape[0]:
        return -1
    for i in range(sources.shape[0]):
        if first[sources[i]] < 0:
            first[sources[i]] = i
    no_rows, no_arcs = np.zeros((0, 2)), np.zeros(0, np.int64)
    for j in range(m):
        if state[j] < SEARCH:
            continue
        p, open_ways = candidates[j], state[j] - SEARCH
        if open_ways & OPEN_IN:
            _, value, hit = search_place(rindptr, rtails, costs, rarcs, entry_node[p],
                                         entry_cost[p], max_cost - walk[j] - back[j], n,
                                         first, no_rows, 0, dist, pred, mark, touched,
                                         heap_key, heap_node)
            there[j] = value
            if hit >= 0:
                leave_at[j] = at[first[hit]]
        if open_ways & OPEN_OUT and there[j] + back[j] + walk[j] <= max_cost:
            _, value, hit = search_place(indptr, heads, costs, no_arcs, exit_node[p],
                                         exit_cost[p], max_cost - walk[j] - there[j], n,
                                         first, no_rows, 0, dist, pred, mark, touched,
                                         heap_key, heap_node)
            back[j] = value
        # Found both ways within the bound, or one's search ran past what it left.
        state[j] = FOUND if there[j] + back[j] + walk[j] <= max_cost else OVER
    for i in range(sources.shape[0]):
        first[sources[i]] = -1
    return 0


#: Fibonacci hashing's multiplier (2^64 / golden ratio): spreads node ids over the slots.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)


@njit(cache=True, nogil=True)
def _slot(v, mask):
    return np.int64((np.uint64(v) * _SPREAD) >> np.uint64(40)) & mask


@njit(cache=True, nogil=True)
def _route_table(sources):
    """The route's nodes in an open-addressing table: ``keys`` (node, -1 where free) and
    ``passes`` (where the route first passes it, an index into ``sources``), at most a
    quarter full.

    Why not a table of every node: the scans look each listed node up (≈ 2,000 a route
    at the median), and one entry per node (250 kB for Heidelberg, 4 MB for the basin)
    is out of the core's caches when a served request starts, so most lookups missed
    them; a route's few hundred nodes take a few kB (issue 11)."""
    size = 16
    while size < 4 * sources.shape[0]:
        size *= 2
    keys, passes = np.full(size, -1, np.int64), np.zeros(size, np.int64)
    mask = size - 1
    for i in range(sources.shape[0]):
        v = sources[i]
        h = _slot(v, mask)
        while keys[h] >= 0 and keys[h] != v:
            h = (h + 1) & mask
        if keys[h] < 0:
            keys[h], passes[h] = v, i
    return keys, passes


@njit(cache=True, nogil=True)
def _nearest_listed(ptr, blocks, bound, p, keys, passes, n):
    """(distance, first pass) of the first listed node of place ``p`` the route passes
    (``keys``/``passes``: :func:`_route_table`; ``blocks``: :func:`list_blocks`); else
    (its lower bound, -1)."""
    mask = keys.shape[0] - 1
    first, stop = ptr[p], ptr[p + 1]
    if first < 0 or stop < first or 2 * stop > blocks.shape[0]:
        return bound[p], -1                       # not a block of these lists: none read
    base, k = 2 * first, stop - first
    # unsigned indices: numba tests a signed computed one for wrap-around at each access
    # (a scan reads a few dozen entries, ≈ 2,000 a route); these are never below zero
    for i in range(np.uint64(base), np.uint64(base + k)):
        v = int(blocks[i])
        if 0 <= v < n:
            h = np.uint64(_slot(v, mask))
            while keys[h] >= 0:
                if keys[h] == v:
                    return blocks[i + np.uint64(k)], passes[h]
                h = (h + _ONE) & np.uint64(mask)
    return bound[p], -1


def list_blocks(ptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The rows (node, metres) of CSR lists ``ptr`` laid out one block per place: its
    nodes, then their metres (place ``p``'s ``k`` entries at ``2 * ptr[p]``: nodes, and
    ``k`` further on: metres).

    Why: a scan reads nodes until one is the route's (a few dozen a list) and one
    distance; rows interleaved made it read both columns, twice the memory, and served
    every list starts out of the core's caches (issue 11). A block still holds a place
    in one page or two, as the rows did."""
    count = int(ptr[-1]) if len(ptr) else 0
    sizes = np.diff(ptr)
    owner = np.repeat(np.arange(len(sizes)), sizes)
    local = np.arange(count) - ptr[owner]
    blocks = np.empty(2 * count)
    blocks[2 * ptr[owner] + local] = rows[:count, 0]
    blocks[2 * ptr[owner] + sizes[owner] + local] = rows[:count, 1]
    return blocks


class PlaceReach:
    """The listed nodes to and from every place of a :class:`routing.detours.PlaceEnds` on
    one network (read-only; memory-mapped from the graph's cache when it has one).

    Attributes
    ----------
    in_ptr, in_list, in_bound, out_ptr, out_list, out_bound : ndarray
        :func:`build_reach`'s CSR lists, each place's a block of nodes then metres
        (:func:`list_blocks`), on the reversed arcs (to the place, from its entries) and on
        the arcs (from it, from its exits).
    """

    def __init__(self, network, ends, max_entries: int = MAX_ENTRIES,
                 max_metres: float = MAX_METRES):
        source = getattr(network.graph, "source_dir", None)
        digest = hashlib.sha1(f"{CACHE_VERSION}:{max_entries}:{max_metres!r}:{network.digest}"
                              .encode())
        for array in (ends.ok, ends.entry_node, ends.entry_cost, ends.exit_node, ends.exit_cost):
            digest.update(np.ascontiguousarray(array).tobytes())
        cache = source / "cache" / f"reach-{network.profile.name}-{digest.hexdigest()[:20]}" \
            if source else None
        arrays = cached_arrays(cache, lambda: _build(network, ends, max_entries, max_metres),
                               ARRAYS)
        for name in ARRAYS:
            setattr(self, name, arrays[name])


def _build(network, ends, max_entries: int, max_metres: float) -> dict:
    """Both directions' lists (arrays, trimmed and read-only)."""
    m, n = len(ends.ok), len(network.indptr) - 1
    buffers = SearchBuffers(n, len(network.heads))
    out = {}
    for side, csr, seed_node, seed_cost in (
            ("in", (network.rindptr, network.rtails, network.costs, network.rarcs),
             ends.entry_node, ends.entry_cost),
            ("out", (network.indptr, network.heads, network.costs, np.zeros(0, np.int64)),
             ends.exit_node, ends.exit_cost)):
        ptr, bound = np.zeros(m + 1, np.int64), np.empty(m)
        rows = np.empty((m * max_entries, 2))      # node ids are exact in a float64
        count = build_reach(*csr, seed_node, seed_cost, ends.ok, max_entries, max_metres,
                            buffers.dist, buffers.pred, buffers.mark, buffers.touched,
                            buffers.heap_key, buffers.heap_node, ptr, rows, bound)
        if count < 0:
            raise ValueError("inconsistent network or place ends")
        out.update({f"{side}_ptr": ptr, f"{side}_list": list_blocks(ptr, rows),
                    f"{side}_bound": bound})
    for array in out.values():
        array.setflags(write=False)
    return out
