"""One place that turns request parameters into itineraries (API, pages, saved ones).

The parameters of each kind are declared once (:data:`PLAN_PARAMS`): the same
specs check every request, whatever its source, and write the OpenAPI document.
"""
from __future__ import annotations

from flask import current_app
from werkzeug.datastructures import MultiDict

from routing import PROFILES
from routing.budget import Budget
from routing.corridor import places_along
from routing.restrict import plan_route

from .closures import restrictions

from .metrics import planner_timer
from .params import InvalidParameterError, Param, parse_all

KINDS = ("route", "tour", "loop", "stages")
MAX_POINTS_TEXT = 4000          # 50 points of "LAT,LON" or place ids

PROFILE = Param("profile", enum=tuple(PROFILES), default="hike", max_length=20,
                description="Travel profile")
PREFERENCE = Param("route_preference", "number", "Preference for signed routes of the "
                   "profile's kind (0-10)", minimum=0, maximum=10)
POINTS = Param("points", "points", "Points 'LAT,LON;LAT,LON' or place ids, in order",
               required=True, max_length=MAX_POINTS_TEXT, max_items=50,
               example="50.4432,2.7885;site:louvre-lens")

PLAN_PARAMS = {
    "route": (PROFILE, POINTS, PREFERENCE),
    "tour": (PROFILE, Param("stops", "points", "Stops, first = start", required=True,
                            max_length=2000, max_items=25,
                            example="site:base-11-19;site:louvre-lens;site:lewarde"),
             PREFERENCE,
             Param("closed", "boolean", "Come back to the start", default=False),
             Param("fixed_end", "boolean", "Last stop is the end", default=False),
             Param("free_start", "boolean", "Any stop may come first", default=False),
             Param("start_time", "string", "Departure time HH:MM (needed with windows)",
                   max_length=5, example="09:00"),
             Param("windows", "string", "Arrival window per stop, ';'-separated like the stops: "
                   "'HH:MM-HH:MM', '-17:00' (before), '10:00-' (after) or empty",
                   max_length=25 * 12, example=";-17:00"),
             Param("visit_min", "string", "Minutes spent at each stop: one value, or one per "
                   "stop ';'-separated", max_length=25 * 5, example="60")),
    "loop": (PROFILE, Param("start", "points", "Start point or place id", required=True,
                            max_length=MAX_POINTS_TEXT, max_items=1, example="site:base-11-19"),
             Param("km", "number", "Target length, km (±10 %)", required=True, minimum=0.5,
                   maximum=400, example=12),
             Param("via", "points", "Places the loop must pass", max_length=1000, max_items=10),
             Param("favour", "list", "Place kinds to pass, comma separated", max_length=40,
                   max_items=10),
             Param("seed", "integer", "Same seed, same loops", default=0, minimum=0,
                   maximum=2 ** 31),
             Param("candidates", "integer", "How many ranked loops", default=3, minimum=1,
                   maximum=10),
             PREFERENCE),
    "stages": (PROFILE, POINTS,
               Param("days", "integer", "Number of days", minimum=1, maximum=60),
               Param("max_km", "number", "Maximum km per day", minimum=1, maximum=500),
               Param("detour_m", "number", "Detour budget to lodging, metres", default=2000.0,
                     minimum=0, maximum=20000),
               PREFERENCE),
}


#: Every kind: the width of the corridor of places along (their detours are network ones).
CORRIDOR = Param("corridor_m", "number", "Width (m, each side) of the corridor of places along "
                 "the route; their detours are measured on the network (0: no places)",
                 minimum=0, maximum=5000)
for _kind in PLAN_PARAMS:
    PLAN_PARAMS[_kind] = PLAN_PARAMS[_kind] + (CORRIDOR,)


def plan(router, kind: str, params, prefix: str = "", budget=None) -> object:
    """Plan an itinerary of ``kind`` from ``params`` (query args or a JSON object).

    With ``corridor_m`` the places along are those of a corridor of that width (0: none);
    a route's are measured once, in that corridor.

    Parameters
    ----------
    prefix : str
        Put before field names in errors (``"request."`` for a saved itinerary's body).
    budget : routing.budget.Budget, optional
        Bounds the work of loops (and whatever else takes one).

    Returns an Itinerary, or a list of them for ``loop``.

    Raises
    ------
    InvalidParameterError
        A parameter of the wrong type, length or range (``.name`` says which).
    """
    if kind not in KINDS:
        raise InvalidParameterError("kind", f"must be one of {', '.join(KINDS)}")
    if isinstance(params, MultiDict):
        # each parameter's first value, as MultiDict.get gives it: read a dozen times
        # below, and a MultiDict's miss raises and catches an HTTP exception each time
        params = params.to_dict()
    p = parse_all(PLAN_PARAMS[kind], params, prefix)
    corridor = p["corridor_m"]
    with planner_timer(kind, p["profile"] if p["profile"] in PROFILES else "other"):
        result = _plan_kind(router, kind, p, params, budget)
    if corridor is not None:
        for itinerary in result if isinstance(result, list) else [result]:
            if kind != "route":          # a route's were measured in that corridor, once
                itinerary.places = places_along(router, itinerary, corridor) \
                    if corridor > 0 else []
            itinerary.meta["corridor_m"] = corridor
    return result


def _plan_kind(router, kind: str, p: dict, params, budget) -> object:
    profile, pref = p["profile"], p["route_preference"]
    # Per-request options, avoided areas and the configured closures apply to every kind.
    options, closed = restrictions(params, profile)
    if kind == "route":
        return plan_route(router, p["points"], profile, options, closed, pref, p["corridor_m"])
    if kind == "tour":
        return router.tour(p["stops"], profile, fixed_start=not p["free_start"],
                           fixed_end=p["fixed_end"], closed=p["closed"], route_preference=pref,
                           start_time=p["start_time"], windows=p["windows"],
                           visit_min=p["visit_min"], options=options, closed_areas=closed)
    if kind == "loop":
        extra = {"budget": budget} if budget is not None else {}
        return router.loop(p["start"][0], p["km"], profile, via=p["via"] or (),
                           favour=p["favour"], candidates=p["candidates"], seed=p["seed"],
                           route_preference=pref, options=options, closed_areas=closed, **extra)
    base = plan_route(router, p["points"], profile, options, closed, pref)
    return router.stages(base, days=p["days"], max_km=p["max_km"], detour_m=p["detour_m"],
                         route_preference=pref, options=options, closed_areas=closed)


def request_budget() -> Budget:
    """The work budget of one HTTP request, from the app config (``BASSIN_BUDGET_*``)."""
    config = current_app.config
    return Budget(seconds=config["BUDGET_SECONDS"], work=config["BUDGET_WORK"])
