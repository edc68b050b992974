"""Ordering solvers for tours: exact Held-Karp kernels and OR-Tools above their size.

Every tour is encoded as one asymmetric cycle through a dummy node 0 (see
:func:`tour_matrix`): fixed start/end and closed tours only change which arcs
out of and into node 0 are free. Forbidden or impossible arcs cost
``engine.INF``; the kernels never read past their arrays (they are tested
with ``NUMBA_BOUNDSCHECK=1``) and return an order of ``-1`` when no cycle
exists.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from . import engine

#: Held-Karp is exact and takes 2^n·n² steps: up to 15 stops it answers in
#: tens of milliseconds (see benchmarks/tours.py); above, OR-Tools.
EXACT_UP_TO = 15
#: Costs are rounded to this many units per second for OR-Tools (integers).
_SCALE = 100.0


def tour_matrix(matrix: np.ndarray, fixed_start: bool, fixed_end: bool, closed: bool):
    """The (n+1)×(n+1) cycle matrix with dummy node 0 for a stop-to-stop ``matrix``."""
    n = len(matrix)
    cost = np.full((n + 1, n + 1), engine.INF)
    cost[1:, 1:] = np.where(np.asarray(matrix) >= engine.INF / 2, engine.INF, matrix)
    np.fill_diagonal(cost, engine.INF)
    if closed:
        cost[0, 1] = 0.0                      # the cycle starts at the first stop …
        cost[1:, 0] = cost[1:, 1]             # … and comes back to it
        cost[1, 0] = engine.INF if n > 1 else 0.0
    else:
        cost[0, 1:] = engine.INF if fixed_start else 0.0
        cost[0, 1] = 0.0
        cost[1:, 0] = engine.INF if fixed_end else 0.0
        cost[n, 0] = 0.0
    return cost


@njit(cache=True)
def _close_and_backtrack(dp, parent, closing):
    """Best way back to node 0 and the cycle it closes: ``(value, order, masks)`` with
    ``masks[i]`` the visited set when ``order[i]`` is reached; order all -1 if none."""
    full, n = dp.shape
    m = n + 1
    order = np.full(m, -1, np.int64)
    masks = np.zeros(m, np.int64)
    best, last = engine.INF, -1
    for j in range(n):
        if dp[full - 1, j] >= engine.INF or closing[j] >= engine.INF:
            continue
        c = dp[full - 1, j] + closing[j]
        if c < best:
            best, last = c, j
    if last < 0:
        return engine.INF, order, masks
    order[0] = 0
    mask = full - 1
    for i in range(m - 1, 0, -1):
        order[i] = last + 1
        masks[i] = mask
        prev = parent[mask, last]
        mask ^= 1 << last
        last = prev
        if last < 0 and i > 1:            # a broken chain would be a bug: refuse, not crash
            order[:] = -1
            return engine.INF, order, masks
    return best, order, masks


@njit(cache=True)
def held_karp(cost):
    """Exact cheapest cycle from node 0 (asymmetric costs).

    Returns ``(cost, order)``; ``order`` starts with 0, and is all ``-1``
    (cost ``INF``) when no finite cycle exists.
    """
    m = cost.shape[0]
    order = np.full(m, -1, np.int64)
    if m < 2:
        order[:] = 0
        return 0.0, order
    full = 1 << (m - 1)
    dp = np.full((full, m - 1), engine.INF)
    parent = np.full((full, m - 1), -1, np.int64)
    for j in range(m - 1):
        if cost[0, j + 1] < engine.INF:
            dp[1 << j, j] = cost[0, j + 1]
    for mask in range(1, full):
        for j in range(m - 1):
            if not (mask >> j) & 1 or dp[mask, j] >= engine.INF:
                continue
            base = dp[mask, j]
            for k in range(m - 1):
                if (mask >> k) & 1 or cost[j + 1, k + 1] >= engine.INF:
                    continue
                nm = mask | (1 << k)
                c = base + cost[j + 1, k + 1]
                if c < dp[nm, k]:
                    dp[nm, k] = c
                    parent[nm, k] = j
    closing = np.empty(m - 1)
    for j in range(m - 1):
        closing[j] = cost[j + 1, 0]
    best, order, _ = _close_and_backtrack(dp, parent, closing)
    return best, order


@njit(cache=True)
def held_karp_windows(time, service, opens, closes, start):
    """Exact earliest finish of a cycle from node 0 meeting time windows.

    ``time`` is the travel time matrix (INF: no arc), ``service[i]`` the visit
    duration at node i, ``opens``/``closes`` the window of each node's
    arrival (waiting until ``opens`` is allowed), ``start`` the departure
    time from node 0. Earliest arrival dominates for each (visited set, last
    stop) state, so the DP is exact for feasibility and for the finish time.

    Returns ``(finish, order, arrival)``; ``order`` is all ``-1`` when no
    order meets the windows.
    """
    m = time.shape[0]
    order = np.full(m, -1, np.int64)
    arrival = np.full(m, engine.INF)
    if m < 2:
        return engine.INF, order, arrival
    full = 1 << (m - 1)
    dp = np.full((full, m - 1), engine.INF)         # earliest start of the visit
    parent = np.full((full, m - 1), -1, np.int64)
    for j in range(m - 1):
        if time[0, j + 1] < engine.INF:
            t = max(start + time[0, j + 1], opens[j + 1])
            if t <= closes[j + 1]:
                dp[1 << j, j] = t
    for mask in range(1, full):
        for j in range(m - 1):
            if not (mask >> j) & 1 or dp[mask, j] >= engine.INF:
                continue
            leave = dp[mask, j] + service[j + 1]
            for k in range(m - 1):
                if (mask >> k) & 1 or time[j + 1, k + 1] >= engine.INF:
                    continue
                t = max(leave + time[j + 1, k + 1], opens[k + 1])
                nm = mask | (1 << k)
                if t <= closes[k + 1] and t < dp[nm, k]:
                    dp[nm, k] = t
                    parent[nm, k] = j
    closing = np.empty(m - 1)
    for j in range(m - 1):
        closing[j] = service[j + 1] + time[j + 1, 0]
    best, order, masks = _close_and_backtrack(dp, parent, closing)
    if order[0] >= 0:
        for i in range(1, m):
            arrival[order[i]] = dp[masks[i], order[i] - 1]
    return best, order, arrival


def cycle_cost(cost: np.ndarray, order) -> float:
    """Cost of the cycle ``order`` (node 0 first) under ``cost``."""
    order = np.asarray(order)
    return float(cost[order, np.roll(order, -1)].sum())


def ortools_order(cost: np.ndarray, time_limit_s: float, windows=None, seed_order=None,
                  first: str = "PATH_CHEAPEST_ARC", metaheuristic: str = "GUIDED_LOCAL_SEARCH"):
    """Order of the cycle through node 0 by OR-Tools' routing solver.

    Guided local search from the cheapest-arc construction (or ``seed_order``)
    for ``time_limit_s``; ``first`` and ``metaheuristic`` name other OR-Tools
    strategies (the benchmark's multi-start runs use them). ``windows``: ``(time, service, opens, closes,
    start)`` as for :func:`held_karp_windows`, minimising the finish time.

    Returns the order (node 0 first) or ``None`` when no solution was found.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    m = len(cost)
    manager = pywrapcp.RoutingIndexManager(m, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    finite = cost < engine.INF / 2
    arc = np.where(finite, np.rint(np.where(finite, cost, 0) * _SCALE), 0).astype(np.int64)
    transit = routing.RegisterTransitMatrix(arc.tolist())
    for i in range(m):
        for j in range(m):
            if i != j and not finite[i, j]:       # back to node 0 is the route's end index
                target = routing.End(0) if j == 0 else manager.NodeToIndex(j)
                routing.NextVar(manager.NodeToIndex(i)).RemoveValue(target)
    if windows is None:
        routing.SetArcCostEvaluatorOfAllVehicles(transit)
    else:
        time, service, opens, closes, start = windows
        step = np.where(finite, np.rint((np.where(finite, time, 0) + service[:, None]) * _SCALE),
                        0).astype(np.int64)
        np.fill_diagonal(step, 0)
        timed = routing.RegisterTransitMatrix(step.tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(timed)
        horizon = int(np.rint((max(float(np.max(closes[np.isfinite(closes)], initial=start)), start)
                               + float(step[finite].max(initial=0)) / _SCALE * m) * _SCALE)) + 1
        routing.AddDimension(timed, horizon, horizon, False, "time")
        dim = routing.GetDimensionOrDie("time")
        dim.CumulVar(routing.Start(0)).SetValue(int(round(start * _SCALE)))
        for node in range(1, m):
            hi = closes[node] if np.isfinite(closes[node]) else horizon / _SCALE
            dim.CumulVar(manager.NodeToIndex(node)).SetRange(
                int(round(opens[node] * _SCALE)), int(round(hi * _SCALE)))
        dim.SetSpanCostCoefficientForAllVehicles(1)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic,
                                                metaheuristic)
    params.time_limit.FromMilliseconds(max(10, int(time_limit_s * 1000)))
    if seed_order is not None:
        routing.CloseModelWithParameters(params)
        initial = routing.ReadAssignmentFromRoutes([[int(i) for i in seed_order[1:]]], True)
        solution = routing.SolveFromAssignmentWithParameters(initial, params) if initial \
            else routing.SolveWithParameters(params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    order, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return np.array(order, np.int64)


def solver_time_limit(n_stops: int) -> float:
    """OR-Tools' search time for a tour of ``n_stops`` (bounded work per request)."""
    return min(2.0, 0.1 + 0.04 * n_stops)
