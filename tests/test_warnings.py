"""Warnings per profile, with their real cause, start km and length (Heidelberg, Liechtenstein)."""
from __future__ import annotations

import numpy as np
import pytest

from routing.profiles import BAD_SMOOTHNESS, ROUGH
from web.warning_words import warning_text


def _across(router, profile, edge):
    """A route along ``edge``, from 10 % to 90 % of its length (points snap onto it)."""
    g = router.graph
    p, q = g.edge_geom_ptr[edge], g.edge_geom_ptr[edge + 1]
    cum = g.shape_offsets[p:q]
    at = np.array([0.1, 0.9]) * g.edge_len[edge]
    lat, lon = np.interp(at, cum, g.shape_lat[p:q]), np.interp(at, cum, g.shape_lon[p:q])
    return router.route([(float(lat[0]), float(lon[0])), (float(lat[1]), float(lon[1]))],
                        profile)


def _edge_with(router, key, value, profiles, min_m=30.0):
    g = router.graph
    mask = g.codes_of(key, (value,)) & (g.edge_len > min_m)
    for edge in np.flatnonzero(mask):
        if all(router.network(p).usable[edge] for p in profiles):
            return int(edge)
    pytest.fail(f"no {key}={value} edge usable by {profiles}")


def _types(itinerary):
    return {w["type"] for w in itinerary.warnings}


def test_dismount_only_for_bikes(router_for):
    router = router_for("heidelberg")
    edge = _edge_with(router, "bicycle", "dismount", ("bike", "hike"))
    bike, hike = _across(router, "bike", edge), _across(router, "hike", edge)
    assert "dismount" in _types(bike)
    assert "dismount" not in _types(hike)
    run = next(w for w in bike.warnings if w["type"] == "dismount")
    assert run["length_m"] == pytest.approx(1000 * (run["to_km"] - run["from_km"]), abs=1.5)
    dismount = router.graph.codes_of("bicycle", ("dismount",))
    ridden = sum(abs(b - a) for leg in bike.pieces for e, a, b in leg if dismount[e])
    runs = sum(w["length_m"] for w in bike.warnings if w["type"] == "dismount")
    assert runs == pytest.approx(ridden, abs=1.0) and ridden > 0


def test_steps_are_warned_with_their_length(router_for):
    """Steps a hike really takes are warned with their metres; bikes never take them."""
    router = router_for("heidelberg")
    g = router.graph
    steps = g.codes_of("highway", ("steps",))
    assert not (router.network("bike").usable & steps).any()
    for edge in np.flatnonzero(steps & (g.edge_len > 30))[:15]:
        hike = _across(router, "hike", int(edge))
        walked = sum(abs(b - a) for leg in hike.pieces for e, a, b in leg if steps[e])
        if walked > 0:
            break
    else:
        pytest.fail("no hike route over steps found")
    warned = sum(w["length_m"] for w in hike.warnings if w["type"] == "steps")
    assert warned == pytest.approx(walked, abs=1.0)
    assert "escaliers" in warning_text(next(w for w in hike.warnings if w["type"] == "steps"),
                                       "hike", "fr")


def test_unpaved_and_smoothness_name_their_cause(router_for):
    router = router_for("heidelberg")
    it = router.route([(49.4093, 8.6937), (49.3988, 8.7473), (49.4300, 8.6800)], "bike")
    kinds = _types(it)
    assert {"unpaved", "poor_smoothness"} <= kinds
    for w in it.warnings:
        assert 0 <= w["from_km"] <= w["to_km"] <= it.distance_m / 1000 + 0.01
        if w["type"] == "unpaved":
            assert w["surface"] in ROUGH
        if w["type"] == "poor_smoothness":
            assert w["smoothness"] in BAD_SMOOTHNESS
        if w["type"] == "busy_road":
            assert w["highway"] in ("primary", "primary_link", "secondary", "secondary_link",
                                    "trunk", "trunk_link") or (w["maxspeed"] or 0) >= 70
    # a hiker on the same points gets neither
    hike = router.route([(49.4093, 8.6937), (49.3988, 8.7473), (49.4300, 8.6800)], "hike")
    assert not {"unpaved", "poor_smoothness", "dismount"} & _types(hike)
    text = warning_text(next(w for w in it.warnings if w["type"] == "poor_smoothness"),
                        "bike", "en")
    assert text.startswith("km ") and "poor surface" in text
    assert "revêtement dégradé" in warning_text(
        next(w for w in it.warnings if w["type"] == "poor_smoothness"), "bike", "fr")


def test_ford_warns_every_profile(router_for):
    router = router_for("liechtenstein")
    edge = _edge_with(router, "ford", "yes", ("hike",), min_m=7.0)
    hike = _across(router, "hike", edge)
    ford = [w for w in hike.warnings if w["type"] == "ford"]
    assert ford and ford[0]["length_m"] > 0
    assert warning_text(ford[0], "hike", "fr").endswith("gué à traverser")


def test_words_of_a_warning_whatever_its_keys_order():
    """A warning's words depend on what it is, not on where it is nor on how its dict was
    made: routing's layout (where as its third to fifth keys), another order and a stored
    warning without where are worded alike; another cause, otherwise."""
    from web.i18n import current_words, language
    from web.warning_words import warning_words

    made = {"type": "busy_road", "detail": "highway=primary", "from_km": 1.2, "to_km": 1.5,
            "length_m": 300.0, "highway": "primary", "name": "B 37", "maxspeed": 70.0}
    shuffled = {k: made[k] for k in ("length_m", "highway", "type", "to_km", "detail",
                                     "name", "from_km", "maxspeed")}
    stored = {k: v for k, v in made.items() if k not in ("from_km", "to_km", "length_m")}
    other = dict(made, highway="trunk", from_km=9.0)
    with language("fr"):
        words = current_words()
        said = warning_words(made, "bike", words)
        assert "B 37" in said and "70" in said
        assert warning_words(dict(made, from_km=7.0, to_km=8.0), "bike", words) == said
        assert warning_words(shuffled, "bike", words) == said
        assert warning_words(stored, "bike", words) == said
        assert warning_words(other, "bike", words) != said
