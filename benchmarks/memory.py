"""Benchmark: memory of the routing service, one process and N gunicorn workers.

* One process builds the service of a compiled graph with the given profiles,
  warms it up, plans ``--requests`` routes per profile (enough for the pages of the
  mapped graph a long-running server reads to be resident: the steady state), and
  reports its RSS and PSS, with the resident MB by component after each stage
  (:func:`routing.resident.memory_breakdown`: anonymous = Python heap + numba's
  compiled code and typing tables, compiler = libllvmlite, libraries = other
  shared objects, graph = the graph's memory-mapped arrays).
* gunicorn (``gunicorn.conf.py``: preloaded app) runs with 1 worker, then with
  N; every worker is made to plan routes, then the PSS of the master and of
  each worker is summed. Memory-mapped graph pages and the frozen, pre-fork
  heap are shared, so N workers should cost little more than one.

    python benchmarks/memory.py --graph build/heidelberg --profiles hike,bike --workers 4

Prints one JSON object; a failed sub-measurement is reported, not fatal.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from web.bench import (child_pids as children, free_port, gunicorn_argv,  # noqa: E402
                       server_env, stop_server)

ONE_PROCESS = """
import json, sys, time
from routing.resident import memory_breakdown
stages = {"python": memory_breakdown(graph_dir=sys.argv[1])}
import numpy as np
stages["numpy"] = memory_breakdown(graph_dir=sys.argv[1])
from routing.resident import import_numba
import_numba()               # as the service imports it (routing.router, first thing)
stages["numba_import"] = memory_breakdown(graph_dir=sys.argv[1])
from graphs.store import load_graph
from routing import RoutingService
import routing.router
stages["our_modules"] = memory_breakdown(graph_dir=sys.argv[1])
graph = load_graph(sys.argv[1])
service = RoutingService(graph, profiles=sys.argv[2].split(","))
stages["service_built"] = memory_breakdown(graph_dir=sys.argv[1])
service.warm_up()
stages["warmed_up"] = memory_breakdown(graph_dir=sys.argv[1])
rng = np.random.default_rng(1)
main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
started, cpu = time.perf_counter(), time.process_time()
for profile in service.profiles:
    for _ in range(int(sys.argv[3])):
        a, b = rng.choice(main, 2)
        try:
            service.route([(graph.node_lat[a], graph.node_lon[a]),
                           (graph.node_lat[b], graph.node_lon[b])], profile)
        except Exception:
            pass
stages["after_routes"] = final = memory_breakdown(graph_dir=sys.argv[1])
print(json.dumps({"rss_mb": final["rss"], "pss_mb": final["pss"], "stages": stages,
                  "routes": int(sys.argv[3]) * len(service.profiles),
                  "routes_wall_s": round(time.perf_counter() - started, 2),
                  "routes_cpu_s": round(time.process_time() - cpu, 2)}))
"""


def pss_mb(pid: int) -> float:
    """Proportional set size of a process (MB), from /proc/<pid>/smaps_rollup."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"no Pss line for {pid}")


def gunicorn_pss(graph: Path, profiles: str, workers: int, requests: int) -> dict:
    """Start gunicorn, make every worker plan routes, sum the PSS of master and workers."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(gunicorn_argv(port, workers, threads=1), cwd=ROOT,
                                env=server_env(graph, profiles, tmp),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            started = time.perf_counter()
            first_ms = None
            while time.perf_counter() - started < 300:
                try:
                    t0 = time.perf_counter()
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read()
                    first_ms = (time.perf_counter() - t0) * 1000
                    break
                except OSError:
                    time.sleep(0.2)
            if first_ms is None:
                raise RuntimeError("gunicorn did not answer within 300 s")
            meta = json.loads(urllib.request.urlopen(
                f"http://127.0.0.1:{port}/health", timeout=5).read())["graph"]
            pts = _points(graph)
            # Many short connections: the kernel spreads them over the workers.
            for i in range(requests * workers):
                a, b = pts[i % len(pts)], pts[(i * 7 + 3) % len(pts)]
                url = (f"http://127.0.0.1:{port}/api/v1/route?profile="
                       f"{profiles.split(',')[i % len(profiles.split(','))]}"
                       f"&points={a[0]},{a[1]};{b[0]},{b[1]}")
                try:
                    urllib.request.urlopen(url, timeout=30).read()
                except OSError:
                    pass
            worker_pids = children(proc.pid)
            master = pss_mb(proc.pid)
            per_worker = [round(pss_mb(p), 1) for p in worker_pids]
            return {"workers": len(worker_pids), "graph": meta.get("name"),
                    "master_pss_mb": round(master, 1), "worker_pss_mb": per_worker,
                    "total_pss_mb": round(master + sum(per_worker), 1),
                    "first_health_ms": round(first_ms, 1)}
        finally:
            stop_server(proc)


def _points(graph: Path) -> list:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from graphs.store import load_graph

    g = load_graph(graph)
    rng = np.random.default_rng(3)
    main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
    return [(round(float(g.node_lat[n]), 6), round(float(g.node_lon[n]), 6))
            for n in rng.choice(main, 64)]


def measure(label: str, fn, out: dict) -> None:
    try:
        out[label] = fn()
    except Exception as exc:         # one failed measurement must not hide the others
        out[label] = {"error": f"{type(exc).__name__}: {exc}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--profiles", default="hike,bike")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40, help="routes per worker")
    parser.add_argument("--routes", type=int, default=500,
                        help="routes per profile in the one-process measurement")
    args = parser.parse_args(argv)
    graph = args.graph.resolve()
    out: dict = {"graph": str(graph), "profiles": args.profiles}

    def one_process():
        run = subprocess.run([sys.executable, "-c", ONE_PROCESS, str(graph), args.profiles,
                              str(args.routes)], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        return json.loads(run.stdout.strip().splitlines()[-1])

    measure("one_process", one_process, out)
    measure("gunicorn_1", lambda: gunicorn_pss(graph, args.profiles, 1, args.requests), out)
    measure(f"gunicorn_{args.workers}",
            lambda: gunicorn_pss(graph, args.profiles, args.workers, args.requests), out)
    one, many = out["gunicorn_1"], out[f"gunicorn_{args.workers}"]
    if "total_pss_mb" in one and "total_pss_mb" in many:
        out["pss_ratio"] = round(many["total_pss_mb"] / one["total_pss_mb"], 3)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
