"""The GPX reader is linear and bounded: deep nesting, element floods, misplaced points and
unknown encodings are typed errors, refused fast and in little memory."""
import json
import subprocess
import sys

import pytest

from gpx import GPXInputError, read_gpx

from .conftest import ROOT

GPX_OPEN = b'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'


def nested(size_bytes: int) -> bytes:
    depth = size_bytes // 7
    return GPX_OPEN + b"<a>" * depth + b"</a>" * depth + b"</gpx>"


#: Measures one read in a fresh interpreter: seconds and peak RSS growth (MB) of the read.
PROBE = r"""
import json, resource, sys, time
from gpx import read_gpx, GPXInputError
kind, size = sys.argv[1], int(sys.argv[2])
head = b'<?xml version="1.0"?><gpx version="1.1" creator="t">'
if kind == "nested":
    doc = head + b"<a>" * (size // 7) + b"</a>" * (size // 7) + b"</gpx>"
else:
    doc = head + b"<a/>" * (size // 4) + b"</gpx>"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    read_gpx(doc)
    error = None
except GPXInputError as exc:
    error = str(exc)
seconds = time.perf_counter() - start
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"bytes": len(doc), "seconds": seconds, "mb": grown, "error": error}))
"""


def probe(kind: str, size: int) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, kind, str(size)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("size", [70_000, 273_000, 10 * 1024 * 1024])
def test_nesting_is_refused_fast_in_little_memory(size):
    # 70 kB took 4 s and 273 kB 24 s with the stack scan; 10 MB is refused < 1 s, < 100 MB
    result = probe("nested", size)
    assert "nested deeper than 64" in result["error"]
    assert result["seconds"] < 1.0, result
    assert result["mb"] < 100, result


def test_element_flood_is_refused_before_parsing():
    doc = GPX_OPEN + b"<a/>" * 5000 + b"</gpx>"
    with pytest.raises(GPXInputError, match="more than 4,000 XML elements"):
        read_gpx(doc, max_elements=4000)
    assert read_gpx(doc, max_elements=6000).points == 0


def test_flat_elements_stay_in_bounded_memory():
    # 1 M sibling elements: every closed element is detached, so the tree never grows
    result = probe("flat", 4_000_000)
    assert result["error"] is None
    assert result["mb"] < 100, result


def test_extensions_may_nest_but_not_past_the_cap():
    point = (b'<trk><trkseg><trkpt lat="50.4" lon="2.8"><extensions>' + b"<x>" * 50 +
             b"<trkpt>not a point</trkpt>" + b"</x>" * 50 + b'</extensions></trkpt>'
             b'<trkpt lat="50.5" lon="2.9"/></trkseg></trk></gpx>')
    data = read_gpx(GPX_OPEN + point)
    assert data.points == 2 and list(data.lines()[0].lat) == [50.4, 50.5]
    with pytest.raises(GPXInputError, match="nested deeper than 40"):
        read_gpx(GPX_OPEN + point, max_depth=40)


@pytest.mark.parametrize("body, message", [
    (b'<trkpt lat="1" lon="2"/>', "<trkpt> outside <trkseg> (inside <gpx>)"),
    (b'<rte><trkpt lat="1" lon="2"/></rte>', "<trkpt> outside <trkseg> (inside <rte>)"),
    (b'<trk><rtept lat="1" lon="2"/></trk>', "<rtept> outside <rte>"),
    (b'<trkseg><trkpt lat="1" lon="2"/></trkseg>', "<trkseg> outside <trk>"),
    (b'<trk><trkseg><wpt lat="1" lon="2"/></trkseg></trk>', "<wpt> outside <gpx>"),
])
def test_misplaced_elements_are_typed_errors(body, message):
    with pytest.raises(GPXInputError) as info:
        read_gpx(GPX_OPEN + body + b"</gpx>")
    assert message in str(info.value)


@pytest.mark.parametrize("encoding", ["klingon", "shift_jis", "UTF-7", "x" * 30])
def test_unknown_or_multibyte_encodings_are_typed_errors(encoding):
    doc = f'<?xml version="1.0" encoding="{encoding}"?><gpx version="1.1"></gpx>'.encode()
    with pytest.raises(GPXInputError, match="unsupported XML encoding"):
        read_gpx(doc)


def test_single_byte_encodings_still_read():
    doc = (b'<?xml version="1.0" encoding="ISO-8859-15"?><gpx version="1.1">'
           b'<wpt lat="50.4" lon="2.8"><name>Terril \xa4 \xe9</name></wpt></gpx>')
    assert read_gpx(doc).waypoints[0]["name"] == "Terril € é"


@pytest.mark.parametrize("doc", [
    GPX_OPEN + b'<trkpt lat="1" lon="2"/></gpx>',
    b'<?xml version="1.0" encoding="klingon"?><gpx version="1.1"></gpx>',
    nested(70_000),
])
def test_http_answers_400_not_500(web_app, doc):
    response = web_app.test_client().post("/api/v1/gpx/stats", data=doc,
                                          content_type="application/gpx+xml")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/bad-gpx")
