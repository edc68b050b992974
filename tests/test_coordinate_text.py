"""web.coordinate_text writes a route line's coordinates as orjson writes them, byte for
byte, or declines (then orjson writes them). .ci/run runs this file once more with
``NUMBA_BOUNDSCHECK=1``."""
import numpy as np
import orjson
import pytest

from routing.itinerary import COORDINATE_DIGITS, rounded_columns
from routing.itinerary import Itinerary
from web.coordinate_text import (NOT_WRITTEN, capacity, coordinates_fragment, line_fragment,
                                 with_line_text, write_values)

NO_ROWS = np.zeros(0)


def write_rows(values, digits, out):
    return write_values(values.reshape(-1), NO_ROWS, NO_ROWS, NO_ROWS, values.shape[1],
                        digits, out)


def write_columns(first, second, third, m, digits, out):
    return write_values(NO_ROWS, first, second, third, m, digits, out)

NUMPY = orjson.OPT_SERIALIZE_NUMPY


def columns(rng, kind: str, n: int):
    """lon, lat, elevation of ``n`` vertices of one sort of line."""
    if kind == "basin":
        lon, lat = rng.uniform(2.3, 3.6, n), rng.uniform(50.2, 50.8, n)
    elif kind == "world":
        lon, lat = rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)
    elif kind == "greenwich":        # tiny magnitudes: orjson writes some with an exponent
        lon, lat = rng.uniform(-2e-3, 2e-3, n), rng.uniform(-1, 1, n)
    elif kind == "whole":            # integral degrees, few decimals: trailing zeros
        lon = rng.integers(-180, 181, n).astype(float)
        lat = np.round(rng.uniform(-90, 90, n), int(rng.integers(0, 4)))
    else:                            # edges: zeros of both signs, halves, the thresholds
        lon = rng.choice([0.0, -0.0, 0.5, -0.5, 1e-4, -1e-4, 9.99999995e-5, 179.99999995,
                          -179.99999995, 1e8, 999999999.9, 1e9], n)
        lat = rng.choice([0.0, -0.0, 89.99999999, -90.0, 1.0000001, 0.0000001], n)
    ele = rng.uniform(-400, 4800, n)
    if kind == "edges":
        ele = rng.choice([12.25, 0.0, -0.0, 0.05, -0.05, 1e9], n)
    return lon, lat, ele


@pytest.mark.parametrize("kind", ["basin", "world", "greenwich", "whole", "edges"])
def test_the_bytes_orjson_writes_or_none(kind):
    rng = np.random.default_rng(len(kind))
    written = declined = 0
    for _ in range(300):
        n = int(rng.integers(1, 60))
        lon, lat, ele = columns(rng, kind, n)
        for cols in ((lon, lat), (lon, lat, ele)):
            digits = COORDINATE_DIGITS[:len(cols)]
            values = rounded_columns(cols, digits)
            text = coordinates_fragment(values, digits)
            if text is None:
                declined += 1
                continue
            written += 1
            assert orjson.dumps(text) == orjson.dumps(values, option=NUMPY)
    assert written > (10 if kind == "edges" else 100)   # it writes lines of every sort
    if kind in ("greenwich", "edges"):         # some values only orjson writes (exponents)
        assert declined > 10
    else:
        assert declined == 0


@pytest.mark.parametrize("kind", ["basin", "world", "greenwich", "whole", "edges"])
def test_rounded_as_written_the_bytes_of_the_rounded_columns(kind):
    """write_values rounds columns as rounded_columns does (to the bit, ties to even as numpy's
    rint, then Python's round where that could differ: declined here) and writes
    orjson's text of the result."""
    rng = np.random.default_rng(7 + len(kind))
    written = 0
    for _ in range(300):
        n = int(rng.integers(1, 60))
        lon, lat, ele = columns(rng, kind, n)
        if kind == "edges":            # halves: whose rounding only Python's round decides
            lon = lon + rng.choice([0.0, 5e-8, -5e-8, 1e-9], n, p=[0.94, 0.02, 0.02, 0.02])
        for cols in ((lon, lat), (lon, lat, ele)):
            digits = COORDINATE_DIGITS[:len(cols)]
            out = np.empty(capacity(n, len(cols)), np.uint8)
            size = write_columns(lon, lat, ele, len(cols), np.array(digits), out)
            if size == NOT_WRITTEN:
                continue
            written += 1
            assert out[:size].tobytes() == orjson.dumps(rounded_columns(cols, digits),
                                                        option=NUMPY)
    assert written > (2 if kind == "edges" else 100)


