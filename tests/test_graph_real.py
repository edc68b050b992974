"""The graph layer on the real OSM extracts and the basin's heritage layers."""
import numpy as np

import graphs

MAJOR = ["site:lewarde", "site:oignies-9-9bis", "site:base-11-19",
         "site:cite-des-electriciens", "site:wallers-arenberg", "site:louvre-lens"]


def test_heidelberg_builds_and_reloads(built):
    graph, out = built("heidelberg")
    summary = graph.meta["summary"]
    assert graph.n_nodes > 20_000 and graph.n_edges > 30_000
    assert 3000 < summary["km"] < 4500
    assert summary["km_by_highway"]["track"] > 1000
    assert summary["route_relations"]["hiking"] >= 150
    assert summary["route_relations"]["bicycle"] >= 20
    assert graph.meta["osm_date"].startswith("2024-09")
    assert graph.meta["format_version"] == 2
    # more than 95 % of the network in one piece
    assert summary["largest_component_share"] > 0.95
    # steps were kept (they are walkable) and no motorway sneaked in
    assert graph.codes_of("highway", ["steps"]).sum() > 100
    assert not graph.codes_of("highway", ["motorway", "motorway_link"]).any()
    # trunks are kept (routable unless motorroad=yes or signed closed); what was left out
    # is reported by reason
    dropped = summary["dropped"]
    assert dropped["ways"]["highway=motorway"] > 0 and dropped["ways"]["motorroad"] > 0
    assert sum(v for k, v in dropped["nodes"].items() if k.startswith("closed:")) > 10
    # the reload is exactly the build
    again = graphs.load_graph(out)
    assert np.array_equal(again.edge_len, graph.edge_len)
    assert again.routes == graph.routes


def test_liechtenstein_keeps_mountain_scales(built):
    graph, _ = built("liechtenstein")
    sac = graph.cat["sac_scale"] > 0
    mtb = graph.cat["mtb_scale"] > 0
    assert sac.sum() > 200 and mtb.sum() > 100
    assert {"mountain_hiking", "demanding_mountain_hiking"} <= set(graph.vocab["sac_scale"])


def test_andorra_elevations_from_dem(built):
    graph, _ = built("andorra")
    ele = graph.node_ele[np.isfinite(graph.node_ele)]
    # a few nodes of the extract lie outside the one SRTM tile (or on voids)
    assert len(ele) > 0.99 * graph.n_nodes
    assert 800 <= ele.min() and ele.max() <= 3000
    assert np.nanmax(graph.edge_ascent) > 50
    # ascent - descent equals the elevation change of every edge
    change = graph.node_ele[graph.edge_v] - graph.node_ele[graph.edge_u]
    known = np.isfinite(change) & np.isfinite(graph.edge_ascent)
    assert known.mean() > 0.99
    # (an edge with a shape point on a DEM void counts only its known stretches)
    mismatch = ~np.isclose((graph.edge_ascent - graph.edge_descent)[known], change[known], atol=0.05)
    assert mismatch.sum() <= 0.001 * known.sum()


def test_no_dem_means_empty_elevation_not_errors(built):
    graph, _ = built("heidelberg")
    assert not graph.has_elevation and np.isnan(graph.edge_ascent).all()


def test_krems_xml_gz_builds(built):
    graph, _ = built("krems")
    assert graph.n_edges > 1000
    assert graph.meta["source"] == "krems.osm.gz"


def test_basin_network_with_heritage(built):
    graph, _ = built("basin")
    for place_id in MAJOR:
        place = graph.place(place_id)
        assert place is not None, place_id
        assert place.link["distance_m"] <= 500, (place_id, place.link)
        assert not place.far
    unesco_terrils = [p for p in graph.places if p.kind == "terril" and p.unesco_id]
    assert len(unesco_terrils) == 51
    # each official terril was matched with its OSM spoil heap of the network file
    assert all(p.tags.get("osm_id", "").startswith("osm:way/") for p in unesco_terrils)
    assert all(p.summit for p in unesco_terrils)
    t074 = graph.place("terril:T074")
    assert t074.unesco_id == "63AF" and "11/19" in t074.name
    assert graph.meta["summary"]["unesco_components"] == 353
    ev5 = [r for r in graph.routes if r.get("ref") == "EV5"]
    assert len(ev5) == 1 and ev5[0]["network"] == "icn"
    idx = graph.routes.index(ev5[0])
    ev5_edges = np.isin(np.arange(graph.n_edges), np.repeat(
        np.arange(graph.n_edges), np.diff(graph.edge_route_ptr))[graph.edge_route_idx == idx])
    assert 95_000 < graph.edge_len[ev5_edges].sum() < 115_000   # README: 105.0 km
    kinds = graph.meta["summary"]["places_by_kind"]
    assert kinds["cite"] >= 150 and kinds["mining_building"] == 159
    assert kinds["mine_shaft"] == 636


def test_far_places_are_flagged(built):
    graph, _ = built("basin")
    for place in graph.places:
        if place.link is None:
            assert place.far
        else:
            assert place.far == (place.link["distance_m"] > 500)
    assert any(p.far for p in graph.places) and sum(not p.far for p in graph.places) > 500
