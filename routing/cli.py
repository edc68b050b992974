"""``bassin-routes route|tour|loop|stages|places|bench``: the routing layer's commands.

Output files are written by ``writers`` (format -> function(itinerary, path)),
given by the top-level CLI, so that GPX and map writers of the layers to the
right plug in without this layer importing them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from graphs.store import load_graph

from .points import parse_points
from .profiles import PROFILES


def write_geojson(itinerary, path: Path) -> None:
    path.write_text(json.dumps(itinerary.to_geojson(), ensure_ascii=False), "utf-8")


def _common(p: argparse.ArgumentParser, writers: dict) -> None:
    p.add_argument("--graph", type=Path, required=True, help="compiled graph directory")
    p.add_argument("--profile", default="hike", help=f"one of {', '.join(PROFILES)}")
    p.add_argument("--route-preference", type=float, default=None,
                   help="preference for signed routes of the profile's kind (0-10)")
    p.add_argument("--avoid-areas", type=Path, metavar="FILE",
                   help="GeoJSON polygons the itinerary must not enter")
    p.add_argument("--closures", type=Path, metavar="FILE",
                   help="GeoJSON closures layer (dated polygons), as BASSIN_CLOSURES_FILE")
    p.add_argument("--date", type=_day, default=None, help="day of the closures (YYYY-MM-DD)")
    for fmt in writers:
        p.add_argument(f"--{fmt}", type=Path, metavar="FILE", help=f"write the {fmt} here")


def _day(text: str):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _restrictions(args) -> dict:
    """The avoided areas and active closures of a command as planner keywords."""
    from .avoid import read_restrictions     # shapely loads only to plan
    from .options import RouteOptions

    areas, closed = read_restrictions(args.avoid_areas, args.closures, args.profile, args.date)
    return {"options": RouteOptions(avoid_areas=areas), "closed_areas": closed}


def _route(router, args, points):
    from .restrict import plan_route

    r = _restrictions(args)
    return plan_route(router, points, args.profile, r["options"], r["closed_areas"],
                      args.route_preference)


def add_commands(sub, writers: dict | None = None) -> None:
    writers = dict({"geojson": write_geojson}, **(writers or {}))
    p = sub.add_parser("route", help="itinerary through points in order")
    _common(p, writers)
    p.add_argument("--points", required=True, help="'LAT,LON;LAT,LON[;…]' or place ids")
    p.set_defaults(func=lambda a: _plan(a, writers, lambda r: _route(r, a, a.points)))

    p = sub.add_parser("tour", help="best order through many stops (up to 25)")
    _common(p, writers)
    p.add_argument("--stops", required=True, help="'LAT,LON;…' or place ids; first = start")
    p.add_argument("--free-start", action="store_true", help="any stop may come first")
    p.add_argument("--fixed-end", action="store_true", help="the last stop is the end")
    p.add_argument("--closed", action="store_true", help="come back to the start")
    p.add_argument("--start-time", default=None, help="departure HH:MM (with --windows)")
    p.add_argument("--windows", default=None,
                   help="per stop arrival windows 'HH:MM-HH:MM;-17:00;;…' (aligned with --stops)")
    p.add_argument("--visit-min", default=None, help="minutes at each stop (one or ';'-list)")
    p.set_defaults(func=lambda a: _plan(a, writers, lambda r: r.tour(
        a.stops, a.profile, fixed_start=not a.free_start, fixed_end=a.fixed_end,
        closed=a.closed, route_preference=a.route_preference, start_time=a.start_time,
        windows=a.windows, visit_min=a.visit_min, **_restrictions(a))))

    p = sub.add_parser("loop", help="closed itinerary of a target length")
    _common(p, writers)
    p.add_argument("--start", required=True, help="'LAT,LON' or a place id")
    p.add_argument("--km", type=float, required=True, help="target length (±10 %%)")
    p.add_argument("--via", default="", help="places the loop must pass ('…;…')")
    p.add_argument("--favour", default=None, help="place kinds to pass, comma separated")
    p.add_argument("--candidates", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=lambda a: _plan(a, writers, lambda r: r.loop(
        parse_points(a.start)[0], a.km, a.profile,
        via=parse_points(a.via) if a.via else (),
        favour=a.favour.split(",") if a.favour else None, candidates=a.candidates,
        seed=a.seed, route_preference=a.route_preference, **_restrictions(a))))

    p = sub.add_parser("stages", help="multi-day itinerary, stage ends at lodging/stations")
    _common(p, writers)
    p.add_argument("--points", required=True, help="'LAT,LON;LAT,LON[;…]' or place ids")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--days", type=int)
    group.add_argument("--max-km", type=float)
    p.add_argument("--detour-m", type=float, default=2000.0)
    p.set_defaults(func=lambda a: _plan(a, writers, lambda r: r.stages(
        _route(r, a, a.points), days=a.days, max_km=a.max_km, detour_m=a.detour_m,
        route_preference=a.route_preference, **_restrictions(a))))

    p = sub.add_parser("places", help="search the places of a graph")
    p.add_argument("--graph", type=Path, required=True)
    p.add_argument("--kind", help="place kind (terril, major_site, lodging…)")
    p.add_argument("--q", default="", help="text in the name")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_places)

    p = sub.add_parser("bench", help="time the engine against networkx on random queries")
    p.add_argument("--graph", type=Path, required=True)
    p.add_argument("--profile", default="hike")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=_bench)


def _print(data) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _bench(args) -> int:
    from .bench import run_bench           # networkx loads only to compare with it

    return _print(run_bench(load_graph(args.graph), args.profile, args.queries, args.seed))


def _plan(args, writers: dict, plan) -> int:
    from .router import RoutingService      # the engine loads only to plan

    router = RoutingService(load_graph(args.graph), profiles=(args.profile,))
    result = plan(router)
    itineraries = result if isinstance(result, list) else [result]
    for fmt, write in writers.items():
        target = getattr(args, fmt, None)
        if target is not None:
            for i, itinerary in enumerate(itineraries):
                path = target if i == 0 else target.with_name(f"{target.stem}-{i + 1}{target.suffix}")
                write(itinerary, path)
    summaries = [it.summary() for it in itineraries]
    return _print(summaries if isinstance(result, list) else summaries[0])


def _places(args) -> int:
    from graphs.places import find_places

    graph = load_graph(args.graph)
    return _print(find_places(graph.places, args.q, [args.kind] if args.kind else (),
                              limit=args.limit))
