"""Node networks read from OSM and planned on: the hand-written fixture of both forms."""
import pytest

import graphs
import routing
from routing.node_network import NodePlanner, NodeQueryError

from .conftest import FIXTURES, assert_valid_gpx

NODE_FIXTURE = FIXTURES / "node_network.osm.xml"


@pytest.fixture(scope="module")
def node_graph(tmp_path_factory):
    graph = graphs.build_graph(NODE_FIXTURE, name="nodes")
    return graphs.load_graph(graphs.save_graph(graph, tmp_path_factory.mktemp("g") / "nodes"))


@pytest.fixture(scope="module")
def planner(node_graph):
    return NodePlanner(routing.Router(node_graph))


def _junction(graph, network, label):
    return next(j for j in graph.node_network["junctions"]
                if j["network"] == network and label in (j["ref"], j["name"]))


def _links(graph, network):
    table = graph.node_network
    out = {}
    for link in table["links"]:
        if link["network"] == network:
            a, b = (table["junctions"][link["a"]], table["junctions"][link["b"]])
            out[frozenset((a["ref"] or a["name"], b["ref"] or b["name"]))] = link
    return out


def test_numbered_junctions_and_links(node_graph):
    links = _links(node_graph, "rcn")
    assert set(links) == {frozenset(p) for p in (("12", "45"), ("45", "07"), ("07", "3"), ("3", "12"))}
    # The linear V32 route and the unsigned diagonal make no link; 99 is cut off by a gap.
    assert all(len(link["relations"]) == 1 for link in links.values())
    assert links[frozenset(("12", "45"))]["relations"] == [201]
    for link in links.values():       # the length of a link is the length of its edges
        assert link["length_m"] == pytest.approx(node_graph.edge_len[link["edges"]].sum(), abs=0.2)
    assert 1380 < links[frozenset(("12", "45"))]["length_m"] < 1460      # 0.02° of longitude


def test_named_guidepost_network_splits_a_way_at_a_mid_way_guidepost(node_graph):
    links = _links(node_graph, "rwn")
    assert set(links) == {frozenset(("7", "Hilsenberg")), frozenset(("Hilsenberg", "Kreuzweg")),
                          frozenset(("Kreuzweg", "Am Teich & <See>"))}
    # Hilsenberg lies in the middle of way 110: it became a graph node.
    hilsenberg = _junction(node_graph, "rwn", "Hilsenberg")
    assert node_graph.node_osm[hilsenberg["node"]] == 20
    assert _junction(node_graph, "rwn", "Kreuzweg")["osm_id"] == 21     # a guidepost


def test_a_node_in_two_networks_is_a_junction_of_each(node_graph):
    both = [j for j in node_graph.node_network["junctions"] if j["osm_id"] == 3]
    assert sorted((j["network"], j["ref"]) for j in both) == [("rcn", "45"), ("rwn", "7")]
    assert len({j["node"] for j in both}) == 1


def test_issues_gap_missing_ref_and_dangling_ends(node_graph):
    issues = node_graph.node_network["issues"]
    assert {"code": "relation_gap", "relation": 205, "pieces": 2} in issues
    assert {"code": "missing_ref", "node": 4} in issues
    dangling = {i["node"] for i in issues if i["code"] == "route_end_without_junction"}
    assert dangling == {12, 13}                   # the two ends of the gap


def test_summary_counts_survive_save_and_load(node_graph):
    summary = node_graph.meta["summary"]["node_network"]
    assert summary["junctions"] == 9 and summary["links"] == 7
    assert summary["networks"] == {"rcn": {"junctions": 5, "links": 4},
                                   "rwn": {"junctions": 4, "links": 3}}


