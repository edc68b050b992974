"""Bad input: a clear typed error, no traceback, and nothing half-written."""
import bz2
import gzip
import subprocess
import sys

import pytest

import graphs
from graphs.errors import ElevationError, GraphLoadError, HeritageError, OSMInputError

from .conftest import FIXTURES

CLI = [sys.executable, "-m", "web.cli"]


@pytest.mark.parametrize("name, content, message", [
    ("empty.osm", b"", "empty"),
    ("text.osm", b"hello, this is not OSM", "not an OSM XML"),
    ("html.osm", b"<html><body>404</body></html>", "root is not <osm>"),
    ("xxe.osm", b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<osm><node id='1' lat='1' lon='1'><tag k='name' v='&x;'/></node></osm>", "ENTITY"),
    ("bomb.osm", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;">]>'
                 b"<osm/>", "ENTITY"),
    ("corrupt.osm.pbf", b"\x00\x00\x00\x0dnot a pbf block at all" * 10, "not a readable OSM"),
    ("broken.osm", b"<osm version='0.6'><node id='1' lat='50' lon='2'><tag k='a'", "not a readable"),
    ("data.csv", b"a,b\n1,2\n", "unknown OSM file type"),
])
def test_bad_osm_input(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(OSMInputError, match=message):
        graphs.build_graph(path)


def test_compressed_garbage(tmp_path):
    gz = tmp_path / "x.osm.gz"
    gz.write_bytes(b"not gzip at all")
    with pytest.raises(OSMInputError, match="decompressed"):
        graphs.build_graph(gz)
    bz = tmp_path / "x.osm.bz2"
    bz.write_bytes(bz2.compress(b"plain text"))
    with pytest.raises(OSMInputError):
        graphs.build_graph(bz)


def test_osm_without_routable_way(tmp_path):
    path = tmp_path / "nodes.osm.gz"
    path.write_bytes(gzip.compress(b"<osm version='0.6'><node id='1' lat='50' lon='2'/></osm>"))
    with pytest.raises(graphs.GraphBuildError, match="no routable way"):
        graphs.build_graph(path)


def test_missing_inputs(tmp_path):
    with pytest.raises(OSMInputError, match="not found"):
        graphs.build_graph(tmp_path / "nope.osm.pbf")
    with pytest.raises(HeritageError):
        graphs.build_graph(FIXTURES / "tag_rules.osm.xml", heritage_dir=tmp_path)
    with pytest.raises(ElevationError):
        graphs.build_graph(FIXTURES / "tag_rules.osm.xml", dem_dir=tmp_path)
    with pytest.raises(GraphLoadError, match="no compiled graph"):
        graphs.load_graph(tmp_path)


def test_cli_failure_keeps_the_previous_graph(tmp_path):
    out = tmp_path / "graph"
    ok = subprocess.run(CLI + ["build", "--osm", str(FIXTURES / "tag_rules.osm.xml"), "--out", str(out)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    before = (out / "meta.json").read_text()
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'")
    failed = subprocess.run(CLI + ["build", "--osm", str(bad), "--out", str(out)],
                            capture_output=True, text=True)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr and "error:" in failed.stderr
    assert (out / "meta.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.osm", "graph"]


def test_cli_download_offline_fails_clearly(tmp_path):
    env_cache = {"BASSIN_CACHE_DIR": str(tmp_path / "cache"),
                 "BASSIN_OVERPASS_URL": "http://127.0.0.1:9/api/interpreter"}
    import os
    result = subprocess.run(CLI + ["build", "--bbox", "50.4,2.7,50.5,2.9", "--out",
                                   str(tmp_path / "g")], capture_output=True, text=True,
                            env={**os.environ, **env_cache}, timeout=60)
    assert result.returncode == 2
    assert "cannot reach" in result.stderr and "--osm" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "g").exists()
    bad = subprocess.run(CLI + ["build", "--bbox", "north", "--out", str(tmp_path / "g")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "bad bbox" in bad.stderr


def test_load_rejects_other_format(tmp_path, fixture_graph):
    out = graphs.save_graph(fixture_graph, tmp_path / "g")
    meta = (out / "meta.json").read_text().replace('"format_version":2', '"format_version":99')
    (out / "meta.json").write_text(meta)
    with pytest.raises(GraphLoadError, match="rebuild"):
        graphs.load_graph(out)
