"""Connectivity of the heritage and the proposed node network, on the basin test network."""
import collections

import networkx as nx
import numpy as np
import osmium
import pytest

import graphs
from routing.connectivity import CLASSES, heritage_connectivity, signed_edges
from routing.node_network import NodePlanner
from routing.node_proposal import backbone, propose_node_network
from web import node_exports

from .conftest import shared_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def basin(built):
    return built("basin")[0]


@pytest.fixture(scope="module")
def connectivity(basin):
    return heritage_connectivity(basin)


@pytest.fixture(scope="module")
def proposal(basin):
    return propose_node_network(basin)


def test_every_cite_terril_and_site_is_classed(connectivity):
    counts = connectivity.counts()["by_group"]
    assert sum(counts["cite"].values()) == 159
    assert sum(counts["terril"].values()) == 51
    assert sum(counts["major_site"].values()) == 6           # five major sites + Louvre-Lens
    bounds = dict(CLASSES)
    for row in connectivity.rows:
        if row["distance_m"] is None:
            assert row["class"] == "far"
            continue
        assert row["distance_m"] == pytest.approx(row["access_m"] + row["network_m"], abs=0.2)
        assert row["distance_m"] <= bounds[row["class"]]
    by_id = {r["id"]: r for r in connectivity.rows}
    assert by_id["site:base-11-19"]["class"] == "on" and "EV5" in by_id["site:base-11-19"]["routes"]
    assert counts["cite"]["on"] > 10 and counts["cite"]["far"] > 10


def test_network_distances_match_networkx(basin, connectivity):
    signed = signed_edges(basin)
    g = nx.Graph()
    for u, v, length in zip(basin.edge_u.tolist(), basin.edge_v.tolist(), basin.edge_len.tolist()):
        if u != v and (not g.has_edge(u, v) or g[u][v]["w"] > length):
            g.add_edge(u, v, w=length)
    sources = set(basin.edge_u[signed].tolist()) | set(basin.edge_v[signed].tolist())
    dist = nx.multi_source_dijkstra_path_length(g, sources, cutoff=20_000, weight="w")
    checked = 0
    for row in connectivity.rows:
        place = basin.place(row["id"])
        if place.link is None or row["network_m"] is None:
            continue
        e, off = place.link["edge"], place.link["offset_m"]
        u, v = int(basin.edge_u[e]), int(basin.edge_v[e])
        expected = 0.0 if signed[e] else min(off + dist.get(u, np.inf),
                                             basin.edge_len[e] - off + dist.get(v, np.inf))
        assert row["network_m"] == pytest.approx(expected, abs=0.5)
        checked += 1
    assert checked > 150


def test_paths_end_on_a_signed_itinerary(basin, connectivity):
    signed = signed_edges(basin)
    ends = np.unique(np.concatenate([basin.edge_u[signed], basin.edge_v[signed]]))
    with_path = [r for r in connectivity.rows if r["network_m"] and r["network_m"] > 0]
    assert with_path
    for row in with_path:
        lat, lon = row["path"][-1]
        gap = np.hypot(basin.node_lat[ends] - lat, basin.node_lon[ends] - lon).min()
        assert gap < 2e-6
        assert row["routes"]


def test_connectors_reach_each_cite_once_ranked_by_cites_per_km(connectivity):
    connectors = connectivity.connectors
    assert [c["rank"] for c in connectors] == list(range(1, len(connectors) + 1))
    reached = [cite for c in connectors for cite in c["cites"]]
    assert len(reached) == len(set(reached))
    wanted = {r["id"] for r in connectivity.rows
              if r["group"] == "cite" and r["class"] != "on" and r["network_m"]}
    assert set(reached) == wanted
    for c in connectors:
        assert c["cites_per_km"] == pytest.approx(c["n_cites"] / max(c["length_m"] / 1000, 0.05), rel=0.005)
    # Greedy: the first pick is the best ratio among all the cités' own trails.
    assert connectors[0]["cites_per_km"] >= max(c["cites_per_km"] for c in connectors if c["n_cites"] == 1) - 1e-9