def test_plan_from_numbers_follows_the_network_not_the_shortcut(planner, node_graph):
    result = planner.plan("rcn", ["12", "7"])           # « 7 » is the post numbered 07
    assert [s["label"] for s in result.sequence] == ["12", "45", "07"]
    links = _links(node_graph, "rcn")
    expected = links[frozenset(("12", "45"))]["length_m"] + links[frozenset(("45", "07"))]["length_m"]
    assert result.itinerary.distance_m == pytest.approx(expected, abs=1.0)
    assert [s["from_previous_m"] for s in result.sequence][1:] == pytest.approx(
        [links[frozenset(("12", "45"))]["length_m"], links[frozenset(("45", "07"))]["length_m"]], abs=1.0)
    plain = planner.router.route([(50.5, 2.9), (50.51, 2.92)], profile="bike")
    assert plain.distance_m < 0.8 * result.itinerary.distance_m      # the diagonal is shorter
    assert result.access_m == (0.0, pytest.approx(0.0, abs=0.5))


def test_plan_from_points_adds_the_shortest_access_leg(planner):
    result = planner.plan("rcn", start=(50.497, 2.905), end=(50.5105, 2.915))
    labels = [s["label"] for s in result.sequence]
    assert labels == ["45", "07"]                # nearer along the way than going back to 12
    start_access, end_access = result.access_m
    assert 1000 < start_access < 1100 and 300 < end_access < 400
    assert result.sequence[0]["at_m"] == pytest.approx(start_access, abs=0.5)
    assert result.itinerary.distance_m == pytest.approx(
        result.sequence[-1]["at_m"] + end_access, abs=1.0)


def test_plan_on_names_with_any_case(planner):
    result = planner.plan("rwn", ["7", "hilsenberg", "Am Teich & <See>"])
    assert [s["label"] for s in result.sequence] == ["7", "Hilsenberg", "Kreuzweg", "Am Teich & <See>"]
    assert result.itinerary.profile == "hike"


@pytest.mark.parametrize("network,nodes,code,value", [
    ("rcn", ["12", "88"], "unknown-node", "88"),
    ("rcn", ["12", "Hilsenberg"], "node-of-other-network", "Hilsenberg"),
    ("rcn", ["12", "99"], "unreachable-node", "99"),
    ("rwn", ["12", "7"], "node-of-other-network", "12"),
    ("xyz", ["12", "7"], "unknown-network", "xyz"),
    ("rcn", ["12"], "too-few-nodes", "12"),
    ("rcn", ["osm:abc", "12"], "bad-node", "osm:abc"),
])
def test_bad_nodes_are_named(planner, network, nodes, code, value):
    with pytest.raises(NodeQueryError) as info:
        planner.plan(network, nodes)
    assert info.value.code == code and info.value.value == value
    assert isinstance(info.value, routing.InvalidQueryError)


def test_repeated_numbers_resolve_to_the_linked_chain(node_graph):
    """Numbers repeat in large networks: the chain with linked junctions wins."""
    graph = graphs.load_graph(node_graph.source_dir)
    table = graph.node_network
    far = dict(_junction(graph, "rcn", "45"), osm_id=999, node=int(graph.node_network["junctions"][0]["node"]))
    far["ref"] = "07"                      # a second « 07 », not linked to 45
    table["junctions"].append(far)
    table["counts"]["rcn"]["junctions"] += 1
    result = NodePlanner(routing.Router(graph)).plan("rcn", ["45", "07"])
    assert [s["osm_id"] for s in result.sequence] == [3, 5]


def test_gpx_has_a_waypoint_per_node(planner, tmp_path):
    from gpx import itinerary_to_gpx

    result = planner.plan("rcn", ["12", "45", "07", "3"])
    text = itinerary_to_gpx(result.itinerary)
    for label in ("12", "45", "07", "3"):
        assert f"<name>{label}</name>" in text
    assert text.count("<type>junction</type>") == 4
    assert_valid_gpx(text, tmp_path)


def test_graph_without_node_network_has_empty_tables(fixture_graph):
    assert fixture_graph.node_network["junctions"] == []
    assert fixture_graph.meta["summary"]["node_network"]["junctions"] == 0
    with pytest.raises(NodeQueryError):
        NodePlanner(routing.Router(fixture_graph)).plan("rcn", ["1", "2"])
