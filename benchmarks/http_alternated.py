"""``/api/v1/route`` under granian and ``osrm-routed`` up side by side, timed in
alternating passes over the same pairs: the HTTP comparison with the drift taken out.

Why: ``peers.py`` times each server on its own, minutes apart (ours first, then OSRM
after its build); on a shared machine the speed of both moves by 30 % and more between
such moments (``osrm-routed`` alone: 0.96–1.8 ms p50 from one run to the next), so a
ratio of two sequential medians carries that drift. Here both servers are started, then
each round sends one pass over the pairs to each, the order turning every round, one
keep-alive connection each; the p50 of every pass is kept, and the ratio is that of the
two servers' p50 over all their passes (and per round).

    python benchmarks/http_alternated.py --graph build/heidelberg \\
        --osrm /tmp/peers-work/osrm/data.osrm --peer-python /tmp/peers/bin/python
(``--osrm``: the data ``peers.py`` builds into ``--work``; ``--peer-python``: the venv
with osrm-bindings, whose ``osrm-routed`` is run.) ``--versus flask`` alternates the app
with and without :mod:`web.fast_route` (``BASSIN_FAST_ROUTE=0``) instead, and
``--versus tree --tree DIR`` this checkout with another one (``git worktree add DIR REV``:
the code before a change), both under granian; ``--versus self`` this checkout twice (two
launches of one server: the noise floor). ``--launches K`` measures on K fresh launches of
the servers and gives the median of their ratios (see :func:`launches`).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Seconds osrm-routed may take to listen.
START_TIMEOUT_S = 120


def osrm_routed_binary(peer_python: Path) -> Path:
    """The ``osrm-routed`` osrm-bindings ships, in the peer venv."""
    code = "import osrm, pathlib; print(pathlib.Path(osrm.__file__).parent / 'bin' / 'osrm-routed')"
    run = subprocess.run([str(peer_python), "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    return Path(run.stdout.strip())


@contextlib.contextmanager
def osrm_routed(binary: Path, data: Path):
    """``osrm-routed`` (CH) on ``data`` on a free loopback port; yields the port."""
    from web.bench import free_port, stop_server

    port = free_port()
    proc = subprocess.Popen([str(binary), "--algorithm", "ch", "-i", "127.0.0.1", "-p",
                             str(port), str(data)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("osrm-routed did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        stop_server(proc)


def osrm_urls(coords: list) -> list[str]:
    """``osrm-routed`` URLs with full GeoJSON geometry, one per pair (lat, lon)."""
    return [f"/route/v1/foot/{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}"
            "?overview=full&geometries=geojson" for a, b in coords]


def alternate(sides: dict, rounds: int) -> dict:
    """``rounds`` passes over each side's URLs, ``{name: (port, urls)}``, the order turning
    every round: each side's p50 (ms) over all its passes, the ratio of the first side's
    to the second's overall and per round, and the non-200 answers."""
    from web.bench import timed_requests

    names = list(sides)
    times: dict = {name: [] for name in names}
    per_round, failures = [], {name: 0 for name in names}
    for r in range(rounds):
        p50s = {}
        for name in (names if r % 2 == 0 else names[::-1]):
            run = timed_requests(*sides[name])
            times[name] += run["times"]
            failures[name] += run["non_200"]
            p50s[name] = float(np.median(run["times"]))
        per_round.append(round(p50s[names[0]] / p50s[names[1]], 3))
    p50 = {name: round(float(np.median(t)) * 1000, 4) for name, t in times.items()}
    return {"rounds": rounds, **{f"{name}_p50_ms": p50[name] for name in names},
            f"{names[0]}_vs_{names[1]}": round(p50[names[0]] / p50[names[1]], 3),
            "per_round_ratio": per_round, "non_200": failures}


def alternated_http(graph_dir: Path, coords: list, profile: str, peer_python: Path,
                    osrm_data: Path, rounds: int = 4) -> dict:
    """p50 of ``/api/v1/route`` (granian, as ``web.granian_server`` deploys) and of
    ``osrm-routed``, both up, over ``rounds`` alternating passes over ``coords``; and of
    the same routes asked without places (``corridor_m=0``), alternating with them."""
    from web.bench import route_urls, served_app

    binary = osrm_routed_binary(peer_python)
    urls = route_urls(coords, profile)
    with served_app(graph_dir, profile, server="granian") as (ours, _), \
            osrm_routed(binary, osrm_data) as theirs:
        out = {"pairs": len(coords), **alternate(
            {"granian": (ours, urls), "osrm_routed": (theirs, osrm_urls(coords)),
             # like for like: what osrm-routed answers (the line and its figures), with
             # our breakdowns and warnings, without the places along and their detours
             "granian_no_places": (ours, [f"{url}&corridor_m=0" for url in urls])}, rounds)}
    out["granian_no_places_vs_osrm_routed"] = round(
        out["granian_no_places_p50_ms"] / out["osrm_routed_p50_ms"], 3)
    return out


