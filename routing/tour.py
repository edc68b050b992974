"""Tours: the best order through many stops (fixed start and/or end, open or closed),
optionally with a start time, visit durations and time windows per stop."""
from __future__ import annotations

import time as _time

import numpy as np

from . import engine, tsp
from .errors import (InvalidQueryError, TimeWindowError, TooManyStopsError,
                     UnreachableStopsError)
from .points import parse_points
from .restrict import is_restricted

MAX_STOPS = 25
EXACT_UP_TO = tsp.EXACT_UP_TO
DAY_S = 86400.0


def stop_matrix(network, endpoints) -> np.ndarray:
    """Stop-to-stop costs (``engine.INF`` where no path): the network's customizable
    hierarchy (:func:`routing.cch.endpoint_costs`, a restricted network's closures
    customized in milliseconds), ten times faster than one Dijkstra per stop; the costs
    are the same but for the rounding of their sums (1e-15 relative)."""
    from .cch import endpoint_costs     # loaded with the first tour: routes never use it

    return endpoint_costs(network, endpoints)


def solve_order(matrix: np.ndarray, fixed_start: bool, fixed_end: bool, closed: bool,
                time_limit_s: float | None = None):
    """Order of stops minimising the total cost.

    Exact (Held-Karp) up to ``EXACT_UP_TO`` stops, OR-Tools' guided local
    search above (``time_limit_s``, by default :func:`tsp.solver_time_limit`).

    Returns
    -------
    (cost, order, exact)
        ``order`` lists stop indices; it is empty (cost ``inf``) when no
        order joins all stops.
    """
    n = len(matrix)
    cost = tsp.tour_matrix(matrix, fixed_start, fixed_end, closed)
    if n <= EXACT_UP_TO:
        total, order = tsp.held_karp(cost)
        exact = True
        if order[0] < 0:
            return float("inf"), [], True
    else:
        order = tsp.ortools_order(cost, time_limit_s or tsp.solver_time_limit(n))
        exact = False
        if order is None:
            return float("inf"), [], False
        total = tsp.cycle_cost(cost, order)
        if total >= engine.INF / 2:
            return float("inf"), [], False
    return float(total), [int(i) - 1 for i in order[1:]], exact


def solve_windows(times: np.ndarray, visit_s: np.ndarray, opens: np.ndarray, closes: np.ndarray,
                  start_s: float, fixed_start: bool, fixed_end: bool, closed: bool,
                  time_limit_s: float | None = None):
    """Order of stops meeting every time window, finishing as early as possible.

    ``times`` is the stop-to-stop travel time (s), ``visit_s`` the time spent
    at each stop, ``opens``/``closes`` each stop's arrival window (s since
    midnight; ``-inf``/``inf`` for none), ``start_s`` the departure time.

    Returns
    -------
    (finish_s, order, arrivals, exact)
        ``arrivals[i]`` is the arrival at ``order[i]``; ``order`` is empty when
        no order meets the windows (proven when ``exact``).
    """
    n = len(times)
    t = tsp.tour_matrix(times, fixed_start, fixed_end, closed)
    service = np.concatenate([[0.0], visit_s]).astype(np.float64)
    lo = np.concatenate([[-np.inf], opens]).astype(np.float64)
    hi = np.concatenate([[np.inf], closes]).astype(np.float64)
    if n <= EXACT_UP_TO:
        finish, order, arrival = tsp.held_karp_windows(t, service, lo, hi, float(start_s))
        if order[0] < 0:
            return float("inf"), [], [], True
        return float(finish), [int(i) - 1 for i in order[1:]], \
            [float(arrival[i]) for i in order[1:]], True
    order = tsp.ortools_order(t, time_limit_s or tsp.solver_time_limit(n),
                              windows=(t, service, np.nan_to_num(lo, neginf=0.0), hi,
                                       float(start_s)))
    if order is None:
        return float("inf"), [], [], False
    clock, arrivals = float(start_s), []
    for a, b in zip(order, list(order[1:]) + [0]):
        clock = max(clock + service[a] + t[a, b], lo[b]) if b else clock + service[a] + t[a, b]
        if b:
            if clock > hi[b] + 1e-6:
                return float("inf"), [], [], False
            arrivals.append(float(clock))
    return float(clock), [int(i) - 1 for i in order[1:]], arrivals, False


