"""The routing API end to end on the basin test network: directions with steps in two
languages, GPX rte with instructions, alternatives, isochrones, matrices, options,
closures and their problems."""
import json

import defusedxml.ElementTree as ET
import pytest

from .conftest import shared_path

POINTS = "site:base-11-19;site:louvre-lens"
GPX = "{http://www.topografix.com/GPX/1/1}"


def problem(response, status, fragment=""):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert fragment in body["detail"]
    return body


def test_directions_with_steps_in_french_and_english(web_app):
    client = web_app.test_client()
    fr = client.get(f"/api/v1/directions?profile=bike&points={POINTS}&lang=fr").get_json()
    en = client.get(f"/api/v1/directions?profile=bike&points={POINTS}&lang=en").get_json()
    assert fr["code"] == "Ok" and len(fr["routes"]) == 1
    route = fr["routes"][0]
    assert route["planner"] == "ch"
    steps_fr = route["legs"][0]["steps"]
    steps_en = en["routes"][0]["legs"][0]["steps"]
    assert steps_fr[0]["maneuver"]["type"] == "depart"
    assert steps_fr[-1]["maneuver"]["type"] == "arrive"
    assert steps_fr[-1]["instruction"] == "Vous êtes arrivé"
    assert steps_en[-1]["instruction"] == "You have arrived"
    assert [s["maneuver"]["type"] for s in steps_fr] == [s["maneuver"]["type"] for s in steps_en]
    assert sum(s["distance"] for s in steps_fr) == pytest.approx(route["distance"], abs=2)
    # the basin test network is greenways: the route changes way (and leaves EV5) without
    # sharp turns, which the steps say
    middle = steps_fr[1:-1]
    assert middle and all(s["name"] and s["name"] in s["instruction"] for s in middle)
    assert any("EV5" in s["instruction"] for s in steps_fr)


def test_directions_gpx_has_a_rte_of_instructions(web_app):
    response = web_app.test_client().get(
        f"/api/v1/directions?profile=bike&points={POINTS}&format=gpx&lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/gpx+xml"
    root = ET.fromstring(response.data)
    rtepts = root.findall(f"{GPX}rte/{GPX}rtept")
    assert len(rtepts) >= 3
    names = [p.find(f"{GPX}name").text for p in rtepts]
    assert names[0].startswith("Partez vers") and names[-1] == "Vous êtes arrivé"
    assert rtepts[0].find(f"{GPX}desc").text.startswith("puis ")
    assert root.find(f"{GPX}trk") is not None
    xsd = shared_path("schemas", "gpx-1.1.xsd")
    import subprocess
    check = subprocess.run(["xmllint", "--noout", "--schema", str(xsd), "-"], input=response.data,
                           capture_output=True)
    assert check.returncode == 0, check.stderr


def test_alternatives_differ_and_stay_close(web_app):
    body = web_app.test_client().get(
        f"/api/v1/directions?profile=bike&points={POINTS}&alternatives=3").get_json()
    routes = body["routes"]
    assert 1 <= len(routes) <= 3
    for r in routes[1:]:
        assert r["stretch"] <= 1.4 and r["overlap"] <= 0.7 and r["planner"] == "alt"


def test_options_through_the_api(web_app):
    client = web_app.test_client()
    body = client.get(f"/api/v1/directions?profile=bike&points={POINTS}&avoid_unpaved=1"
                      "&prefer_signed=2").get_json()
    assert body["routes"][0]["planner"] == "alt"
    assert body["options"]["avoid_unpaved"] is True and body["options"]["prefer_signed"] == 2
    problem(client.get(f"/api/v1/directions?points={POINTS}&max_sac=T9"), 400, "max_sac")
    problem(client.get(f"/api/v1/directions?points={POINTS}&alternatives=9"), 400, "alternatives")
    problem(client.get(f"/api/v1/directions?points={POINTS}&lang=de"), 400, "lang")
    problem(client.get(f"/api/v1/directions?points={POINTS}&date=tomorrow"), 400, "date")


def _box(lat, lon, half):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def test_avoid_areas_post_and_422(web_app):
    client = web_app.test_client()
    plain = client.get(f"/api/v1/directions?profile=bike&points={POINTS}").get_json()
    coords = plain["routes"][0]["geometry"]["coordinates"]
    lon, lat = coords[len(coords) // 2][:2]
    avoided = client.post("/api/v1/directions", json={
        "profile": "bike", "points": POINTS.split(";"), "avoid_areas": _box(lat, lon, 0.002)})
    assert avoided.status_code == 200, avoided.get_data(as_text=True)
    new = avoided.get_json()["routes"][0]["geometry"]["coordinates"]
    assert all(abs(x - lon) > 0.002 or abs(y - lat) > 0.002 for x, y, *_ in new)
    everything = client.post("/api/v1/directions", json={
        "profile": "bike", "points": POINTS.split(";"), "avoid_areas": _box(lat, lon, 2.0)})
    body = problem(everything, 422)
    assert body["type"].endswith("no-route-left")
    problem(client.post("/api/v1/directions", json={"points": POINTS.split(";"),
                                                     "avoid_areas": {"type": "Point"}}), 400,
            "avoid_areas")


def test_configured_closures_are_avoided(router_for, tmp_path):
    from web import create_app

    router = router_for("basin")
    base = router.route(POINTS.split(";"), "bike")
    mid = len(base.lat) // 2
    lat, lon = float(base.lat[mid]), float(base.lon[mid])
    layer = tmp_path / "closures.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _box(lat, lon, 0.002),
         "properties": {"reason": "travaux", "from": "2020-01-01", "to": "2099-12-31"}}]}))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "TESTING": True,
                      "INSTANCE_DIR": str(tmp_path / "i"), "CLOSURES_FILE": str(layer)},
                     router=router)
    client = app.test_client()
    body = client.get(f"/api/v1/directions?profile=bike&points={POINTS}").get_json()
    assert body["closures_avoided"] == 1 and body["routes"][0]["planner"] == "alt"
    coords = body["routes"][0]["geometry"]["coordinates"]
    assert all(abs(x - lon) > 0.002 or abs(y - lat) > 0.002 for x, y, *_ in coords)
    before = client.get(f"/api/v1/directions?profile=bike&points={POINTS}&date=2019-06-01")
    assert before.get_json()["closures_avoided"] == 0


