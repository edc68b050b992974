"""PBF extract download (resumable, MD5-checked) and clip to an outline, against a
loopback HTTP server serving a real extract; offline gives a clear message."""
import dataclasses
import hashlib
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import osmium
import pytest

from graphs import extract
from graphs import settings as graph_settings
from graphs.errors import DownloadError
from graphs.settings import settings
from web.cli import main as cli

from . import instances
from .conftest import shared_path

#: central Liechtenstein (Vaduz - Schaan), lon/lat
OUTLINE = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
    [[9.49, 47.12], [9.55, 47.12], [9.56, 47.18], [9.50, 47.19], [9.49, 47.12]]]}}


class Served:
    """What the loopback server serves, and what it was asked."""

    def __init__(self, body: bytes):
        self.body, self.etag, self.md5 = body, '"v1"', hashlib.md5(body).hexdigest()
        self.cut_after, self.ranges = None, []


def serve(served: Served):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.endswith(".md5"):
                text = f"{served.md5}  liechtenstein-latest.osm.pbf\n".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
                return
            start, status = 0, 200
            sent_range = self.headers.get("Range")
            served.ranges.append(sent_range)
            if sent_range and self.headers.get("If-Range") == served.etag:
                start, status = int(sent_range.split("=")[1].rstrip("-")), 206
            body = served.body[start:]
            self.send_response(status)
            self.send_header("ETag", served.etag)
            self.send_header("Content-Length", str(len(body)))
            if status == 206:
                self.send_header("Content-Range",
                                 f"bytes {start}-{len(served.body) - 1}/{len(served.body)}")
            self.end_headers()
            if served.cut_after is not None:     # the connection drops mid-file, once
                self.wfile.write(body[:served.cut_after])
                served.cut_after = None
                self.close_connection = True
                return
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/europe/liechtenstein-latest.osm.pbf"


@pytest.fixture()
def served():
    data = Served(shared_path("osm", "liechtenstein.osm.pbf").read_bytes())
    server, url = serve(data)
    yield data, url
    server.shutdown()
    server.server_close()


def test_interrupted_download_resumes_and_is_checked(served, tmp_path):
    data, url = served
    data.cut_after = 1_000_000
    dest = extract.fetch(url, tmp_path / "li.osm.pbf", progress=False)
    assert dest.read_bytes() == data.body
    assert data.ranges == [None, "bytes=1000000-"]                 # resumed, not restarted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["li.osm.pbf"]
    assert extract.fetch(url, dest, progress=False) == dest and len(data.ranges) == 2  # cached


def test_changed_upstream_restarts_and_bad_checksum_is_refused(served, tmp_path):
    data, url = served
    data.cut_after = 500_000
    with pytest.raises(DownloadError, match="still interrupted after 1 attempts"):
        extract.fetch(url, tmp_path / "li.osm.pbf", progress=False, attempts=1)
    data.etag = '"v2"'                                              # a new file upstream
    assert extract.fetch(url, tmp_path / "li.osm.pbf", progress=False).read_bytes() == data.body
    assert data.ranges[-1] == "bytes=500000-"                       # asked, refused: 200
    data.md5 = "0" * 32
    with pytest.raises(DownloadError, match="does not match its MD5"):
        extract.fetch(url, tmp_path / "other.osm.pbf", progress=False)
    assert not list(tmp_path.glob("other*"))                        # nothing half-written


def _counts(path):
    counts = {"nodes": 0, "highways": 0}
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            counts["nodes"] += 1
        elif obj.is_way() and "highway" in obj.tags:
            counts["highways"] += 1
    return counts


@pytest.mark.skipif(shutil.which("osmium") is None, reason="osmium-tool not installed")
def test_extract_is_clipped_to_the_outline_and_builds(served, tmp_path, monkeypatch, capsys):
    data, url = served
    outline = tmp_path / "outline.geojson"
    outline.write_text(json.dumps(OUTLINE))
    monkeypatch.setitem(extract.EXTRACTS, "bassin-minier", extract.Extract(url, outline))
    monkeypatch.setattr(graph_settings, "settings", dataclasses.replace(
        settings, cache_dir=tmp_path / "cache", progress=False))
    assert cli(["build", "--area", "bassin-minier", "--extract",
                "--out", str(tmp_path / "graph")]) == 0
    summary = json.loads(capsys.readouterr().out)
    clipped = next((tmp_path / "cache").glob("bassin-minier-*.osm.pbf"))
    full, part = _counts(shared_path("osm", "liechtenstein.osm.pbf")), _counts(clipped)
    assert 0 < part["nodes"] < full["nodes"] / 2 and 0 < part["highways"] < full["highways"]
    assert summary["nodes"] > 1000 and (tmp_path / "graph" / "meta.json").is_file()


def test_basin_outline_is_shipped():
    outline = json.loads(extract.EXTRACTS["bassin-minier"].outline.read_text())
    ring = outline["features"][0]["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert 2.1 < min(lons) < 2.3 and 3.6 < max(lons) < 3.8 and 50.1 < min(lats) < max(lats) < 50.7


def test_offline_is_a_clear_message(monkeypatch, tmp_path, capsys):
    closed = f"http://127.0.0.1:{instances.free_port()}/nord-pas-de-calais-latest.osm.pbf"
    monkeypatch.setattr(graph_settings, "settings", dataclasses.replace(
        settings, cache_dir=tmp_path, extract_url=closed, download_timeout_s=5))
    assert cli(["build", "--area", "bassin-minier", "--extract", "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert "cannot reach" in err and "Offline?" in err and "Traceback" not in err
    assert cli(["build", "--osm", "x.osm", "--extract", "--out", str(tmp_path / "g")]) == 2
