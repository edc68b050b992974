"""DEMs (SRTM HGT, GeoTIFF in any CRS), the one ascent method, and the DEM download."""
from __future__ import annotations

import http.server
import threading
import zipfile

import gpxpy
import numpy as np
import pytest

import gpx
from graphs.dem_download import download_dem, tile_name
from graphs.elevation import ASCENT_METHOD, DEM, climb
from graphs.errors import DownloadError
from graphs.geo import geodesic_m
from graphs.settings import Settings

from .conftest import FIXTURES, shared_path

ANDORRA = [(42.5078, 1.5211), (42.5631, 1.6047), (42.4635, 1.4904)]


def _hgt_grid():
    path = shared_path("dem", "N42E001.hgt.zip")
    with zipfile.ZipFile(path) as archive:
        raw = archive.read(archive.namelist()[0])
    grid = np.frombuffer(raw, ">i2").reshape(1201, 1201).astype(np.float32)
    grid[grid <= -32768] = -9999.0                      # SRTM voids -> the GeoTIFF's nodata
    return grid


def _write_tiff(path, grid, west, north, step, crs="EPSG:4326"):
    import rasterio
    from rasterio.transform import from_origin

    # pixel-is-area: the first pixel's centre is the first post
    with rasterio.open(path, "w", driver="GTiff", height=grid.shape[0], width=grid.shape[1],
                       count=1, dtype="float32", crs=crs, nodata=-9999.0,
                       transform=from_origin(west - step / 2, north + step / 2, step, step)) as out:
        out.write(grid.astype(np.float32), 1)


def test_hgt_reader_matches_gdal():
    """Our SRTM reader against GDAL's own (rasterio on /vsizip/) at 1,000 posts."""
    import rasterio

    path = shared_path("dem", "N42E001.hgt.zip")
    dem = DEM(path.parent)
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 1200, 1000), rng.integers(0, 1200, 1000)
    lat, lon = 43 - rows / 1200, 1 + cols / 1200
    with rasterio.open(f"/vsizip/{path}/N42E001.hgt") as src:
        gdal = src.read(1)[rows, cols]
    ours = dem.elevations(lat, lon)
    bad = np.flatnonzero(np.abs(ours - gdal) > 0.01)
    assert not len(bad), (rows[bad][:5], cols[bad][:5], ours[bad][:5], gdal[bad][:5])


def test_geotiff_same_as_hgt_and_in_lambert93(tmp_path):
    """The Andorra tile as a GeoTIFF in WGS84 gives the same values; reprojected into
    Lambert-93 (the French CRS of IGN's DEMs) at 30 m it agrees within a few metres."""
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    grid = _hgt_grid()
    (tmp_path / "wgs").mkdir()
    _write_tiff(tmp_path / "wgs" / "andorra.tif", grid, 1.0, 43.0, 1 / 1200)
    hgt = DEM(shared_path("dem"))
    tif = DEM(tmp_path / "wgs")
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(42.42, 42.65, 2000), rng.uniform(1.41, 1.78, 2000)
    assert np.allclose(tif.elevations(lat, lon), hgt.elevations(lat, lon), atol=0.01,
                       equal_nan=True)
    src_path, dst_dir = tmp_path / "wgs" / "andorra.tif", tmp_path / "l93"
    dst_dir.mkdir()
    with rasterio.open(src_path) as src:
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:2154", src.width, src.height, *src.bounds, resolution=30)
        profile = dict(src.profile, crs="EPSG:2154", transform=transform, width=width,
                       height=height)
        with rasterio.open(dst_dir / "andorra-l93.tif", "w", **profile) as dst:
            reproject(rasterio.band(src, 1), rasterio.band(dst, 1), resampling=Resampling.bilinear)
    l93 = DEM(dst_dir).elevations(lat, lon)
    diff = np.abs(l93 - hgt.elevations(lat, lon))
    assert np.isfinite(diff).mean() > 0.99
    assert np.nanmedian(diff) < 3.0 and np.nanpercentile(diff, 95) < 15.0


