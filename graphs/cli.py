"""``bassin-routes build``: the graph layer's command."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .dem_download import DEM_AREAS, download_dem
from .download import AREAS, download_osm
from .errors import DownloadError


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build a compiled graph from OSM (+ heritage, + DEM)",
                       description="Build a compiled routing graph. Without --osm, the area is "
                                   "downloaded from Overpass and cached (needs internet).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--osm", type=Path, help="local OSM file (.osm.pbf, .osm, .osm.gz, .osm.bz2)")
    src.add_argument("--area", choices=sorted(AREAS), help="named area to download (default "
                                                           "bassin-minier)")
    src.add_argument("--bbox", help="area to download: SOUTH,WEST,NORTH,EAST")
    src.add_argument("--place", help="place name to geocode and download")
    p.add_argument("--extract", action="store_true",
                   help="with --area: download the region's PBF extract (resumable, checked "
                        "by MD5) and clip it to the area's outline, instead of Overpass")
    p.add_argument("--heritage", type=Path, help="folder of the official Bassin minier layers")
    p.add_argument("--dem", help="folder of SRTM .hgt/.hgt.zip or GeoTIFF tiles, or 'download' "
                                 "to fetch (once, cached) the Copernicus GLO-30 tiles of --dem-area")
    p.add_argument("--dem-area", default="bassin-minier", choices=sorted(DEM_AREAS),
                   help="area whose DEM '--dem download' fetches")
    p.add_argument("--out", type=Path, required=True,
                   help="graph pointer: a symlink switched atomically to the new build, "
                        "written in OUT.builds/ (servers reload it on SIGHUP)")
    p.add_argument("--name", help="graph name stored in its metadata")
    p.set_defaults(func=run_build)


def run_build(args) -> int:
    from .build import build_graph      # the builder's dependencies load only to build
    from .extract import download_extract
    from .settings import settings
    from .versions import publish_graph

    if args.extract and (args.osm or args.bbox or args.place):
        raise DownloadError("--extract goes with --area (the extract of a named area)")
    dem = download_dem(args.dem_area, settings) if args.dem == "download" else args.dem
    if args.extract:
        osm = download_extract(args.area or "bassin-minier", settings=settings)
    else:
        osm = args.osm or download_osm(area=args.area, bbox=args.bbox, place=args.place)
    graph = build_graph(osm, heritage_dir=args.heritage, dem_dir=dem, name=args.name,
                        settings=settings)
    version = publish_graph(graph, args.out)
    summary = dict(graph.meta["summary"], out=str(args.out), version=str(version),
                   build_seconds=graph.meta["build_seconds"])
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
