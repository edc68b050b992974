"""Benchmark against the peers on the same pairs, in one run: OSRM, Valhalla, RoutingKit.

* ours: ``RoutingService.route()`` in process (snap, CH, geometry, breakdowns,
  places), the same + GeoJSON text (orjson, as served), ``/api/v1/route`` over HTTP
  (loopback, keep-alive; werkzeug's server, gunicorn as ``gunicorn.conf.py`` deploys
  it, and granian, ``web.granian_server``), the floor of that (``bare``: route +
  GeoJSON in a bare WSGI app under granian, ``bare_route_server.py``)
  and the bare CH node-to-node query; then ``/api/v1/route`` under granian and
  ``osrm-routed`` both up, in alternating passes (``http_alternated.py``: no drift
  between the two medians);
* OSRM (osrm-bindings: ``osrm-extract -p foot.lua``, ``osrm-contract``): the
  in-process ``Route`` with ``overview=full, geometries=geojson``, and
  ``osrm-routed`` over HTTP with the same options;
* Valhalla (pyvalhalla: ``valhalla_build_tiles``): ``Actor.route``, pedestrian;
* RoutingKit CCH (routingkit-cch) on *our* arcs and weights (rounded to ms),
  node to node, against our CH on the same node pairs.

The peers need Python >= 3.12 (``--peer-python``: a venv with
``pip install osrm-bindings pyvalhalla routingkit-cch numpy``); they run in a
child process of that Python. Every sub-measurement that fails is reported
with its error and the others go on. Prints one JSON object with the ratios.

    python3.12 -m venv /tmp/peers      # any Python >= 3.12
    /tmp/peers/bin/pip install osrm-bindings pyvalhalla routingkit-cch numpy
    python benchmarks/peers.py --osm ../shared/data/osm/heidelberg.osm.pbf \\
        --graph build/heidelberg --peer-python /tmp/peers/bin/python --work /tmp/peers-work
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from http_alternated import alternated_http  # noqa: E402  (benchmarks/ is this script's path)
from route_scaling import node_pairs, query_pairs  # noqa: E402

PEER = (Path(__file__).resolve().parent / "peers_child.py")
#: Timed passes over the pairs of the CH queries, ours and RoutingKit's (after one untimed).
CH_PASSES = 3


def p50(values) -> float | None:
    return round(float(np.median(values)) * 1000, 4) if len(values) else None


def measure(out: dict, name: str, fn) -> None:
    try:
        out[name] = fn()
    except Exception as exc:      # one failed measurement must not hide the others
        out[name] = {"error": f"{type(exc).__name__}: {exc}"}


def bare_granian(port: int, workers: int, threads: int) -> list[str]:
    """The floor: route + GeoJSON in a bare WSGI app under granian (bare_route_server.py)."""
    return [sys.executable, str(Path(__file__).resolve().parent / "bare_route_server.py"),
            "--port", str(port), "--workers", str(workers), "--threads", str(threads)]


def ours(service, graph, pairs, profile: str, graph_dir: Path | None = None) -> dict:
    from web.bench import http_route_times, served_route_times

    coords = [((float(graph.node_lat[a]), float(graph.node_lon[a])),
               (float(graph.node_lat[b]), float(graph.node_lon[b]))) for a, b in pairs]
    network = service.network(profile)
    result: dict = {}

    def route_times(serialise: bool, clock):
        from routing import RoutingError

        times, failed = [], 0
        for a, b in coords[:5] + coords:
            t0 = clock()
            try:
                it = service.route([a, b], profile)
            except RoutingError:          # the peers fail such pairs too: counted, not timed
                failed += 1
                continue
            if serialise:         # as /api/v1/route writes it (web.api.geojson_response)
                orjson.dumps(it.to_geojson(arrays=True), default=float,
                             option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY)
            times.append(clock() - t0)
        result["route_failures"] = failed
        return times[5:]

    measure(result, "route_p50_ms", lambda: p50(route_times(False, time.perf_counter)))
    measure(result, "route_cpu_p50_ms", lambda: p50(route_times(False, time.thread_time)))
    measure(result, "route_geojson_p50_ms", lambda: p50(route_times(True, time.perf_counter)))
    measure(result, "http_route_geojson_p50_ms", lambda: p50(http_route_times(service, coords,
                                                                              profile)[0]))

    def production(server: str):   # gunicorn.conf.py (gthread), web.granian_server; keep-alive
        served = served_route_times(graph_dir, coords, profile,
                                    server=bare_granian if server == "bare" else server)
        result[f"http_{server}_worker_cpu_ms"] = round(served["cpu_s"] * 1000, 4)
        result[f"http_{server}_non_200"] = served["non_200"]
        return p50(served["times"])

    if graph_dir is not None:
        for server in ("gunicorn", "granian", "bare"):
            measure(result, f"http_{server}_route_geojson_p50_ms",
                    lambda server=server: production(server))

    def ch(query, clock, costs_key="ch_costs"):
        # one untimed pass first, as RoutingKit's side has just built (touched) its data:
        # both are then timed in steady state, over CH_PASSES passes
        result[costs_key] = [query(s, t) for s, t in pairs]
        times = []
        for _ in range(CH_PASSES):
            for s, t in pairs:
                t0 = clock()
                query(s, t)
                times.append(clock() - t0)
        return p50(times)

    def cost_only(s, t):
        return network.hierarchy.node_cost(s, t)[0]

    def with_path(s, t):
        return network.node_query(s, t)[0]

    measure(result, "ch_query_p50_ms", lambda: ch(cost_only, time.perf_counter))
    measure(result, "ch_query_cpu_p50_ms", lambda: ch(cost_only, time.thread_time))
    measure(result, "ch_path_query_p50_ms", lambda: ch(with_path, time.perf_counter))
    measure(result, "cch", lambda: customizable(network))
    if isinstance(result["cch"], dict):
        metric = result["cch"].pop("metric")

        def cch_cost(s, t):
            return metric.node_cost(s, t)[0]

        measure(result, "cch_query_p50_ms",
                lambda: ch(cch_cost, time.perf_counter, "cch_costs"))
        measure(result, "cch_query_cpu_p50_ms",
                lambda: ch(cch_cost, time.thread_time, "cch_costs"))
    return result


def customizable(network) -> dict:
    """Our CCH of the network (routing.cch): its order's figures, the time to build
    (or map from the graph's cache) its topology and to customize it, and the metric."""
    from routing.cch import CCHTopology

    t0 = time.perf_counter()
    topology = CCHTopology.of_network(network)
    t1 = time.perf_counter()
    metric = topology.customize(network.costs)        # the first: compiles or loads
    t2 = time.perf_counter()
    metric = topology.customize(network.costs)
    t3 = time.perf_counter()
    return {"topology_s": round(t1 - t0, 3), "first_customize_s": round(t2 - t1, 3),
            "customize_ms": round((t3 - t2) * 1000, 2), **topology.stats, "metric": metric}


def distance_mismatches(rk_distances, costs) -> int:
    """Pairs whose cost differs from RoutingKit's (its weights are ours in ms, rounded:
    a relative 1e-3 is allowed) or whose reachability does."""
    return int(sum((d is None) != (c > 1e29)
                   or (d is not None and abs(d / 1000 - c) > 1e-3 * max(c, 1.0))
                   for d, c in zip(rk_distances, costs)))


def order_stats(network, work: Path) -> dict | None:
    """Our measures (routing.cch_order.tree_stats) of the order RoutingKit used, which
    the peer saved: the two orders compared on the same chordal completion."""
    from routing.cch import CCHTopology

    path = work / "routingkit_order.npy"
    if not path.exists():
        return None
    order = np.load(path)                  # nodes from the first contracted on
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    topology = CCHTopology(network.graph.n_nodes, network.tails, network.heads, rank=rank)
    return {k: v for k, v in topology.stats.items() if not k.endswith("_s")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, required=True, help="the OSM extract the graph was built from")
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--peer-python", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="peers' data (kept for reruns)")
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    from graphs.store import load_graph
    from routing import RoutingService

    graph = load_graph(args.graph)
    service = RoutingService(graph, profiles=(args.profile,))
    pairs = node_pairs(graph, args.pairs, args.seed)
    out: dict = {"graph": graph.meta.get("name"), "profile": args.profile, "pairs": len(pairs)}
    measure(out, "ours", lambda: ours(service, graph, pairs, args.profile, args.graph))
    mine = out["ours"] if isinstance(out["ours"], dict) else {}
    ch_costs, cch_costs = mine.pop("ch_costs", None), mine.pop("cch_costs", None)
    network = service.network(args.profile)
    args.work.mkdir(parents=True, exist_ok=True)
    np.savez(args.work / "input.npz", tails=np.asarray(network.tails),
             heads=np.asarray(network.heads),
             weights=np.round(np.asarray(network.costs) * 1000).astype(np.int64),
             lat=np.asarray(graph.node_lat), lon=np.asarray(graph.node_lon),
             pairs=np.array(pairs, np.int64).reshape(-1, 2), ch_passes=CH_PASSES)
    task = {"osm": str(args.osm.resolve()), "work": str(args.work.resolve()),
            "input": str(args.work / "input.npz")}

    (args.work / "routingkit_order.npy").unlink(missing_ok=True)   # this run's, or none

    def peers():
        run = subprocess.run([str(args.peer_python), str(PEER), json.dumps(task)],
                             capture_output=True, text=True, timeout=3600)
        if run.returncode:
            raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr else "failed")
        return json.loads(run.stdout.strip().splitlines()[-1])

    measure(out, "peers", peers)
    peer = out["peers"] if isinstance(out["peers"], dict) else {}
    osrm_data = args.work / "osrm" / "data.osrm"
    if osrm_data.with_suffix(".osrm.hsgr").exists():     # built by the peers just now
        measure(out, "http_alternated", lambda: alternated_http(
            args.graph, query_pairs(graph, args.pairs, args.seed), args.profile,
            args.peer_python, osrm_data))
    rk_distances = peer.get("routingkit", {}).pop("cch_distances", None)
    if rk_distances is not None:
        for key, costs in (("cch_vs_ch_mismatches", ch_costs),
                           ("ours_cch_vs_routingkit_mismatches", cch_costs)):
            if costs is not None:
                out[key] = distance_mismatches(rk_distances, costs)
        measure(out, "routingkit_order_stats", lambda: order_stats(network, args.work))
    ratios = {}
    for label, a, b in (
            ("route_vs_osrm_inprocess", mine.get("route_p50_ms"),
             peer.get("osrm", {}).get("route_p50_ms")),
            ("route_cpu_vs_osrm_inprocess_cpu", mine.get("route_cpu_p50_ms"),
             peer.get("osrm", {}).get("route_cpu_p50_ms")),
            ("http_vs_osrm_routed", mine.get("http_route_geojson_p50_ms"),
             peer.get("osrm_http", {}).get("route_p50_ms")),
            ("http_gunicorn_vs_osrm_routed", mine.get("http_gunicorn_route_geojson_p50_ms"),
             peer.get("osrm_http", {}).get("route_p50_ms")),
            ("http_granian_vs_osrm_routed", mine.get("http_granian_route_geojson_p50_ms"),
             peer.get("osrm_http", {}).get("route_p50_ms")),
            ("http_bare_granian_vs_osrm_routed", mine.get("http_bare_route_geojson_p50_ms"),
             peer.get("osrm_http", {}).get("route_p50_ms")),
            ("route_vs_valhalla", mine.get("route_p50_ms"),
             peer.get("valhalla", {}).get("route_p50_ms")),
            ("ch_vs_routingkit_cch", mine.get("ch_query_p50_ms"),
             peer.get("routingkit", {}).get("query_p50_ms")),
            ("ch_cpu_vs_routingkit_cch_cpu", mine.get("ch_query_cpu_p50_ms"),
             peer.get("routingkit", {}).get("query_cpu_p50_ms")),
            ("ch_path_vs_routingkit_cch_path", mine.get("ch_path_query_p50_ms"),
             peer.get("routingkit", {}).get("query_path_p50_ms")),
            ("ours_cch_vs_routingkit_cch", mine.get("cch_query_p50_ms"),
             peer.get("routingkit", {}).get("query_p50_ms")),
            ("ours_cch_cpu_vs_routingkit_cch_cpu", mine.get("cch_query_cpu_p50_ms"),
             peer.get("routingkit", {}).get("query_cpu_p50_ms")),
            ("ours_cch_vs_ours_ch", mine.get("cch_query_p50_ms"), mine.get("ch_query_p50_ms"))):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a and b:
            ratios[label] = round(a / b, 3)     # a failed side is reported in place, not here
    alternated = out.get("http_alternated")
    if isinstance(alternated, dict) and "granian_vs_osrm_routed" in alternated:
        ratios["http_granian_vs_osrm_routed_alternated"] = alternated["granian_vs_osrm_routed"]
        ratios["http_granian_no_places_vs_osrm_routed_alternated"] = \
            alternated["granian_no_places_vs_osrm_routed"]
    out["ratios_ours_over_peer"] = ratios
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
