"""OSM ``name:fr`` / ``name:en`` kept by graphs/ and picked by web/ in the asked language.

Pinned on tests/fixtures/names.osm.xml: a street with a ``name:en``, a greenway with a
``name:en`` on a signed route named (without ref) in two languages, places with and
without translations.
"""
import json
import xml.etree.ElementTree as ET

import pytest

import graphs
import routing
from gpx.kml import itinerary_to_kml
from web.file_words import gpx_text, kml_text
from web.i18n import language
from web.instructions import itinerary_steps
from web.words import localised, place_name

from .conftest import FIXTURES

START, END = (50.4300, 2.8001), (50.4300, 2.8059)
GPX = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(scope="module")
def names_graph(tmp_path_factory):
    graph = graphs.build_graph(FIXTURES / "names.osm.xml", name="names")
    saved = graphs.save_graph(graph, tmp_path_factory.mktemp("names") / "names")
    return graphs.load_graph(saved), saved


@pytest.fixture(scope="module")
def planned(names_graph):
    router = routing.Router(names_graph[0])
    return router, router.route([START, END], "bike")


def test_graph_keeps_the_names_of_each_language(names_graph):
    graph, _ = names_graph
    by_id = {p.id: p for p in graph.places}
    assert by_id["osm:node/30"].names == {"en": "Terril Shelter"}
    # name:fr equal to name is no translation
    assert by_id["osm:node/32"].names == {"en": "Mining Museum"}
    assert by_id["osm:node/31"].names == {}
    edge = next(e for e in range(graph.n_edges) if graph.name_of(e) == "Rue de la Gare")
    assert graph.name_of(edge, "en") == "Station Street"
    assert graph.name_of(edge, "fr") == graph.name_of(edge) == "Rue de la Gare"
    side = next(e for e in range(graph.n_edges) if graph.name_of(e) == "Rue Jean Jaurès")
    assert graph.name_of(side, "en") == "Rue Jean Jaurès"
    route = next(r for r in graph.routes if r["name"] == "Chemin des Terrils")
    assert route["names"] == {"en": "Slag Heap Trail"}


def test_graphs_without_translations_still_load(names_graph, tmp_path):
    _, saved = names_graph
    import shutil

    old = tmp_path / "old"
    shutil.copytree(saved, old)
    tables = json.loads((old / "tables.json").read_text("utf-8"))
    del tables["name_translations"]
    (old / "tables.json").write_text(json.dumps(tables), "utf-8")
    graph = graphs.load_graph(old)
    edge = next(e for e in range(graph.n_edges) if graph.name_of(e) == "Rue de la Gare")
    assert graph.name_of(edge, "en") == "Rue de la Gare"          # falls back to name


def test_instructions_use_the_names_of_the_language(planned):
    router, it = planned
    assert [s["instruction"] for s in itinerary_steps(router, it, "en")] == [
        "Head east on Station Street", "Continue straight onto Green Lane; follow Slag Heap Trail",
        "You have arrived"]
    assert [s["instruction"] for s in itinerary_steps(router, it, "fr")] == [
        "Partez vers l'est sur Rue de la Gare",
        "Continuez tout droit sur Chemin vert ; suivez Chemin des Terrils", "Vous êtes arrivé"]


def test_places_are_named_and_kinded_per_language(planned):
    _, it = planned
    english = {p["id"]: (p["name"], p["kind_label"]) for p in localised(it, "en").places}
    french = {p["id"]: (p["name"], p["kind_label"]) for p in localised(it, "fr").places}
    assert english["osm:node/30"] == ("Terril Shelter", "shelter")
    assert french["osm:node/30"] == ("Abri du Terril", "abri")
    assert english["osm:node/32"] == ("Mining Museum", "museum")
    assert french["osm:node/32"] == ("Musée de la Mine", "musée")
    assert english["osm:node/31"][0] == french["osm:node/31"][0] == "Belvédère des Galibots"
    assert english["osm:node/33"] == (None, "toilets") and french["osm:node/33"][1] == "toilettes"
    # the itinerary itself is left as routing made it
    assert {p["name"] for p in it.places} >= {"Abri du Terril", "Musée de la Mine"}
    assert place_name({"name": "A", "tags": {"name:en": "B"}}, "en") == "B"


def test_places_worded_in_place_as_copies_are(planned):
    """``in_place`` words the caller's own dicts: the same keys in the same order, with
    the same values, as the copies; and nothing else changes."""
    import copy

    from web.i18n import current_words
    from web.words import localised_places

    _, it = planned
    places = [dict(p, tags={"name:en": "Tagged"}) if i == 0 else dict(p)
              for i, p in enumerate(it.places)]
    for lang in ("en", "fr"):
        with language(lang):
            words = current_words()
            mine = copy.deepcopy(places)
            copies = localised_places(mine, words, role="place")
            assert mine == places                    # the copies left the dicts alone
            worded = localised_places(mine, words, in_place=True, role="place")
            assert worded is mine and [list(p.items()) for p in worded] == \
                [list(p.items()) for p in copies]
    assert len(places) >= 3


def test_gpx_and_kml_carry_the_names_and_labels_of_the_language(planned):
    _, it = planned
    for lang, shelter, label, museum in (("en", "Terril Shelter", "shelter", "Mining Museum"),
                                         ("fr", "Abri du Terril", "abri", "Musée de la Mine")):
        with language(lang):
            root = ET.fromstring(gpx_text(it).encode())
            kml = kml_text(it)
        waypoints = {w.findtext(f"{GPX}name"): w.findtext(f"{GPX}desc")
                     for w in root.iter(f"{GPX}wpt")}
        assert shelter in waypoints and f" · {label}" in waypoints[shelter]
        assert museum in waypoints
        assert f"<name>{shelter}</name>" in kml and label in kml
    assert "Terril Shelter" not in itinerary_to_kml(it)       # gpx/ alone: names as given


def test_command_line_files_speak_its_language(names_graph, tmp_path, capsys):
    from web.cli import main

    _, saved = names_graph
    points = "50.4300,2.8001;50.4300,2.8059"
    for lang, shelter, author in (("en", "Terril Shelter", "Bassin minier itineraries"),
                                  ("fr", "Abri du Terril", "Itinéraires du Bassin minier")):
        gpx, html = tmp_path / f"{lang}.gpx", tmp_path / f"{lang}.html"
        assert main(["--lang", lang, "route", "--graph", str(saved), "--profile", "bike",
                     "--points", points, "--gpx", str(gpx), "--map", str(html)]) == 0
        text = gpx.read_text("utf-8")
        assert f"<name>{shelter}</name>" in text and f"<name>{author}</name>" in text
        assert f'<html lang="{lang}">' in html.read_text("utf-8")
    capsys.readouterr()
    assert main(["directions", "--graph", str(saved), "--profile", "bike", "--points", points,
                 "--lang", "en"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["instructions"][0].startswith("Head east on Station Street")
    assert main(["--lang", "fr", "directions", "--graph", str(saved), "--profile", "bike",
                 "--points", points]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["instructions"][0].startswith("Partez vers l'est sur Rue de la Gare")