def blocking_stops(matrix: np.ndarray, fixed_start: bool, fixed_end: bool, closed: bool) -> list[int]:
    """Stops that make a tour impossible: not reachable from the start (or, with a free
    start, from the stop that reaches most), unable to reach a fixed end, or — for a
    closed tour — unable to come back to the start."""
    n = len(matrix)
    reach = (np.asarray(matrix) < engine.INF / 2) | np.eye(n, dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(n))) + 1)):     # transitive closure
        reach = (reach.astype(np.int32) @ reach.astype(np.int32)) > 0
    source = 0 if (fixed_start or closed) else int(np.argmax(reach.sum(axis=1)))
    bad = ~reach[source]
    if closed:
        bad |= ~reach[:, 0]
    elif fixed_end:
        bad |= ~reach[:, n - 1]
        if bad[n - 1] and not bad[:n - 1].any():
            bad[:] = False
            bad[n - 1] = True
    return [int(i) for i in np.flatnonzero(bad)]


def _path_duration(network, path) -> float:
    c, g = network.c, network.graph
    total = 0.0
    for edge, a, b in path.pieces:
        frac = abs(b - a) / g.edge_len[edge] if g.edge_len[edge] > 0 else 0.0
        total += float((c["time_fwd"] if b > a else c["time_bwd"])[edge]) * frac
    return total


def _clock(value, name: str) -> float:
    """``'HH:MM'`` or seconds since midnight -> seconds."""
    if value is None or value == "":
        return np.nan
    if isinstance(value, (int, float)):
        return float(value)
    try:
        hours, minutes = str(value).strip().split(":")
        seconds = int(hours) * 3600 + int(minutes) * 60
    except ValueError:
        raise InvalidQueryError(f"{name}: {value!r} is not a time HH:MM") from None
    if not (0 <= int(minutes) < 60 and 0 <= seconds <= 2 * DAY_S):
        raise InvalidQueryError(f"{name}: {value!r} is not a time of day")
    return float(seconds)


