"""Elevations from DEM tiles (SRTM ``.hgt``/``.hgt.zip``, GeoTIFF) and the one ascent method.

DEM tiles
    SRTM tiles are read directly (big-endian int16 posts, row 0 the northern
    edge, posts on whole and fractional degrees). GeoTIFFs (Copernicus GLO-30,
    IGN RGE ALTI exports, any CRS) are read with rasterio; points are moved
    into the tile's CRS with pyproj and sampled at pixel centres. Both are
    sampled bilinearly; voids and nodata are NaN.

Ascent (:func:`climb`), used by itineraries, their legs and stages, GPX
statistics and the Geotrek export alike:

1. the profile is resampled every ``STEP_M`` (10 m) of distance, linearly
   between its points (so dense GPS tracks and sparse graph shapes are
   measured on the same grid);
2. it is smoothed by a centred moving average over ``SMOOTH_M`` (50 m,
   5 samples; shorter at the ends), which removes GPS jitter and DEM
   staircase steps without flattening a terril (≥ 50 m across);
3. ascent and descent are the sums of the rises and falls of the smoothed
   profile.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from .errors import ElevationError

_TILE = re.compile(r"^([NS])(\d{2})([EW])(\d{3})\.hgt(\.zip)?$", re.IGNORECASE)
_TIFF = re.compile(r"\.tiff?$", re.IGNORECASE)

#: Resampling step (m) of :func:`climb`.
STEP_M = 10.0
#: Smoothing window (m) of :func:`climb`.
SMOOTH_M = 50.0
#: What outputs report as their ascent method.
ASCENT_METHOD = {"resample_m": STEP_M, "smooth": "moving average", "window_m": SMOOTH_M}


def climb(cum_m, ele, step_m: float = STEP_M, window_m: float = SMOOTH_M) -> tuple[float, float]:
    """Ascent and descent (m) of an elevation profile by the documented method.

    Parameters
    ----------
    cum_m : array
        Distance (m) at each point, non-decreasing.
    ele : array
        Elevation at each point; NaN points are left out.

    Returns
    -------
    (ascent, descent) : tuple of float
    """
    cum_m, ele = np.asarray(cum_m, np.float64), np.asarray(ele, np.float64)
    known = np.isfinite(ele) & np.isfinite(cum_m)
    cum_m, ele = cum_m[known], ele[known]
    if len(ele) < 2 or cum_m[-1] - cum_m[0] <= 0:
        return 0.0, 0.0
    at = np.arange(cum_m[0], cum_m[-1], step_m)
    at = np.append(at, cum_m[-1]) if at[-1] < cum_m[-1] else at
    profile = np.interp(at, cum_m, ele)
    half = int(round(window_m / step_m)) // 2
    if half > 0 and len(profile) > 2:
        kernel = np.ones(2 * half + 1)
        sums = np.convolve(profile, kernel, mode="same")
        counts = np.convolve(np.ones(len(profile)), kernel, mode="same")
        profile = sums / counts
    rises = np.diff(profile)
    return float(rises[rises > 0].sum()), float(-rises[rises < 0].sum())


class _Grid:
    """One raster: values and the affine mapping from (x, y) in its CRS to pixel rows/cols
    (``row = (y0 - y) / dy``, ``col = (x - x0) / dx``, at sample positions)."""

    def __init__(self, values, x0, y0, dx, dy, transformer=None):
        self.values, self.x0, self.y0, self.dx, self.dy = values, x0, y0, dx, dy
        self.transformer = transformer

    def sample(self, lat, lon) -> np.ndarray:
        x, y = (lon, lat) if self.transformer is None else self.transformer.transform(lon, lat)
        rows, cols = self.values.shape
        row = (self.y0 - np.asarray(y)) / self.dy
        col = (np.asarray(x) - self.x0) / self.dx
        out = np.full(np.shape(row), np.nan, np.float64)
        inside = (row >= 0) & (row <= rows - 1) & (col >= 0) & (col <= cols - 1)
        if not inside.any():
            return out
        r, c = row[inside], col[inside]
        r0 = np.clip(np.floor(r).astype(int), 0, rows - 2)
        c0 = np.clip(np.floor(c).astype(int), 0, cols - 2)
        fr, fc = r - r0, c - c0
        g = self.values
        top = g[r0, c0] * (1 - fc) + g[r0, c0 + 1] * fc
        bottom = g[r0 + 1, c0] * (1 - fc) + g[r0 + 1, c0 + 1] * fc
        out[inside] = top * (1 - fr) + bottom * fr
        return out


def _read_hgt(path: Path, lat: int, lon: int) -> _Grid:
    if path.name.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".hgt")]
            if not names:
                raise ElevationError(f"{path.name}: no .hgt file inside")
            raw = archive.read(names[0])
    else:
        raw = path.read_bytes()
    size = int(round((len(raw) / 2) ** 0.5))
    if size * size * 2 != len(raw) or size not in (1201, 3601):
        raise ElevationError(f"{path.name}: not an SRTM tile ({len(raw)} bytes)")
    data = np.frombuffer(raw, dtype=">i2").reshape(size, size).astype(np.float32)
    data[data <= -32768] = np.nan  # SRTM voids
    step = 1.0 / (size - 1)
    return _Grid(data, float(lon), float(lat + 1), step, step)


def _read_tiff(path: Path) -> _Grid:
    try:
        import rasterio
        from pyproj import CRS, Transformer
    except ImportError as exc:                      # pragma: no cover - a dependency
        raise ElevationError(f"{path.name}: GeoTIFF needs rasterio ({exc})") from None
    try:
        with rasterio.open(path) as src:
            values = src.read(1, masked=True).astype(np.float32).filled(np.nan)
            transform, crs = src.transform, src.crs
    except rasterio.errors.RasterioError as exc:
        raise ElevationError(f"{path.name}: unreadable GeoTIFF ({exc})") from None
    if transform.b or transform.d:
        raise ElevationError(f"{path.name}: rotated rasters are not supported")
    transformer = None
    if crs is not None and not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
        transformer = Transformer.from_crs(4326, CRS.from_user_input(crs), always_xy=True)
    # pixel centres: the first sample sits half a pixel inside the raster's corner
    return _Grid(values, transform.c + transform.a / 2, transform.f + transform.e / 2,
                 transform.a, -transform.e, transformer)


class DEM:
    """The DEM tiles found in a directory: SRTM ``N42E001.hgt[.zip]`` and ``*.tif``.

    Parameters
    ----------
    directory : str or Path
    """

    def __init__(self, directory: str | Path):
        directory = Path(directory)
        if not directory.is_dir():
            raise ElevationError(f"DEM directory not found: {directory}")
        self.sources: list = []
        for path in sorted(directory.iterdir()):
            match = _TILE.match(path.name)
            if match:
                lat = int(match.group(2)) * (1 if match.group(1).upper() == "N" else -1)
                lon = int(match.group(4)) * (1 if match.group(3).upper() == "E" else -1)
                self.sources.append(("hgt", path, (lat, lon)))
            elif _TIFF.search(path.name):
                self.sources.append(("tiff", path, None))
        if not self.sources:
            raise ElevationError(f"no SRTM .hgt/.hgt.zip or GeoTIFF tile in {directory}")
        self._grids: dict = {}

    def _grid(self, index: int) -> _Grid:
        if index not in self._grids:
            kind, path, key = self.sources[index]
            self._grids[index] = _read_hgt(path, *key) if kind == "hgt" else _read_tiff(path)
        return self._grids[index]

    def elevations(self, lat, lon) -> np.ndarray:
        """Interpolated elevation (m) at each point; NaN outside every tile."""
        lat = np.atleast_1d(np.asarray(lat, np.float64))
        lon = np.atleast_1d(np.asarray(lon, np.float64))
        out = np.full(lat.shape, np.nan, np.float64)
        for index, (kind, _, key) in enumerate(self.sources):
            todo = np.isnan(out)
            if kind == "hgt":               # cheap pre-filter: the tile's own square degree
                todo &= (np.floor(lat) == key[0]) & (np.floor(lon) == key[1])
            if not todo.any():
                continue
            out[todo] = self._grid(index).sample(lat[todo], lon[todo])
        return out.astype(np.float32)