def test_one_ascent_method_against_dem_and_gpxpy(router_for, tmp_path):
    """Itinerary ascent vs the DEM resampled every 5 m along the same line (same smoothing),
    vs the GPX we write read back by our stats and by gpxpy."""
    router = router_for("andorra")
    it = router.route(ANDORRA, "hike")
    dem = DEM(shared_path("dem"))
    cum = np.concatenate([[0], np.cumsum(geodesic_m(it.lat[:-1], it.lon[:-1], it.lat[1:],
                                                    it.lon[1:]))])
    at = np.arange(0, cum[-1], 5.0)
    reference, _ = climb(at, dem.elevations(np.interp(at, cum, it.lat), np.interp(at, cum, it.lon)))
    assert it.ascent_m == pytest.approx(reference, rel=0.03)
    text = gpx.itinerary_to_gpx(it)
    ours = gpx.gpx_stats(gpx.read_gpx(text))
    theirs = gpxpy.parse(text).get_uphill_downhill()
    assert ours["ascent_m"] == pytest.approx(it.ascent_m, rel=0.005)
    assert theirs.uphill == pytest.approx(ours["ascent_m"], rel=0.02)
    assert theirs.downhill == pytest.approx(ours["descent_m"], rel=0.02)
    summary = it.summary()
    assert summary["ascent_method"] == ASCENT_METHOD == ours["ascent_method"]
    assert sum(leg["ascent_m"] for leg in it.legs) == pytest.approx(it.ascent_m, rel=0.02)


@pytest.mark.parametrize("name", ["garmin.gpx", "gpxstudio.gpx", "ridewithgps.gpx"])
def test_third_party_gpx_against_gpxpy(name):
    """Short third-party tracks: gpxpy smooths over 3 points, we over 50 m; within 3 m."""
    data = (FIXTURES / name).read_bytes()
    ours = gpx.gpx_stats(gpx.read_gpx(data))
    theirs = gpxpy.parse(data.decode()).get_uphill_downhill()
    assert abs(ours["ascent_m"] - theirs.uphill) <= max(3.0, 0.15 * theirs.uphill)
    assert abs(ours["descent_m"] - theirs.downhill) <= max(3.0, 0.15 * theirs.downhill)


def test_climb_removes_jitter_not_hills():
    """A 40 m hill keeps its 40 m; GPS-like jitter (σ 1.5 m every 2 m) adds under 5 % of
    what the raw sum of rises counts."""
    x = np.arange(0, 2000, 2.0)
    hill = 40 * np.exp(-((x - 1000) / 150) ** 2)
    assert climb(x, hill) == pytest.approx((40, 40), abs=1.0)
    noisy = hill + np.random.default_rng(2).normal(0, 1.5, len(x))
    raw = np.diff(noisy)[np.diff(noisy) > 0].sum()
    up, _ = climb(x, noisy)
    assert raw > 500 and up - 40 < 0.05 * (raw - 40)
    assert climb([0, 10], [np.nan, 5]) == (0.0, 0.0)


