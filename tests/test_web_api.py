"""The HTTP API end to end on the basin test network: plans, formats, errors, uploads."""
import json
import subprocess

import pytest

from .conftest import FIXTURES, shared_path

ROUTE = "/api/v1/route?profile=bike&points=site:base-11-19;site:louvre-lens"


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def test_health_reports_the_graph(web_app):
    body = web_app.test_client().get("/health").get_json()
    assert body["status"] == "ok"
    assert body["graph"]["name"] == "basin" and body["graph"]["format_version"] == 2
    assert body["graph"]["summary"]["route_relations"] == {"bicycle": 6}


def test_route_in_every_format(web_app, tmp_path):
    client = web_app.test_client()
    geo = client.get(ROUTE)
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    line = geo.get_json()["features"][0]
    assert line["geometry"]["type"] == "LineString"
    assert 1000 < line["properties"]["distance_m"] < 5000
    summary = client.get(ROUTE + "&format=json").get_json()
    assert summary["waypoints"][0]["place_id"] == "site:base-11-19"
    gpx = client.get(ROUTE + "&format=gpx")
    assert gpx.mimetype == "application/gpx+xml" and "attachment" in gpx.headers["Content-Disposition"]
    path = tmp_path / "r.gpx"
    path.write_bytes(gpx.data)
    check = subprocess.run(["xmllint", "--noout", "--schema",
                            str(shared_path("schemas", "gpx-1.1.xsd")), str(path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    html = client.get(ROUTE + "&format=html").get_data(as_text=True)
    assert "/static/vendor/leaflet-1.9.3/leaflet.js" in html and "cdn." not in html
    assert "OpenStreetMap" in html and "Etalab" in html
    assert client.get("/static/vendor/leaflet-1.9.3/leaflet.js").status_code == 200


def test_tour_loop_stages_places(web_app):
    client = web_app.test_client()
    stops = "site:cite-des-electriciens;site:base-11-19;site:louvre-lens;site:wallers-arenberg"
    tour = client.get(f"/api/v1/tour?profile=bike&stops={stops}&fixed_end=1&format=json").get_json()
    assert [w["place_id"] for w in tour["waypoints"]][0] == "site:cite-des-electriciens"
    assert tour["waypoints"][-1]["place_id"] == "site:wallers-arenberg"
    loops = client.get("/api/v1/loop?profile=hike&start=site:base-11-19&km=20&favour=terril"
                       "&format=json&seed=1").get_json()
    assert 18000 <= loops[0]["distance_m"] <= 22000 and loops[0]["closed"]
    loop_gpx = client.get("/api/v1/loop?profile=hike&start=site:base-11-19&km=20&format=gpx&rank=1")
    assert loop_gpx.status_code == 200
    stages = client.get(f"/api/v1/stages?profile=bike&points={stops}&days=2&format=json").get_json()
    assert len(stages["stages"]) == 2
    zipped = client.get(f"/api/v1/stages?profile=bike&points={stops}&days=2&format=zip")
    assert zipped.mimetype == "application/zip" and zipped.data[:2] == b"PK"
    terrils = client.get("/api/v1/places?kind=terril&q=11/19").get_json()
    assert {p["id"] for p in terrils["places"]} >= {"terril:T074", "terril:T074a"}
    boxed = client.get("/api/v1/places?bbox=50.42,2.77,50.45,2.82&kind=major_site,museum").get_json()
    assert {p["id"] for p in boxed["places"]} == {"site:base-11-19", "site:louvre-lens"}


@pytest.mark.parametrize("url, status, fragment", [
    ("/api/v1/route?profile=skate&points=50.44,2.79;50.43,2.80", 400, "'profile' is unknown"),
    ("/api/v1/route?profile=hike&points=50.44,2.79", 400, "at least two"),
    ("/api/v1/route?profile=hike", 400, "'points' is required"),
    ("/api/v1/route?profile=hike&points=50.44,2.79;48.85,2.35", 422, "more than 1000 m"),
    ("/api/v1/route?profile=hike&points=site:nowhere;site:lewarde", 400, "unknown place id"),
    ("/api/v1/route?profile=hike&points=95,2;50,2", 400, "latitude"),
    ("/api/v1/route?profile=hike&points=site:lewarde;site:louvre-lens&route_preference=x", 400, "number"),
    ("/api/v1/route?profile=hike&points=site:lewarde;site:louvre-lens&format=pdf", 400, "format"),
    ("/api/v1/loop?profile=hike&start=site:base-11-19&km=900", 400, "between"),
    ("/api/v1/loop?profile=hike&start=site:base-11-19", 400, "'km' is required"),
    ("/api/v1/stages?profile=hike&points=site:lewarde;site:louvre-lens", 400, "days"),
    ("/api/v1/places?bbox=1,2", 400, "bbox"),
    ("/api/v1/places?limit=many", 400, "integer"),
    ("/api/v1/stages?profile=hike&points=site:lewarde;site:louvre-lens&days=nan", 400, "integer"),
    ("/api/v1/loop?profile=hike&start=site:base-11-19&km=inf", 400, "number"),
    ("/api/v1/loop?profile=hike&start=site:base-11-19&km=20&format=gpx&rank=first", 400, "integer"),
    ("/api/v1/loop?profile=hike&start=site:base-11-19&km=20&format=gpx&rank=9", 400, "between"),
    ("/api/v1/itineraries/999999", 404, "no itinerary"),
    ("/api/v1/nothing-here", 404, ""),
])
def test_bad_input_gives_problem_details(web_app, url, status, fragment):
    body = problem(web_app.test_client().get(url), status)
    assert fragment.lower() in body["detail"].lower()


def test_too_many_stops(web_app):
    stops = ";".join(f"50.44,{2.70 + i * 0.01:.2f}" for i in range(26))
    body = problem(web_app.test_client().get(f"/api/v1/tour?profile=bike&stops={stops}"), 400)
    assert "at most 25" in body["detail"]


def test_gpx_upload_stats_and_match(web_app):
    client = web_app.test_client()
    stats = client.post("/api/v1/gpx/stats", data=(FIXTURES / "garmin.gpx").read_bytes(),
                        content_type="application/gpx+xml").get_json()
    assert stats["points"] == 7
    gpx = client.get(ROUTE + "&format=gpx").data
    matched = client.post("/api/v1/gpx/match?profile=bike&format=json",
                          data={"file": (__import__("io").BytesIO(gpx), "trace.gpx")},
                          content_type="multipart/form-data").get_json()
    assert matched["kind"] == "matched" and matched["meta"]["match_score"] > 0.95
    hostile = client.post("/api/v1/gpx/stats", content_type="application/gpx+xml",
                          data=b'<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>')
    assert "DTD" in problem(hostile, 400)["detail"]
    problem(client.post("/api/v1/gpx/stats", data=b"", content_type="application/gpx+xml"), 400)


def test_upload_size_is_bounded(web_app):
    web_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    body = problem(web_app.test_client().post("/api/v1/gpx/stats?lang=en",
                                              data=b"<gpx>" + b" " * 2_000_000,
                                              content_type="application/gpx+xml"), 413)
    assert "larger than 1 MB" in body["detail"]
    french = web_app.test_client().post("/api/v1/gpx/stats", data=b"<gpx>" + b" " * 2_000_000,
                                        content_type="application/gpx+xml",
                                        headers={"Accept-Language": "fr"})
    assert "dépasse 1 Mo" in problem(french, 413)["detail"]


def test_openapi_document_is_valid(web_app):
    from openapi_spec_validator import validate

    client = web_app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert {"/api/v1/route", "/api/v1/tour", "/api/v1/loop", "/api/v1/stages", "/api/v1/places",
            "/api/v1/gpx/match", "/api/v1/itineraries", "/health"} <= set(spec["paths"])
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/route" in docs and "application/problem+json" in docs


def test_language_switch(web_app):
    client = web_app.test_client()
    assert "Connexion" in client.get("/login").get_data(as_text=True)
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/login").get_data(as_text=True)        # remembered
    other = web_app.test_client()
    assert "Log in" in other.get("/login", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    json.dumps(client.get("/health").get_json())
