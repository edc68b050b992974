"""Tag rules pinned on a hand-written OSM-XML fixture (tests/fixtures/tag_rules.osm.xml)."""
import numpy as np
import pytest

from graphs.tags import BIKE_BWD, BIKE_FWD, FOOT_BWD, FOOT_FWD, parse_number, way_flags

BOTH_FOOT = FOOT_FWD | FOOT_BWD
BOTH_BIKE = BIKE_FWD | BIKE_BWD


def flags_of(graph, way_id):
    mask = graph.edge_way == way_id
    assert mask.any(), f"way {way_id} has no edge"
    values = set(graph.edge_flags[mask].tolist())
    assert len(values) == 1
    return values.pop()


@pytest.mark.parametrize("way_id, expected", [
    (101, BOTH_FOOT),                       # footway: no bicycles by default
    (102, BOTH_FOOT | BIKE_FWD),            # oneway street
    (103, BOTH_FOOT | BOTH_BIKE),           # oneway:bicycle=no
    (104, BOTH_FOOT | BOTH_BIKE),           # cycleway=opposite_lane
    (105, BOTH_FOOT),                       # steps
    (107, BOTH_FOOT),                       # access=no + foot=yes
    (109, BOTH_FOOT),                       # bicycle=no
    (110, BOTH_FOOT | BIKE_BWD),            # oneway=-1
    (111, BOTH_FOOT | BIKE_FWD),            # roundabout
    (112, BOTH_FOOT | BOTH_BIKE),           # footway + bicycle=designated
])
def test_direction_and_access_flags(fixture_graph, way_id, expected):
    assert flags_of(fixture_graph, way_id) == expected


@pytest.mark.parametrize("way_id", [106, 108, 113, 114])
def test_closed_and_non_routable_ways_are_dropped(fixture_graph, way_id):
    # 106 private, 108 motorway, 113 pedestrian area, 114 terril outline
    assert not (fixture_graph.edge_way == way_id).any()


def test_missing_node_cuts_the_way(fixture_graph):
    # way 115 goes 14 -> 99 (absent) -> 13: no piece has two located nodes in a row
    assert not (fixture_graph.edge_way == 115).any()


def test_attributes_are_kept(fixture_graph):
    g = fixture_graph
    track = int(np.flatnonzero(g.edge_way == 109)[0])
    assert g.category("surface", track) == "gravel"
    assert g.category("tracktype", track) == "grade2"
    assert g.category("bicycle", track) == "no"
    foot = int(np.flatnonzero(g.edge_way == 112)[0])
    assert g.num["width"][foot] == pytest.approx(2.5)
    assert g.category("sac_scale", foot) == "hiking"
    primary = int(np.flatnonzero(g.edge_way == 110)[0])
    assert g.num["maxspeed"][primary] == 70
    assert g.name_of(int(np.flatnonzero(g.edge_way == 102)[0])) == "Rue à sens unique"


def test_geodesic_lengths(fixture_graph):
    g = fixture_graph
    # 0.001° of longitude at 50.43°N on the WGS84 ellipsoid:
    # pi*a*cos(phi) / (180*sqrt(1 - e2*sin(phi)^2)) / 1000 = 71.055 m
    edge = int(np.flatnonzero(g.edge_way == 101)[0])
    assert g.edge_len[edge] == pytest.approx(71.055, abs=0.01)
    # way 112 has three nodes but no junction in the middle: one edge with 3 shape points
    edge = int(np.flatnonzero(g.edge_way == 112)[0])
    lat, lon, _ = g.edge_shape(edge)
    assert len(lat) == 3


def test_route_memberships(fixture_graph):
    g = fixture_graph
    refs = {r["ref"] for r in g.routes}
    assert refs == {"PR1", "EV5"}          # the bus route is not a trail
    edge = int(np.flatnonzero(g.edge_way == 102)[0])
    assert {r["ref"] for r in g.edge_routes(edge)} == {"PR1", "EV5"}
    assert g.route_mask(["bicycle"]).sum() == 2
    assert g.route_mask(["hiking"]).sum() == 2


def test_places_from_nodes_and_areas(fixture_graph):
    g = fixture_graph
    kinds = {p.id: p.kind for p in g.places}
    assert kinds["osm:node/30"] == "drinking_water"
    assert kinds["osm:node/31"] == "lodging"
    assert kinds["osm:node/32"] == "station"
    terril = g.place("osm:way/114")
    assert terril.kind == "terril" and terril.geometry["type"] == "Polygon"
    assert terril.summit["source"] == "osm_peak" and terril.summit["ele"] == 146
    # the path over it crosses the outline: linked at 0 m, its junction on top is the summit node
    assert terril.link["distance_m"] == 0 and not terril.far
    top = terril.summit["node"]
    assert top in terril.nodes and g.node_osm[top] == 27
    water = g.place("osm:node/30")
    assert water.link["distance_m"] < 15 and not water.far


def test_catalogue_near_the_fixture(fixture_graph):
    ids = {p.id for p in fixture_graph.places if p.source == "catalogue"}
    assert "site:louvre-lens" in ids        # 300 m from the fixture
    assert "site:lewarde" not in ids        # 30 km away: outside the extent


@pytest.mark.parametrize("tags, expected", [
    ({"highway": "cycleway"}, BOTH_FOOT | BOTH_BIKE),
    ({"highway": "path", "foot": "no", "bicycle": "no"}, 0),
    ({"highway": "trunk"}, BOTH_FOOT | BOTH_BIKE),
    ({"highway": "trunk", "motorroad": "yes"}, 0),
    ({"highway": "residential", "access": "destination"}, BOTH_FOOT | BOTH_BIKE),
    ({"highway": "residential", "vehicle": "no"}, BOTH_FOOT),
    ({"highway": "cycleway", "oneway": "yes"}, BOTH_FOOT | BIKE_FWD),
    ({"highway": "path", "oneway:foot": "yes"}, FOOT_FWD | BOTH_BIKE),
    ({"highway": "residential", "oneway": "yes", "cycleway:left": "opposite_track"},
     BOTH_FOOT | BOTH_BIKE),
    ({"highway": "construction"}, 0),
])
def test_way_flags_rules(tags, expected):
    assert way_flags(tags) == expected


def test_parse_number():
    assert parse_number("3,5") == 3.5
    assert parse_number("30 mph") == pytest.approx(48.28, abs=0.01)
    assert np.isnan(parse_number("narrow"))
    assert np.isnan(parse_number(None))
