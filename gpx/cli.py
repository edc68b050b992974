"""``bassin-routes gpx stats|match``: the GPX layer's commands."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .reader import read_gpx
from .stats import gpx_stats


def write_gpx(itinerary, path: Path) -> None:
    """Write the itinerary's GPX; a multi-day one also gets ``<stem>-stages.zip``."""
    from .writer import itinerary_to_gpx, stages_zip

    path.write_text(itinerary_to_gpx(itinerary), "utf-8")
    if itinerary.stages:
        path.with_name(f"{path.stem}-stages.zip").write_bytes(stages_zip(itinerary))


def add_commands(sub, writers: dict) -> None:
    gpx = sub.add_parser("gpx", help="GPX statistics and map matching")
    gsub = gpx.add_subparsers(dest="gpx_command", required=True, metavar="GPX_COMMAND")
    p = gsub.add_parser("stats", help="distance, climb, bounds, duration of a GPX file (JSON)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=lambda a: _print(gpx_stats(read_gpx(a.file))))
    p = gsub.add_parser("match", help="match a GPX track onto a graph as an itinerary")
    p.add_argument("file", type=Path)
    p.add_argument("--graph", type=Path, required=True)
    p.add_argument("--profile", default="hike")
    p.add_argument("--radius-m", type=float, default=50.0)
    for fmt in writers:
        p.add_argument(f"--{fmt}", type=Path, metavar="FILE", help=f"write the {fmt} here")
    p.set_defaults(func=lambda a: _match(a, writers))


def _print(data) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _match(args, writers) -> int:
    from graphs.store import load_graph
    from routing import RoutingService

    from .match import match_track        # the routing layer loads only to match

    service = RoutingService(load_graph(args.graph), profiles=(args.profile,))
    itinerary = match_track(service, read_gpx(args.file), args.profile,
                            radius_m=args.radius_m)
    for fmt, write in writers.items():
        if getattr(args, fmt, None) is not None:
            write(itinerary, getattr(args, fmt))
    return _print(itinerary.summary())