def fast_route_vs_flask(graph_dir: Path, coords: list, profile: str, rounds: int = 4) -> dict:
    """The same under granian with ``BASSIN_FAST_ROUTE=1`` and ``=0`` (web.fast_route on
    and off), both up."""
    from web.bench import route_urls, served_app

    urls = route_urls(coords, profile)
    with contextlib.ExitStack() as stack:
        ports = {}
        for name, flag in (("fast_route", "1"), ("flask", "0")):
            with mock_environ(BASSIN_FAST_ROUTE=flag):     # the server's environment
                ports[name] = stack.enter_context(served_app(graph_dir, profile,
                                                             server="granian"))[0]
        return {"pairs": len(coords),
                **alternate({name: (port, urls) for name, port in ports.items()}, rounds)}


def tree_vs_tree(graph_dir: Path, coords: list, profile: str, other: Path | None,
                 rounds: int = 4) -> dict:
    """This checkout's app and ``other``'s under granian, both up, alternating (``other``
    None: this checkout twice, two launches of one server: the floor a ratio of two
    launches has, whatever the code)."""
    from web.bench import route_urls, served_app

    urls = route_urls(coords, profile)
    root = {} if other is None else {"root": other}
    with served_app(graph_dir, profile, server="granian") as (this, _), \
            served_app(graph_dir, profile, server="granian", **root) as (that, _):
        return {"pairs": len(coords), "other": str(other or "this checkout"),
                **alternate({"this": (this, urls), "other": (that, urls)}, rounds)}


def launches(measure, count: int) -> dict:
    """``measure()`` (a dict of p50s and ratios) on ``count`` fresh launches of its servers:
    each launch's figures, and the median over launches of each ratio (``*_vs_*``).

    Why: two launches of one and the same server, alternated, differ by up to ±10 % in
    p50 (``--versus self``: 0.93, 1.11, 1.02 in three launches, session 29), more than a
    change to the code often moves it; where a process's pages fall stays for its life.
    A ratio of one launch each carries that; the median over launches less of it."""
    runs = [measure() for _ in range(count)]
    ratios = sorted({key for run in runs for key in run if "_vs_" in key})
    return {"launches": runs,
            **{f"{key}_median": round(float(np.median([run[key] for run in runs])), 3)
               for key in ratios}}


@contextlib.contextmanager
def mock_environ(**values):
    """``os.environ`` with ``values`` inside the block (servers started there inherit it)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--versus", choices=("osrm", "flask", "tree", "self"), default="osrm",
                        help="osrm-routed, the app without web.fast_route, --tree's app, or "
                             "a second launch of this one (the floor of launch-to-launch noise)")
    parser.add_argument("--tree", type=Path, help="another checkout (--versus tree)")
    parser.add_argument("--osrm", type=Path, help="peers.py's data.osrm (--versus osrm)")
    parser.add_argument("--peer-python", type=Path, help="the osrm venv (--versus osrm)")
    parser.add_argument("--profile", default="hike")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--launches", type=int, default=1,
                        help="fresh launches of the servers, each alternated --rounds times")
    args = parser.parse_args(argv)
    from graphs.store import load_graph
    from route_scaling import query_pairs

    coords = query_pairs(load_graph(args.graph), args.pairs, args.seed)
    if args.versus == "flask":
        def measure():
            return fast_route_vs_flask(args.graph, coords, args.profile, args.rounds)
    elif args.versus in ("tree", "self"):
        if args.versus == "tree" and args.tree is None:
            parser.error("--versus tree needs --tree")
        other = args.tree.resolve() if args.versus == "tree" else None

        def measure():
            return tree_vs_tree(args.graph, coords, args.profile, other, args.rounds)
    elif args.osrm is None or args.peer_python is None:
        parser.error("--versus osrm needs --osrm and --peer-python")
    else:
        def measure():
            return alternated_http(args.graph, coords, args.profile, args.peer_python,
                                   args.osrm, args.rounds)
    out = measure() if args.launches <= 1 else launches(measure, args.launches)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
