"""The peers' half of ``benchmarks/peers.py``, run by a Python >= 3.12 with
osrm-bindings, pyvalhalla and routingkit-cch: builds their data once into the
work directory, times the same pairs, prints one JSON line."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def p50(values) -> float | None:
    return round(float(np.median(values)) * 1000, 4) if len(values) else None


def measure(out: dict, name: str, fn) -> None:
    try:
        out[name] = fn()
    except (Exception, BaseException) as exc:   # Rust panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        # one failed measurement must not hide the others
        out[name] = {"error": f"{type(exc).__name__}: {str(exc)[-300:]}"}


def timed(call, requests) -> tuple[list, list, int]:
    """Wall and thread-CPU seconds of ``call(r)`` per request (after five warm-up calls),
    and the failures."""
    times, cpu, fails = [], [], 0
    for request in requests[:5] + requests:
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            call(request)
        except Exception:
            fails += 1
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return times[5:], cpu[5:], fails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def osrm_build(osm: Path, work: Path) -> dict:
    import osrm

    base = work / "osrm" / "data.osrm"
    if (work / "osrm" / "data.osrm.hsgr").exists():
        return {"base": str(base), "built_s": None}
    (work / "osrm").mkdir(parents=True, exist_ok=True)
    source = work / "osrm" / ("data" + "".join(osm.suffixes[-2:]))
    if not source.exists():
        source.symlink_to(osm)
    binaries = Path(osrm.__file__).parent / "bin"
    profile = Path(osrm.__file__).parent / "share" / "profiles" / "foot.lua"
    t0 = time.perf_counter()
    for cmd in ([binaries / "osrm-extract", "-p", profile, source], [binaries / "osrm-contract", base]):
        subprocess.run([str(c) for c in cmd], check=True, capture_output=True, cwd=work / "osrm")
    return {"base": str(base), "built_s": round(time.perf_counter() - t0, 1)}


def osrm_inprocess(base: str, coords) -> dict:
    import osrm

    engine = osrm.OSRM(storage_config=base, algorithm="CH", use_shared_memory=False)
    params = [osrm.RouteParameters(coordinates=[(a[1], a[0]), (b[1], b[0])],
                                   overview="full", geometries="geojson") for a, b in coords]
    times, cpu, fails = timed(engine.Route, params)
    return {"route_p50_ms": p50(times), "route_cpu_p50_ms": p50(cpu), "failures": fails}


def osrm_http(base: str, coords) -> dict:
    import osrm

    port = free_port()
    binary = Path(osrm.__file__).parent / "bin" / "osrm-routed"
    proc = subprocess.Popen([str(binary), "--algorithm", "ch", "-i", "127.0.0.1", "-p", str(port),
                             base], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("osrm-routed did not start")
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        times, bad = [], 0
        for (a, b) in coords[:5] + coords:
            url = (f"/route/v1/foot/{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}"
                   "?overview=full&geometries=geojson")
            t0 = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            body = response.read()
            times.append(time.perf_counter() - t0)
            bad += response.status != 200 or b'"Ok"' not in body
        return {"route_p50_ms": p50(times[5:]), "non_ok": bad, "rss_mb": rss_mb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def valhalla(osm: Path, work: Path, coords) -> dict:
    import valhalla
    from valhalla.config import get_config

    tiles = work / "valhalla" / "tiles"
    fresh = not tiles.is_dir()
    tiles.mkdir(parents=True, exist_ok=True)          # get_config wants it to exist
    config = get_config(tile_extract="", tile_dir=str(tiles))      # tiles, no tar extract
    config_path = work / "valhalla" / "config.json"
    built = None
    if fresh or not any(tiles.iterdir()):
        config_path.write_text(json.dumps(config))
        binary = Path(valhalla.__file__).parent / "bin" / "valhalla_build_tiles"
        t0 = time.perf_counter()
        subprocess.run([str(binary), "-c", str(config_path), str(osm)], check=True,
                       capture_output=True, cwd=work / "valhalla")
        built = round(time.perf_counter() - t0, 1)
    actor = valhalla.Actor(config)
    queries = [{"locations": [{"lat": a[0], "lon": a[1]}, {"lat": b[0], "lon": b[1]}],
                "costing": "pedestrian", "directions_type": "none"} for a, b in coords]
    times, cpu, fails = timed(actor.route, queries)
    return {"route_p50_ms": p50(times), "route_cpu_p50_ms": p50(cpu), "failures": fails,
            "built_s": built}


def routingkit(data, work: Path) -> dict:
    import routingkit_cch as rk

    tails, heads = data["tails"].tolist(), data["heads"].tolist()
    n = len(data["lat"])
    t0 = time.perf_counter()
    order = rk.compute_order_inertial(n, tails, heads, data["lat"].tolist(), data["lon"].tolist())
    cch = rk.CCH(order, tails, heads, False)
    metric = rk.CCHMetric(cch, data["weights"].tolist())
    built = time.perf_counter() - t0
    # the order, for peers.py to measure with our figures (depth, arcs: routing.cch_order)
    np.save(work / "routingkit_order.npy", np.asarray(order, np.int64))
    query = rk.CCHQuery(metric)
    pairs = data["pairs"].tolist()
    dist = []
    for s, t in pairs:             # one untimed pass, as ours has (peers.py CH_PASSES)
        result = query.run(s, t)
        dist.append(result.distance)
        del result                 # routingkit-cch: one live result per query object
    def timed(clock, path: bool) -> list:
        # one clock a loop (as ours is timed): a thread-time read is a system call
        times = []
        for _ in range(int(data["ch_passes"])):
            for s, t in pairs:
                t0 = clock()
                result = query.run(s, t)
                if path:
                    result.arc_path    # the path too, as our path query returns it
                times.append(clock() - t0)
                del result
        return times

    times, cpu = timed(time.perf_counter, False), timed(time.thread_time, False)
    path_times = timed(time.perf_counter, True)
    return {"query_p50_ms": p50(times), "query_cpu_p50_ms": p50(cpu),
            "query_path_p50_ms": p50(path_times), "build_s": round(built, 2),
            "cch_distances": dist}


def main() -> int:
    task = json.loads(sys.argv[1])
    osm, work = Path(task["osm"]), Path(task["work"])
    data = np.load(task["input"])
    coords = [((float(data["lat"][a]), float(data["lon"][a])),
               (float(data["lat"][b]), float(data["lon"][b]))) for a, b in data["pairs"]]
    out: dict = {}
    measure(out, "osrm_build", lambda: osrm_build(osm, work))
    base = out["osrm_build"].get("base")
    if base:
        measure(out, "osrm", lambda: osrm_inprocess(base, coords))
        measure(out, "osrm_http", lambda: osrm_http(base, coords))
    measure(out, "valhalla", lambda: valhalla(osm, work, coords))
    measure(out, "routingkit", lambda: routingkit(data, work))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
