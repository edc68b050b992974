"""``bassin-routes bench-http``: HTTP route + GeoJSON latency against the engine, same queries.

The real app is served on the loopback interface and queried over one keep-alive
connection, by three servers: werkzeug's threaded server in this process (what
``bassin-routes serve`` runs), gunicorn as deployed (``gunicorn.conf.py``:
preloaded app, ``gthread`` workers, which keep connections alive) and granian
(``web.granian_server``: the same preloaded app, HTTP in Rust, WSGI threads). The same
random pairs are then planned in-process (Router.route + GeoJSON) and as bare
engine queries. Besides the wall time of each request, the server's CPU time per
request is given (gunicorn: its workers' user + system time, from ``/proc``).
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from werkzeug.serving import make_server

from graphs.store import load_graph
from routing import RoutingService

ROOT = Path(__file__).resolve().parent.parent
#: bounded waits: a server that does not answer in time is a failed measurement
START_TIMEOUT_S = 300
REQUEST_TIMEOUT_S = 30


def _ms(values, q) -> float:
    return round(float(np.percentile(values, q)) * 1000, 3)


def route_urls(coords: list, profile: str) -> list[str]:
    """One ``/api/v1/route`` URL (GeoJSON, the default format) per pair of ``coords``."""
    return [f"/api/v1/route?profile={profile}&points={a[0]:.6f},{a[1]:.6f};{b[0]:.6f},{b[1]:.6f}"
            for a, b in coords]


def timed_requests(port: int, urls: list, cpu_clock=None) -> dict:
    """GET each URL over one keep-alive connection to ``127.0.0.1:port``.

    The first URL is sent once more before, to warm up, and not counted.
    ``cpu_clock`` (seconds of the server's CPU so far) gives ``cpu_s``: the
    server's CPU time per request. Returns ``times`` (s, wall), ``cpu_s`` (or
    None) and ``non_200`` (the count of other answers).
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    times, failures, bodies = [], 0, []
    try:
        for i, url in enumerate(urls[:1] + list(urls)):
            if i == 1 and cpu_clock is not None:
                cpu_start = cpu_clock()
            t0 = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            body = response.read()
            if i:
                times.append(time.perf_counter() - t0)
                if response.status != 200:
                    failures += 1
                else:
                    bodies.append(body)
        cpu = (cpu_clock() - cpu_start) / len(urls) if cpu_clock is not None and urls else None
    finally:
        conn.close()
    # The answers are checked after the timed loop: parsing each between requests put
    # the client's work on the core the server's next request then ran on (the larger
    # answer paid more for it than its bytes: a client is not on the server's machine).
    for body in bodies:
        json.loads(body)
    return {"times": times, "cpu_s": cpu, "non_200": failures}


@contextlib.contextmanager
def werkzeug_server(service):
    """The app of ``service`` served by werkzeug's threaded server on a free loopback port."""
    from .app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "INSTANCE_DIR": tmp},
                         router=service)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield server.server_port
        finally:
            server.shutdown()


def http_route_times(service, coords: list, profile: str = "hike") -> tuple[list, int]:
    """Seconds per ``/api/v1/route`` (GeoJSON) request of the real app on loopback, over
    one keep-alive connection, for each pair of ``coords``; and the non-200 count."""
    with werkzeug_server(service) as port:
        run = timed_requests(port, route_urls(coords, profile))
    return run["times"], run["non_200"]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """Process ids of a process's children (gunicorn's workers), from ``/proc``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def server_env(graph_dir, profiles: str, tmp: str) -> dict:
    """Environment of a benchmarked server: the graph, its profiles, a throw-away
    instance directory and database."""
    return dict(os.environ, BASSIN_GRAPH_DIR=str(graph_dir), BASSIN_PROFILES=profiles,
                BASSIN_INSTANCE_DIR=tmp, BASSIN_DATABASE_URL=f"sqlite:///{tmp}/b.db")


def gunicorn_argv(port: int, workers: int, threads: int | None = None) -> list[str]:
    """gunicorn serving ``wsgi:app`` with the deployed settings (``gunicorn.conf.py``) on a
    loopback port; ``threads`` as configured there unless given."""
    argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "-w", str(workers)]
    if threads is not None:
        argv += ["--threads", str(threads)]
    return argv + ["-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"]


def granian_argv(port: int, workers: int, threads: int | None = None) -> list[str]:
    """granian serving the preloaded ``wsgi:app`` (:mod:`web.granian_server`) on a loopback
    port; ``threads`` (WSGI threads per worker) as gunicorn's unless given."""
    argv = [sys.executable, "-m", "web.granian_server", "--workers", str(workers)]
    if threads is not None:
        argv += ["--threads", str(threads)]
    return argv + ["--host", "127.0.0.1", "--port", str(port)]


