"""Access the OSM way: barriers, trunks, motorroads, busy roads, sac_scale limits.

Every rule is pinned on the hand-written fixture tests/fixtures/access_rules.osm.xml: a
"ladder" of two streets joined by rungs 710 m apart, each rung with one barrier node, and
small chains of ways whose only link is the road under test.
"""
import numpy as np
import pytest

import graphs
import routing
from graphs.tags import BIKE_BWD, BIKE_FWD, FOOT_BWD, FOOT_FWD, NODE_OPEN, node_passage, way_flags

from .conftest import FIXTURES

FOOT, BIKE = FOOT_FWD | FOOT_BWD, BIKE_FWD | BIKE_BWD


@pytest.fixture(scope="module")
def access_graph():
    return graphs.build_graph(FIXTURES / "access_rules.osm.xml", name="access")


@pytest.fixture(scope="module")
def access_router(access_graph):
    return routing.Router(access_graph)


def rung_route(router, k, profile):
    """From just south of the south street to just north of the north street at rung k."""
    lon = 2.80 + 0.01 * k
    return router.route([(50.42995, lon), (50.43105, lon)], profile)


# rung: (walkers pass, cyclists pass)
RUNGS = {
    0: (True, True),      # no barrier
    1: (False, False),    # barrier=gate + access=private
    2: (True, True),      # barrier=bollard
    3: (True, False),     # barrier=stile
    4: (True, False),     # barrier=kissing_gate
    5: (True, True),      # barrier=cycle_barrier: pushed through
    6: (True, True),      # barrier=lift_gate
    7: (False, False),    # barrier=gate + locked=yes
    8: (True, True),      # barrier=stile + bicycle=yes
    9: (True, False),     # barrier=gate + access=no + foot=yes
    10: (False, False),   # barrier=fence on the way
    11: (True, True),     # barrier=gate + bicycle=dismount
}


@pytest.mark.parametrize("k", sorted(RUNGS))
@pytest.mark.parametrize("profile, mode", [("hike", 0), ("family", 0), ("bike", 1), ("mtb", 1)])
def test_barrier_passage(access_router, k, profile, mode):
    it = rung_route(access_router, k, profile)
    direct = it.distance_m < 200            # through the rung: 111 m + snaps
    assert direct == RUNGS[k][mode], f"rung {k}: {it.distance_m:.0f} m for {profile}"
    if not direct:                          # round by the next rung, 710 m away
        assert it.distance_m > 1400


def test_cyclists_lose_time_pushing_through_barriers(access_router):
    free = rung_route(access_router, 2, "bike").duration_s
    for k in (5, 11):
        pushed = rung_route(access_router, k, "bike").duration_s
        assert pushed - free == pytest.approx(routing.profiles.DISMOUNT_S, abs=0.5)
    # walkers are not slowed by a cycle barrier
    assert rung_route(access_router, 5, "hike").duration_s == pytest.approx(
        rung_route(access_router, 2, "hike").duration_s, abs=0.5)


def test_barrier_nodes_become_graph_nodes(access_graph):
    g = access_graph
    for k in (1, 3, 4, 5, 7, 9, 10, 11):           # barriers that restrict someone
        node = np.flatnonzero(g.node_osm == 1100 + k)
        assert len(node) == 1, f"barrier of rung {k} is not a junction"
    for k in (0, 2, 6, 8):                          # open to all: a plain shape point
        assert not (g.node_osm == 1100 + k).any()
    gate = int(np.flatnonzero(g.node_osm == 1101)[0])
    assert g.node_passage[gate] == 0


def test_build_reports_what_it_dropped(access_graph):
    dropped = access_graph.meta["summary"]["dropped"]
    assert dropped["ways"] == {"motorroad": 2, "highway=motorway": 1, "access": 1}
    assert dropped["nodes"] == {"closed:gate": 2, "closed:fence": 1, "no_bicycle:stile": 1,
                                "no_bicycle:kissing_gate": 1, "no_bicycle:gate": 1,
                                "bike_dismount:cycle_barrier": 1, "bike_dismount:gate": 1}


