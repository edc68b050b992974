"""A link-preview image (OpenGraph ``og:image``) of an itinerary: a 1200 × 630 PNG.

The route is drawn to scale (equirectangular at its mean latitude) with a white casing,
coloured by stage, with the start (green) and the end (red) as discs, over a light
ground; no text, so no font and nothing of the user's in the image. Written with numpy
and zlib only: the service needs no imaging library for it.
"""
from __future__ import annotations

import struct
import zlib

import numpy as np

WIDTH, HEIGHT, MARGIN = 1200, 630, 60
GROUND = (241, 245, 249)
CASING = (255, 255, 255)
STAGE_RGB = ((37, 99, 235), (219, 39, 119), (5, 150, 105), (217, 119, 6), (124, 58, 237))
START, END = (22, 163, 74), (220, 38, 38)


def _project(lat, lon, south, west, north, east):
    """Pixel x, y of the points, the bounds fitted into the image with margins."""
    scale_x = np.cos(np.radians((south + north) / 2))
    span_x, span_y = max((east - west) * scale_x, 1e-9), max(north - south, 1e-9)
    k = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    x0 = (WIDTH - span_x * k) / 2
    y0 = (HEIGHT - span_y * k) / 2
    return x0 + (np.asarray(lon) - west) * scale_x * k, y0 + (north - np.asarray(lat)) * k


def _stamp(image: np.ndarray, x, y, radius: float, colour) -> None:
    """Discs of ``radius`` px at every (x, y)."""
    r = int(np.ceil(radius))
    dx, dy = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1))
    disc = dx ** 2 + dy ** 2 <= radius ** 2
    ox, oy = dx[disc], dy[disc]
    px = (np.rint(x)[:, None] + ox[None, :]).astype(np.int64).ravel()
    py = (np.rint(y)[:, None] + oy[None, :]).astype(np.int64).ravel()
    ok = (px >= 0) & (px < WIDTH) & (py >= 0) & (py < HEIGHT)
    image[py[ok], px[ok]] = colour


def _dense(x, y):
    """Points every pixel along the polyline (so stamped discs make a continuous line)."""
    if len(x) < 2:
        return np.asarray(x, float), np.asarray(y, float)
    seg = np.hypot(np.diff(x), np.diff(y))
    cum = np.r_[0.0, np.cumsum(seg)]
    at = np.linspace(0.0, cum[-1], max(2, int(cum[-1]) + 1))
    return np.interp(at, cum, x), np.interp(at, cum, y)


def png_bytes(image: np.ndarray) -> bytes:
    """An RGB ``uint8`` array (height × width × 3) as PNG bytes."""
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def preview_png(itinerary) -> bytes:
    """The preview image of ``itinerary`` as PNG bytes."""
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    image[:] = GROUND
    bounds = itinerary.bounds()
    parts = itinerary.stages or [itinerary]
    dense = [_dense(*_project(p.lat, p.lon, *bounds)) for p in parts]
    for x, y in dense:
        _stamp(image, x, y, 9, CASING)
    for k, (x, y) in enumerate(dense):
        _stamp(image, x, y, 5.5, STAGE_RGB[k % len(STAGE_RGB)])
    ends = [(itinerary.lat[0], itinerary.lon[0], START)]
    if not itinerary.is_closed:
        ends.append((itinerary.lat[-1], itinerary.lon[-1], END))
    for lat, lon, colour in ends:
        x, y = _project([lat], [lon], *bounds)
        _stamp(image, x, y, 16, CASING)
        _stamp(image, x, y, 12, colour)
    return png_bytes(image)
