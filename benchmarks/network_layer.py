"""The network layer endpoint (``/api/v1/network``) against a plain scan, per zoom.

Run from the repository root on a built graph::

    python benchmarks/network_layer.py --graph build/heidelberg --zoom 12 --zoom 15

For ``--views`` map views of 1280 x 800 px centred on random nodes (seeded) at each zoom,
the bbox the browser script asks for (the view and a quarter screen around it, snapped
to tiles) is answered three ways, each timed per request:

- ``cold``: the endpoint through the app (test client, gzip asked) with empty caches:
  grid lookup, simplification, serialisation, join, gzip;
- ``tiles``: the same requests again, tiles from their cache (answers not cached);
- ``warm``: the same requests once more, answers from their cache (ETag not sent);
- ``baseline``: a plain scan of every edge's box, each edge a GeoJSON feature made with
  ``json.dumps`` (no grid, no simplification, no joined properties, no cache), gzipped.

Reported per zoom: median ms of each and their ratios, median ways drawn, features,
payload bytes (raw and gzipped) of the endpoint and of the baseline.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphs  # noqa: E402
import routing  # noqa: E402
from web import create_app  # noqa: E402
from web.lru import BoundedLRU  # noqa: E402
from web.network_layer import CLASSES, NetworkLayer, tile_bounds, tile_range  # noqa: E402


def view_box(lat: float, lon: float, zoom: int) -> tuple:
    """The bbox network-layer.js asks for: 1.5 x a 1280 x 800 view, snapped to tiles."""
    n = 2 ** zoom
    half_lon = 1.5 * 1280 / 2 / 256 / n * 360
    half_lat = 1.5 * 800 / 2 / 256 / n * 360 * math.cos(math.radians(lat))
    x0, y0, x1, y1 = tile_range(lat - half_lat, lon - half_lon, lat + half_lat, lon + half_lon,
                                zoom)
    south, west, _, _ = tile_bounds(zoom, x0, y1)
    _, _, north, east = tile_bounds(zoom, x1, y0)
    return south + 1e-7, west + 1e-7, north - 1e-7, east - 1e-7


def baseline(graph, layer: NetworkLayer, box: tuple, zoom: int) -> bytes:
    """Every edge whose box meets ``box`` and due at ``zoom``, found by a scan, one feature
    each, full geometry, properties dumped per edge; gzipped."""
    south, west, north, east = box
    hit = np.flatnonzero((layer.south <= north) & (layer.north >= south)
                         & (layer.west <= east) & (layer.east >= west)
                         & (layer.min_zoom <= zoom))
    ptr = graph.edge_geom_ptr
    features = []
    for edge in hit.tolist():
        a, b = ptr[edge], ptr[edge + 1]
        coords = np.column_stack([graph.shape_lon[a:b], graph.shape_lat[a:b]]).tolist()
        props = {"class": CLASSES[layer.klass[edge]], "name": graph.name_of(edge)}
        features.append({"type": "Feature", "id": edge, "properties": props,
                         "geometry": {"type": "LineString", "coordinates": coords}})
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return gzip.compress(body, compresslevel=5)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, help="compiled graph directory")
    parser.add_argument("--zoom", type=int, action="append", help="zooms (default 12, 15)")
    parser.add_argument("--views", type=int, default=20, help="random views per zoom")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the figures there too")
    args = parser.parse_args(argv)
    graph = graphs.load_graph(args.graph)
    rng = np.random.default_rng(args.seed)
    main_nodes = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    centres = rng.choice(main_nodes, args.views, replace=False)
    report = {"graph": graph.meta.get("name"), "edges": graph.n_edges, "views": args.views,
              "zooms": {}}
    with tempfile.TemporaryDirectory() as folder:
        for zoom in args.zoom or [12, 15]:
            app = create_app({"DATABASE_URL": f"sqlite:///{folder}/b{zoom}.db",
                              "INSTANCE_DIR": folder, "TESTING": True, "LOG_FORMAT": "none"},
                             router=routing.RoutingService(graph, profiles=[]))
            client = app.test_client()
            layer = app.extensions["bassin_network"].layer(graph)       # built before timing
            boxes = [view_box(float(graph.node_lat[c]), float(graph.node_lon[c]), zoom)
                     for c in centres]
            urls = [f"/api/v1/network?bbox={','.join(f'{v:.6f}' for v in b)}&zoom={zoom}"
                    for b in boxes]
            timings: dict = {"cold": [], "tiles": [], "warm": [], "baseline": []}
            state = app.extensions["bassin_network"]
            state.answers = BoundedLRU(0, 0)             # cold and tiles: no answer kept
            sizes: dict = {"lines": [], "features": [], "raw": [], "gzip": [], "baseline_gzip": [],
                           "baseline_features": []}
            for run in ("cold", "tiles", "warm"):
                if run == "warm":
                    state.answers = BoundedLRU(4096, 256 * 2 ** 20)
                    for url in urls:
                        client.get(url, headers={"Accept-Encoding": "gzip"})
                for url in urls:
                    start = time.perf_counter()
                    response = client.get(url, headers={"Accept-Encoding": "gzip"})
                    timings[run].append(1000 * (time.perf_counter() - start))
                    if run == "cold":
                        body = gzip.decompress(response.data)
                        doc = json.loads(body)
                        sizes["lines"].append(doc["lines"])
                        sizes["features"].append(len(doc["features"]))
                        sizes["raw"].append(len(body))
                        sizes["gzip"].append(len(response.data))
            for box in boxes:
                start = time.perf_counter()
                data = baseline(graph, layer, box, zoom)
                timings["baseline"].append(1000 * (time.perf_counter() - start))
                sizes["baseline_gzip"].append(len(data))
                sizes["baseline_features"].append(len(json.loads(gzip.decompress(data))["features"]))
            med = {k: statistics.median(v) for k, v in timings.items()}
            report["zooms"][zoom] = {
                "ms_cold": round(med["cold"], 1), "ms_tiles_cached": round(med["tiles"], 1),
                "ms_warm": round(med["warm"], 1),
                "ms_baseline": round(med["baseline"], 1),
                "ms_cold_max": round(max(timings["cold"]), 1),
                "baseline_over_cold": round(med["baseline"] / med["cold"], 2),
                "baseline_over_tiles_cached": round(med["baseline"] / med["tiles"], 2),
                "baseline_over_warm": round(med["baseline"] / med["warm"], 2),
                **{f"median_{k}": int(statistics.median(v)) for k, v in sizes.items()},
                "max_lines": max(sizes["lines"])}
            app.extensions["bassin_db"].engine.dispose()
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