def _flags(graph, way_id):
    mask = graph.edge_way == way_id
    return set(graph.edge_flags[mask].tolist())


@pytest.mark.parametrize("way_id, expected", [
    (501, {FOOT | BIKE}),          # trunk: routable by default
    (504, {FOOT | BIKE}),          # trunk_link
    (506, set()),                  # trunk + motorroad=yes
    (507, {FOOT}),                 # trunk + bicycle=no
    (508, {BIKE}),                 # trunk + foot=no
    (509, set()),                  # primary + motorroad=yes
    (510, set()),                  # motorway
    (511, set()),                  # trunk + access=no
])
def test_trunk_and_motorroad_flags(access_graph, way_id, expected):
    assert _flags(access_graph, way_id) == expected


@pytest.mark.parametrize("profile", ["hike", "family", "bike", "gravel"])
def test_trunk_link_as_the_only_link_is_routable(access_router, profile):
    it = access_router.route([(50.45995, 2.80), (50.45995, 2.83)], profile)
    assert 2000 < it.distance_m < 2300
    assert it.breakdown["highway"]["trunk_link"] > 700


@pytest.mark.parametrize("profile", ["hike", "bike"])
def test_trunk_costs_more_than_a_longer_quiet_road(access_router, profile):
    it = access_router.route([(50.44995, 2.8000), (50.44995, 2.8140)], profile)
    assert it.breakdown["highway"].get("trunk", 0) < 1
    assert it.distance_m > 1800            # took the 1.9 km detour, not the 1 km trunk


def test_family_walks_a_busy_road_when_it_is_the_only_link(access_router):
    it = access_router.route([(50.47995, 2.80), (50.47995, 2.83)], "family")
    assert it.breakdown["highway"]["primary"] > 700
    assert any(w["type"] == "busy_road" for w in it.warnings)


def test_family_prefers_quiet_roads():
    net_family = routing.profiles.get_profile("family")
    assert "primary" not in net_family.forbidden_highways
    assert net_family.highway_comfort["primary"] >= 5 * net_family.highway_comfort["residential"]


def test_hike_stops_at_t3(access_router):
    t3 = access_router.route([(50.49995, 2.80), (50.49995, 2.83)], "hike")
    assert t3.breakdown["highway"]["path"] > 2000
    with pytest.raises(routing.UnreachableError):
        access_router.route([(50.48995, 2.80), (50.48995, 2.83)], "hike")


@pytest.mark.parametrize("tags, expected", [
    ({}, NODE_OPEN),
    ({"barrier": "gate"}, NODE_OPEN),
    ({"barrier": "gate", "access": "private"}, 0),
    ({"barrier": "gate", "access": "private", "foot": "yes"}, 1),
    ({"barrier": "bollard"}, NODE_OPEN),
    ({"barrier": "stile"}, 1),
    ({"barrier": "kissing_gate", "bicycle": "dismount"}, 1 | 4),
    ({"barrier": "cycle_barrier"}, 1 | 4),
    ({"barrier": "cycle_barrier", "bicycle": "yes"}, NODE_OPEN),
    ({"barrier": "wall"}, 0),
    ({"barrier": "wall", "foot": "yes"}, 1),
    ({"barrier": "lift_gate", "locked": "yes"}, 0),
    ({"access": "no"}, 0),
    ({"barrier": "unknown_thing"}, NODE_OPEN),
])
def test_node_passage_rules(tags, expected):
    assert node_passage(tags) == expected


def test_motorroad_closes_any_highway():
    assert way_flags({"highway": "secondary", "motorroad": "yes"}) == 0
    assert way_flags({"highway": "trunk"}) == FOOT | BIKE
    assert way_flags({"highway": "trunk", "bicycle": "use_sidepath"}) == FOOT