def test_isochrone_bands(web_app):
    client = web_app.test_client()
    response = client.get("/api/v1/isochrone?profile=bike&point=site:louvre-lens&minutes=10,20")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    assert [f["properties"]["contour"] for f in features] == [20, 10]
    assert features[0]["properties"]["area_km2"] > features[1]["properties"]["area_km2"] > 0
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    by_km = client.get("/api/v1/isochrone?profile=hike&point=site:louvre-lens&km=2").get_json()
    assert by_km["features"][0]["properties"]["metric"] == "distance"
    problem(client.get("/api/v1/isochrone?point=site:louvre-lens"), 400, "minutes")
    problem(client.get("/api/v1/isochrone?point=site:louvre-lens&minutes=9999"), 400, "minutes")
    problem(client.get("/api/v1/isochrone?point=site:louvre-lens&minutes=a"), 400, "minutes")


def test_matrix_agrees_with_routes(web_app, router_for):
    client = web_app.test_client()
    sites = ["site:base-11-19", "site:louvre-lens", "site:lewarde"]
    body = client.post("/api/v1/matrix", json={"profile": "bike", "sources": sites,
                                               "destinations": sites}).get_json()
    assert len(body["durations"]) == 3 and all(len(r) == 3 for r in body["durations"])
    assert body["durations"][0][0] == 0
    router = router_for("basin")
    it = router.route([sites[0], sites[2]], "bike")
    assert body["distances"][0][2] == pytest.approx(it.distance_m, abs=1)
    assert body["durations"][0][2] == pytest.approx(it.duration_s, abs=1)
    many = ";".join(["site:louvre-lens"] * 101)
    problem(client.get(f"/api/v1/matrix?sources={many}&destinations=site:lewarde"), 400, "100")


def test_plain_route_api_takes_the_options_too(web_app):
    client = web_app.test_client()
    summary = client.get(f"/api/v1/route?profile=bike&points={POINTS}&avoid_unpaved=1"
                         "&format=json").get_json()
    assert summary["meta"]["planner"] == "alt" and summary["meta"]["options"]["avoid_unpaved"]
    assert "unpaved" not in {w["type"] for w in summary["warnings"]}
    default = client.get(f"/api/v1/route?profile=bike&points={POINTS}&format=json").get_json()
    assert default["meta"]["planner"] == "ch"
    problem(client.get(f"/api/v1/route?points={POINTS}&route_preference=1&follow_route=EV5"),
            400, "route_preference")


def test_maps_of_alternatives_and_isochrones(web_app):
    client = web_app.test_client()
    alt = client.get(f"/api/v1/directions?profile=bike&points={POINTS}&alternatives=3&format=html")
    assert alt.status_code == 200 and alt.mimetype == "text/html"
    html = alt.get_data(as_text=True)
    assert "/static/vendor/leaflet-1.9.3/leaflet.js" in html and "dashArray" in html
    # the routing network is drawn under the routes, so the map reads without tiles
    assert "/static/network-layer.js" in html and "/api/v1/network" in html
    nonce = alt.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}"' in html
    iso = client.get("/api/v1/isochrone?profile=hike&point=site:louvre-lens&minutes=15,30"
                     "&format=html")
    assert iso.status_code == 200 and "geo_json" in iso.get_data(as_text=True)


def test_itinerary_page_has_a_roadbook(web_app):
    from .conftest import login

    staff = web_app.test_client()
    csrf = login(staff)
    created = staff.post("/api/v1/itineraries", headers={"X-CSRF-Token": csrf}, json={
        "name": "Du 11/19 au Louvre-Lens", "kind": "route",
        "request": {"profile": "bike", "points": POINTS}}).get_json()
    fr = staff.get(f"/i/{created['slug']}?lang=fr").get_data(as_text=True)
    assert "Feuille de route" in fr and "Partez vers" in fr and "Vous êtes arrivé" in fr
    en = staff.get(f"/i/{created['slug']}?lang=en").get_data(as_text=True)
    assert "Roadbook" in en and "You have arrived" in en


def test_openapi_documents_the_options(web_app):
    spec = web_app.test_client().get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/api/v1/directions"]["get"]["parameters"]}
    assert {"prefer_signed", "follow_route", "avoid_unpaved", "avoid_steps", "max_sac",
            "max_mtb", "avoid_areas", "alternatives", "lang"} <= names
    assert "/api/v1/isochrone" in spec["paths"] and "/api/v1/matrix" in spec["paths"]
