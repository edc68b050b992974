"""Tours: exact kernels (bounds-checked), OR-Tools above, unreachable stops, time windows."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from routing import TimeWindowError, UnreachableStopsError, tsp
from routing.bench import random_stops
from routing.tour import solve_order, stop_matrix

from .conftest import ROOT

MAJOR = ["site:cite-des-electriciens", "site:lewarde", "site:oignies-9-9bis",
         "site:base-11-19", "site:louvre-lens", "site:wallers-arenberg"]

KERNELS = textwrap.dedent("""
    import itertools, json, numpy as np
    from routing import tsp, engine
    INF = engine.INF
    rng = np.random.default_rng(3)
    out = {}
    def brute(cost):
        m = len(cost); best = INF
        for perm in itertools.permutations(range(1, m)):
            order = (0,) + perm
            c = sum(cost[order[i], order[(i + 1) % m]] for i in range(m))
            best = min(best, c)
        return best
    gaps = []
    for m in (2, 3, 5, 7, 8):
        cost = rng.uniform(1, 100, (m, m)); cost[rng.uniform(size=(m, m)) < 0.2] = INF
        np.fill_diagonal(cost, INF)
        got, order = tsp.held_karp(cost)
        ref = brute(cost)
        gaps.append([float(min(got, INF)), float(min(ref, INF)), int(order[0])])
    out["random"] = gaps
    # a stop nobody reaches: the crash of issue 10 (backtracking from last = -1)
    cost = np.full((6, 6), 10.0); np.fill_diagonal(cost, INF); cost[:, 4] = INF
    got, order = tsp.held_karp(cost)
    out["unreachable"] = [float(got), order.tolist()]
    out["single"] = tsp.held_karp(np.full((1, 1), INF))[1].tolist()
    # time windows: feasible, then a window nobody can meet
    t = np.full((5, 5), 600.0); np.fill_diagonal(t, INF); t[0, :] = 0.0; t[:, 0] = 0.0
    service = np.array([0, 300, 300, 300, 300.0])
    opens = np.full(5, -np.inf); closes = np.full(5, np.inf); closes[3] = 9 * 3600 + 1000
    fin, order, arr = tsp.held_karp_windows(t, service, opens, closes, 9 * 3600.0)
    out["windows"] = [float(fin), order.tolist(), [float(a) for a in arr]]
    closes[3] = 9 * 3600 - 1
    fin, order, arr = tsp.held_karp_windows(t, service, opens, closes, 9 * 3600.0)
    out["infeasible"] = [float(min(fin, INF)), order.tolist()]
    print(json.dumps(out))
""")


def test_kernels_under_boundscheck(tmp_path):
    """Held-Karp kernels run with NUMBA_BOUNDSCHECK=1 (fresh cache): no out-of-bounds read,
    optimum equal to brute force, all -1 orders instead of a crash when no cycle exists."""
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    done = subprocess.run([sys.executable, "-c", KERNELS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for got, ref, first in out["random"]:
        assert got == pytest.approx(ref)
        assert (first == 0) == (ref < 1e29)
    assert out["unreachable"][0] >= 1e29 and set(out["unreachable"][1]) == {-1}
    assert out["single"] == [0]
    finish, order, arrivals = out["windows"]
    assert order[0] == 0 and sorted(order) == [0, 1, 2, 3, 4]
    assert arrivals[3] <= 9 * 3600 + 1000
    assert finish == pytest.approx(9 * 3600 + 3 * 600 + 4 * 300)
    assert out["infeasible"][0] >= 1e29 and set(out["infeasible"][1]) == {-1}


def test_unreachable_stop_is_named(router_for, web_app):
    """terril:T141 sits on an island of the basin network for bikes: 422 naming it."""
    router = router_for("basin")
    stops = ["terril:T115", "terril:T116", "terril:T141", "terril:T087"]
    with pytest.raises(UnreachableStopsError) as err:
        router.tour(stops, "bike")
    assert err.value.stops == ["terril:T141"]
    client = web_app.test_client()
    answer = client.get("/api/v1/tour?profile=bike&stops=" + ";".join(stops))
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["field"] == "stops" and body["stops"] == ["terril:T141"]
    assert "terril:T141" in body["detail"]


def _case(router, n, seed):
    network = router.network("bike")
    rng = np.random.default_rng(seed)
    for _ in range(20):
        matrix = stop_matrix(network, router.endpoints(random_stops(router.graph, network, n,
                                                                     rng), network))
        if np.all(matrix < 1e29):
            return matrix
    raise AssertionError("no mutually reachable case drawn")


@pytest.mark.slow
def test_ortools_within_one_percent_of_optimum(router_for):
    """On real 15-stop Heidelberg matrices OR-Tools (as used above the exact size, with its
    request time limit) lands within 1 % of Held-Karp's optimum."""
    router = router_for("heidelberg")
    for seed, flags in ((1, (True, False, False)), (2, (True, False, True)),
                        (3, (True, True, False))):
        cost = tsp.tour_matrix(_case(router, 15, seed), *flags)
        optimum, _ = tsp.held_karp(cost)
        order = tsp.ortools_order(cost, tsp.solver_time_limit(15))
        assert tsp.cycle_cost(cost, order) <= optimum * 1.01


