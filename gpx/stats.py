"""Statistics of a GPX file: distance, climb, bounds, duration."""
from __future__ import annotations

import math

import numpy as np

from graphs.elevation import ASCENT_METHOD, climb
from graphs.geo import geodesic_m

from .reader import GPXData, Line

def line_climb(line: Line) -> tuple[float, float]:
    """Ascent and descent of a line by the project's one method
    (:func:`graphs.elevation.climb`: 10 m resampling, 50 m moving average)."""
    if len(line) < 2:
        return 0.0, 0.0
    steps = geodesic_m(line.lat[:-1], line.lon[:-1], line.lat[1:], line.lon[1:])
    return climb(np.concatenate([[0.0], np.cumsum(steps)]), line.ele)


def line_length(line: Line) -> float:
    return float(geodesic_m(line.lat[:-1], line.lon[:-1], line.lat[1:], line.lon[1:]).sum())


def gpx_stats(data: GPXData) -> dict:
    """Figures of a parsed GPX: ``distance_m``, ``ascent_m``, ``descent_m``, ``points``,
    ``bounds``, ``duration_s`` (when timed) and counts of tracks, segments, routes and
    waypoints. Segments are measured separately (no jump between them is counted)."""
    lines = data.lines()
    distance = sum(line_length(line) for line in lines)
    ascent = descent = 0.0
    has_ele = any(np.isfinite(line.ele).any() for line in lines)
    for line in lines:
        up, down = line_climb(line)
        ascent += up
        descent += down
    lats = np.concatenate([line.lat for line in lines] + [np.array([w["lat"] for w in data.waypoints])])
    lons = np.concatenate([line.lon for line in lines] + [np.array([w["lon"] for w in data.waypoints])])
    times = np.concatenate([line.time for line in lines]) if lines else np.zeros(0)
    times = times[np.isfinite(times)]
    return {
        "name": data.name or next((line.name for line in lines if line.name), None),
        "version": data.version, "creator": data.creator,
        "distance_m": round(distance, 1),
        "ascent_m": round(ascent, 1) if has_ele else None,
        "descent_m": round(descent, 1) if has_ele else None,
        "points": int(sum(len(line) for line in lines)),
        "tracks": len(data.tracks), "segments": sum(len(s) for _, s in data.tracks),
        "routes": len(data.routes), "waypoints": len(data.waypoints),
        "bounds": None if len(lats) == 0 else {
            "south": float(lats.min()), "west": float(lons.min()),
            "north": float(lats.max()), "east": float(lons.max())},
        "duration_s": float(times.max() - times.min()) if len(times) >= 2 else None,
        "has_elevation": has_ele, "has_time": bool(len(times)),
        "ascent_method": ASCENT_METHOD if has_ele else None,
    }


def chain_lines(lines: list[Line], max_gap_m: float = math.inf) -> tuple[Line, list[float]]:
    """Join unordered pieces of one route (like the EuroVelo 5 export) into one line.

    Starts from the piece end farthest from all others, then repeatedly adds
    the piece whose nearer end is closest, reversed where needed.
    Returns the line and the gaps (m) bridged between pieces.
    """
    if not lines:
        raise ValueError("no line to chain")
    ends = np.array([[l.lat[0], l.lon[0], l.lat[-1], l.lon[-1]] for l in lines])

    def gap(a_lat, a_lon, b_lat, b_lon):
        return geodesic_m(np.full(len(b_lat), a_lat), np.full(len(b_lat), a_lon), b_lat, b_lon)

    # the extremity: the end whose nearest other end is farthest away
    best, start, flip = -1.0, 0, False
    for i in range(len(lines)):
        others = np.delete(np.arange(len(lines)), i)
        for side in (0, 1):
            lat, lon = ends[i, 2 * side], ends[i, 2 * side + 1]
            d = min(gap(lat, lon, ends[others, 0], ends[others, 1]).min(initial=math.inf),
                    gap(lat, lon, ends[others, 2], ends[others, 3]).min(initial=math.inf))
            if d > best:
                best, start, flip = d, i, side == 1
    order, gaps, used = [(start, flip)], [], {start}
    while len(used) < len(lines):
        i, flipped = order[-1]
        lat, lon = (ends[i, 0], ends[i, 1]) if flipped else (ends[i, 2], ends[i, 3])
        rest = np.array([k for k in range(len(lines)) if k not in used])
        d_start = gap(lat, lon, ends[rest, 0], ends[rest, 1])
        d_end = gap(lat, lon, ends[rest, 2], ends[rest, 3])
        k = int(np.argmin(np.minimum(d_start, d_end)))
        d = min(d_start[k], d_end[k])
        if d > max_gap_m:
            break
        gaps.append(float(d))
        order.append((int(rest[k]), d_end[k] < d_start[k]))
        used.add(int(rest[k]))
    parts = []
    for i, flipped in order:
        sl = slice(None, None, -1) if flipped else slice(None)
        parts.append([getattr(lines[i], f)[sl] for f in ("lat", "lon", "ele", "time")])
    joined = [np.concatenate([p[k] for p in parts]) for k in range(4)]
    return Line(lines[order[0][0]].name, *joined), gaps
