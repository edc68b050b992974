"""Node networks over HTTP and on the command line: plans, strips, problems, maps, exports."""
import csv
import io
import json
import re

import osmium
import pytest

import graphs
import routing
from web.cli import main as cli_main

from .conftest import FIXTURES, assert_valid_gpx

ROUTE = "/api/v1/node-networks/rcn/route"


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory):
    graph = graphs.build_graph(FIXTURES / "node_network.osm.xml", name="nodes")
    return graphs.save_graph(graph, tmp_path_factory.mktemp("g") / "nodes")


@pytest.fixture()
def node_client(node_dir, tmp_path):
    from web import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True},
                     router=routing.RoutingService(graphs.load_graph(node_dir)))
    return app.test_client()


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_health_counts_the_node_networks(node_client):
    summary = node_client.get("/health").get_json()["graph"]["summary"]["node_network"]
    assert summary["junctions"] == 9 and summary["links"] == 7
    listing = node_client.get("/api/v1/node-networks").get_json()
    assert listing["networks"]["rwn"] == {"junctions": 4, "links": 3}
    assert {"code": "relation_gap", "relation": 205, "pieces": 2} in listing["issues"]


def test_route_from_numbers_in_every_format(node_client, tmp_path):
    body = node_client.get(ROUTE + "?nodes=12,45,07,3").get_json()
    assert body["labels"] == ["12", "45", "07", "3"]
    assert "12 – 45 – 07 – 3" in body["strip"]
    steps = body["sequence"]
    assert steps[-1]["at_m"] == pytest.approx(sum(s["from_previous_m"] for s in steps), abs=0.5)
    text = node_client.get(ROUTE + "?nodes=12;45;07;3&format=text&lang=en")
    assert text.mimetype == "text/plain" and "Node route" in text.get_data(as_text=True)
    geo = node_client.get(ROUTE + "?nodes=12,45,07,3&format=geojson").get_json()
    assert geo["features"][0]["geometry"]["type"] == "LineString"
    gpx = node_client.get(ROUTE + "?nodes=12,45,07,3&format=gpx")
    assert gpx.mimetype == "application/gpx+xml"
    assert gpx.get_data(as_text=True).count("<type>junction</type>") == 4
    assert_valid_gpx(gpx.data, tmp_path)


def test_route_from_points_and_the_map_keeps_names_inert(node_client):
    body = node_client.get(ROUTE + "?from=50.497,2.905&to=50.5105,2.915").get_json()
    assert body["labels"] == ["45", "07"] and body["access_m"][0] > 1000
    page = node_client.get("/api/v1/node-networks/rwn/route?nodes=Kreuzweg;Am Teich %26 <See>&format=html")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<See>" not in html and "Am Teich \\u0026 \\u003cSee\\u003e" in html
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", html))


@pytest.mark.parametrize("query,status,kind,field,value", [
    ("?nodes=12,88", 400, "unknown-node", "nodes", "88"),
    ("?nodes=12,Hilsenberg", 400, "node-of-other-network", "nodes", "Hilsenberg"),
    ("?nodes=12,99", 422, "unreachable-node", "nodes", "99"),
    ("?nodes=12", 400, "too-few-nodes", "nodes", "12"),
    ("?nodes=12,7&format=pdf", 400, "bad-format", "format", None),
    ("?from=50.5,2.9;50.6,2.9&to=50.51,2.92", 400, "invalid-query", "from", None),
])
def test_bad_input_is_a_problem_naming_it(node_client, query, status, kind, field, value):
    body = problem(node_client.get(ROUTE + query), status)
    assert body["type"].endswith(kind) and body["field"] == field
    if value is not None:
        assert body["value"] == value and value in body["detail"]


def test_unknown_network_is_404(node_client):
    body = problem(node_client.get("/api/v1/node-networks/xyz/route?nodes=1,2"), 404)
    assert body["value"] == "xyz"
    problem(node_client.get("/api/v1/node-networks/xyz"), 404)


def test_network_geojson_and_designer_page(node_client):
    geo = node_client.get("/api/v1/node-networks/rwn").get_json()
    points = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    assert sorted(f["properties"]["label"] for f in points) == ["7", "Am Teich & <See>", "Hilsenberg", "Kreuzweg"]
    page = node_client.get("/nodes?network=rwn")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-network="rwn"' in html and "node_designer.js" in html
    assert node_client.get("/static/node_designer.js").status_code == 200
    problem(node_client.get("/nodes?network=zzz"), 400)


def test_connectivity_and_proposal_over_http(web_app):
    client = web_app.test_client()
    body = client.get("/api/v1/network/connectivity").get_json()
    assert sum(body["counts"]["by_group"]["cite"].values()) == 159
    assert body["connectors"][0]["rank"] == 1
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/network/connectivity?format=csv")
                                           .get_data(as_text=True))))
    assert len(rows) == len(body["rows"]) and rows[0]["class"] in ("on", "near", "close", "far")
    geo = client.get("/api/v1/network/connectivity?format=geojson")
    assert geo.mimetype == "application/geo+json"
    osm = client.get("/api/v1/network/proposal?format=osm")
    assert osm.status_code == 200 and b'upload="never"' in osm.data
    summary = client.get("/api/v1/network/proposal?format=json").get_json()
    assert summary["counts"]["nodes"] == len(summary["nodes"])
    for view in ("connectivity", "proposal"):
        page = client.get(f"/network/{view}")
        assert page.status_code == 200 and 'id="bassin-map-data"' in page.get_data(as_text=True)
    problem(client.get("/api/v1/network/connectivity?format=xls"), 400)
    assert client.get("/network/elsewhere").status_code == 404


def test_cli_nodes_route_and_bad_node(node_dir, tmp_path, capsys):
    gpx = tmp_path / "n.gpx"
    assert cli_main(["nodes", "route", "--graph", str(node_dir), "--network", "rcn",
                     "--nodes", "12,45,07", "--gpx", str(gpx)]) == 0
    assert "12 – 45 – 07" in capsys.readouterr().out
    assert gpx.read_text("utf-8").count("<type>junction</type>") == 3
    assert cli_main(["nodes", "route", "--graph", str(node_dir), "--network", "rcn",
                     "--nodes", "12,Hilsenberg"]) == 2
    assert "belongs to the rwn network" in capsys.readouterr().err
    assert cli_main(["nodes", "list", "--graph", str(node_dir), "--network", "rwn"]) == 0
    assert "Hilsenberg\tosm:20" in capsys.readouterr().out


def test_cli_network_connectivity_and_proposal(built, tmp_path, capsys):
    graph_dir = built("basin")[1]
    out = tmp_path / "c.csv"
    assert cli_main(["network", "connectivity", "--graph", str(graph_dir), "--csv", str(out),
                     "--map", str(tmp_path / "c.html")]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert sum(counts["by_group"]["cite"].values()) == 159
    assert len(out.read_text("utf-8").splitlines()) > 159
    html = (tmp_path / "c.html").read_text("utf-8")
    assert "Content-Security-Policy" in html and "/static/vendor" not in html   # a standalone file
    osm = tmp_path / "p.osm"
    assert cli_main(["network", "proposal", "--graph", str(graph_dir), "--osm", str(osm)]) == 0
    counts = json.loads(capsys.readouterr().out)
    refs = [o.tags["rcn_ref"] for o in osmium.FileProcessor(str(osm), osmium.osm.NODE)]
    assert len(refs) == counts["nodes"]
