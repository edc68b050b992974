"""Multi-day itineraries: stage ends moved to lodging or a railway station."""
from __future__ import annotations

import math

import numpy as np

from .errors import InvalidQueryError, RoutingError
from .network import Path

STAGE_END_KINDS = ("lodging", "station")


def _cut_points(total_m: float, days: int | None, max_km: float | None) -> list[float]:
    if days is None and max_km is None:
        raise InvalidQueryError("give the number of days or the maximum km per day")
    if days is not None and not 1 <= int(days) <= 60:
        raise InvalidQueryError("days must be between 1 and 60")
    if max_km is not None and not max_km > 0:
        raise InvalidQueryError("max km per day must be positive")
    n = int(days) if days is not None else max(1, math.ceil(total_m / (max_km * 1000)))
    return [total_m * k / n for k in range(1, n)]


def _network_detour(router, network, itinerary, place: dict) -> float:
    """Metres there and back from the route (at the place's km) to the place."""
    lat, lon = (float(np.interp(place["km"] * 1000, itinerary.cum_m, v))
                for v in (itinerary.lat, itinerary.lon))
    try:
        on_route = router.endpoint((lat, lon), network)
        lodging = router.endpoint(place["id"], network)
        there, back = network.path(on_route, lodging), network.path(lodging, on_route)
    except RoutingError:
        return math.inf
    return sum(abs(b - a) for path in (there, back) for _, a, b in path.pieces)


def choose_ends(router, itinerary, days, max_km, detour_m, kinds, network=None) -> list[dict]:
    """Where each day ends: a lodging/station near the ideal km whose real there-and-back
    detour on the network is within ``detour_m``, else the ideal km."""
    network = network or router.network(itinerary.profile)
    total = itinerary.distance_m
    ideal = _cut_points(total, days, max_km)
    window_km = total / (len(ideal) + 1) / 4000
    along = router.places.along(itinerary.lat, itinerary.lon, itinerary.cum_m,
                                corridor_m=detour_m / 2, kinds=set(kinds))
    along = [p for p in along if p["detour_m"] <= detour_m]
    ends, previous_km = [], 0.0
    for cut in ideal:
        cut_km = cut / 1000
        limit = previous_km + max_km if max_km else math.inf
        window = [p for p in along if abs(p["km"] - cut_km) <= window_km
                  and previous_km < p["km"] <= limit]
        choice = None
        for place in sorted(window, key=lambda p: (abs(p["km"] - cut_km), p["detour_m"]))[:8]:
            detour = _network_detour(router, network, itinerary, place)
            if detour <= detour_m:
                choice = place
                break
        if choice is not None:
            ends.append({"km": choice["km"], "place_id": choice["id"], "name": choice["name"],
                         "kind": choice["kind"], "detour_m": round(float(detour), 1)})
        else:
            ends.append({"km": round(float(cut_km), 2), "place_id": None, "name": None, "kind": None,
                         "detour_m": 0.0})
        previous_km = ends[-1]["km"]
    return ends


def _flatten(itinerary):
    """Pieces of all legs with the distance at which each starts, and leg boundaries."""
    flat, starts, leg_ends, total = [], [], [], 0.0
    for leg in itinerary.pieces:
        for edge, a, b in leg:
            flat.append((edge, a, b))
            starts.append(total)
            total += abs(b - a)
        leg_ends.append(total)
    return flat, np.array(starts), leg_ends


def _slice(flat, starts, lo: float, hi: float) -> list:
    """The pieces covering [lo, hi] metres of the itinerary, cut at both ends."""
    out = []
    for (edge, a, b), s in zip(flat, starts):
        length = abs(b - a)
        if s + length <= lo or s >= hi:
            continue
        sign = 1.0 if b >= a else -1.0
        na = a + sign * max(0.0, lo - s)
        nb = a + sign * min(length, hi - s)
        if abs(nb - na) > 1e-6:
            out.append((edge, na, nb))
    return out