@pytest.mark.slow
def test_large_tours_within_one_percent_of_best_known(router_for):
    """25 stops on the basin and 20 on Heidelberg: the planner's order is within 1 % of the
    best of a longer multi-start run (3 strategies × 3 s)."""
    for name, n in (("basin", 25), ("heidelberg", 20)):
        matrix = _case(router_for(name), n, 11)
        total, order, exact = solve_order(matrix, True, False, False)
        assert not exact and sorted(order) == list(range(n))
        cost = tsp.tour_matrix(matrix, True, False, False)
        runs = [tsp.ortools_order(cost, 3.0, first=f, metaheuristic=m)
                for f, m in (("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH"),
                             ("SAVINGS", "SIMULATED_ANNEALING"),
                             ("PATH_CHEAPEST_ARC", "TABU_SEARCH"))]
        found = [tsp.cycle_cost(cost, order) for order in runs if order is not None]
        assert found, "no long run found a tour"
        assert total <= min(found + [total]) * 1.01


def test_time_windows_on_the_major_sites(router_for, web_app):
    """Reach Lewarde before 17:00 leaving the Cité des Électriciens at 09:00 by bike with an
    hour at each site: the schedule meets the window; before 10:00 it cannot: 422."""
    router = router_for("basin")
    windows = [None, "-17:00", None, None, None, None]
    tour = router.tour(MAJOR, "bike", start_time="09:00", windows=windows, visit_min=60)
    schedule = {s["place_id"]: s for s in tour.meta["schedule"]}
    assert schedule["site:lewarde"]["arrive_s"] <= 17 * 3600
    assert schedule["site:cite-des-electriciens"]["arrive_s"] == 9 * 3600
    arrivals = [s["arrive_s"] for s in tour.meta["schedule"]]
    assert arrivals == sorted(arrivals)
    # consecutive arrivals are at least the visit apart, and the legs' durations add up
    legs = [leg["duration_s"] for leg in tour.legs]
    for (a, b), leg in zip(zip(arrivals, arrivals[1:]), legs):
        assert b >= a + 3600 + leg - 1.0
    with pytest.raises(TimeWindowError) as err:
        router.tour(MAJOR, "bike", start_time="09:00", windows=[None, "-09:30"], visit_min=60)
    assert err.value.stops == ["site:lewarde"]
    client = web_app.test_client()
    answer = client.get("/api/v1/tour?profile=bike&stops=" + ";".join(MAJOR)
                        + "&start_time=09:00&visit_min=60&windows=;-09:30")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["field"] == "windows" and body["stops"] == ["site:lewarde"]
    bad = client.get("/api/v1/tour?profile=bike&stops=" + ";".join(MAJOR) + "&windows=;-9h")
    assert bad.status_code == 400 and "windows" in bad.get_json()["detail"]


def test_time_windows_above_the_exact_size(router_for):
    """OR-Tools with a time dimension: 20 stops, one must be reached within 1.5 h."""
    router = router_for("heidelberg")
    network = router.network("bike")
    stops = random_stops(router.graph, network, 20, np.random.default_rng(5), spread=0.1)
    tour = router.tour(stops, "bike", start_time="08:00",
                       windows=[None] * 9 + ["-09:30"], visit_min=5)
    assert not tour.meta["exact"]
    arrive = {s["stop"]: s["arrive_s"] for s in tour.meta["schedule"]}
    assert arrive[9] <= 9.5 * 3600
