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
