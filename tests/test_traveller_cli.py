"""``bassin-routes build|directions|isochrone|matrix`` on the hand-written fixtures."""
import json

import pytest

from web.cli import main

from .conftest import FIXTURES

A, B = "50.42995,2.7995", "50.42995,2.8145"


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "opt"
    assert main(["build", "--osm", str(FIXTURES / "route_options.osm.xml"), "--out", str(out)]) == 0
    return out


def test_build_prints_what_it_dropped(tmp_path, capsys):
    assert main(["build", "--osm", str(FIXTURES / "access_rules.osm.xml"),
                 "--out", str(tmp_path / "a")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["dropped"]["ways"]["motorroad"] == 2
    assert summary["dropped"]["nodes"]["closed:gate"] == 2


def test_directions_with_alternatives_and_gpx(graph_dir, tmp_path, capsys):
    gpx = tmp_path / "d.gpx"
    assert main(["directions", "--graph", str(graph_dir), "--profile", "bike", "--points",
                 f"{A};{B}", "--alternatives", "2", "--lang", "en", "--gpx", str(gpx)]) == 0
    routes = json.loads(capsys.readouterr().out)
    assert len(routes) == 2 and routes[1]["stretch"] <= 1.4
    assert routes[0]["instructions"][1].startswith("Turn slightly left onto Voie verte du 11/19")
    assert "<rtept" in gpx.read_text() and "You have arrived" in gpx.read_text()


def test_isochrone_and_matrix(graph_dir, tmp_path, capsys):
    out = tmp_path / "iso.geojson"
    assert main(["isochrone", "--graph", str(graph_dir), "--point", A, "--minutes", "5,10",
                 "--geojson", str(out)]) == 0
    bands = json.loads(capsys.readouterr().out)
    assert [b["contour"] for b in bands] == [10, 5]
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    assert main(["matrix", "--graph", str(graph_dir), "--profile", "bike", "--sources", A,
                 "--destinations", f"{B};{A}"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["distances"][0][1] == 0 and table["distances"][0][0] > 1200


@pytest.mark.parametrize("argv, fragment", [
    (["isochrone", "--point", A, "--minutes", "999"], "minutes"),
    (["directions", "--points", f"{A};{B}", "--max-sac", "T9"], "max_sac"),
    (["directions", "--points", f"{A};{B}", "--follow-route", "GR 5"], "follow_route"),
])
def test_bad_input_exits_2(graph_dir, argv, fragment, capsys):
    assert main(argv[:1] + ["--graph", str(graph_dir)] + argv[1:]) == 2
    assert fragment in capsys.readouterr().err


def test_planner_commands_take_avoid_areas_and_dated_closures(graph_dir, tmp_path, capsys):
    square = {"type": "Polygon", "coordinates": [[[2.8062, 50.4322], [2.8078, 50.4322],
                                                  [2.8078, 50.4338], [2.8062, 50.4338],
                                                  [2.8062, 50.4322]]]}      # over the branch M
    areas, layer = tmp_path / "avoid.geojson", tmp_path / "closures.geojson"
    areas.write_text(json.dumps(square))
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {"from": "2026-06-01",
                                                               "to": "2026-06-30"}}]}))
    base = ["--graph", str(graph_dir), "--profile", "bike"]
    assert main(["route", *base, "--points", f"{A};{B}"]) == 0
    plain = json.loads(capsys.readouterr().out)["distance_m"]
    assert main(["route", *base, "--points", f"{A};{B}", "--avoid-areas", str(areas)]) == 0
    avoided = json.loads(capsys.readouterr().out)
    assert avoided["distance_m"] > plain + 15          # the EuroVelo branch S instead of M
    assert main(["tour", *base, "--stops", f"{A};{B}", "--closures", str(layer),
                 "--date", "2026-06-15"]) == 0
    assert json.loads(capsys.readouterr().out)["distance_m"] == pytest.approx(
        avoided["distance_m"], abs=1.0)
    assert main(["tour", *base, "--stops", f"{A};{B}", "--closures", str(layer),
                 "--date", "2026-07-15"]) == 0
    assert json.loads(capsys.readouterr().out)["distance_m"] == pytest.approx(plain, abs=1.0)
    assert main(["route", *base, "--points", f"{A};{B}", "--avoid-areas",
                 str(tmp_path / "missing.geojson")]) == 2
    assert "--avoid-areas" in capsys.readouterr().err
