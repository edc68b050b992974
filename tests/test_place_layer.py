"""The place layer's projections and distances without GEOS for point places: the same
numbers as shapely's (the layer was built on shapely geometries until issue 11 left GEOS
out of a service whose places are all points)."""
from __future__ import annotations

import numpy as np
import pytest


def _reference(layer):
    """Every place as the layer once made it: a shapely geometry, projected by
    ``shapely.transform`` with the layer's projection."""
    import shapely
    from shapely.geometry import shape

    return np.array([shapely.transform(shape(p.geometry) if p.geometry
                                       else shapely.Point(p.lon, p.lat), layer._project_coords)
                     for p in layer.places], dtype=object)


@pytest.mark.parametrize("name", ["heidelberg", "basin"])
def test_points_and_areas_as_geos_made_them(router_for, name):
    import shapely

    layer = router_for(name).places
    geoms = _reference(layer)
    is_point = np.array([shapely.get_type_id(g) == 0 for g in geoms])
    assert (np.flatnonzero(is_point) == layer.point_index).all()
    assert (np.flatnonzero(~is_point) == layer.area_index).all()
    xy = shapely.get_coordinates(geoms[layer.point_index])
    assert xy.tobytes() == layer.point_xy.tobytes()
    assert (layer.cells.x.tobytes(), layer.cells.y.tobytes()) == \
        (np.ascontiguousarray(xy[:, 0]).tobytes(), np.ascontiguousarray(xy[:, 1]).tobytes())
    assert len(layer.area_index) > 0 if name == "basin" else len(layer.area_index) == 0
    if len(layer.area_index):
        assert all(shapely.equals_exact(a, b, 0.0)
                   for a, b in zip(layer.area_geoms, geoms[layer.area_index]))
    # the nearest named place of points all over the graph: GEOS' distances, to the bit
    g = router_for(name).graph
    rng = np.random.default_rng(4)
    for node in rng.choice(g.n_nodes, 60).tolist():
        lat, lon = float(g.node_lat[node]) + 1e-4, float(g.node_lon[node]) - 1e-4
        x, y = layer.proj.forward(lat, lon)
        dist = shapely.distance(shapely.Point(float(x), float(y)), geoms)
        dist = np.where(layer.named, dist, np.inf)
        best = int(np.argmin(dist))
        want = (best, float(dist[best])) if dist[best] <= 2000.0 else None
        assert layer.nearest_named(lat, lon, 2000.0) == want


def test_a_service_of_point_places_loads_no_geos(built):
    """Planning routes with their places loads neither shapely nor GEOS when every place
    is a point (Heidelberg's): ≈ 4 MB of a process."""
    from tests.test_lean_start import _fresh

    out = _fresh("import json, sys\n"
                 "from graphs.store import load_graph\n"
                 "from routing import RoutingService\n"
                 "g = load_graph(sys.argv[1])\n"
                 "s = RoutingService(g, profiles=['hike'])\n"
                 "s.warm_up()\n"
                 "it = s.route([(49.40, 8.69), (49.41, 8.70)], 'hike')\n"
                 "print(json.dumps({'places': len(it.places), "
                 "'shapely': 'shapely' in sys.modules}))", str(built("heidelberg")[1]))
    assert out["places"] > 0 and out["shapely"] is False
