"""Multi-day itineraries: stage ends moved to lodging or a railway station."""
from __future__ import annotations

import math

import numpy as np

from .corridor import places_along
from .errors import ImpossibleStagesError, InvalidQueryError, NoRouteLeftError, RoutingError
from .network import Path
from .restrict import is_restricted
from .stage_split import best_split, candidate_table

STAGE_END_KINDS = ("lodging", "station")


def _days(total_m: float, days: int | None, max_km: float | None) -> list[int]:
    """Numbers of days to try, fewest first."""
    if days is None and max_km is None:
        raise InvalidQueryError("give the number of days or the maximum km per day")
    if days is not None and not 1 <= int(days) <= 60:
        raise InvalidQueryError("days must be between 1 and 60")
    if max_km is not None and not max_km > 0:
        raise InvalidQueryError("max km per day must be positive")
    if days is not None:
        return [int(days)]
    low = max(1, math.ceil(total_m / (max_km * 1000)))
    if low > 60:
        raise ImpossibleStagesError(f"{total_m / 1000:.1f} km at most {max_km:g} km a day "
                                    f"needs more than 60 days")
    return list(range(low, min(60, low + 4) + 1))


def _measure(router, network, itinerary, place: dict) -> dict:
    """The lodging's detour measured on the profile's own paths (what the stage will ride)."""
    lat, lon = (float(np.interp(place["km"] * 1000, itinerary.cum_m, v))
                for v in (itinerary.lat, itinerary.lon))
    try:
        on_route = router.endpoint((lat, lon), network)
        lodging = router.endpoint(place["id"], network)
        there, back = network.path(on_route, lodging), network.path(lodging, on_route)
    except RoutingError:
        return dict(place, there_m=math.inf, back_m=math.inf, measured=True)
    walk = place.get("access_m", 0.0)
    length = [sum(abs(b - a) for _, a, b in p.pieces) for p in (there, back)]
    return dict(place, there_m=length[0] + walk, back_m=length[1] + walk,
                detour_m=round(length[0] + length[1] + 2 * walk, 1), measured=True)


def choose_ends(router, itinerary, days, max_km, detour_m, kinds, network=None) -> list[dict]:
    """Where each day ends: the best split (:mod:`routing.stage_split`) over lodgings and
    stations whose network there-and-back is within ``detour_m``, and plain points.

    Every stage, detours included, is at most ``max_km``; the chosen lodgings'
    detours are measured on the profile's own paths and the split re-optimised
    until every chosen end is measured. An end without lodging carries
    ``kind: None`` and a ``warning`` ``{"type": "no_lodging", "within_m": …}``.
    """
    network = network or router.network(itinerary.profile)
    total = itinerary.distance_m
    max_m = None if max_km is None else float(max_km) * 1000.0
    lodgings = places_along(router, itinerary, detour_m / 2, kinds=set(kinds),
                            max_detour_m=detour_m, max_measured=2000)
    lodgings = [p for p in lodgings if p.get("detour_by") == "network"]
    for n_days in _days(total, days, max_km):
        for _ in range(12):
            table = candidate_table(total, lodgings, max_m, n_days)
            chosen = best_split(*table[:4], n_days, None if max_m is None else max_m - 1.0)
            if chosen is None:
                break
            stale = [table[4][k] for k in chosen if table[4][k] and not table[4][k].get("measured")]
            if not stale:
                return _ends(table, chosen, lodgings, detour_m)
            for place in stale:
                lodgings[lodgings.index(place)] = _measure(router, network, itinerary, place)
            lodgings = [p for p in lodgings if p["there_m"] + p["back_m"] <= detour_m + 1e-6]
    raise ImpossibleStagesError(
        f"no split of {total / 1000:.1f} km into {days or 'any number of'} days of at most "
        f"{max_km:g} km" if max_km else f"no split into {days} days", "max_km")