def parse_windows(windows, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-stop windows (``(open, close)`` pairs, ``'HH:MM-HH:MM'``, ``'-17:00'``,
    ``'10:00-'`` or None; a string ``';'``-separated) -> opens and closes (s)."""
    if isinstance(windows, str):
        windows = windows.split(";")
    windows = list(windows or [])
    if len(windows) > n:
        raise InvalidQueryError(f"windows: {len(windows)} given for {n} stops")
    opens, closes = np.full(n, -np.inf), np.full(n, np.inf)
    for i, window in enumerate(windows):
        if window is None or window == "":
            continue
        lo, hi = (window.split("-", 1) if isinstance(window, str) else window) \
            if not isinstance(window, str) or "-" in window else (None, window)
        lo, hi = _clock(lo, f"windows[{i}]"), _clock(hi, f"windows[{i}]")
        opens[i] = -np.inf if np.isnan(lo) else lo
        closes[i] = np.inf if np.isnan(hi) else hi
        if opens[i] > closes[i]:
            raise InvalidQueryError(f"windows[{i}]: opens after it closes")
    return opens, closes


def _visits(visit_min, n: int) -> np.ndarray:
    if visit_min is None:
        return np.zeros(n)
    values = visit_min.split(";") if isinstance(visit_min, str) else visit_min
    values = [values] if isinstance(values, (int, float)) else list(values)
    try:
        out = np.array([float(v or 0) for v in values], np.float64)
    except ValueError:
        raise InvalidQueryError(f"visit_min: {visit_min!r} is not a number of minutes") from None
    if len(out) == 1:
        out = np.full(n, out[0])
    if len(out) != n or not np.all(np.isfinite(out)) or np.any(out < 0) or np.any(out > 1440):
        raise InvalidQueryError(f"visit_min: give one duration (0-1440 min) or one per stop ({n})")
    return out * 60.0


def _label(router, endpoint) -> str:
    return router.waypoint(endpoint)["place_id"] or \
        f"{endpoint.query[0]:.5f},{endpoint.query[1]:.5f}"


def plan_tour(router, stops, profile: str = "hike", fixed_start: bool = True,
              fixed_end: bool = False, closed: bool = False,
              route_preference: float | None = None, start_time=None, windows=None,
              visit_min=None, options=None, closed_areas=()):
    """Itinerary through all ``stops`` in the best order.

    Parameters
    ----------
    stops : list or str
        Points (lat, lon) or place ids; the first is the start when
        ``fixed_start``, the last the end when ``fixed_end``.
    closed : bool
        Come back to the first stop.
    start_time : str or float, optional
        Departure ``'HH:MM'`` (or seconds). With ``windows`` the tour meets
        each stop's arrival window and finishes as early as possible.
    windows : list or str, optional
        Per stop ``'HH:MM-HH:MM'``, ``'-17:00'`` (arrive before), ``'10:00-'``.
    visit_min : float or list, optional
        Minutes spent at each stop (one value or one per stop).
    options : routing.options.RouteOptions, optional
        Per-request options, avoided areas included.
    closed_areas : sequence of polygons
        The configured closures active for this request.

    Raises
    ------
    TooManyStopsError, UnreachableStopsError (naming the stops),
    TimeWindowError (naming the stops), NoRouteLeftError (the avoided areas or closures
    cut stops off), and the errors of :meth:`Router.route`.
    """
    if isinstance(stops, str):
        stops = parse_points(stops)
    if len(stops) > MAX_STOPS:
        raise TooManyStopsError(f"{len(stops)} stops: a tour orders at most {MAX_STOPS}")
    network = router.restricted(profile, route_preference, options, closed_areas)
    endpoints = router.endpoints(stops, network)
    if len(endpoints) < 2:
        raise InvalidQueryError("a tour needs at least two stops")
    n = len(endpoints)
    timed = windows not in (None, "", []) or start_time not in (None, "")
    opens, closes = parse_windows(windows, n)
    visit_s = _visits(visit_min, n)
    start_s = _clock(start_time, "start_time")
    if timed and np.isnan(start_s):
        raise InvalidQueryError("start_time: time windows need a departure time HH:MM")
    started = _time.perf_counter()
    matrix = stop_matrix(network, endpoints)
    matrix_ms = (_time.perf_counter() - started) * 1000
    lonely = blocking_stops(matrix, fixed_start, fixed_end, closed)
    if lonely:
        names = [_label(router, endpoints[i]) for i in lonely]
        if is_restricted(network) and not blocking_stops(stop_matrix(network.base, endpoints),
                                                         fixed_start, fixed_end, closed):
            raise network.no_route_left(f"the avoided areas cut {', '.join(names)} off the "
                                        "other stops", stops=names)
        raise UnreachableStopsError(
            f"no {profile} tour joins all stops: {', '.join(names)} cannot be reached "
            f"from the others", names)
    arrivals = None
    solve_started = _time.perf_counter()
    if timed:
        paths = {(i, j): network.path(endpoints[i], endpoints[j])
                 for i in range(n) for j in range(n) if i != j and matrix[i, j] < engine.INF / 2}
        times = np.full((n, n), engine.INF)
        np.fill_diagonal(times, 0.0)
        for (i, j), path in paths.items():
            times[i, j] = _path_duration(network, path)
        anchored = fixed_start or closed
        earliest = [start_s if (i == 0 or not anchored) else start_s + visit_s[0] + times[0, i]
                    for i in range(n)]
        late = [i for i in range(n) if max(earliest[i], opens[i]) > closes[i]]
        finish, order, arrivals, exact = solve_windows(times, visit_s, opens, closes, start_s,
                                                        fixed_start, fixed_end, closed)
        if not order:
            named = [_label(router, endpoints[i]) for i in (late or
                                                            np.flatnonzero(np.isfinite(closes)))]
            proof = "no order" if exact else "no order was found that"
            raise TimeWindowError(f"{proof} reaches every stop within its time window: "
                                  f"{', '.join(named)}", named)
        total = sum(matrix[a, b] for a, b in zip(order, order[1:] + ([order[0]] if closed else [])))
    else:
        total, order, exact = solve_order(matrix, fixed_start, fixed_end, closed)
        if not order:               # reachable groups, yet no single order: name the ends
            raise UnreachableStopsError(f"no {profile} tour joins all stops in one order",
                                        [_label(router, e) for e in endpoints])
    solve_ms = (_time.perf_counter() - solve_started) * 1000
    ordered = [endpoints[i] for i in order]
    if closed:
        ordered.append(ordered[0])
    itinerary = router.itinerary(network, ordered, "tour")
    itinerary.meta.update({"order": order, "exact": exact, "matrix_ms": round(matrix_ms, 2),
                           "solve_ms": round(solve_ms, 2), "stops": n,
                           "solver": "held-karp" if exact else "or-tools",
                           "order_cost": round(float(total), 3)})
    if is_restricted(network):
        itinerary.meta.update(network.meta())
    if arrivals is not None:
        itinerary.meta["schedule"] = [
            {"stop": int(i), "place_id": endpoints[i].place_id, "arrive_s": round(a, 1),
             "leave_s": round(a + float(visit_s[i]), 1),
             "window": [None if not np.isfinite(opens[i]) else float(opens[i]),
                        None if not np.isfinite(closes[i]) else float(closes[i])]}
            for i, a in zip(order, arrivals)]
        itinerary.meta["start_s"] = float(start_s)
        itinerary.meta["finish_s"] = round(float(finish), 1)
    return itinerary

