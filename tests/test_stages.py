"""Stages on real extracts: max_km holds with detours, ends say what they are, best split."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import routing
from routing.corridor import places_along
from routing.stage_split import (DETOUR_WEIGHT, NO_LODGING_COST, best_split, candidate_table,
                                 stage_lengths)

ANDORRA = [(42.5078, 1.5211), (42.5631, 1.6047), (42.4635, 1.4904)]


def _check_ends(multi, max_km=None):
    for stage in multi.stages:
        if max_km is not None:
            assert stage.distance_m <= max_km * 1000 + 1.0, stage.distance_m
    for end, stage in zip(multi.meta["stage_ends"], multi.stages):
        if end["place_id"]:
            assert end["kind"] in ("lodging", "station") and end["warning"] is None
            assert stage.waypoints[-1]["place_id"] == end["place_id"]
            assert end["detour_m"] == pytest.approx(end["there_m"] + end["back_m"], abs=0.2)
        else:
            assert end["warning"]["type"] == "no_lodging" and end["warning"]["within_m"] > 0
            assert any(w["type"] == "no_lodging" for w in stage.warnings)


@pytest.mark.parametrize("max_km", [12, 15, 20])
def test_andorra_max_km_holds_with_detours(router_for, max_km):
    router = router_for("andorra")
    it = router.route(ANDORRA, "hike")
    multi = router.stages(it, max_km=max_km)
    assert len(multi.stages) == int(np.ceil(it.distance_m / (max_km * 1000)))
    _check_ends(multi, max_km)
    # the route itself is covered once: stages = route + every lodging detour (less the
    # walk between the network and the door, counted in detour_m, not in the geometry)
    detours = sum(e["detour_m"] - 2 * e.get("access_m", 0.0) for e in multi.meta["stage_ends"])
    assert sum(s.distance_m for s in multi.stages) == pytest.approx(it.distance_m + detours,
                                                                    abs=5.0)


def test_liechtenstein_days_end_at_named_lodging(router_for):
    router = router_for("liechtenstein")
    it = router.route([(47.0664, 9.5030), (47.1410, 9.5209), (47.1015, 9.6098)], "hike")
    multi = router.stages(it, days=2, detour_m=3000)
    _check_ends(multi)
    ends = multi.meta["stage_ends"]
    assert ends[0]["place_id"] and ends[0]["name"]          # Balzers -> Vaduz -> Malbun
    lengths = [s.distance_m for s in multi.stages]
    assert max(lengths) / min(lengths) < 1.35
    by_km = router.stages(it, max_km=10, detour_m=3000)
    assert len(by_km.stages) == 3
    _check_ends(by_km, 10)


def test_impossible_max_km_is_a_typed_error(router_for, web_app):
    router = router_for("andorra")
    it = router.route(ANDORRA, "hike")
    with pytest.raises(routing.ImpossibleStagesError):
        router.stages(it, days=2, max_km=10)
    answer = web_app.test_client().get(
        "/api/v1/stages?profile=hike&points=50.4432,2.7885;site:louvre-lens;site:lewarde"
        "&days=2&max_km=5")
    assert answer.status_code == 422 and answer.get_json()["field"] == "max_km"


def test_split_is_the_optimum_of_its_objective(router_for):
    """Brute force over every pair of candidate ends of a 3-day Andorra split: the DP's
    choice has the least cost, and meets max_km."""
    router = router_for("andorra")
    it = router.route(ANDORRA, "hike")
    lodgings = places_along(router, it, 1000, kinds={"lodging", "station"}, max_detour_m=2000)
    x, there, back, plain, _ = candidate_table(it.distance_m, lodgings, 15000.0, 3)
    chosen = best_split(x, there, back, plain, 3, 15000.0)
    target = x[-1] / 3

    def cost(ends):
        total = 0.0
        for a, b in zip([0] + list(ends), list(ends) + [len(x) - 1]):
            length = back[a] + x[b] - x[a] + there[b]
            if x[b] <= x[a] or length > 15000.0 + 1e-6:
                return np.inf
            total += ((length - target) / target) ** 2 + DETOUR_WEIGHT * (back[a] + there[b]) \
                / target + NO_LODGING_COST * plain[b]
        return total

    brute = min(cost(pair) for pair in itertools.combinations(range(1, len(x) - 1), 2))
    assert cost(chosen) == pytest.approx(brute)
    assert max(stage_lengths(x, there, back, chosen)) <= 15000.0
