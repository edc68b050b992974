"""Start-up and resident memory: what a command or a server loads, and what warming up
does (routing.resident, graphs.lazy.hidden_modules). Each check runs in a fresh
interpreter, since the test process itself has everything loaded."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from graphs.lazy import hidden_modules
from graphs.spatial import PointGrid
from tests.conftest import ROOT, shared_path

HEAVY = ("numba", "sqlalchemy", "alembic", "shapely", "pyproj", "folium", "pandas",
         "scipy", "osmium", "tqdm", "flask")


def _fresh(code: str, *args: str) -> dict:
    """Run ``code`` in a new interpreter from the project root; it prints one JSON line."""
    run = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_command_line_parser_loads_no_heavy_library():
    loaded = _fresh("import json, sys, web.cli; web.cli.make_parser(); "
                    f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    assert loaded == []


def test_gpx_stats_loads_neither_the_engine_nor_the_database():
    gpx = shared_path("routes", "eurovelo5-osm-relation-5245117.gpx")
    out = _fresh("import contextlib, io, json, sys, web.cli\n"
                 "with contextlib.redirect_stdout(io.StringIO()) as text:\n"
                 "    code = web.cli.main(['gpx', 'stats', sys.argv[1]])\n"
                 "stats = json.loads(text.getvalue())\n"
                 f"print(json.dumps({{'code': code, 'km': stats.get('distance_km'), "
                 f"'loaded': sorted(m for m in {HEAVY!r} if m in sys.modules)}}))", str(gpx))
    assert out["code"] == 0
    assert out["loaded"] == ["pyproj"]            # ellipsoidal lengths, nothing else


WARMED = """
import json, sys
from graphs.store import load_graph
from routing import RoutingService
from routing.resident import memory_breakdown
from web.extensions import load_service
if sys.argv[2] == "warm":                # as servers do
    service = load_service(sys.argv[1], ["hike", "bike"])
else:
    service = RoutingService(load_graph(sys.argv[1]), profiles=["hike", "bike"])
routes = [service.route([(49.41, 8.69), (49.40, 8.72)], p).to_geojson() for p in ("hike", "bike")]
import scipy.linalg                      # hidden only while kernels loaded: imports normally
print(json.dumps({"routes": routes, "blas": sys.modules["numba.np.arraymath"]._HAVE_BLAS,
                  "compiler_mb": memory_breakdown()["compiler"],
                  "pandas": "pandas" in sys.modules}))
"""


def test_a_warmed_service_plans_exactly_as_a_cold_one(built):
    graph_dir = str(built("heidelberg")[1])
    warm = _fresh(WARMED, graph_dir, "warm")
    cold = _fresh(WARMED, graph_dir, "cold")
    assert warm["routes"] == cold["routes"]      # same geometry, numbers and places, bit for bit
    assert warm["blas"] is False and cold["blas"] is True
    # LLVM's code was handed back after loading the kernels (≈ 65 MB resident otherwise)
    assert warm["compiler_mb"] < 10 < cold["compiler_mb"]
    assert warm["pandas"] is False


def test_maps_load_folium_without_pandas():
    out = _fresh("import json, sys, web.maps, web.node_maps, web.routing_maps; "
                 "print(json.dumps({'pandas': 'pandas' in sys.modules, "
                 "'folium': 'folium' in sys.modules}))")
    assert out == {"pandas": False, "folium": True}


def test_hidden_modules_hides_only_within_the_block():
    assert "json" in sys.modules
    with hidden_modules(("json",)):               # already loaded: nothing is hidden
        import json as again
    assert again is json
    name = "tests.fixtures_never_imported_module"
    with hidden_modules((name,)), pytest.raises(ImportError):
        __import__(name)
    assert name not in sys.modules                # and no trace left


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_grid_finds_every_point_within_the_radius(seed):
    rng = np.random.default_rng(seed)
    # projected metres far from the origin, as real coordinates are (float32 offsets)
    x = 640_000 + rng.uniform(0, 60_000, 20_000)
    y = 5_480_000 + rng.uniform(0, 40_000, 20_000)
    grid = PointGrid(x, y, 100.0)
    for _ in range(50):
        px, py = x[rng.integers(len(x))] + rng.normal(0, 50), y[rng.integers(len(y))]
        r = float(rng.uniform(1, 400))
        found = set(grid.query_ball_point([px, py], r).tolist())
        d = np.hypot(x - px, y - py)
        assert set(np.flatnonzero(d <= r).tolist()) <= found          # none missed
        assert found <= set(np.flatnonzero(d <= r + grid.slack).tolist())  # mm more at most
    assert grid.slack < 0.05


ROUTES_AFTER_WARM_UP = """
import gc, json, sys
import numpy as np
from numba.core.registry import CPUDispatcher
from web.api import geojson_bytes
from routing.numpy_exact import lat_lon_bounds
from web.coordinate_text import line_fragment
from web.extensions import load_service
service = load_service(sys.argv[1], ["hike", "bike"])
def signatures():
    return {f"{d.py_func.__module__}.{d.py_func.__name__}": len(d.signatures)
            for d in gc.get_objects() if isinstance(d, CPUDispatcher)}
before = signatures()
if sys.argv[2] == "python_rounds":   # every offset and figure left to Python's round
    import routing.place_detours
    routing.place_detours.OFFSET_SCALE = routing.place_detours.FIGURE_SCALES = np.array([np.inf])
g, rng = service.graph, np.random.default_rng(1)
main = np.flatnonzero(g.node_comp == np.argmax(g.comp_length_m))
planned = 0
for profile in ("hike", "bike"):      # as benchmarks/memory.py plans them
    for a, b in rng.choice(main, (400, 2)).tolist():
        try:
            it = service.route([(g.node_lat[a], g.node_lon[a]), (g.node_lat[b], g.node_lon[b])],
                               profile)
        except Exception:
            continue
        geojson_bytes(it.to_geojson(arrays=True))      # the line's text kernels too
        line_fragment(it)
        lat_lon_bounds(it.lat, it.lon)      # as maps and pages of other itineraries read them
        planned += 1
after = signatures()
print(json.dumps({"planned": planned,
                  "loaded": sorted(k for k, v in after.items() if v != before.get(k, 0))}))
"""


def test_routes_after_warm_up_load_no_kernel(built):
    """Every kernel a route and its GeoJSON (its text too) run is loaded by warm-up, before LLVM's pages
    are handed back: one loaded later brings ≈ 10 MB of them back (a buffer reset skipped
    when nothing was searched did; so would a path of its own for the roundings Python
    decides)."""
    for measured in ("kernel_rounds", "python_rounds"):
        out = _fresh(ROUTES_AFTER_WARM_UP, str(built("heidelberg")[1]), measured)
        assert out["planned"] > 600 and out["loaded"] == [], measured
