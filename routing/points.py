"""Query points as users write them: ``'LAT,LON;LAT,LON;place-id'``."""
from __future__ import annotations

import re

from .errors import InvalidQueryError

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")

#: Most points one query may give (routes, tours' stops).
MAX_POINTS = 50


def parse_points(text: str) -> list:
    """``'LAT,LON;LAT,LON;place-id'`` -> list of (lat, lon) tuples and place ids.

    Raises
    ------
    InvalidQueryError
        Empty text, or a latitude/longitude out of range.
    """
    if not text or not text.strip():
        raise InvalidQueryError("no points given: expected 'LAT,LON;LAT,LON[;…]'")
    out = []
    for part in text.split(";"):
        part = part.strip()
        match = _COORD.match(part)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidQueryError(f"point {part!r} is not a latitude,longitude pair")
            out.append((lat, lon))
        elif part:
            out.append(part)
    return out


def summit_point(graph, place) -> tuple[float, float]:
    """Where ``'<place id>@summit'`` goes: the graph node nearest the terril's summit (on
    the terril), else the summit itself."""
    summit = getattr(place, "summit", None)
    if not summit:
        raise InvalidQueryError(f"{place.id!r} has no summit to climb")
    node = summit.get("node")
    if node is not None:
        return float(graph.node_lat[node]), float(graph.node_lon[node])
    return float(summit["lat"]), float(summit["lon"])