def test_line_fragment_is_the_coordinates_text_or_the_coordinates():
    def itinerary(lon, lat, ele):
        lon, lat, ele = (np.asarray(c, np.float64) for c in (lon, lat, ele))
        return Itinerary(profile="hike", kind="route", waypoints=[], lat=lat, lon=lon, ele=ele,
                         cum_m=np.arange(len(lat), dtype=np.float64), duration_s=0.0, legs=[],
                         breakdown={}, signed_routes={})

    cases = [itinerary([2.51234567, 2.6], [50.1, 50.25000005], [np.nan, np.nan]),   # a half
             itinerary([2.5, 2.6], [50.1, 50.2], [12.34, 13.0]),                     # with z
             itinerary([2.5, 2.6], [50.1, 50.2], [12.34, np.nan]),                   # some z
             itinerary([1e-7, 2.6], [50.1, 50.2], [np.nan, np.nan])]                 # exponent
    for it in cases:
        text = line_fragment(it)
        assert orjson.dumps(text, option=NUMPY) == orjson.dumps(it.coordinates(as_array=True),
                                                                option=NUMPY)
    assert isinstance(line_fragment(cases[1]), orjson.Fragment)
    assert isinstance(line_fragment(cases[2]), list)          # lists: vertices of two lengths


def test_declines_what_it_does_not_write():
    good = rounded_columns((np.array([2.5, 2.6]), np.array([50.1, 50.2])), (7, 7))
    assert coordinates_fragment(good, (7, 7)) is not None
    assert coordinates_fragment(good.tolist(), (7, 7)) is None          # not an array
    assert coordinates_fragment(good, (7, 7, 1)) is None                # digits per column
    assert coordinates_fragment(good.astype(np.float32), (7, 7)) is None
    assert coordinates_fragment(np.asfortranarray(np.ones((3, 2))), (7, 7)) is None
    assert coordinates_fragment(good, (7, 99)) is None
    unrounded = np.array([[2.123456789, 50.0]])     # more decimals than said: not its text
    assert coordinates_fragment(unrounded, (7, 7)) is None
    for bad in (np.nan, np.inf, -np.inf, 1e-7, 2e9):
        assert coordinates_fragment(np.array([[2.5, bad]]), (7, 7)) is None
    assert orjson.dumps(coordinates_fragment(np.zeros((0, 2)), (7, 7))) == b"[]"


def test_kernel_checks_its_arrays():
    values = np.ones((4, 2))
    out = np.empty(capacity(4, 2), np.uint8)
    assert write_rows(values, np.array([7, 7]), out) == len(b"[[1.0,1.0]]") * 4 - 3
    with pytest.raises(IndexError):
        write_rows(values, np.array([7, 7]), out[:-1])               # too small a buffer
    with pytest.raises(IndexError):
        write_rows(values, np.array([7]), out)                       # digits per column
    with pytest.raises(IndexError):
        write_rows(values, np.array([7, 16]), out)
    assert write_rows(np.array([[np.nan, 1.0]]), np.array([7, 7]),
                      np.empty(capacity(1, 2), np.uint8)) == NOT_WRITTEN
    # 15 decimals of a large value: its integer would not fit (declined, not garbage)
    assert write_rows(np.array([[1e8 + 0.5, 1.0]]), np.array([15, 7]),
                      np.empty(capacity(1, 2), np.uint8)) == NOT_WRITTEN
    column = np.ones(4)
    with pytest.raises(IndexError):
        write_columns(column, column[:3], column, 2, np.array([7, 7]), out)
    with pytest.raises(IndexError):
        write_columns(column, column, column, 4, np.array([7, 7, 1, 1]), out)
    with pytest.raises(IndexError):
        write_columns(column, column, column, 2, np.array([7, 7]), out[:-1])
    assert write_columns(column, column, column[:1], 2, np.array([7, 7]), out) == \
        len(b"[[1.0,1.0]]") * 4 - 3                              # the third not read


def test_with_line_text_leaves_the_document_and_the_rest_alone():
    line = rounded_columns((np.array([2.5, 2.6]), np.array([50.1, 50.2])), (7, 7))
    document = {"type": "FeatureCollection", "bbox": [2.5, 50.1, 2.6, 50.2], "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": line},
         "properties": {"role": "route"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.5, 50.1]},
         "properties": {"role": "waypoint"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1.0, 2.0]]},
         "properties": {}}]}
    texted = with_line_text(document)
    assert document["features"][0]["geometry"]["coordinates"] is line      # not changed
    assert isinstance(texted["features"][0]["geometry"]["coordinates"], orjson.Fragment)
    assert texted["features"][1] is document["features"][1]
    assert texted["features"][2] is document["features"][2]                 # lists stay
    assert orjson.dumps(texted) == orjson.dumps(document, option=NUMPY)
    assert with_line_text({"type": "Feature"}) == {"type": "Feature"}
