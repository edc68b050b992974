"""Tours: the best order through many stops (fixed start and/or end, open or closed)."""
from __future__ import annotations

import time

import numpy as np
from numba import njit

from . import engine
from .errors import InvalidQueryError, TooManyStopsError, UnreachableError
from .points import parse_points

MAX_STOPS = 25
EXACT_UP_TO = 12


@njit(cache=True)
def held_karp(cost):
    """Exact cheapest Hamiltonian cycle from node 0 (asymmetric costs); returns the order."""
    m = cost.shape[0]
    full = 1 << (m - 1)
    dp = np.full((full, m - 1), engine.INF)
    parent = np.full((full, m - 1), -1, np.int64)
    for j in range(m - 1):
        dp[1 << j, j] = cost[0, j + 1]
    for mask in range(1, full):
        for j in range(m - 1):
            if not (mask >> j) & 1 or dp[mask, j] >= engine.INF:
                continue
            base = dp[mask, j]
            for k in range(m - 1):
                if (mask >> k) & 1:
                    continue
                nm = mask | (1 << k)
                c = base + cost[j + 1, k + 1]
                if c < dp[nm, k]:
                    dp[nm, k] = c
                    parent[nm, k] = j
    best, last = engine.INF, -1
    for j in range(m - 1):
        c = dp[full - 1, j] + cost[j + 1, 0]
        if c < best:
            best, last = c, j
    order = np.empty(m, np.int64)
    order[0] = 0
    mask = full - 1
    for i in range(m - 1, 0, -1):
        order[i] = last + 1
        prev = parent[mask, last]
        mask ^= 1 << last
        last = prev
    return best, order


@njit(cache=True)
def _tour_cost(cost, order):
    total = 0.0
    for i in range(order.shape[0]):
        total += cost[order[i], order[(i + 1) % order.shape[0]]]
    return total


@njit(cache=True)
def local_search(cost, order):
    """Or-opt (move runs of 1-3 stops) and 2-opt until no move improves the cycle."""
    m = order.shape[0]
    best = _tour_cost(cost, order)
    improved = True
    while improved:
        improved = False
        for seg in range(1, 4):
            for i in range(1, m - seg + 1):
                run = order[i:i + seg].copy()
                rest = np.concatenate((order[:i], order[i + seg:]))
                for k in range(1, rest.shape[0] + 1):
                    cand = np.concatenate((rest[:k], run, rest[k:]))
                    c = _tour_cost(cost, cand)
                    if c < best - 1e-9:
                        best, order, improved = c, cand, True
                        break
                if improved:
                    break
            if improved:
                break
        if improved:
            continue
        for i in range(1, m - 1):
            for k in range(i + 1, m):
                cand = order.copy()
                cand[i:k + 1] = order[i:k + 1][::-1]
                c = _tour_cost(cost, cand)
                if c < best - 1e-9:
                    best, order, improved = c, cand, True
                    break
            if improved:
                break
    return best, order


def _nearest_neighbour(cost) -> np.ndarray:
    m = len(cost)
    order, seen = [0], {0}
    while len(order) < m:
        row = cost[order[-1]].copy()
        row[list(seen)] = np.inf
        nxt = int(np.argmin(row))
        order.append(nxt)
        seen.add(nxt)
    return np.array(order, np.int64)


def solve_order(matrix: np.ndarray, fixed_start: bool, fixed_end: bool, closed: bool):
    """Order of stops minimising the total cost.

    A dummy node 0 encodes the constraints, so every case becomes one
    asymmetric travelling-salesman cycle: exact (Held-Karp) up to
    ``EXACT_UP_TO`` stops, nearest neighbour + local search above.

    Returns
    -------
    (cost, order, exact)
    """
    n = len(matrix)
    m = n + 1
    cost = np.full((m, m), engine.INF)
    cost[1:, 1:] = matrix
    np.fill_diagonal(cost, engine.INF)
    if closed:
        cost[0, 1] = 0.0                      # the cycle starts at the first stop …
        cost[1:, 0] = matrix[:, 0]            # … and comes back to it
    else:
        cost[0, 1:] = 0.0 if not fixed_start else engine.INF
        if fixed_start:
            cost[0, 1] = 0.0
        cost[1:, 0] = 0.0 if not fixed_end else engine.INF
        if fixed_end:
            cost[n, 0] = 0.0
    if n <= EXACT_UP_TO:
        total, order = held_karp(cost)
        exact = True
    else:
        total, order = local_search(cost, _nearest_neighbour(cost))
        exact = False
    stops = [int(i) - 1 for i in order[1:]]
    return float(total), stops, exact


def plan_tour(router, stops, profile: str = "hike", fixed_start: bool = True,
              fixed_end: bool = False, closed: bool = False,
              route_preference: float | None = None):
    """Itinerary through all ``stops`` in the best order.

    Parameters
    ----------
    stops : list or str
        Points (lat, lon) or place ids; the first is the start when
        ``fixed_start``, the last the end when ``fixed_end``.
    closed : bool
        Come back to the first stop.

    Raises
    ------
    TooManyStopsError, UnreachableError, and the errors of :meth:`Router.route`.
    """
    if isinstance(stops, str):
        stops = parse_points(stops)
    if len(stops) > MAX_STOPS:
        raise TooManyStopsError(f"{len(stops)} stops: a tour orders at most {MAX_STOPS}")
    network = router.network(profile, route_preference)
    endpoints = router.endpoints(stops, network)
    if len(endpoints) < 2:
        raise InvalidQueryError("a tour needs at least two stops")
    started = time.perf_counter()
    matrix = np.vstack([network.one_to_many(a, endpoints) for a in endpoints])
    np.fill_diagonal(matrix, 0.0)
    matrix_ms = (time.perf_counter() - started) * 1000
    total, order, exact = solve_order(matrix, fixed_start, fixed_end, closed)
    if total >= engine.INF / 2:
        lonely = [i for i in range(len(endpoints)) if np.all(np.delete(matrix[i], i) >= engine.INF / 2)]
        names = ", ".join(router.waypoint(endpoints[i])["place_id"] or str(endpoints[i].query)
                          for i in lonely) or "some stops"
        raise UnreachableError(f"no {profile} tour joins all stops: {names} cannot be reached")
    ordered = [endpoints[i] for i in order]
    if closed:
        ordered.append(ordered[0])
    itinerary = router.itinerary(network, ordered, "tour")
    itinerary.meta.update({"order": order, "exact": exact, "matrix_ms": round(matrix_ms, 2),
                           "stops": len(endpoints)})
    return itinerary
