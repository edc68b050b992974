"""Geotrek import like Geotrek-admin's parser: real samples, reference ids read by meaning,
children as stages, every field type-checked, a batch going on past bad treks, and an
instance served on loopback."""
import copy
import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gpx.errors import GeotrekFieldError, GPXInputError
from gpx.geotrek_import import SourceReferences, read_batch, to_itinerary, treks_in
from gpx.geotrek_source import read_instance, read_source

from .conftest import login, shared_path

CLI = [sys.executable, "-m", "web.cli"]


def sample_page():
    return json.loads(shared_path("geotrek", "trek.json").read_text())


def sample_lists():
    folder = shared_path("geotrek")
    names = {"trek_practice": "trek_practice", "trek_route": "trek_route",
             "trek_difficulty": "trek_difficulty", "theme": "trek_theme",
             "trek_network": "trek_network", "label": "trek_label",
             "trek_accessibility": "trek_accessibility"}
    return {k: json.loads((folder / f"{v}.json").read_text())["results"] for k, v in names.items()}


def test_shared_samples_import_with_their_own_lists():
    batch = read_source(shared_path("geotrek", "trek.json"))
    assert batch.failures == []
    by_id = {obj["id"]: it for obj, it in zip(batch.sources, batch.itineraries)}
    assert set(by_id) == {2, 10443, 2849, 8700}            # 10439 is trek 2's stage
    loop = by_id[2]
    assert [s.meta["geotrek_id"] for s in loop.stages] == [10439]
    assert loop.stages[0].meta["translations"]["name"] == {"fr": "Foo", "en": "Bar", "it": ""}
    assert loop.profile == "unknown"                        # practice 3 « Cheval »
    assert any("practice 3 « Cheval » has no equivalent" in w for w in batch.warnings)
    assert loop.kind == "loop" and loop.meta["route"] == "loop"
    assert loop.meta["references"]["accessibilities"] == [2]       # « Fauteuil roulant »
    assert loop.meta["translations"]["name"]["en"] == "Loop of the pic of 3 lords"
    assert loop.meta["translations"]["departure"]["en"] == "Lers bridge"
    assert loop.meta["source_figures"] == {"length_2d": 7606.3, "length_3d": 7811.9,
                                           "duration": 24.0, "ascent": 666, "descent": -777,
                                           "min_elevation": 1358, "max_elevation": 2042}
    assert loop.description.startswith("https://foo.fr/media/")      # HTML read as text
    assert loop.meta["parking_location"] == [1.412816, 42.8063269]
    assert len(loop.waypoints) == 6                          # points_reference kept
    for trek_id in (10443, 2849, 8700):
        assert by_id[trek_id].profile == "hike"              # practice 4 « Pédestre »
    assert by_id[2849].meta["references"]["themes"] == [2]  # « Géologie » -> our « Terrils »
    assert by_id[8700].meta["route"] == "return"
    assert any("10443: its parent(s) [10445] are not in the document" in w for w in batch.warnings)


def test_reference_lists_mapped_by_meaning():
    lists = sample_lists()
    lists["trek_practice"] = lists["trek_practice"] + [
        {"id": 9, "name": {"fr": "Vélo", "en": "Bike"}}, {"id": 12, "name": {"fr": "Trail"}},
        {"id": 13, "name": {"fr": "Ski de fond"}}]
    refs = SourceReferences(lists)
    profile = {i: refs.read({"id": 1, "practice": i})[1] for i in (1, 3, 4, 9, 12, 13)}
    assert profile == {1: "mtb", 3: "unknown", 4: "hike", 9: "bike", 12: "trail", 13: "unknown"}
    kinds = {i: refs.read({"id": 1, "route": i})[2] for i in (1, 2, 3)}
    assert kinds == {1: "loop", 2: "return", 3: "one-way"}
    refs_, _, _, warnings = refs.read({"id": 7, "difficulty": 3, "themes": [1, 4, 99],
                                       "networks": [2, 4]})
    assert refs_["difficulty"] == 3 and refs_["themes"] == [3, 4] and refs_["networks"] == [2, 4]
    assert any("themes 99 (not in its list)" in w for w in warnings)
    _, _, _, warnings = SourceReferences(None).read({"id": 1, "practice": 1})
    assert "no reference lists" in warnings[0]