def _point_wp(itinerary, m: float, name=None) -> dict:
    lat = float(np.interp(m, itinerary.cum_m, itinerary.lat))
    lon = float(np.interp(m, itinerary.cum_m, itinerary.lon))
    return {"lat": round(lat, 7), "lon": round(lon, 7), "query": [round(lat, 7), round(lon, 7)],
            "snap_m": 0.0, "place_id": None, "name": name, "kind": None}


def split_stages(router, itinerary, days: int | None = None, max_km: float | None = None,
                 detour_m: float = 2000.0, kinds=STAGE_END_KINDS, route_preference=None):
    """Split an itinerary into stages, each an Itinerary of its own.

    Stage ends are placed every ``total / days`` (or ``max_km``); an end moves
    to the lodging or station whose there-and-back detour is within
    ``detour_m`` and whose km is closest to the ideal end (within a quarter of
    a stage, never past ``max_km`` for the day). The stage then leaves the
    route to reach it, and the next stage comes back from it. Returns the
    itinerary with ``stages`` filled and ``meta["stage_ends"]``.
    """
    if not itinerary.pieces:
        raise InvalidQueryError("this itinerary carries no graph pieces to cut into stages")
    network = router.network(itinerary.profile, route_preference)
    ends = choose_ends(router, itinerary, days, max_km, detour_m, kinds, network)
    flat, starts, leg_ends = _flatten(itinerary)
    cuts = [0.0] + [min(e["km"] * 1000, itinerary.distance_m) for e in ends] + [itinerary.distance_m]
    stages = []
    for i in range(len(cuts) - 1):
        lo, hi = cuts[i], cuts[i + 1]
        paths, waypoints = [], [_point_wp(itinerary, lo, "départ" if i == 0 else None)]
        if i == 0:
            waypoints[0] = itinerary.waypoints[0]
        bounds = [lo] + [m for m in leg_ends[:-1] if lo < m < hi] + [hi]
        for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            paths.append(Path(0.0, _slice(flat, starts, a, b)))
            if k < len(bounds) - 2:
                leg = leg_ends.index(b)
                waypoints.append(itinerary.waypoints[leg + 1])
        waypoints.append(itinerary.waypoints[-1] if i == len(cuts) - 2 else _point_wp(itinerary, hi))
        try:
            if i > 0 and ends[i - 1]["place_id"]:       # come back from last night's lodging
                lodging = router.endpoint(ends[i - 1]["place_id"], network)
                back = network.path(lodging, router.endpoint(
                    (waypoints[0]["lat"], waypoints[0]["lon"]), network))
                paths.insert(0, back)
                waypoints.insert(0, router.waypoint(lodging))
            if i < len(ends) and ends[i]["place_id"]:   # go to tonight's lodging
                lodging = router.endpoint(ends[i]["place_id"], network)
                paths.append(network.path(router.endpoint(
                    (waypoints[-1]["lat"], waypoints[-1]["lon"]), network), lodging))
                waypoints.append(router.waypoint(lodging))
        except RoutingError as exc:
            raise RoutingError(f"stage {i + 1}: the lodging cannot be reached: {exc}") from None
        paths_kept = [(p, w) for p, w in zip(paths, waypoints[1:]) if p.pieces]
        if not paths_kept:
            continue
        stage = router.assemble(network, [p for p, _ in paths_kept],
                                [waypoints[0]] + [w for _, w in paths_kept], "stage")
        stage.name = f"{itinerary.name or 'Itinéraire'} — étape {len(stages) + 1}"
        stage.meta.update({"stage": len(stages) + 1, "end": ends[i] if i < len(ends) else None})
        stages.append(stage)
    for stage in stages:
        stage.name += f"/{len(stages)}"
    itinerary.stages = stages
    itinerary.meta["stage_ends"] = ends
    return itinerary
