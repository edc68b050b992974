"""Where a served ``/api/v1/route`` spends its time: each stage timed inside the granian
worker, with the route's places and without them.

Why: a route costs two to three times more served than in a loop (its code and data are
out of the core's caches when a request starts: benchmarks/README.md, issue 11), and not
evenly: a loop's profile says little about what a served request pays where. This
serves the app under granian as ``web.granian_server`` deploys it, with the stages below
wrapped by timers (wall and the thread's CPU time) in the worker, and one keep-alive
client sends passes over the pairs, each with places and again without
(``corridor_m=0``), alternating. The worker writes its timings to a file; the p50 of each
stage, with and without places, and their difference are printed.

    python benchmarks/served_stages.py --graph build/heidelberg --rounds 4

The timers cost about a microsecond a call: the stages' figures are a split of the
served time, not a replacement for the alternated runs of ``http_alternated.py``.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: The stages timed: label, and where the callers look the function up (module, then the
#: attribute path). Nested stages overlap: ``places_along`` holds ``candidates`` and
#: ``network_detours``, which holds ``records``.
STAGES = (
    ("whole", "web.fast_route", "FastRoute.__call__"),
    ("plan", "web.fast_route", "plan"),
    ("endpoints", "routing.router", "RoutingService.endpoints"),
    ("path", "routing.network", "ProfileNetwork.path"),
    ("assemble", "routing.router", "assemble_with_table"),
    ("places_along", "routing.router", "places_along"),
    ("candidates", "routing.corridor", "PlaceLayer.candidates"),
    ("network_detours", "routing.corridor", "network_detours"),
    ("records", "routing.corridor", "PlaceLayer.records"),
    ("localised", "web.api", "localised"),
    ("places_worded", "web.api", "localised_places"),
    ("to_geojson", "routing.itinerary", "Itinerary.to_geojson"),
    ("warning_words", "web.api", "add_warning_words"),
    ("orjson", "web.fast_route", "geojson_bytes"),
    ("line_text", "web.api", "line_fragment"),
    ("access_line", "web.fast_route", "log_access"),
)
#: The worker writes its timings every this many requests (and the client waits for it).
WRITE_EVERY = 50
#: The query parameter that asks for no places.
NO_PLACES = "corridor_m=0"


def _timed(fn, label: str, times: dict, kind: list):
    """``fn`` with each call's wall and thread CPU seconds appended to
    ``times[label + kind[0]]``."""
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            times.setdefault(label + kind[0], []).append(
                (time.perf_counter() - wall, time.thread_time() - cpu))
    return timed


def install_timers(out: Path) -> None:
    """Wrap :data:`STAGES` where their callers find them; the whole request also sets
    whether it asks for places (its timings are kept apart) and writes them to ``out``."""
    times: dict = {}
    kind = [""]
    count, owner_pid = [0], [None]
    for label, module_name, path in STAGES:
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, name, _timed(getattr(owner, name), label, times, kind))
    fast_route = importlib.import_module("web.fast_route")
    timed_call = fast_route.FastRoute.__call__

    def call(self, environ, start_response):
        if owner_pid[0] != os.getpid():   # a forked worker: not the master's warm-up calls
            owner_pid[0] = os.getpid()
            times.clear()
        kind[0] = ":no_places" if NO_PLACES in environ.get("QUERY_STRING", "") else ":places"
        answer = timed_call(self, environ, start_response)
        count[0] += 1
        if count[0] % WRITE_EVERY == 0:
            partial = out.with_suffix(".tmp")
            partial.write_text(json.dumps(times))
            partial.replace(out)
        return answer

    fast_route.FastRoute.__call__ = call


def serve(argv: list) -> int:
    """The server side: timers in, then ``web.granian_server`` as deployed."""
    install_timers(Path(os.environ["SERVED_STAGES_OUT"]))
    from web.granian_server import main as granian_main

    return granian_main(argv)


def summary(times: dict) -> dict:
    """Per stage: thread CPU p50 (ms) with places, without (None: it ran in none of those
    requests), and the difference; calls."""
    out = {}
    for label, _, _ in STAGES:
        row = {}
        for kind in ("places", "no_places"):
            calls = np.array(times.get(f"{label}:{kind}", []), float).reshape(-1, 2)
            row[f"{kind}_cpu_p50_ms"] = round(float(np.median(calls[:, 1])) * 1e3, 4) \
                if len(calls) else None
            row[f"{kind}_calls"] = len(calls)
        if row["places_cpu_p50_ms"] is not None:      # a stage that runs only with places: all
            row["difference_ms"] = round(row["places_cpu_p50_ms"]
                                         - (row["no_places_cpu_p50_ms"] or 0.0), 4)
        out[label] = row
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        return serve(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    from graphs.store import load_graph
    from route_scaling import query_pairs
    from web.bench import route_urls, served_app, timed_requests

    urls = route_urls(query_pairs(load_graph(args.graph), args.pairs, args.seed), args.profile)
    sides = {"places": urls, "no_places": [f"{url}&{NO_PLACES}" for url in urls]}

    def timed_server(port: int, workers: int, threads: int | None = None) -> list[str]:
        # served_app's defaults: one worker (one keep-alive client reaches one), 4 threads
        return [sys.executable, str(Path(__file__).resolve()), "--serve", "--port", str(port),
                "--workers", str(workers), "--threads", str(threads or 4)]

    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stages.json"
        os.environ["SERVED_STAGES_OUT"] = str(stats)          # the server inherits it
        client = {name: [] for name in sides}
        with served_app(args.graph, args.profile, server=timed_server) as (port, _):
            for r in range(args.rounds):
                for name in (sides if r % 2 == 0 else list(sides)[::-1]):
                    client[name] += timed_requests(port, sides[name])["times"]
            time.sleep(0.5)              # the last write (every WRITE_EVERY requests)
            times = json.loads(stats.read_text()) if stats.exists() else {}
    result = {"pairs": len(urls), "rounds": args.rounds,
              **{f"client_{name}_p50_ms": round(float(np.median(t)) * 1e3, 4)
                 for name, t in client.items()},
              "stages": summary(times)}
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
