"""Geotrek API v2 (ESCAPADE 62): export shapes, import of documented fixtures, round trip."""
import json
import subprocess
import sys

import pytest
from defusedxml import ElementTree

from gpx import geotrek
from gpx.errors import GPXInputError
from gpx.geotrek_import import to_itinerary, treks_in

from .conftest import FIXTURES, login

CLI = [sys.executable, "-m", "web.cli"]
TRANSLATED = ("name", "description_teaser", "description", "departure", "arrival", "advice",
              "public_transport", "access", "ambiance", "advised_parking", "gear")
NUMBERS = ("length_2d", "length_3d", "duration", "ascent", "descent", "min_elevation",
           "max_elevation")
LISTS = ("themes", "networks", "accessibilities", "labels", "children", "parents")


def check_trek_shape(trek, three_d):
    for key in TRANSLATED:
        assert set(trek[key]) == {"fr", "en"}, key
    for key in NUMBERS:
        assert isinstance(trek[key], (int, float)) or (
            trek[key] is None and not three_d and key not in ("length_2d", "length_3d",
                                                             "duration")), key
    assert trek["descent"] is None or trek["descent"] <= 0
    for key in LISTS:
        assert isinstance(trek[key], list), key
    for key in ("practice", "route", "difficulty"):
        assert isinstance(trek[key], int), key
    geometry = trek["geometry"]
    assert geometry["type"] == "LineString"
    assert all(len(c) == (3 if three_d else 2) for c in geometry["coordinates"])
    assert trek["points_reference"]["type"] == "MultiPoint"
    assert trek["departure_geom"] == geometry["coordinates"][0][:2]


@pytest.fixture(scope="module")
def andorra_stages(router_for):
    router = router_for("andorra")
    it = router.route([(42.5078, 1.5211), (42.5631, 1.6047), (42.4635, 1.4904)], "hike")
    it.name, it.description = "Traversée d'Andorre", "Deux jours de crêtes.\nNuit à l'hôtel."
    return router.stages(it, days=2)


def test_trek_export_shape(router_for):
    router = router_for("basin")
    loop = router.loop("site:base-11-19", 20, "hike", favour=["terril"], seed=1)[0]
    trek = geotrek.export(loop)
    check_trek_shape(trek, three_d=False)
    vocabulary = geotrek.load_vocabulary()
    route = {e["id"]: e["kind"] for e in vocabulary["route"]}
    assert route[trek["route"]] == "loop"
    assert trek["practice"] == 1 and trek["length_2d"] == pytest.approx(loop.distance_m, abs=0.1)
    assert 2 in trek["themes"]                         # terrils along the loop
    assert "Terril" in trek["ambiance"]["fr"] and "UNESCO" in trek["ambiance"]["fr"]
    assert trek["published"] == {"fr": True, "en": True}
    plain = geotrek.export(loop, language="fr")
    assert isinstance(plain["name"], str) and plain["name"] == trek["name"]["fr"]


def test_tour_export_with_steps(andorra_stages):
    tour = geotrek.export(andorra_stages, first_id=10)
    check_trek_shape(tour, three_d=True)
    assert tour["id"] == 10 and tour["count_children"] == 2 and tour["children"] == [11, 12]
    for step in tour["steps"]:
        check_trek_shape(step, three_d=True)
        assert step["parents"] == [10]
    assert tour["steps"][0]["next"] == {"10": 12} and tour["steps"][1]["previous"] == {"10": 11}
    assert 800 < tour["min_elevation"] < tour["max_elevation"] < 3000
    assert tour["length_3d"] > tour["length_2d"]
    assert tour["duration"] == pytest.approx(andorra_stages.duration_s / 3600, abs=0.01)


def test_import_documented_trek():
    trek = json.loads((FIXTURES / "geotrek_trek.json").read_text())
    it = to_itinerary(trek)
    assert it.name == "Du 11/19 au Louvre-Lens par Pinchonvalles"
    assert it.description == "Départ au pied des terrils jumeaux.\nRetour & arrivée au musée."
    assert it.profile == "hike" and it.kind == "route" and it.meta["route"] == "one-way"
    assert it.duration_s == 3.5 * 3600
    assert it.distance_m == pytest.approx(trek["length_2d"], rel=0.01)
    assert it.has_elevation and it.ascent_m > 0
    assert [w["name"] for w in (it.waypoints[0], it.waypoints[-1])] == \
        ["Base 11/19, Loos-en-Gohelle", "Louvre-Lens"]
    assert len(it.waypoints) == 3
    assert it.meta["references"]["themes"] == [1, 2] and it.meta["external_id"] == "CD62-RANDO-0042"
    english = to_itinerary(trek, None, language="en")
    assert english.name == "From 11/19 to the Louvre-Lens"


def test_import_documented_tour():
    tour = json.loads((FIXTURES / "geotrek_tour.json").read_text())
    it = to_itinerary(tour)
    assert it.name == "Itinérance des terrils" and len(it.stages) == 2
    assert [s.name for s in it.stages] == ["Étape 1", "Étape 2"]
    assert it.distance_m == pytest.approx(sum(s.distance_m for s in it.stages), rel=0.001)
    assert not it.has_elevation and it.ascent_m is None


