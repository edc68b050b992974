"""``bassin-routes serve|user|token``: the service's commands."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from graphs.download import AREAS, download_osm
from graphs.store import load_graph, save_graph

from .config import load_config


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="run the web service (builds the graph first if needed)",
                       description="Run the development server. Without a compiled graph at "
                                   "--graph, one is built first: from --osm FILE, or downloaded "
                                   "(--area, default bassin-minier) when online.")
    p.add_argument("--graph", type=Path,
                   default=Path(os.environ.get("BASSIN_GRAPH_DIR", "build/bassin-minier")))
    p.add_argument("--osm", type=Path, help="local OSM file to build from")
    p.add_argument("--area", choices=sorted(AREAS), default="bassin-minier")
    p.add_argument("--heritage", type=Path, help="folder of the official Bassin minier layers")
    p.add_argument("--dem", type=Path, help="folder of SRTM tiles")
    p.add_argument("--rebuild", action="store_true", help="build the graph even if one exists")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.set_defaults(func=run_serve)

    p = sub.add_parser("bench-http", help="HTTP route + GeoJSON latency against the engine")
    p.add_argument("--graph", type=Path, required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--profile", default="hike")
    p.set_defaults(func=run_bench_http)

    add_geotrek_commands(sub)

    p = sub.add_parser("user", help="staff accounts")
    usub = p.add_subparsers(dest="user_command", required=True)
    c = usub.add_parser("create", help="create a staff user (or reset its password)")
    c.add_argument("username")
    c.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    c.add_argument("--display-name", help="the name public pages show as author "
                                          "(without it they show none, never the username)")
    c.set_defaults(func=run_user_create)

    p = sub.add_parser("token", help="API tokens for scripts")
    tsub = p.add_subparsers(dest="token_command", required=True)
    c = tsub.add_parser("create", help="create an API token for a staff user (printed once)")
    c.add_argument("username")
    c.add_argument("--name", default="api")
    c.add_argument("--expires-days", type=int, default=None,
                   help="days the token stays valid (default BASSIN_TOKEN_DAYS, 90; 0: never)")
    c.set_defaults(func=run_token_create)
    c = tsub.add_parser("list", help="list the API tokens (ids, owners, expiry; never values)")
    c.add_argument("--user", help="only this user's tokens")
    c.set_defaults(func=run_token_list)
    c = tsub.add_parser("revoke", help="revoke an API token at once")
    c.add_argument("token_id", type=int, help="the id shown by 'token list'")
    c.set_defaults(func=run_token_revoke)


def _database():
    from .db import Database                 # SQLAlchemy loads only for the commands using it

    return Database(load_config()["DATABASE_URL"])


def run_user_create(args) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    from .security import create_user

    try:
        create_user(_database(), args.username, password, args.display_name)
    except ValueError as exc:
        print(f"bassin-routes user create: error: {exc}", file=sys.stderr)
        return 2
    print(f"user {args.username} ready")
    return 0


def run_token_create(args) -> int:
    days = load_config()["TOKEN_DAYS"] if args.expires_days is None else args.expires_days
    if days < 0:
        print("bassin-routes token create: error: --expires-days must be >= 0", file=sys.stderr)
        return 2
    from .security import create_token

    try:
        print(create_token(_database(), args.username, args.name, days or None))
    except ValueError as exc:
        print(f"bassin-routes token create: error: {exc}", file=sys.stderr)
        return 2
    return 0


def run_token_list(args) -> int:
    from .security import list_tokens

    tokens = list_tokens(_database(), args.user)
    print(f"{'id':>4}  {'user':<16} {'name':<16} {'created':<26} expires")
    for t in tokens:
        state = " (expired)" if t["expired"] else ""
        print(f"{t['id']:>4}  {t['user']:<16} {t['name']:<16} {t['created'] or '':<26} "
              f"{t['expires'] or 'never'}{state}")
    return 0


def run_token_revoke(args) -> int:
    from .security import revoke_token

    if not revoke_token(_database(), args.token_id):
        print(f"bassin-routes token revoke: error: no token {args.token_id}", file=sys.stderr)
        return 2
    print(f"token {args.token_id} revoked")
    return 0


def run_bench_http(args) -> int:
    import json

    from .bench import run_http_bench

    print(json.dumps(run_http_bench(args.graph, args.requests, args.seed, args.profile), indent=1))
    return 0


def run_serve(args) -> int:
    graph_dir = args.graph
    if args.rebuild or not (graph_dir / "meta.json").is_file():
        source = args.osm
        if source is None:
            print(f"No graph in {graph_dir}: downloading OpenStreetMap data for {args.area} "
                  "(first start only; cached)…", file=sys.stderr)
            source = download_osm(area=args.area)
        print(f"Building the graph from {source}…", file=sys.stderr)
        from graphs.build import build_graph
        from graphs.settings import settings

        graph = build_graph(source, heritage_dir=args.heritage, dem_dir=args.dem,
                            settings=settings)
        save_graph(graph, graph_dir)
        print(f"Graph ready: {graph.meta['summary']['km']} km, "
              f"{len(graph.places)} places ({graph_dir})", file=sys.stderr)
    from .app import create_app

    # The routing service is built and warmed up here, before the server accepts anyone.
    app = create_app({"GRAPH_DIR": str(graph_dir)})
    print(f"Serving on http://{args.host}:{args.port}/ (staff: bassin-routes user create NAME)",
          file=sys.stderr)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def add_geotrek_commands(sub) -> None:
    p = sub.add_parser("geotrek", help="Geotrek API v2 (ESCAPADE 62) export and import")
    gsub = p.add_subparsers(dest="geotrek_command", required=True)
    e = gsub.add_parser("export", help="plan and print a Geotrek trek (or tour with --days)")
    e.add_argument("--graph", type=Path, required=True)
    e.add_argument("--profile", default="hike")
    e.add_argument("--points", required=True)
    e.add_argument("--name", default="")
    group = e.add_mutually_exclusive_group()
    group.add_argument("--days", type=int)
    group.add_argument("--max-km", type=float)
    e.add_argument("--language", choices=["fr", "en"], help="plain strings instead of {lang: text}")
    e.add_argument("--vocabulary", type=Path, help="the instance's reference lists (ids)")
    e.set_defaults(func=run_geotrek_export)
    i = gsub.add_parser("import", help="import Geotrek treks/tours (file or URL) as saved itineraries")
    i.add_argument("source", help="JSON file or http(s) URL of an API v2 trek, tour or list")
    i.add_argument("--graph", type=Path, help="match the geometry onto this graph")
    i.add_argument("--profile", default=None)
    i.add_argument("--publish", action="store_true")
    i.add_argument("--references", type=Path,
                   help="folder of the source's reference lists (trek_practice.json…); "
                        "default: beside the file; fetched from the instance for a URL")
    i.add_argument("--allow-private", action="store_true",
                   help="allow a URL on loopback, private or link-local addresses")
    i.set_defaults(func=run_geotrek_import)


def run_geotrek_export(args) -> int:
    import json

    from gpx import geotrek
    from routing import Router

    from .geotrek_words import tour_texts
    from .planning import plan

    params = {"profile": args.profile, "points": args.points, "days": args.days,
              "max_km": args.max_km}
    router = Router(load_graph(args.graph))
    itinerary = plan(router, "stages" if args.days or args.max_km else "route", params)
    itinerary.name = args.name or itinerary.name
    texts, stage_texts = tour_texts(itinerary)
    document = geotrek.export(itinerary, geotrek.load_vocabulary(args.vocabulary), args.language,
                              texts=texts, stage_texts=stage_texts)
    json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def run_geotrek_import(args) -> int:
    import json

    from routing import Router

    from .imports import import_geotrek, read_geotrek

    batch = read_geotrek(args.source, args.references, allow_private=args.allow_private)
    router = Router(load_graph(args.graph)) if args.graph else None
    saved, batch = import_geotrek(_database(), batch, router, match=router is not None,
                                  profile=args.profile, author="cli", publish=args.publish)
    json.dump([item.summary() for item in saved], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    for warning in batch.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for failure in batch.failures:
        print(f"bassin-routes geotrek import: error: {failure['error']}", file=sys.stderr)
    print(f"imported {len(saved)} itinerar{'y' if len(saved) == 1 else 'ies'}, "
          f"{len(batch.failures)} failed", file=sys.stderr)
    return 2 if batch.failures else 0
