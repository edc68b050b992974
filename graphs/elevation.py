"""Elevations from SRTM ``.hgt`` / ``.hgt.zip`` tiles (bilinear interpolation)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from .errors import ElevationError

_TILE = re.compile(r"^([NS])(\d{2})([EW])(\d{3})\.hgt(\.zip)?$", re.IGNORECASE)


def _read_tile(path: Path) -> np.ndarray:
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
    return data


class DEM:
    """A set of SRTM tiles found in a directory.

    Parameters
    ----------
    directory : str or Path
        Folder holding ``N42E001.hgt`` or ``N42E001.hgt.zip`` style tiles.
    """

    def __init__(self, directory: str | Path):
        directory = Path(directory)
        if not directory.is_dir():
            raise ElevationError(f"DEM directory not found: {directory}")
        self.tiles: dict[tuple[int, int], Path] = {}
        for path in sorted(directory.iterdir()):
            match = _TILE.match(path.name)
            if match:
                lat = int(match.group(2)) * (1 if match.group(1).upper() == "N" else -1)
                lon = int(match.group(4)) * (1 if match.group(3).upper() == "E" else -1)
                self.tiles[(lat, lon)] = path
        if not self.tiles:
            raise ElevationError(f"no SRTM .hgt/.hgt.zip tile in {directory}")
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def elevations(self, lat, lon) -> np.ndarray:
        """Interpolated elevation (m) at each point; NaN outside the tiles."""
        lat = np.asarray(lat, np.float64)
        lon = np.asarray(lon, np.float64)
        out = np.full(lat.shape, np.nan, np.float32)
        tile_lat = np.floor(lat).astype(int)
        tile_lon = np.floor(lon).astype(int)
        for key, path in self.tiles.items():
            mask = (tile_lat == key[0]) & (tile_lon == key[1])
            if not mask.any():
                continue
            if key not in self._cache:
                self._cache[key] = _read_tile(path)
            grid = self._cache[key]
            n = grid.shape[0] - 1
            # Row 0 is the northern edge of the tile.
            row = (key[0] + 1 - lat[mask]) * n
            col = (lon[mask] - key[1]) * n
            r0 = np.clip(np.floor(row).astype(int), 0, n - 1)
            c0 = np.clip(np.floor(col).astype(int), 0, n - 1)
            fr, fc = row - r0, col - c0
            top = grid[r0, c0] * (1 - fc) + grid[r0, c0 + 1] * fc
            bottom = grid[r0 + 1, c0] * (1 - fc) + grid[r0 + 1, c0 + 1] * fc
            out[mask] = top * (1 - fr) + bottom * fr
        return out