#: The production servers :func:`served_app` launches, by name.
SERVERS = {"gunicorn": gunicorn_argv, "granian": granian_argv}


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop within 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def _cpu_seconds(pids) -> float:
    """User + system CPU seconds of processes, from ``/proc/<pid>/stat``."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])        # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def served_app(graph_dir, profile: str, workers: int = 1, threads: int = 4,
               server: str = "gunicorn", root=None):
    """``wsgi:app`` served by ``server`` (a name of :data:`SERVERS`) with the deployed
    settings on a free loopback port; or by the command ``server(port, workers, threads)``
    gives (an argv, run from the repository root in the same environment).

    ``root``: another checkout of this repository to serve (run from there, its
    packages first on the path): a change measured against the code before it.

    Yields ``(port, pids)`` (the server's processes: master and workers) once
    ``/health`` answers (at most :data:`START_TIMEOUT_S`); the server is stopped on exit.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        command = SERVERS[server] if isinstance(server, str) else server
        server = server if isinstance(server, str) else command.__name__    # for the errors
        env = server_env(graph_dir, profile, tmp)
        if root is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(root),
                                                              env.get("PYTHONPATH"))))
        proc = subprocess.Popen(command(port, workers, threads), cwd=root or ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            started = time.monotonic()
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{server} exited with status {proc.returncode}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    conn.request("GET", "/health")
                    response = conn.getresponse()
                    health = json.loads(response.read() or b"{}")
                    if response.status == 200:
                        break
                    if health.get("status") == "no-graph":
                        raise RuntimeError(f"{server} serves no graph: {health.get('detail')}")
                except (OSError, ValueError):
                    pass
                finally:
                    conn.close()
                if time.monotonic() - started > START_TIMEOUT_S:
                    raise RuntimeError(f"{server} did not answer within {START_TIMEOUT_S} s")
                time.sleep(0.2)
            yield port, [proc.pid] + child_pids(proc.pid)
        finally:
            stop_server(proc)


def served_route_times(graph_dir, coords: list, profile: str = "hike", workers: int = 1,
                       threads: int = 4, server: str = "gunicorn") -> dict:
    """:func:`http_route_times` under a production server (:data:`SERVERS`): ``times``
    (s), ``cpu_s`` (the server's processes' CPU per request) and ``non_200``."""
    with served_app(graph_dir, profile, workers, threads, server) as (port, pids):
        return timed_requests(port, route_urls(coords, profile),
                              cpu_clock=lambda: _cpu_seconds(pids))


def gunicorn_route_times(graph_dir, coords: list, profile: str = "hike", workers: int = 1,
                         threads: int = 4) -> dict:
    """:func:`served_route_times` under gunicorn (``gthread``, as deployed)."""
    return served_route_times(graph_dir, coords, profile, workers, threads, "gunicorn")


def granian_route_times(graph_dir, coords: list, profile: str = "hike", workers: int = 1,
                        threads: int = 4) -> dict:
    """:func:`served_route_times` under granian (:mod:`web.granian_server`)."""
    return served_route_times(graph_dir, coords, profile, workers, threads, "granian")


def run_http_bench(graph_dir, requests: int = 200, seed: int = 2, profile: str = "hike") -> dict:
    graph = load_graph(graph_dir)
    router = RoutingService(graph, profiles=(profile,))
    router.warm_up()                 # as a server does before it listens
    network = router.network(profile)
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    pairs = [tuple(int(n) for n in rng.choice(main, 2, replace=False)) for _ in range(requests)]
    coords = [((graph.node_lat[a], graph.node_lon[a]), (graph.node_lat[b], graph.node_lon[b]))
              for a, b in pairs]
    out: dict = {"graph": graph.meta.get("name"), "profile": profile, "requests": requests,
                 "seed": seed}
    with werkzeug_server(router) as port:
        run = timed_requests(port, route_urls(coords, profile), cpu_clock=time.process_time)
    http_t = run["times"]
    out.update({"http_p50_ms": _ms(http_t, 50), "http_p95_ms": _ms(http_t, 95),
                "http_process_cpu_ms": round(run["cpu_s"] * 1000, 3), "non_200": run["non_200"]})
    for server in SERVERS:
        try:
            served = served_route_times(graph_dir, coords, profile, server=server)
            out.update({f"{server}_p50_ms": _ms(served["times"], 50),
                        f"{server}_p95_ms": _ms(served["times"], 95),
                        f"{server}_worker_cpu_ms": round(served["cpu_s"] * 1000, 3),
                        f"{server}_non_200": served["non_200"]})
        except Exception as exc:          # one failed measurement must not hide the others
            out[server] = {"error": f"{type(exc).__name__}: {exc}"}
    plan_t = []
    for a, b in coords:
        t0 = time.perf_counter()
        try:
            json.dumps(router.route([a, b], profile).to_geojson())
        except Exception:          # same failures as over HTTP; timing only
            pass
        plan_t.append(time.perf_counter() - t0)
    engine_t = []
    for s, t in pairs:
        t0 = time.perf_counter()
        network.node_query(s, t)
        engine_t.append(time.perf_counter() - t0)
    out.update({
        "plan_geojson_p50_ms": _ms(plan_t, 50), "plan_geojson_p95_ms": _ms(plan_t, 95),
        "engine_p50_ms": _ms(engine_t, 50), "engine_p95_ms": _ms(engine_t, 95),
        "http_over_engine_p50": round(float(np.median(http_t) / np.median(engine_t)), 1),
    })
    return out
