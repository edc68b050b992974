"""``bassin-routes nodes list|route`` and ``bassin-routes network connectivity|proposal``."""
from __future__ import annotations

import argparse

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from graphs.store import load_graph
from routing.errors import InvalidQueryError
from routing.points import parse_points

from . import node_exports
from .i18n import LANGUAGES


def add_commands(sub) -> None:
    p = sub.add_parser("nodes", help="node networks (points-nœuds): list, plan")
    nsub = p.add_subparsers(dest="nodes_command", required=True)
    c = nsub.add_parser("list", help="the node networks of a graph, or the junctions of one")
    c.add_argument("--graph", type=Path, required=True)
    c.add_argument("--network", help="list this network's junctions (rcn, lwn, …)")
    c.set_defaults(func=run_nodes_list)
    c = nsub.add_parser("route", help="plan on a node network",
                        description="From node numbers (--nodes 12,45,7) and/or from/to points; "
                                    "prints the strip of numbers.")
    c.add_argument("--graph", type=Path, required=True)
    c.add_argument("--network", required=True, help="rcn, lcn, rwn, lwn, …")
    c.add_argument("--nodes", default="", help="'12,45,7' (numbers, guidepost names, osm:ID)")
    c.add_argument("--from", dest="start", help="LAT,LON or a place id")
    c.add_argument("--to", dest="end", help="LAT,LON or a place id")
    c.add_argument("--profile", help="default: bike on cycling networks, hike on walking ones")
    c.add_argument("--lang", default=argparse.SUPPRESS, choices=LANGUAGES,
                   help="language of the words (default: the command line's --lang)")
    c.add_argument("--gpx", type=Path, metavar="FILE", help="write the GPX (a waypoint per node)")
    c.add_argument("--json", action="store_true", help="print JSON instead of the strip")
    c.set_defaults(func=run_nodes_route)

    p = sub.add_parser("network", help="the signed network of the basin: connectivity, proposal")
    nsub = p.add_subparsers(dest="network_command", required=True)
    c = nsub.add_parser("connectivity", help="cités, terrils, sites and parks to the nearest "
                                             "signed itinerary, and the missing links")
    c.add_argument("--graph", type=Path, required=True)
    c.add_argument("--csv", type=Path, metavar="FILE")
    c.add_argument("--geojson", type=Path, metavar="FILE")
    c.add_argument("--map", type=Path, metavar="FILE", help="an HTML map")
    c.add_argument("--lang", default=argparse.SUPPRESS, choices=LANGUAGES,
                   help="language of the words (default: the command line's --lang)")
    c.set_defaults(func=run_connectivity)
    c = nsub.add_parser("proposal", help="propose a numbered node network (rcn_ref)")
    c.add_argument("--graph", type=Path, required=True)
    c.add_argument("--osm", type=Path, metavar="FILE", help="OSM XML for contributors")
    c.add_argument("--geojson", type=Path, metavar="FILE")
    c.add_argument("--map", type=Path, metavar="FILE", help="an HTML map")
    c.add_argument("--spur-m", type=float, default=500.0, help="dead ends shorter get no node")
    c.add_argument("--merge-m", type=float, default=400.0, help="junctions closer become one node")
    c.add_argument("--max-link-m", type=float, default=8000.0, help="longer links get a middle node")
    c.set_defaults(func=run_proposal)


def _write(path: Path, text: str) -> None:
    """Write next to the target, then rename: an error leaves no half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _one(text: str | None):
    if not text:
        return None
    points = parse_points(text)
    if len(points) != 1:
        raise InvalidQueryError(f"{text!r}: expected one point")
    return points[0]


def _planner(args):
    """The node planner of ``--graph`` (the routing engine loads only for these commands)."""
    from routing import Router
    from routing.node_network import NodePlanner

    return NodePlanner(Router(load_graph(args.graph)))


def run_nodes_list(args) -> int:
    planner = _planner(args)
    if not args.network:
        print(json.dumps({"networks": planner.networks(),
                          "issues": planner.table.get("issues", [])}, ensure_ascii=False, indent=1))
        return 0
    for j in planner.junctions(args.network):
        print(f"{j['label']}\tosm:{j['osm_id']}\t{j['lat']:.6f},{j['lon']:.6f}")
    return 0


def run_nodes_route(args) -> int:
    planner = _planner(args)
    nodes = [t.strip() for t in args.nodes.replace(";", ",").split(",") if t.strip()]
    started = time.perf_counter()
    result = planner.plan(args.network, nodes, _one(args.start), _one(args.end), args.profile)
    elapsed_ms = (time.perf_counter() - started) * 1000
    summary = result.to_dict()
    if args.gpx:
        from .file_words import gpx_text

        result.itinerary.name = f"{args.network} " + " – ".join(summary["labels"])
        _write(args.gpx, gpx_text(result.itinerary))
    if args.json:
        print(json.dumps(summary | {"elapsed_ms": round(elapsed_ms, 1)}, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(node_exports.node_strip(summary, args.lang))
    return 0


def run_connectivity(args) -> int:
    from routing.connectivity import heritage_connectivity

    from .maps import folium_defaults

    graph = load_graph(args.graph)
    result = heritage_connectivity(graph)
    if args.csv:
        _write(args.csv, node_exports.connectivity_csv(result, args.lang))
    if args.geojson:
        _write(args.geojson, json.dumps(node_exports.connectivity_geojson(result, args.lang),
                                        ensure_ascii=False))
    if args.map:
        from .node_maps import connectivity_map

        _write(args.map, _standalone(connectivity_map(result, graph, words_of=node_exports.words(
            args.lang), **folium_defaults())))
    counts = result.counts()
    counts["top_connectors"] = [{k: c[k] for k in ("rank", "n_cites", "length_m", "cites_per_km",
                                                   "cites")} for c in result.connectors[:10]]
    print(json.dumps(counts, ensure_ascii=False, indent=1))
    return 0


def run_proposal(args) -> int:
    from routing.node_proposal import propose_node_network

    from .maps import folium_defaults

    graph = load_graph(args.graph)
    for name in ("spur_m", "merge_m", "max_link_m"):
        if not 0 < getattr(args, name) <= 100_000:
            raise InvalidQueryError(f"--{name.replace('_', '-')} must be between 0 and 100000 m")
    result = propose_node_network(graph, spur_m=args.spur_m, merge_m=args.merge_m,
                                  max_link_m=args.max_link_m)
    if args.osm:
        _write(args.osm, node_exports.proposal_osm_xml(graph, result, graph.meta.get("source", "")))
    if args.geojson:
        _write(args.geojson, json.dumps(node_exports.proposal_geojson(graph, result),
                                        ensure_ascii=False))
    if args.map:
        from .node_maps import proposal_map

        _write(args.map, _standalone(proposal_map(result, graph, **folium_defaults())))
    print(json.dumps(result.counts(), ensure_ascii=False, indent=1))
    return 0


def _standalone(fmap) -> str:
    """A map file that works opened from disk: Leaflet inlined, its own CSP."""
    from .maps import folium_defaults, standalone_html

    return standalone_html(fmap, folium_defaults()["tile_url"])
