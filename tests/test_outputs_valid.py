"""Every GPX and KML we write is valid XML (GPX: the 1.1 schema) whatever the names hold,
and saved itineraries are drawn from their own geometry once the graph is rebuilt."""
import json
import re
import shutil
import subprocess
import io
import zipfile

import numpy as np
import pytest

import graphs
from gpx import itinerary_to_gpx, stages_zip
from gpx.geotrek import export as geotrek_export
from gpx.kml import itinerary_to_kml
from gpx.text import clean_text
from routing import Itinerary
from web.maps import itinerary_map, pieces_fit, render_map

from .conftest import shared_path
from .hostile import CORPUS, osm_xml

XMLLINT = shutil.which("xmllint")
CONTROLS = "".join(chr(c) for c in range(0x20) if c not in (9, 10, 13)) + "\x7f\x85\ufffe\ud800"
NAMES = CORPUS + [f"Terril{CONTROLS[i:i + 3]}n°{i}" for i in range(0, len(CONTROLS), 3)] + [
    CONTROLS, "\x00", "a\x1b[31mb", "\ufeff\u200b\u2028\u2029"]


def _named(itinerary: Itinerary, names, offset: int) -> Itinerary:
    pick = lambda k: names[(offset + k) % len(names)]  # noqa: E731
    itinerary.name, itinerary.description = pick(0), pick(1) + "\n" + pick(2)
    for k, wp in enumerate(itinerary.waypoints):
        wp["name"] = pick(3 + k)
    for k, place in enumerate(itinerary.places):
        place["name"] = pick(10 + k)
        place["unesco_id"] = pick(20 + k) if k % 3 == 0 else None
    return itinerary


@pytest.fixture(scope="module")
def planned(router_for):
    router = router_for("basin")
    base = router.route(["site:base-11-19", "terril:T075", "site:louvre-lens"], "bike")
    staged = router.stages(router.route(["site:base-11-19", "site:louvre-lens"], "hike"), days=2)
    return router, base, staged


def _xmllint(tmp_path, name: str, text: str, schema=None) -> None:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    args = [XMLLINT, "--noout", "--nonet"] + (["--schema", str(schema)] if schema else [])
    result = subprocess.run(args + [str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (name, result.stderr[-2000:])


@pytest.mark.skipif(XMLLINT is None, reason="xmllint is not installed (libxml2-utils)")
def test_gpx_and_kml_validate_whatever_the_names(planned, tmp_path):
    _, base, staged = planned
    schema = shared_path("schemas", "gpx-1.1.xsd")
    files = 0
    for offset in range(0, len(NAMES), 23):
        itinerary = _named(Itinerary.from_dict(base.to_dict()), NAMES, offset)
        _xmllint(tmp_path, "a.gpx", itinerary_to_gpx(itinerary, route_points=True), schema)
        _xmllint(tmp_path, "b.gpx", itinerary_to_gpx(itinerary, typed_names=True), schema)
        _xmllint(tmp_path, "a.kml", itinerary_to_kml(itinerary))
        trek = geotrek_export(itinerary)
        for field in ("name", "departure", "arrival", "description"):
            assert not any(re.search(CONTROLS_RE, text) for text in trek[field].values()), field
        files += 3
    tour = Itinerary.from_dict(staged.to_dict())
    for k, stage in enumerate(tour.stages):
        _named(stage, NAMES, 7 * k)
    _named(tour, NAMES, 3)
    with zipfile.ZipFile(io.BytesIO(stages_zip(tour))) as archive:
        for member in archive.namelist():
            _xmllint(tmp_path, "s.gpx", archive.read(member).decode("utf-8"), schema)
            files += 1
    print(f"{files} GPX/KML files valid, {len(NAMES)} names")


CONTROLS_RE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def test_clean_text_drops_controls_keeps_words():
    assert clean_text("Terril\x00 n°\x1b74") == "Terril n°74"
    assert clean_text("Cité\n9\t« Lens »") == "Cité 9 « Lens »"
    assert clean_text("ligne 1\r\nligne 2\u2028fin", multiline=True) == "ligne 1\nligne 2\nfin"
    assert clean_text(None) == "" and clean_text(CONTROLS) == ""


def _polylines(html: str) -> list[np.ndarray]:
    return [np.array(json.loads(m)) for m in re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])", html)]


def test_saved_itinerary_is_drawn_from_its_own_geometry_after_a_rebuild(planned, tmp_path):
    router, base, _ = planned
    graph = router.graph
    saved = Itinerary.from_dict(json.loads(json.dumps(base.to_dict())))
    assert saved.meta["graph_build"] == graphs.build.build_id(graph.meta)
    assert pieces_fit(saved, graph)
    same = render_map(itinerary_map(saved, graph), "n")
    assert len(_polylines(same)) > 2            # surface runs read from the graph's edges
    # Rebuilt: other data under the same name; edge ids now name other streets.
    (tmp_path / "other.osm.xml").write_text(osm_xml(CORPUS[:5]), "utf-8")
    rebuilt = graphs.build_graph(tmp_path / "other.osm.xml", name=graph.meta["name"])
    assert rebuilt.meta["build_id"] != graph.meta["build_id"]
    assert not pieces_fit(saved, rebuilt)
    html = render_map(itinerary_map(saved, rebuilt), "n")
    own = np.column_stack([saved.lat, saved.lon])
    lines = _polylines(html)
    assert lines and all(line.shape == own.shape and np.allclose(line, own) for line in lines)
    # the same holds for an itinerary saved before build ids existed
    legacy = Itinerary.from_dict(dict(saved.to_dict(), meta={"graph": graph.meta["name"]}))
    assert not pieces_fit(legacy, graph)


def test_saved_itinerary_page_after_a_rebuild(web_app, tmp_path):
    """The service restarted on a rebuilt graph draws saved itineraries as they were saved."""
    from routing import Router
    from web import create_app
    from web.security import create_token

    token = create_token(web_app.extensions["bassin_db"], "staff", "t")
    bearer = {"Authorization": f"Bearer {token}"}
    client = web_app.test_client()
    item = client.post("/api/v1/itineraries", headers=bearer, json={
        "name": "Avant", "kind": "route",
        "request": {"profile": "hike", "points": "site:base-11-19;terril:T075"}}).get_json()
    saved = client.get(f"/api/v1/itineraries/{item['id']}/export.geojson", headers=bearer)
    coords = np.array(saved.get_json()["features"][0]["geometry"]["coordinates"])[:, [1, 0]]
    (tmp_path / "other.osm.xml").write_text(osm_xml(CORPUS[:5]), "utf-8")
    name = web_app.extensions["bassin"].service.graph.meta["name"]
    restarted = create_app({"DATABASE_URL": web_app.config["DATABASE_URL"],
                            "INSTANCE_DIR": web_app.config["INSTANCE_DIR"]},
                           router=Router(graphs.build_graph(tmp_path / "other.osm.xml", name=name)))
    html = restarted.test_client().get(f"/api/v1/itineraries/{item['id']}/export.html",
                                       headers=bearer).get_data(as_text=True)
    lines = _polylines(html)
    assert lines and all(np.allclose(line, coords, atol=1e-6) for line in lines)
