"""The fast GeoJSON path gives the document the per-number path gave: same parsed JSON.

Coordinates are rounded by numpy (:func:`routing.itinerary.rounded`) and written by
orjson from arrays; words are made through :class:`web.i18n.Words`. Each is compared
with the plain Python / Flask-Babel way on real routes and on adversarial numbers.
"""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import orjson
import pytest

from routing.itinerary import round_float, rounded


def _per_vertex(it) -> list:
    """The coordinates as the per-vertex code made them (the reference)."""
    if np.isfinite(it.ele).any():
        return [[round(float(x), 7), round(float(y), 7)] + ([round(float(z), 1)]
                if np.isfinite(z) else []) for x, y, z in zip(it.lon, it.lat, it.ele)]
    return [[round(float(x), 7), round(float(y), 7)] for x, y in zip(it.lon, it.lat)]


def _bits_equal(a, b) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return bool(np.all((a.view(np.int64) == b.view(np.int64)) | (np.isnan(a) & np.isnan(b))))


@pytest.mark.parametrize("digits, span", [(7, 180.0), (1, 9000.0)])
def test_rounded_is_python_round_to_the_bit(digits, span):
    rng = np.random.default_rng(digits)
    plain = rng.uniform(-span, span, 20000)
    # exact halves of the last kept decimal and their neighbours: where rounding the
    # product (numpy) and rounding the exact decimal value (Python) part ways
    halves = (np.floor(rng.uniform(-span, span, 5000) * 10 ** digits) + 0.5) / 10 ** digits
    near = np.concatenate([halves, np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf)])
    odd = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e300, -1e300, 2.0 ** 60, 5e-8,
                    -5e-8, 1.5e-7, 2.5e-7, 0.05, 0.15, 0.25, 1912.85, 8.67654325])
    values = np.concatenate([plain, near, odd])
    expected = [round(float(v), digits) for v in values]
    assert _bits_equal(rounded(values, digits), expected)
    naive = np.rint(values * 10 ** digits) / 10 ** digits
    assert not _bits_equal(naive, expected)        # the cases above do need the care


def test_rounded_per_column_is_each_columns_rounding():
    """One pass with digits per column (lon, lat, elevation) is each column's own pass."""
    rng = np.random.default_rng(5)
    table = np.column_stack([rng.uniform(-180, 180, 4000), rng.uniform(-90, 90, 4000),
                             rng.uniform(-400, 9000, 4000)])
    table[::7, 2] = (np.floor(table[::7, 2] * 10) + 0.5) / 10        # halves: Python's case
    table[::11, 0] = (np.floor(table[::11, 0] * 1e7) + 0.5) / 1e7
    table[5, 2], table[9, 1] = np.nan, np.inf
    expected = np.column_stack([rounded(table[:, 0], 7), rounded(table[:, 1], 7),
                                rounded(table[:, 2], 1)])
    assert _bits_equal(rounded(table, (7, 7, 1)), expected)


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 7, 9])
def test_round_float_is_python_round_to_the_bit(digits):
    rng = np.random.default_rng(100 + digits)
    span = 10.0 ** rng.uniform(-9, 13, 20000) * rng.choice([-1.0, 1.0], 20000)
    halves = (np.floor(rng.uniform(-9000, 9000, 5000) * 10 ** digits) + 0.5) / 10 ** digits
    near = np.concatenate([halves, np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf)])
    odd = [0.0, -0.0, math.nan, math.inf, -math.inf, 1e300, -1e300, 2.0 ** 52, 2.0 ** 60,
           5e-324, -5e-324, -0.04, -4e-10, 0.5, 1.5, 2.5, -2.5, 2.675, 1.005, 1912.85]
    for v in [*span.tolist(), *near.tolist(), *odd]:
        got, expected = round_float(v, digits), round(v, digits)
        assert _bits_equal([got], [expected]), (v, digits, got, expected)
    for v in (5, -3, np.float64(2.675), np.float32(0.125)):      # types kept as round's
        assert repr(round_float(v, digits)) == repr(round(v, digits))


@pytest.fixture(scope="module")
def andorra_routes(router_for):
    router = router_for("andorra")
    graph = router.graph
    rng = np.random.default_rng(4)
    main = np.flatnonzero(graph.node_comp == np.argmax(graph.comp_length_m))
    routes = []
    for _ in range(12):
        a, b = rng.choice(main, 2, replace=False)
        routes.append(router.route([(float(graph.node_lat[a]), float(graph.node_lon[a])),
                                    (float(graph.node_lat[b]), float(graph.node_lon[b]))],
                                   "hike"))
    return routes


def _variants(routes):
    """The real routes, with elevation, without, and with some vertices unknown (NaN)."""
    for it in routes:
        yield it
        yield dataclasses.replace(it, ele=np.full(len(it.ele), np.nan))
        holes = np.array(it.ele, np.float64)
        holes[::3] = np.nan
        yield dataclasses.replace(it, ele=holes)


