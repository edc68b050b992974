"""Static map and profile drawings: well-formed SVG, true to the route, bounded, escaped."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from web.static_map import UNITS_PER_MM, Frame, Line, draw_map, nice_length, way_kinds
from web.static_markers import Marker, spread
from web.static_profile import draw_profile

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def basin_route(router_for):
    router = router_for("basin")
    return router.graph, router.route(["site:base-11-19", "terril:T075", "site:louvre-lens"],
                                      profile="bike")


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)                    # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def _path_points(d: str) -> np.ndarray:
    return np.array([float(v) for v in d.replace("M", " ").split()]).reshape(-1, 2)


def test_map_draws_the_network_and_the_route_in_the_frame(basin_route):
    graph, route = basin_route
    drawing = draw_map(graph, [Line(route.lat, route.lon)],
                       [Marker(route.lat[0], route.lon[0], kind="start"),
                        Marker(route.lat[-1], route.lon[-1], kind="end")],
                       width_mm=180, height_mm=120, label="map")
    root = _parse(drawing.svg)
    assert root.get("viewBox") == f"0 0 {180 * UNITS_PER_MM} {120 * UNITS_PER_MM}"
    assert root.get("width") == "180mm"
    # the basin network has cycleways and paths, and signed cycle routes (EV5, V31…)
    assert {"cycleway", "path"} <= set(drawing.kinds) and drawing.route_bands == ("bicycle",)
    paths = {p.get("class"): p for p in root.iter(f"{SVG}path") if p.get("class")}
    assert {"way-cycleway", "way-path", "band-bicycle", "route-casing"} <= set(paths)
    # every point of the route is inside the frame, with the frame's own projection
    south, west, north, east = drawing.bounds
    assert south < route.lat.min() and route.lat.max() < north
    assert west < route.lon.min() and route.lon.max() < east
    points = _path_points(paths["route-casing"].get("d"))
    assert (points >= 0).all() and (points[:, 0] <= 1800).all() and (points[:, 1] <= 1200).all()
    # the printed scale agrees with the ground: the frame's width in metres over 180 mm
    width_m = (east - west) * math.cos(math.radians((south + north) / 2)) * 111_195.0
    assert drawing.metres_per_mm == pytest.approx(width_m / 180, rel=0.01)
    assert 10_000 < drawing.scale_denominator < 200_000
    assert root.find(f".//{SVG}g[@class='scale-bar']") is not None
    assert root.find(f".//{SVG}g[@class='north-arrow']") is not None


def test_geometry_is_simplified_to_the_paper(basin_route):
    graph, route = basin_route
    big = draw_map(graph, [Line(route.lat, route.lon)], width_mm=180, height_mm=120)
    small = draw_map(graph, [Line(route.lat, route.lon)], width_mm=45, height_mm=30)
    raw = len(route.lat) + int(np.diff(graph.edge_geom_ptr).sum())
    assert small.vertices < big.vertices < raw          # fewer vertices on less paper
    assert len(small.svg) < len(big.svg)


def test_a_vertex_budget_drops_the_minor_ways_first(basin_route):
    graph, route = basin_route
    full = draw_map(graph, [Line(route.lat, route.lon)])
    tight = draw_map(graph, [Line(route.lat, route.lon)], max_vertices=full.vertices // 3)
    assert full.dropped == () and tight.dropped[0] == "service" and "path" in tight.dropped
    assert "path" not in tight.kinds and "cycleway" in tight.kinds
    assert tight.vertices < full.vertices


def test_way_kinds_follow_the_highway_tag(fixture_graph):
    kinds = way_kinds(fixture_graph)
    assert len(kinds) == fixture_graph.n_edges and (kinds >= -1).all()
    names = ["service", "path", "track", "road", "cycleway", "major"]
    for edge in range(fixture_graph.n_edges):
        highway = fixture_graph.category("highway", edge)
        if highway == "track":
            assert names[kinds[edge]] == "track"
        if highway in ("primary", "secondary", "trunk"):
            assert names[kinds[edge]] == "major"


def test_text_in_the_drawing_is_escaped(basin_route):
    _, route = basin_route
    drawing = draw_map(None, [Line(route.lat, route.lon, colour='red"/><script>')],
                       [Marker(route.lat[5], route.lon[5], label="<b>&1</b>")],
                       label='"><script>alert(1)</script>')
    root = _parse(drawing.svg)                            # still one well-formed document
    assert "<script>" not in drawing.svg and root.find(f".//{SVG}script") is None
    assert root.get("aria-label") == '"><script>alert(1)</script>'
    assert "<b>&1</b>" in [t.text for t in root.iter(f"{SVG}text")]
    assert drawing.kinds == () and drawing.vertices > 0   # no graph: the route alone


def test_numbered_markers_move_off_one_another():
    points = [(500.0, 500.0)] * 5 + [(900.0, 500.0)]
    placed = spread(points, radius=14.0, width=1800, height=1200)
    assert placed[0] == points[0] and placed[-1] == points[-1]      # free spots stay put
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert math.dist(a, b) >= 28.0
    assert all(math.dist(p, (500.0, 500.0)) <= 90.0 for p in placed[:5])


def test_frame_never_zooms_to_a_dot():
    frame = Frame([50.43, 50.43], [2.80, 2.8001], width=1800, height=1200)
    _, west, _, east = frame.bounds
    assert (east - west) * 111_195 * math.cos(math.radians(50.43)) >= 800


def test_nice_lengths():
    assert [nice_length(v) for v in (0.9, 7, 180, 2400, 99_000)] == [0.5, 5, 100, 2000, 50_000]
    assert nice_length(0) == 0.0


def test_profile_draws_elevation_stages_and_places():
    cum = np.linspace(0, 12_000, 1201)
    ele = 60 + 40 * np.sin(cum / 2000)
    drawing = draw_profile(cum, ele, stage_ends_m=[6000], places=[(3.0, "17"), (40.0, "18")],
                           decimal=",", label="profil <&>")
    root = _parse(drawing.svg)
    assert drawing.min_m == pytest.approx(ele.min()) and drawing.max_m == pytest.approx(ele.max())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "17" in texts and "18" not in texts             # km 40 is off a 12 km profile
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1 and float(dashed[0].get("x1")) == pytest.approx(
        110 + 0.5 * (1800 - 140), abs=1)                   # the first stage ends half-way
    assert any(t and t.endswith(" m") for t in texts) and "km" in texts
    assert drawing.vertices < len(cum)                     # simplified
    half = draw_profile(cum / 10, ele, decimal=",")
    assert any(t and "," in t for t in (x.text for x in ET.fromstring(half.svg).iter(f"{SVG}text")))


def test_no_profile_without_elevation():
    assert draw_profile(np.linspace(0, 1000, 10), np.full(10, np.nan)) is None
    assert draw_profile([0.0], [12.0]) is None
