"""GPX export (schema, gpsbabel, round trip), import of real shapes, hostile input, matching."""
import io
import json
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

import gpx
from gpx.errors import GPXInputError

from .conftest import FIXTURES, shared_path

CLI = [sys.executable, "-m", "web.cli"]


def validate(path):
    schema = shared_path("schemas", "gpx-1.1.xsd")
    xmllint = subprocess.run(["xmllint", "--noout", "--schema", str(schema), str(path)],
                             capture_output=True, text=True)
    assert xmllint.returncode == 0, xmllint.stderr
    babel = subprocess.run(["gpsbabel", "-i", "gpx", "-f", str(path), "-o", "gpx", "-F",
                            str(path) + ".babel.gpx"], capture_output=True, text=True)
    assert babel.returncode == 0 and not babel.stderr.strip(), babel.stderr
    return gpx.read_gpx(str(path) + ".babel.gpx")


@pytest.fixture(scope="module")
def andorra_trip(router_for):
    router = router_for("andorra")
    it = router.route([(42.5078, 1.5211), (42.5631, 1.6047), (42.4635, 1.4904)], "hike")
    it.name = "Andorre <traversée> & retour"
    return router, it


def test_export_validates_and_devices_read_it(tmp_path, andorra_trip):
    _, it = andorra_trip
    path = tmp_path / "trip.gpx"
    path.write_text(gpx.itinerary_to_gpx(it))
    via_babel = validate(path)
    data = gpx.read_gpx(path)
    assert data.version == "1.1" and data.name == it.name
    assert len(data.tracks) == 1 and len(data.tracks[0][1]) == len(it.legs)   # a segment per leg
    assert not data.routes                                        # no rte unless asked
    # consecutive leg segments share their meeting vertex
    assert sum(len(s) for s in via_babel.lines()) == len(it.lat) + len(it.legs) - 1
    assert np.isfinite(data.lines()[0].ele).all()
    text = path.read_text()
    assert "OpenStreetMap contributors" in text and "opendatacommons.org/licenses/odbl" in text
    assert "&lt;traversée&gt; &amp; retour" in text
    named = [w for w in data.waypoints if w["type"] not in ("start", "end")]
    assert len(named) == len(it.places) and all("km " in w["desc"] for w in named)


def test_route_points_only_when_asked_and_thinned(tmp_path, andorra_trip):
    _, it = andorra_trip
    path = tmp_path / "rte.gpx"
    path.write_text(gpx.itinerary_to_gpx(it, route_points=True, max_route_points=120))
    data = validate(path)
    assert 2 < len(data.routes[0]) <= 120 < len(it.lat)
    only = tmp_path / "rte-only.gpx"
    only.write_text(gpx.itinerary_to_gpx(it, track=False))
    parsed = gpx.read_gpx(only)
    assert not parsed.tracks and len(parsed.routes) == 1


def test_round_trip_distance(tmp_path, andorra_trip, router_for):
    _, it = andorra_trip
    stats = gpx.gpx_stats(gpx.read_gpx(gpx.itinerary_to_gpx(it)))
    assert stats["distance_m"] == pytest.approx(it.distance_m, rel=0.005)
    # one ascent method everywhere: the GPX's own statistics give the itinerary's ascent
    assert stats["ascent_m"] == pytest.approx(it.ascent_m, rel=0.01)
    assert stats["ascent_method"] == it.summary()["ascent_method"]
    router = router_for("heidelberg")
    trip = router.route([(49.4093, 8.6937), (49.41, 8.72), (49.40, 8.68)], "bike")
    back = gpx.gpx_stats(gpx.read_gpx(gpx.itinerary_to_gpx(trip)))
    assert back["distance_m"] == pytest.approx(trip.distance_m, rel=0.005)


def test_multi_day_files_and_zip(tmp_path, andorra_trip):
    router, it = andorra_trip
    from web.words import localised

    raw = router.stages(it, days=3)
    assert [s.name for s in raw.stages] == ["", "", ""]      # routing names no stage: web does
    multi = localised(raw, "fr")
    files = gpx.stage_files(multi)
    assert list(files) == [f"0{i}-andorre-traversee-retour-etape-{i}-3.gpx" for i in (1, 2, 3)]
    english = gpx.stage_files(localised(raw, "en"))
    assert list(english) == [f"0{i}-andorre-traversee-retour-stage-{i}-3.gpx" for i in (1, 2, 3)]
    archive = zipfile.ZipFile(io.BytesIO(gpx.stages_zip(multi)))
    assert len(archive.namelist()) == 4
    for name in archive.namelist():
        assert "/" not in name and name.endswith(".gpx")
        (tmp_path / name).write_bytes(archive.read(name))
        validate(tmp_path / name)
    whole = gpx.read_gpx(archive.read(archive.namelist()[0]))
    assert len(whole.tracks[0][1]) == 3                       # a segment per stage