def _ends(table, chosen, lodgings, detour_m) -> list[dict]:
    x, there, back, plain, items = table
    xs = np.array([p["km"] * 1000.0 for p in lodgings])
    ends = []
    for k in chosen:
        place = items[k]
        if place is None:
            nearest = float(np.min(np.abs(xs - x[k]))) if len(xs) else None
            ends.append({"km": round(float(x[k]) / 1000, 3), "place_id": None, "name": None,
                         "kind": None, "detour_m": 0.0, "there_m": 0.0, "back_m": 0.0,
                         "warning": {"type": "no_lodging", "within_m": round(detour_m / 2, 0),
                                     "nearest_along_m": None if nearest is None
                                     else round(nearest, 0)}})
        else:
            ends.append({"km": place["km"], "place_id": place["id"], "name": place["name"],
                         "kind": place["kind"], "category": place.get("category"),
                         "detour_m": round(float(place["there_m"] + place["back_m"]), 1),
                         "there_m": round(float(place["there_m"]), 1),
                         "back_m": round(float(place["back_m"]), 1),
                         "access_m": round(float(place.get("access_m", 0.0)), 1),
                         "warning": None})
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
                 detour_m: float = 2000.0, kinds=STAGE_END_KINDS, route_preference=None,
                 options=None, closed_areas=()):
    """Split an itinerary into stages, each an Itinerary of its own.

    Stage ends are chosen by :func:`choose_ends`: the best split over the
    lodgings and stations whose network there-and-back is within ``detour_m``
    (and plain points where none fits), every stage, detours included, at
    most ``max_km``. The stage then leaves the route to reach the lodging, and
    the next stage comes back from it. Returns the itinerary with ``stages``
    filled and ``meta["stage_ends"]``; a stage ending without lodging carries a
    ``no_lodging`` warning (with ``within_m``). With ``options`` (avoided areas
    included) and ``closed_areas`` the detours to lodging and back avoid them too (plan
    the itinerary itself with the same ones).

    Raises
    ------
    InvalidQueryError, ImpossibleStagesError (no split meets ``max_km``),
    NoRouteLeftError (a chosen lodging is cut off by the avoided areas).
    """
    if not itinerary.pieces:
        raise InvalidQueryError("this itinerary carries no graph pieces to cut into stages")
    network = router.restricted(itinerary.profile, route_preference, options, closed_areas)
    ends = choose_ends(router, itinerary, days, max_km, detour_m, kinds, network)
    flat, starts, leg_ends = _flatten(itinerary)
    cuts = [0.0] + [min(e["km"] * 1000, itinerary.distance_m) for e in ends] + [itinerary.distance_m]
    stages = []
    for i in range(len(cuts) - 1):
        lo, hi = cuts[i], cuts[i + 1]
        paths, waypoints = [], [_point_wp(itinerary, lo)]
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
        except NoRouteLeftError:
            raise
        except RoutingError as exc:
            raise RoutingError(f"stage {i + 1}: the lodging cannot be reached: {exc}") from None
        paths_kept = [(p, w) for p, w in zip(paths, waypoints[1:]) if p.pieces]
        if not paths_kept:
            continue
        stage = router.assemble(network, [p for p, _ in paths_kept],
                                [waypoints[0]] + [w for _, w in paths_kept], "stage")
        stage.name = ""                 # named in web/, in the reader's language
        end = ends[i] if i < len(ends) else None
        stage.meta.update({"stage": len(stages) + 1, "end": end})
        if end is not None and end["warning"]:
            km = round(stage.distance_m / 1000, 2)
            stage.warnings.append(dict(end["warning"], from_km=km, to_km=km, length_m=0.0))
        stages.append(stage)
    for stage in stages:
        stage.meta["stages"] = len(stages)
    itinerary.stages = stages
    itinerary.meta["stage_ends"] = ends
    if is_restricted(network):
        for stage in stages:
            stage.meta.update(network.meta())
    return itinerary
