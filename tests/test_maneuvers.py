"""Turn-by-turn maneuvers (codes in routing/) and their words (web/instructions.py).

Pinned on tests/fixtures/instructions.osm.xml: straight past a side street, a right turn,
the 2nd exit of a roundabout onto a road with a name and a ref, a fork onto EuroVelo 5.
"""
import pytest

import graphs
import routing
from routing.maneuvers import Code, build_maneuvers, modifier, turn_count
from web.instructions import format_distance, gpx_points, render, steps

from .conftest import FIXTURES

START, END = (50.42995, 2.8003), (50.4205, 2.80585)


@pytest.fixture(scope="module")
def planned():
    router = routing.Router(graphs.build_graph(FIXTURES / "instructions.osm.xml", name="ins"))
    it = router.route([START, END], "bike")
    return it, build_maneuvers(router.network("bike"), it)


def test_codes_of_the_fixture_route(planned):
    _, ms = planned
    assert [(m.code, m.params["modifier"]) for m in ms] == [
        (Code.DEPART, None), (Code.TURN, "right"), (Code.ROUNDABOUT, None),
        (Code.KEEP, "slight_left"), (Code.ARRIVE, None)]
    depart, turn, roundabout, keep, arrive = ms
    assert depart.params["name"] == "Rue Émile Zola" and depart.params["bearing_after"] == 90
    assert turn.params["name"] == "Avenue de la Gare"
    assert roundabout.params["exit"] == 2
    assert (roundabout.params["name"], roundabout.params["ref"]) == ("Route de Lens", "D 58")
    assert keep.params["name"] == "Chemin vert" and keep.params["routes_joined"] == ["EV5"]
    assert arrive.params["routes_left"] == ["EV5"]
    assert turn_count(ms) == 3


def test_distances_add_up(planned):
    it, ms = planned
    assert ms[0].params["at_m"] == 0
    assert sum(m.params["distance_m"] for m in ms) == pytest.approx(it.distance_m, abs=1.0)
    # straight on past Rue Jean Jaurès: the first turn is at Avenue de la Gare, 2 blocks on
    assert 250 < ms[0].params["distance_m"] < 280


def test_french_and_english_words(planned):
    _, ms = planned
    fr = [render(m.to_dict(), "fr") for m in ms]
    en = [render(m.to_dict(), "en") for m in ms]
    assert fr == ["Partez vers l'est sur Rue Émile Zola",
                  "Tournez à droite sur Avenue de la Gare",
                  "Au rond-point, prenez la 2e sortie sur Route de Lens (D 58)",
                  "Serrez à gauche sur Chemin vert ; suivez EV5",
                  "Vous êtes arrivé"]
    assert en == ["Head east on Rue Émile Zola", "Turn right onto Avenue de la Gare",
                  "At the roundabout, take the 2nd exit onto Route de Lens (D 58)",
                  "Keep left onto Chemin vert; follow EV5", "You have arrived"]


def test_osrm_like_steps_and_gpx_points(planned):
    _, ms = planned
    out = steps(ms, "en")
    assert out[2]["maneuver"]["type"] == "roundabout" and out[2]["maneuver"]["exit"] == 2
    assert out[1]["maneuver"]["location"] == [pytest.approx(2.804), pytest.approx(50.43)]
    points = gpx_points(steps(ms, "fr"), "fr")
    assert points[1][2] == "Tournez à droite sur Avenue de la Gare"
    assert points[1][3].startswith("puis ") and points[-1][3] == ""


@pytest.mark.parametrize("angle, expected", [
    (0, "straight"), (-30, "slight_left"), (90, "right"), (150, "sharp_right"),
    (-100, "left"), (179, "uturn")])
def test_modifiers(angle, expected):
    assert modifier(angle) == expected


def test_distance_words():
    assert format_distance(847) == "850 m"
    assert format_distance(1234, "fr") == "1,2 km"
    assert format_distance(1234, "en") == "1.2 km"


def test_heidelberg_instructions_are_plausible(router_for):
    router = router_for("heidelberg")
    it = router.route([(49.4094, 8.6942), (49.3988, 8.6724)], "bike")
    ms = build_maneuvers(router.network("bike"), it)
    assert ms[0].code == Code.DEPART and ms[-1].code == Code.ARRIVE
    assert all(m.params["distance_m"] >= 0 for m in ms)
    # a few turns per km in a city, as OSRM gives (1.8 per km on the benchmark pairs)
    per_km = turn_count(ms) / (it.distance_m / 1000)
    assert 0.3 < per_km < 6
    assert sum(1 for m in ms if m.params["name"]) > 0.3 * len(ms)   # cycleways are often unnamed