def bad(**fields):
    trek = copy.deepcopy(sample_page()["results"][4])
    trek.update(fields)
    return trek


@pytest.mark.parametrize("trek, field", [
    (bad(name=123), "name"),
    (bad(name={"fr": 123}), "name.fr"),
    (bad(name="x" * 201), "name"),
    (bad(description={"fr": "x" * 70000}), "description.fr"),
    (bad(steps="abc"), "steps"),
    (bad(points_reference={"type": "MultiPoint", "coordinates": [["2.5", 50.1]]}),
     "points_reference.coordinates.0.0"),
    (bad(points_reference="abc"), "points_reference"),
    (bad(length_2d="12"), "length_2d"),
    (bad(descent="x"), "descent"),
    (bad(duration=-3), "duration"),
    (bad(themes=["a"]), "themes.0"),
    (bad(practice=True), "practice"),
    (bad(id=2 ** 70), "id"),
    (bad(published="yes"), "published"),
    (bad(parking_location=["x", 1]), "parking_location"),
    (bad(children=[{}]), "children.0"),
    (bad(geometry={"type": "LineString", "coordinates": [["a", "b"], [1, 2]]}), "geometry.coordinates.0"),
    (bad(geometry={"type": "LineString", "coordinates": "abc"}), "geometry.coordinates"),
    (bad(geometry={"type": "Point", "coordinates": [1, 2]}), "geometry"),
    (bad(geometry=None), "geometry"),
    (bad(steps=[{"steps": [{"steps": []}]}]), "steps.0.steps"),
])
def test_every_field_is_type_checked_and_named(trek, field):
    with pytest.raises(GeotrekFieldError) as caught:
        to_itinerary(trek)
    assert caught.value.field.startswith(field)             # the field, or an item of it
    assert f"field '{field}" in str(caught.value)
    assert f"trek {trek['id'] if field == 'id' else 8700}: " in str(caught.value)


@pytest.mark.parametrize("document", [[[sample_page()]], {"results": "abc"}, "text", [1],
                                      {"type": "FeatureCollection", "features": {"a": 1}}])
def test_documents_nest_no_deeper_than_geotrek(document):
    with pytest.raises(GPXInputError, match="not a Geotrek"):
        treks_in(document)


