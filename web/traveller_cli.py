"""``bassin-routes directions|isochrone|matrix``: the traveller's commands.

They sit in ``web/`` because directions print words (:mod:`web.instructions`); each
command loads the compiled graph, applies the per-request options and prints JSON (or
writes GeoJSON / GPX files).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from graphs.store import load_graph
from routing import InvalidQueryError, Router, parse_points
from routing.alternatives import plan_alternatives
from routing.avoid import read_restrictions
from routing.isochrone import isochrone
from routing.maneuvers import build_maneuvers
from routing.matrix import table
from routing.options import RouteOptions
from routing.restrict import plan_route

from .file_words import gpx_text
from .i18n import language
from .instructions import LANGUAGES, gpx_points, steps
from .words import GraphNames


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--graph", type=Path, required=True, help="compiled graph directory")
    p.add_argument("--profile", default="hike")
    p.add_argument("--prefer-signed", type=float, help="preference for signed routes by "
                                                       "network level (0-5)")
    p.add_argument("--follow-route", help="ref or name of a signed route to follow (EV5)")
    p.add_argument("--avoid-unpaved", action="store_true")
    p.add_argument("--avoid-steps", action="store_true")
    p.add_argument("--max-sac", help="highest sac_scale (0-5, T1-T6)")
    p.add_argument("--max-mtb", type=float, help="highest mtb:scale")
    p.add_argument("--avoid-areas", type=Path, help="GeoJSON file of polygons to avoid")
    p.add_argument("--closures", type=Path, help="GeoJSON closures layer (dated polygons)")


def add_commands(sub) -> None:
    p = sub.add_parser("directions", help="route with turn-by-turn instructions")
    _options(p)
    p.add_argument("--points", required=True, help="'LAT,LON;LAT,LON' or place ids")
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                   help="language of the instructions (default: the command line's --lang)")
    p.add_argument("--alternatives", type=int, default=1, help="routes to plan (1-3)")
    p.add_argument("--gpx", type=Path, help="write the best route's GPX (rte of instructions)")
    p.set_defaults(func=run_directions)

    p = sub.add_parser("isochrone", help="areas reached within minutes or km (GeoJSON)")
    _options(p)
    p.add_argument("--point", required=True, help="'LAT,LON' or a place id")
    band = p.add_mutually_exclusive_group(required=True)
    band.add_argument("--minutes", help="comma-separated, e.g. 15,30,60")
    band.add_argument("--km", help="comma-separated, e.g. 5,10")
    p.add_argument("--geojson", type=Path, help="write here instead of standard output")
    p.set_defaults(func=run_isochrone)

    p = sub.add_parser("matrix", help="durations and distances between points (up to 100x100)")
    _options(p)
    p.add_argument("--sources", required=True)
    p.add_argument("--destinations", required=True)
    p.set_defaults(func=run_matrix)


def _context(args):
    params = {"prefer_signed": args.prefer_signed, "follow_route": args.follow_route,
              "avoid_unpaved": args.avoid_unpaved or None, "avoid_steps": args.avoid_steps or None,
              "max_sac": args.max_sac, "max_mtb": args.max_mtb}
    areas, closed = read_restrictions(args.avoid_areas, args.closures, args.profile)
    options = dataclasses.replace(RouteOptions.from_params(params), avoid_areas=areas)
    return Router(load_graph(args.graph)), options, closed


def _numbers(text: str, name: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InvalidQueryError(f"--{name}: numbers separated by commas") from None


def _print(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def run_directions(args) -> int:
    router, options, closed = _context(args)
    points = parse_points(args.points)
    routes = (plan_alternatives(router, points, args.profile, options, closed, args.alternatives)
              if args.alternatives > 1 else [plan_route(router, points, args.profile, options,
                                                        closed)])
    network = router.network(args.profile)
    out = []
    for it in routes:
        route_steps = steps(build_maneuvers(network, it), args.lang, GraphNames(router.graph))
        out.append({"distance_m": round(it.distance_m, 1), "duration_s": round(it.duration_s, 1),
                    "planner": it.meta.get("planner"), "stretch": it.meta.get("stretch", 1.0),
                    "overlap": it.meta.get("overlap", 0.0),
                    "instructions": [f"{s['instruction']} ({s['distance']:.0f} m)"
                                     for s in route_steps]})
        if args.gpx and it is routes[0]:
            with language(args.lang):
                args.gpx.write_text(gpx_text(it, instructions=gpx_points(route_steps)), "utf-8")
    _print(out)
    return 0


def run_isochrone(args) -> int:
    router, options, closed = _context(args)
    point = parse_points(args.point)
    result = isochrone(router, point[0], args.profile,
                       minutes=_numbers(args.minutes, "minutes") if args.minutes else None,
                       km=_numbers(args.km, "km") if args.km else None,
                       options=options, closed_areas=closed)
    if args.geojson:
        args.geojson.write_text(json.dumps(result, ensure_ascii=False), "utf-8")
        _print([f["properties"] for f in result["features"]])
    else:
        _print(result)
    return 0


def run_matrix(args) -> int:
    router, options, closed = _context(args)
    result = table(router, parse_points(args.sources), parse_points(args.destinations),
                   args.profile, options, closed)
    _print({k: result[k] for k in ("durations", "distances")})
    return 0
