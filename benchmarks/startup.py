"""Benchmark: start-up of the commands and of the servers' first answers.

* ``bassin-routes gpx stats FILE`` and ``bassin-routes route`` on a built graph, each
  run ``--runs`` times: wall and CPU (user + system of the child) seconds, min and median;
* ``bassin-routes serve``, gunicorn (``gunicorn.conf.py``, 1 and N workers) and granian
  (``web.granian_server``, 1 and N workers): a
  loopback client connects as soon as the port accepts and times the first
  ``/health``, the first ``/api/v1/route`` per profile and a later one; the seconds
  from launch to an open port, and the server's resident memory afterwards.

The machine is shared: CPU seconds are printed beside wall seconds, and the load
average at the start and the end.

    python benchmarks/startup.py --graph build/heidelberg --gpx ../shared/data/routes/eurovelo5-osm-relation-5245117.gpx

Prints one JSON object; a failed sub-measurement is reported, not fatal.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory import (ROOT, children, free_port, gunicorn_argv, measure, pss_mb, server_env,
                    stop_server)
from web.bench import granian_argv  # noqa: E402  (memory puts the repository on the path)

#: A route inside Heidelberg (1.8 km) and one of 6 km, the first per profile.
ROUTES = ("49.41,8.69;49.40,8.72", "49.4094,8.6944;49.3875,8.7735")


def run_timed(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process run to its end."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv[2:])} exited {proc.returncode}: "
                           f"{proc.stderr.read().decode()[-300:]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def command_times(argv: list[str], runs: int) -> dict:
    """Min and median wall / CPU seconds of ``runs`` runs of ``bassin-routes ARGV``."""
    samples = [run_timed([sys.executable, "-m", "web.cli", *argv]) for _ in range(runs)]
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {"wall_s_min": round(min(walls), 3), "wall_s_median": round(statistics.median(walls), 3),
            "cpu_s_min": round(min(cpus), 3), "cpu_s_median": round(statistics.median(cpus), 3),
            "runs": runs}


def _get(port: int, path: str) -> tuple[float, int]:
    """Milliseconds of one GET on a fresh loopback connection, and its status."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, response.status


def _wait_port(port: int, proc: subprocess.Popen, limit_s: float = 300) -> float:
    """Seconds until the port accepts a connection (polled every 2 ms)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}: "
                               f"{proc.stderr.read().decode()[-300:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return time.perf_counter() - started
        time.sleep(0.002)
    raise RuntimeError(f"the port did not open within {limit_s:.0f} s")


def first_requests(argv: list[str], port: int, profiles: list[str], graph: Path,
                   env: dict) -> dict:
    """Launch a server, time its first answers as soon as its port accepts."""
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        out = {"port_open_s": round(_wait_port(port, proc), 2)}
        ms, status = _get(port, "/health")
        out["first_health_ms"], out["health_status"] = round(ms, 1), status
        for profile in profiles:
            ms, status = _get(port, f"/api/v1/route?profile={profile}&points={ROUTES[0]}")
            out[f"first_route_{profile}_ms"] = round(ms, 1)
            out[f"route_status_{profile}"] = status
        ms, _ = _get(port, f"/api/v1/route?profile={profiles[0]}&points={ROUTES[1]}")
        out["other_route_ms"] = round(ms, 1)
        ms, _ = _get(port, f"/api/v1/route?profile={profiles[0]}&points={ROUTES[0]}")
        out["same_route_again_ms"] = round(ms, 1)
        pids = [proc.pid] + children(proc.pid)
        out["pss_mb_total"] = round(sum(pss_mb(p) for p in pids), 1)
        sys.path.insert(0, str(ROOT))
        from routing.resident import memory_breakdown

        out["memory_mb"] = {str(p): memory_breakdown(p, graph) for p in pids}
        return out
    finally:
        stop_server(proc)


def repeated(launch, runs: int) -> dict:
    """``launch()`` ``runs`` times: min and median of each latency, the last run's memory.

    On a shared machine a single launch measures the other jobs' preemptions as much
    as the server; the minimum of a few is the server's own figure.
    """
    results = [launch() for _ in range(runs)]
    out = {}
    for key, value in results[-1].items():
        if key.endswith(("_ms", "_s")):
            values = [r[key] for r in results]
            out[key] = {"min": min(values), "median": round(statistics.median(values), 1)}
        else:
            out[key] = value
    out["runs"] = runs
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--gpx", type=Path, required=True, help="a GPX file for gpx stats")
    parser.add_argument("--profiles", default="hike,bike")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="runs of each command")
    parser.add_argument("--server-runs", type=int, default=3, help="launches of each server")
    args = parser.parse_args(argv)
    graph = args.graph.resolve()
    profiles = args.profiles.split(",")
    out: dict = {"graph": str(graph), "load_at_start": os.getloadavg()}
    measure("gpx_stats", lambda: command_times(["gpx", "stats", str(args.gpx.resolve())],
                                               args.runs), out)
    measure("route", lambda: command_times(["route", "--graph", str(graph), "--profile",
                                            profiles[0], "--points", ROUTES[1]], args.runs), out)

    def serve():
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            return first_requests(
                [sys.executable, "-m", "web.cli", "serve", "--graph", str(graph), "--host",
                 "127.0.0.1", "--port", str(port)], port, profiles, graph,
                server_env(graph, args.profiles, tmp))

    def production(argv, workers: int):
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            return first_requests(argv(port, workers), port, profiles, graph,
                                  server_env(graph, args.profiles, tmp))

    measure("serve", lambda: repeated(serve, args.server_runs), out)
    for name, argv in (("gunicorn", gunicorn_argv), ("granian", granian_argv)):
        for workers in (1, args.workers):
            measure(f"{name}_{workers}", lambda: repeated(lambda: production(argv, workers),
                                                          args.server_runs), out)
    out["load_at_end"] = os.getloadavg()
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