def test_connectivity_csv_and_geojson(connectivity):
    text = node_exports.connectivity_csv(connectivity, "en")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + len(connectivity.rows)
    assert lines[0].startswith("id,group,name,class")
    geo = node_exports.connectivity_geojson(connectivity, "fr")
    kinds = collections.Counter(f["properties"]["feature"] for f in geo["features"])
    assert kinds["place"] == len(connectivity.rows) and kinds["connector"] == len(connectivity.connectors)


def test_proposal_numbers_two_digits_never_shared_by_neighbours(proposal):
    nodes, links = proposal.nodes, proposal.links
    assert 300 < len(nodes) < 1000 and len(links) > 300
    assert all(len(n["ref"]) == 2 and n["ref"].isdigit() and n["ref"] != "00" for n in nodes)
    near = collections.defaultdict(set)
    for link in links:
        assert nodes[link["a"]]["ref"] != nodes[link["b"]]["ref"]
        near[link["a"]].add(link["b"])
        near[link["b"]].add(link["a"])
    for i, around in near.items():        # from any node, the next nodes' numbers differ
        refs = [nodes[j]["ref"] for j in around]
        assert len(refs) == len(set(refs))


def test_proposal_links_follow_the_backbone(basin, proposal):
    mask = backbone(basin)
    for link in proposal.links:
        assert mask[link["edges"]].all()
        assert link["length_m"] == pytest.approx(basin.edge_len[link["edges"]].sum(), abs=0.2)
        node = proposal.nodes[link["a"]]["node"]
        for e in link["edges"]:                       # edges chain from a to b
            assert node in (basin.edge_u[e], basin.edge_v[e])
            node = basin.edge_v[e] if basin.edge_u[e] == node else basin.edge_u[e]
        assert node == proposal.nodes[link["b"]]["node"]
    covered = {e for link in proposal.links for e in link["edges"]}
    assert basin.edge_len[list(covered)].sum() > 0.8 * basin.edge_len[mask].sum()


def test_proposal_osm_xml_reads_back_as_a_node_network(basin, proposal, tmp_path):
    text = node_exports.proposal_osm_xml(basin, proposal, "network.osm")
    path = tmp_path / "proposal.osm"
    path.write_text(text, "utf-8")
    refs, relations = {}, 0
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            refs[obj.id] = obj.tags["rcn_ref"]
            assert obj.tags["network:type"] == "node_network"
        elif obj.is_relation():
            relations += 1
            assert obj.tags["network:type"] == "node_network" and obj.tags["network"] == "rcn"
    assert len(refs) == len(proposal.nodes) and relations == len(proposal.links)
    geo = node_exports.proposal_geojson(basin, proposal)
    assert sum(1 for f in geo["features"] if "rcn_ref" in f["properties"]) == len(proposal.nodes)


def test_applied_proposal_is_planned_on(basin, proposal, tmp_path):
    """The proposal written into the OSM file is read back, link for link, and planned on."""
    from graphs.node_network import apply_to_osm

    merged = tmp_path / "with-nodes.osm"
    apply_to_osm(shared_path("bassin-minier", "network.osm"), merged, *proposal.osm_objects(basin))
    graph = graphs.build_graph(merged, name="with-nodes")
    table = graph.node_network
    assert len(table["junctions"]) == len(proposal.nodes)
    osm_of = [j["osm_id"] for j in table["junctions"]]
    back = {frozenset((osm_of[lk["a"]], osm_of[lk["b"]])): lk["length_m"] for lk in table["links"]}
    for link in proposal.links:
        key = frozenset((proposal.nodes[link["a"]]["osm_id"], proposal.nodes[link["b"]]["osm_id"]))
        assert back[key] == pytest.approx(link["length_m"], abs=0.5)
    import routing

    planner = NodePlanner(routing.Router(graph))
    link = max(proposal.links, key=lambda lk: lk["length_m"] if lk["length_m"] < 5000 else 0)
    a, b = proposal.nodes[link["a"]], proposal.nodes[link["b"]]
    result = planner.plan("rcn", [f"osm:{a['osm_id']}", f"osm:{b['osm_id']}"])
    assert result.sequence[0]["osm_id"] == a["osm_id"] and result.sequence[-1]["osm_id"] == b["osm_id"]
    assert result.itinerary.distance_m <= link["length_m"] + 1.0
