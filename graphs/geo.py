"""Distances and projections on WGS84 coordinates (vectorised with numpy)."""
from __future__ import annotations

import functools

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


@functools.cache
def _geod():
    # pyproj (≈ 19 MB resident with its PROJ library) loads on the first ellipsoidal
    # distance: a routing service that only snaps and projects never pays for it.
    from pyproj import Geod

    return Geod(ellps="WGS84")


def geodesic_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Ellipsoidal (WGS84) distance in metres between point arrays."""
    lat1, lon1, lat2, lon2 = (np.asarray(a, np.float64) for a in (lat1, lon1, lat2, lon2))
    if lat1.size == 0:
        return np.zeros(0)
    _, _, dist = _geod().inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist, np.float64)


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in metres (cheap; used for heuristics and corridors)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class LocalProjection:
    """Equirectangular metres around a reference latitude.

    Accurate to a few 0.1 % over a region the size of the basin, which is all
    that snapping and corridor searches need; lengths use :func:`geodesic_m`.
    """

    def __init__(self, lat0: float):
        self.lat0 = float(lat0)
        self.kx = np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(self.lat0))
        self.ky = np.radians(1.0) * EARTH_RADIUS_M

    def forward(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) in metres."""
        return np.asarray(lon, np.float64) * self.kx, np.asarray(lat, np.float64) * self.ky

    def inverse(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) of projected points."""
        return np.asarray(y) / self.ky, np.asarray(x) / self.kx


def project_on_segments(px, py, ax, ay, bx, by):
    """Project points onto segments (all projected metres, broadcastable).

    Returns
    -------
    t : ndarray
        Position of the foot along each segment, 0..1.
    dist : ndarray
        Distance from the point to its foot.
    """
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(seg2 > 0, ((px - ax) * dx + (py - ay) * dy) / seg2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    fx, fy = ax + t * dx, ay + t * dy
    return t, np.hypot(px - fx, py - fy)
