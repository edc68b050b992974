"""``web.bench``: the HTTP route timings under werkzeug's server and under gunicorn (loopback)."""
from __future__ import annotations

import numpy as np
import pytest

from web.bench import gunicorn_route_times, http_route_times, route_urls


def _coords(graph, count: int) -> list:
    rng = np.random.default_rng(1)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    pairs = [rng.choice(main, 2, replace=False) for _ in range(count)]
    return [((float(graph.node_lat[a]), float(graph.node_lon[a])),
             (float(graph.node_lat[b]), float(graph.node_lon[b]))) for a, b in pairs]


def test_route_urls_ask_for_geojson_routes():
    (url,) = route_urls([((50.1, 2.5), (50.2, 2.6))], "bike")
    assert url == "/api/v1/route?profile=bike&points=50.100000,2.500000;50.200000,2.600000"


def test_werkzeug_timings(router_for):
    router = router_for("basin")
    times, failures = http_route_times(router, _coords(router.graph, 4), "hike")
    assert len(times) == 4 and failures == 0 and all(0 < t < 30 for t in times)


@pytest.mark.slow
def test_gunicorn_timings_and_worker_cpu(built):
    graph, graph_dir = built("basin")
    served = gunicorn_route_times(graph_dir, _coords(graph, 4), "hike")
    assert len(served["times"]) == 4 and served["non_200"] == 0
    assert all(0 < t < 30 for t in served["times"])
    assert served["cpu_s"] > 0                  # the workers planned the routes


def test_gunicorn_that_cannot_start_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match="gunicorn"):
        gunicorn_route_times(tmp_path / "no-graph", [((50.1, 2.5), (50.2, 2.6))], "hike")