def test_import_real_shapes():
    garmin = gpx.read_gpx(FIXTURES / "garmin.gpx")
    stats = gpx.gpx_stats(garmin)
    assert stats["segments"] == 2 and stats["points"] == 7 and stats["duration_s"] == 660
    assert stats["ascent_m"] > 10 and stats["has_time"]
    v10 = gpx.gpx_stats(gpx.read_gpx(FIXTURES / "route_gpx10.gpx"))
    assert v10["version"] == "1.0" and v10["routes"] == 1 and v10["points"] == 3
    assert v10["distance_m"] > 1500 and v10["ascent_m"] is None
    wpts = gpx.read_gpx(FIXTURES / "waypoints_only.gpx")
    assert gpx.gpx_stats(wpts)["distance_m"] == 0 and len(wpts.waypoints) == 2
    studio = gpx.gpx_stats(gpx.read_gpx(FIXTURES / "gpxstudio.gpx"))
    assert studio["points"] == 3 and studio["name"] == "Boucle du 11/19" and studio["ascent_m"] > 3
    komoot = gpx.gpx_stats(gpx.read_gpx(FIXTURES / "komoot.gpx"))
    assert komoot["duration_s"] == 300 and komoot["ascent_m"] is None and komoot["has_time"]
    rwgps = gpx.read_gpx(FIXTURES / "ridewithgps.gpx")
    assert len(rwgps.routes) == 1 and len(rwgps.waypoints) == 1
    assert len(rwgps.lines()) == 1 and len(rwgps.lines()[0]) == 3   # the track wins over the route
    ev5 = gpx.read_gpx(shared_path("routes", "eurovelo5-osm-relation-5245117.gpx"))
    ev5_stats = gpx.gpx_stats(ev5)
    assert ev5_stats["segments"] == 60 and ev5_stats["points"] == 7975
    assert 200_000 < ev5_stats["distance_m"] < 250_000
    line, gaps = gpx.chain_lines(ev5.lines())
    assert len(line) == 7975 and len(gaps) == 59


def test_stats_cli():
    result = subprocess.run(CLI + ["gpx", "stats", str(FIXTURES / "garmin.gpx")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"] == 7
    bad = subprocess.run(CLI + ["gpx", "stats", str(FIXTURES / "tag_rules.osm.xml")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "root element is <osm>" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("content, message", [
    (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<gpx version="1.1"><wpt lat="1" lon="1"><name>&x;</name></wpt></gpx>', "DTD"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<gpx version="1.1"><wpt lat="1" lon="1"><name>&b;</name></wpt></gpx>', "DTD"),
    (b"this is not xml at all", "well-formed"),
    (b"<kml xmlns='http://www.opengis.net/kml/2.2'><Document/></kml>", "root element is <kml>"),
    (b"<gpx version='1.1'><trk><trkseg><trkpt lat='95' lon='2'/></trkseg></trk></gpx>", "bad coordinates"),
    (b"", "well-formed"),
])
def test_hostile_or_wrong_input(content, message):
    with pytest.raises(GPXInputError, match=message):
        gpx.read_gpx(content)


def test_huge_file_refused_before_reading(tmp_path):
    huge = tmp_path / "huge.gpx"
    with open(huge, "wb") as handle:          # a sparse 200 MB file: nothing is written
        handle.seek(200 * 1024 * 1024)
        handle.write(b"\0")
    with pytest.raises(GPXInputError, match="larger than 50 MB"):
        gpx.read_gpx(huge)


class _EndlessTrack(io.RawIOBase):
    """A stream of 10 million track points, generated as it is read."""

    def __init__(self, points: int):
        self.chunks = self._chunks(points)
        self.pending = b""

    @staticmethod
    def _chunks(points):
        yield b"<gpx version='1.1' xmlns='http://www.topografix.com/GPX/1/1'><trk><trkseg>"
        block = b"<trkpt lat='50.1' lon='2.1'/>" * 10_000
        for _ in range(points // 10_000):
            yield block
        yield b"</trkseg></trk></gpx>"

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


def test_ten_million_points_refused_in_bounded_memory():
    tracemalloc.start()
    with pytest.raises(GPXInputError, match="more than 1,000,000 points"):
        gpx.read_gpx(io.BufferedReader(_EndlessTrack(10_000_000)), max_bytes=10 ** 12)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 80 * 1024 * 1024


def test_match_exported_itinerary(router_for):
    router = router_for("heidelberg")
    trip = router.route([(49.4093, 8.6937), (49.41, 8.72), (49.40, 8.68)], "hike")
    matched = gpx.match_track(router, gpx.read_gpx(gpx.itinerary_to_gpx(trip)), "hike")
    assert matched.kind == "matched" and matched.meta["match_score"] >= 0.98
    assert matched.distance_m == pytest.approx(trip.distance_m, rel=0.02)
    mine = {p[0] for leg in trip.pieces for p in leg}
    theirs = {p[0] for leg in matched.pieces for p in leg}
    assert len(mine & theirs) >= 0.95 * len(mine)


def test_match_eurovelo5_on_the_basin(router_for):
    router = router_for("basin")
    ev5 = gpx.read_gpx(shared_path("routes", "eurovelo5-osm-relation-5245117.gpx"))
    matched = gpx.match_track(router, ev5, "bike")
    # the basin network holds the EV5 between the Louvre-Lens area and Lille's edge
    assert matched.signed_routes.get("EV5", 0) > 0.9 * matched.distance_m
    assert 60_000 < matched.distance_m < 120_000
    assert 0.25 < matched.meta["match_score"] < 0.6
