"""One place that turns request parameters into itineraries (API, pages, saved ones)."""
from __future__ import annotations

import math

from routing import InvalidQueryError, parse_points
from routing.corridor import places_along

KINDS = ("route", "tour", "loop", "stages")


def _float(params, name, default=None, lo=None, hi=None):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise InvalidQueryError(f"parameter {name!r} must be a number, not {raw!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InvalidQueryError(f"parameter {name!r} must be between {lo} and {hi}")
    return value


def _bool(params, name) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def _points(params, name, required=True):
    raw = params.get(name)
    if isinstance(raw, list):          # JSON bodies may send [[lat, lon], "place-id", …]
        return [tuple(p) if isinstance(p, (list, tuple)) else p for p in raw]
    if raw in (None, ""):
        if required:
            raise InvalidQueryError(f"parameter {name!r} is required")
        return []
    return parse_points(str(raw))


def plan(router, kind: str, params) -> object:
    """Plan an itinerary of ``kind`` from ``params`` (query args or a JSON object).

    ``corridor_m`` (each side, 10–5000 m) re-measures the places along with
    that corridor width. Returns an Itinerary, or a list of them for ``loop``.
    """
    corridor = _float(params, "corridor_m", None, 10, 5000)
    result = _plan(router, kind, params)
    if corridor is not None:
        for itinerary in result if isinstance(result, list) else [result]:
            itinerary.places = places_along(router, itinerary, corridor)
            itinerary.meta["corridor_m"] = corridor
    return result


def _plan(router, kind: str, params) -> object:
    if kind not in KINDS:
        raise InvalidQueryError(f"unknown itinerary kind {kind!r}; one of {', '.join(KINDS)}")
    profile = str(params.get("profile") or "hike")
    pref = _float(params, "route_preference", None, 0, 10)
    if kind == "route":
        return router.route(_points(params, "points"), profile, pref)
    if kind == "tour":
        return router.tour(_points(params, "stops"), profile,
                           fixed_start=not _bool(params, "free_start"),
                           fixed_end=_bool(params, "fixed_end"), closed=_bool(params, "closed"),
                           route_preference=pref, start_time=params.get("start_time"),
                           windows=params.get("windows"), visit_min=params.get("visit_min"))
    if kind == "loop":
        start = _points(params, "start")
        if len(start) != 1:
            raise InvalidQueryError("a loop needs exactly one start point")
        favour = params.get("favour")
        if isinstance(favour, str):
            favour = [f for f in favour.split(",") if f]
        return router.loop(start[0], _float(params, "km", None, 0.5, 400) or _missing("km"),
                           profile, via=_points(params, "via", required=False), favour=favour,
                           candidates=int(_float(params, "candidates", 3, 1, 10)),
                           seed=int(_float(params, "seed", 0, 0, 2 ** 31)),
                           route_preference=pref)
    days = _float(params, "days", None, 1, 60)
    max_km = _float(params, "max_km", None, 1, 500)
    base = router.route(_points(params, "points"), profile, pref)
    return router.stages(base, days=None if days is None else int(days), max_km=max_km,
                         detour_m=_float(params, "detour_m", 2000.0, 0, 20000),
                         route_preference=pref)


def _missing(name):
    raise InvalidQueryError(f"parameter {name!r} is required")