class _Tiles(http.server.BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):                                   # noqa: N802 (http.server's name)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_dem_download_from_loopback_then_cached(tmp_path):
    """``--dem download`` fetches the basin's two tiles from a loopback server (GeoTIFFs made
    here), caches them, reads them; offline is a clear DownloadError."""
    made = tmp_path / "made"
    made.mkdir()
    for lat, lon in ((50, 2), (50, 3)):
        grid = np.full((121, 121), 30.0 + lon, np.float32)
        _write_tiff(made / "t.tif", grid, lon, lat + 1, 1 / 120)
        name = tile_name(lat, lon)
        _Tiles.files[f"/{name}/{name}.tif"] = (made / "t.tif").read_bytes()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = Settings(cache_dir=tmp_path / "cache", progress=False,
                            dem_url=f"http://127.0.0.1:{server.server_port}", download_timeout_s=10)
        folder = download_dem("bassin-minier", settings)
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{tile_name(50, lon)}.tif" for lon in (2, 3))
        values = DEM(folder).elevations([50.44, 50.33], [2.79, 3.17])     # 11/19, Lewarde
        assert values.tolist() == [32.0, 33.0]
    finally:
        server.shutdown()
        server.server_close()
    again = download_dem("bassin-minier", settings)          # cached: no server needed
    assert again == folder
    offline = Settings(cache_dir=tmp_path / "other", progress=False,
                       dem_url="http://127.0.0.1:9", download_timeout_s=2)
    with pytest.raises(DownloadError, match="Offline\\?"):
        download_dem("bassin-minier", offline)
    with pytest.raises(DownloadError, match="unknown DEM area"):
        download_dem("atlantis", offline)


def test_terril_summits_from_a_dem_and_summit_vias(tmp_path):
    """The basin network built with a GeoTIFF DEM (made here: a 60 m cone on each UNESCO
    terril over a 40 m plain — no basin DEM is available offline): every terril summit gets
    its elevation from the DEM, and '<terril>@summit' routes to the summit, not the foot."""
    import json

    import graphs
    import routing
    from shapely.geometry import shape

    terrils = json.loads(shared_path("bassin-minier", "terrils.geojson").read_text())
    centres = np.array([shape(f["geometry"]).representative_point().coords[0]
                        for f in terrils["features"]])
    step = 1 / 1200
    lons, lats = np.arange(2.3, 3.6, step), np.arange(50.75, 50.2, -step)
    grid = np.full((len(lats), len(lons)), 40.0, np.float32)
    for lon, lat in centres:
        if not (lons[6] < lon < lons[-7] and lats[-7] < lat < lats[6]):
            continue
        c = np.searchsorted(lons, lon)
        r = np.searchsorted(-lats, -lat)
        rr, cc = np.ogrid[max(r - 6, 0):r + 7, max(c - 6, 0):c + 7]
        d = np.hypot((rr - r) * 92.6, (cc - c) * 59.0)           # metres per pixel here
        grid[rr, cc] = np.maximum(grid[rr, cc], 40 + 60 * np.clip(1 - d / 300, 0, 1))
    (tmp_path / "dem").mkdir()
    _write_tiff(tmp_path / "dem" / "basin.tif", grid, lons[0], lats[0], step)
    graph = graphs.build_graph(shared_path("bassin-minier", "network.osm"),
                               heritage_dir=shared_path("bassin-minier"),
                               dem_dir=tmp_path / "dem", name="basin-dem")
    unesco = [p for p in graph.places if p.kind == "terril" and p.geometry and p.unesco_id
              and lons[6] < p.lon < lons[-7] and lats[-7] < p.lat < lats[6]]
    assert len(unesco) > 30 and all(p.summit["ele"] is not None for p in unesco)
    assert np.mean([p.summit["ele"] > 60 for p in unesco]) > 0.8
    router = routing.Router(graph, profiles=["hike"])
    foot = router.route("site:base-11-19;terril:T074", "hike")
    top = router.route("site:base-11-19;terril:T074@summit", "hike")
    summit = graph.place("terril:T074").summit
    end = (top.lat[-1], top.lon[-1])
    d_top = geodesic_m(np.array([end[0]]), np.array([end[1]]), np.array([summit["lat"]]),
                       np.array([summit["lon"]]))[0]
    d_foot = geodesic_m(np.array([foot.lat[-1]]), np.array([foot.lon[-1]]),
                        np.array([summit["lat"]]), np.array([summit["lon"]]))[0]
    assert d_top <= d_foot
    with pytest.raises(routing.InvalidQueryError):
        router.route("site:base-11-19;terril:T074@top", "hike")