@pytest.mark.parametrize("document, message", [
    ({"name": "no geometry"}, "no geometry"),
    ({"geometry": {"type": "Point", "coordinates": [2, 50]}}, "LineString"),
    ({"geometry": {"type": "LineString", "coordinates": [[2, 50]]}}, "two WGS84"),
    ({"geometry": {"type": "LineString", "coordinates": [[200, 95], [2, 50]]}}, "WGS84"),
    ("just text", "JSON object"),
])
def test_import_refuses_bad_documents(document, message):
    with pytest.raises(GPXInputError, match=message):
        for obj in treks_in(document):
            to_itinerary(obj)


def test_round_trip_loses_nothing_shared(andorra_stages):
    document = json.loads(json.dumps(geotrek.export(andorra_stages)))
    back = to_itinerary(document)
    assert back.name == andorra_stages.name and back.description == andorra_stages.description
    assert back.profile == andorra_stages.profile
    assert back.distance_m == pytest.approx(andorra_stages.distance_m, rel=1e-4)
    assert back.ascent_m == pytest.approx(andorra_stages.ascent_m, abs=1.0)
    assert back.duration_s == pytest.approx(andorra_stages.duration_s, abs=36)
    assert back.coordinates() == andorra_stages.coordinates()
    assert [(w["lat"], w["lon"]) for w in back.waypoints] == \
        [(w["lat"], w["lon"]) for w in andorra_stages.waypoints]
    assert len(back.stages) == len(andorra_stages.stages)
    for a, b in zip(back.stages, andorra_stages.stages):
        assert a.name == b.name and a.distance_m == pytest.approx(b.distance_m, rel=1e-4)
    again = geotrek.export(back)
    for key in ("practice", "route", "difficulty", "themes", "networks", "length_2d", "ascent",
                "descent", "duration", "geometry", "points_reference", "count_children"):
        assert again[key] == document[key], key


def test_http_export_import_and_kml(web_app):
    client = web_app.test_client()
    trek = client.get("/api/v1/geotrek/trek?profile=bike&name=Test"
                      "&points=site:base-11-19;site:louvre-lens").get_json()
    assert trek["name"]["fr"] == "Test" and trek["practice"] == 3
    tour = client.get("/api/v1/geotrek/trek?profile=bike&days=2&language=fr"
                      "&points=site:cite-des-electriciens;site:base-11-19;site:wallers-arenberg").get_json()
    assert tour["count_children"] == 2 and isinstance(tour["name"], str)
    document = json.loads((FIXTURES / "geotrek_trek.json").read_text())
    assert client.post("/api/v1/geotrek/import", json=document).status_code == 401
    csrf = login(client)
    created = client.post("/api/v1/geotrek/import?match=1&profile=hike", json=document,
                          headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    item = created.get_json()["itineraries"][0]
    saved = client.get(f"/api/v1/itineraries/{item['id']}").get_json()["itinerary"]
    assert saved["kind"] == "route" and saved["meta"]["match_score"] > 0.9
    assert any(p["kind"] == "terril" for p in saved["places"])     # network places after matching
    exported = client.get(f"/api/v1/geotrek/itineraries/{item['id']}.json").get_json()
    assert exported["external_id"] == "CD62-RANDO-0042" and exported["id"] == item["id"]
    kml = client.get(f"/api/v1/geotrek/itineraries/{item['id']}.kml")
    root = ElementTree.fromstring(kml.data)
    assert root.tag.endswith("kml") and b"<LineString>" in kml.data
    flavoured = client.get(f"/api/v1/geotrek/itineraries/{item['id']}.gpx").get_data(as_text=True)
    assert "<name>Terril : " in flavoured and "<trk>" in flavoured        # French by default
    english = client.get(f"/api/v1/geotrek/itineraries/{item['id']}.gpx?language=en")
    assert "<name>Terril (slag heap): " in english.get_data(as_text=True)
    bad = client.post("/api/v1/geotrek/import", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_cli_export_and_import(built, tmp_path):
    _, graph_dir = built("basin")
    out = subprocess.run(CLI + ["geotrek", "export", "--graph", str(graph_dir), "--profile", "hike",
                                "--points", "site:base-11-19;site:louvre-lens", "--days", "2"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    tour = json.loads(out.stdout)
    assert tour["count_children"] == 2 and len(tour["steps"]) == 2
    path = tmp_path / "tour.json"
    path.write_text(out.stdout)
    env = {"BASSIN_INSTANCE_DIR": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    imported = subprocess.run(CLI + ["geotrek", "import", str(path)], capture_output=True,
                              text=True, env=env)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)[0]["kind"] == "geotrek"
    offline = subprocess.run(CLI + ["geotrek", "import", "http://127.0.0.1:9/api/v2/trek/1/"],
                             capture_output=True, text=True, env=env)
    assert offline.returncode == 2 and "--allow-private" in offline.stderr   # loopback refused
    assert "Traceback" not in offline.stderr