def test_coordinates_are_the_per_vertex_ones(andorra_routes):
    lengths = set()
    for it in _variants(andorra_routes):
        expected = _per_vertex(it)
        assert it.coordinates() == expected
        assert json.loads(orjson.dumps(it.coordinates(as_array=True),
                                       option=orjson.OPT_SERIALIZE_NUMPY)) == expected
        lengths |= {len(c) for c in expected}
    assert lengths == {2, 3}                   # with and without elevation were both seen


def test_array_geojson_parses_as_the_list_one(andorra_routes):
    for it in _variants(andorra_routes):
        fast = orjson.loads(orjson.dumps(it.to_geojson(arrays=True),
                                         option=orjson.OPT_SERIALIZE_NUMPY))
        plain = json.loads(json.dumps(it.to_geojson()))
        assert fast == plain
        line = plain["features"][0]
        assert line["geometry"]["coordinates"] == _per_vertex(it)
        assert line["properties"]["role"] == "route"
        assert {k: line["properties"][k] for k in ("distance_m", "ascent_m", "descent_m")} == {
            "distance_m": round(it.distance_m, 1),
            "ascent_m": None if it.ascent_m is None else round(it.ascent_m, 1),
            "descent_m": None if it.descent_m is None else round(it.descent_m, 1)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_words_are_flask_babels(web_app, lang):
    from flask_babel import format_decimal, gettext

    from web.i18n import Words, language
    from web.tag_words import VALUE_NAMES
    from web.words import KIND_NAMES

    with web_app.test_request_context(f"/?lang={lang}"), language(lang):
        words = Words()
        lazies = list(KIND_NAMES.values()) + [w for table in VALUE_NAMES.values()
                                              for w in table.values()]
        assert [words.text(w) for w in lazies] == [str(w) for w in lazies]
        assert [words.text(w) for w in lazies] == [str(w) for w in lazies]     # memoised
        for msgid, values in (("km %(from_km)s", {"from_km": "1,5"}), ("Itinerary", {}),
                              ("%(where)s: %(what)s", {"where": "a", "what": "b"})):
            assert words.gettext(msgid, **values) == gettext(msgid, **values)
        for number in (0, 1, 1.0, 2.5, 12.25, 1234.5, 98765, -3.75, 0.1 + 0.2):
            assert words.format_decimal(number) == format_decimal(number)
            assert words.format_decimal(number, "#,##0.0") == format_decimal(number, "#,##0.0")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_plain_decimals_are_babels(web_app, lang):
    """The texts :func:`web.i18n.plain_decimal` writes itself are Babel's, and it leaves
    every number it cannot write that way (rounded, grouped, signed, not finite) to Babel."""
    import random

    from flask_babel import format_decimal

    from web.i18n import Words, language, plain_decimal

    rng = random.Random(11)
    numbers = [0, 7, 999, 1000, -1, 0.0, -0.0, 1.0, 0.5, 999.999, 999.9995, 1000.0,
               1e-05, 2.675, 0.1 + 0.2, 1234.5, float("nan"), float("inf")]
    numbers += [round(rng.uniform(0, 1100), rng.randint(0, 4)) for _ in range(3000)]
    numbers += [rng.uniform(0, 1000) for _ in range(500)] + [rng.randint(-5, 1100) for _ in range(500)]
    with web_app.test_request_context(f"/?lang={lang}"), language(lang):
        words = Words()
        assert words.plain_decimal == {"fr": ",", "en": "."}[lang]
        written = 0
        for number in numbers:
            assert words.format_decimal(number) == format_decimal(number), number
            written += plain_decimal(number, words.plain_decimal) is not None
        assert written > 2000
        for number in (-1, True, -0.0, 1000, 1000.0, 1e-05, 2.675 / 3, float("nan")):
            assert plain_decimal(number, words.plain_decimal) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_route_geojson_over_http_is_the_plain_document(web_app, lang):
    """The served bytes parse as the document made the plain way: lists, the standard
    library's JSON and one Flask-Babel call per word."""
    from web.extensions import get_routing
    from web.planning import plan
    from web.warning_words import warning_text
    from web.words import localised

    points = "50.4432,2.7885;site:louvre-lens"
    response = web_app.test_client().get(f"/api/v1/route?points={points}&lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    served = json.loads(response.data)
    with web_app.test_request_context(f"/api/v1/route?lang={lang}"):
        web_app.preprocess_request()
        it = localised(plan(get_routing(), "route", {"points": points}))
        expected = it.to_geojson()
        for feature in expected["features"]:
            if feature["properties"]["role"] == "route":
                feature["properties"]["warnings_text"] = [
                    warning_text(w, it.profile, lang) for w in it.warnings]
        expected = json.loads(json.dumps(expected))
    assert served == expected
    line = served["features"][0]
    assert line["geometry"]["coordinates"] == _per_vertex(it)
    assert len(line["properties"]["warnings_text"]) == len(it.warnings)