def test_deep_nesting_is_refused_not_a_crash(web_app):
    deep = {"steps": []}
    for _ in range(3000):
        deep = {"steps": [deep], "geometry": None}
    with pytest.raises(GeotrekFieldError, match="steps.0.steps"):
        to_itinerary(deep)
    client = web_app.test_client()
    csrf = login(client)
    answer = client.post("/api/v1/geotrek/import", data=json.dumps([[[[{"a": 1}]]]] * 2),
                         content_type="application/json", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"


def test_a_batch_goes_on_past_bad_treks():
    page = sample_page()
    page["results"][1]["name"] = 123                        # 10443
    page["results"][2]["points_reference"] = {"type": "MultiPoint", "coordinates": [["a"]]}
    page["results"][3]["steps"] = "abc"                      # 10439, trek 2's stage
    batch = read_batch(treks_in(page), SourceReferences(sample_lists()))
    assert {f["trek"]: f["field"] for f in batch.failures} == {
        "10443": "name", "2849": "points_reference.coordinates.0", "10439": "steps"}
    assert [o["id"] for o in batch.sources] == [2, 8700]
    assert batch.itineraries[0].stages == []                 # the tour lost its bad stage only
    assert "stage 1 of trek 2" in next(f["error"] for f in batch.failures if f["trek"] == "10439")


def test_http_import_reports_fields(web_app):
    client = web_app.test_client()
    csrf = login(client)
    headers = {"X-CSRF-Token": csrf}
    refused = client.post("/api/v1/geotrek/import", json=bad(name=123), headers=headers)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["field"] == "name" and body["failures"][0]["trek"] == "8700"
    page = sample_page()
    page["results"][1]["steps"] = "abc"
    partial = client.post("/api/v1/geotrek/import", json=page, headers=headers)
    assert partial.status_code == 201
    body = partial.get_json()
    assert body["count"] == 3 and [f["field"] for f in body["failures"]] == ["steps"]
    assert client.post("/api/v1/geotrek/import", json=[1, 2], headers=headers).status_code == 400


def test_cli_import_reports_and_exits_2(tmp_path):
    env = {"BASSIN_INSTANCE_DIR": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    good = subprocess.run(CLI + ["geotrek", "import", str(shared_path("geotrek", "trek.json"))],
                          capture_output=True, text=True, env=env)
    assert good.returncode == 0, good.stderr
    assert len(json.loads(good.stdout)) == 4 and "« Cheval »" in good.stderr
    path = tmp_path / "bad.json"
    page = sample_page()
    page["results"][0]["name"] = 123
    path.write_text(json.dumps(page))
    out = subprocess.run(CLI + ["geotrek", "import", str(path), "--references",
                                str(shared_path("geotrek"))], capture_output=True, text=True, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "trek 2: field 'name'" in out.stderr and "imported 4 itineraries, 1 failed" in out.stderr
    assert len(json.loads(out.stdout)) == 4             # 10439 stands alone once its tour failed
    missing = subprocess.run(CLI + ["geotrek", "import", str(path), "--references",
                                    str(tmp_path)], capture_output=True, text=True, env=env)
    assert missing.returncode == 2 and "no reference list" in missing.stderr


class InstanceHandler(BaseHTTPRequestHandler):
    """Serves the shared samples as a Geotrek-admin instance would (two trek pages)."""

    FILES = {"trek_practice": "trek_practice", "trek_route": "trek_route",
             "trek_difficulty": "trek_difficulty", "theme": "trek_theme",
             "trek_network": "trek_network", "label": "trek_label",
             "trek_accessibility": "trek_accessibility", "tour": "trek_children"}
    requests: list = []

    def do_GET(self):                                         # noqa: N802 (http.server API)
        self.requests.append(self.path)
        path = self.path.split("?")[0]
        page = sample_page()
        root = f"http://127.0.0.1:{self.server.server_port}/api/v2/"
        match = re.fullmatch(r"/api/v2/([a-z_]+)/(?:(\d+)/)?", path)
        body = None
        if match and match.group(1) == "trek" and match.group(2):
            body = next((t for t in page["results"] if t["id"] == int(match.group(2))), None)
        elif match and match.group(1) == "trek":
            second = "page=2" in self.path
            body = dict(page, results=page["results"][3:] if second else page["results"][:3],
                        next=None if second else root + "trek/?page=2")
        elif match and match.group(1) in self.FILES:
            body = json.loads(shared_path("geotrek", f"{self.FILES[match.group(1)]}.json").read_text())
        data = json.dumps(body).encode() if body is not None else b'{"detail": "Not found."}'
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def instance():
    server = ThreadingHTTPServer(("127.0.0.1", 0), InstanceHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    InstanceHandler.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_import_from_an_instance_on_loopback(instance):
    batch = read_instance(f"{instance}/api/v2/trek/")
    asked = [p.split("?")[0] for p in InstanceHandler.requests]
    assert {"/api/v2/trek_practice/", "/api/v2/trek_route/", "/api/v2/theme/", "/api/v2/tour/",
            "/api/v2/trek/10442/"} <= set(asked)
    assert sum(p.startswith("/api/v2/trek/?") or p == "/api/v2/trek/" for p in
               InstanceHandler.requests) == 2                # both pages followed
    by_id = {o["id"]: it for o, it in zip(batch.sources, batch.itineraries)}
    assert set(by_id) == {2, 10443, 2849, 8700}
    assert [s.meta["geotrek_id"] for s in by_id[2].stages] == [10439]    # tour/ order
    assert [f["trek"] for f in batch.failures] == ["10442"]               # unpublished, 404
    assert "HTTP 404" in batch.failures[0]["error"]
    assert by_id[2].profile == "unknown" and by_id[8700].profile == "hike"
    one = read_instance(f"{instance}/api/v2/trek/8700/")
    assert [o["id"] for o in one.sources] == [8700] and one.failures == []


def test_unreachable_instance_is_a_clear_error():
    with pytest.raises(GPXInputError, match="cannot fetch"):
        read_instance("http://127.0.0.1:9/api/v2/trek/")
