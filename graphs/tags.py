"""OpenStreetMap tag rules: what can be walked or ridden, and in which direction.

The rules follow the OSM wiki access defaults and what GraphHopper's foot and
bike profiles do, tightened where the basin's users need it (e.g. footways are
closed to bicycles unless signed otherwise, as in France).
"""
from __future__ import annotations

import re

#: Highways a walker or a cyclist may use (unless access says otherwise).
ROUTABLE_HIGHWAYS = frozenset({
    "path", "footway", "cycleway", "bridleway", "steps", "pedestrian",
    "living_street", "residential", "service", "unclassified", "road",
    "tertiary", "tertiary_link", "secondary", "secondary_link",
    "primary", "primary_link", "track",
})

#: Highways bicycles may not use unless ``bicycle=yes|designated|…``.
_NO_BIKE_BY_DEFAULT = frozenset({"footway", "pedestrian", "steps", "bridleway"})

_YES = frozenset({"yes", "true", "1"})
_REVERSE = frozenset({"-1", "reverse"})
_NO = frozenset({"no", "false", "0"})
#: Access values that close a way to the mode they apply to.
_RESTRICTED = frozenset({
    "no", "private", "restricted", "military", "emergency", "permit",
    "use_sidepath", "agricultural;forestry", "delivery",
})

FOOT_FWD, FOOT_BWD, BIKE_FWD, BIKE_BWD = 1, 2, 4, 8

#: Categorical way attributes kept on every edge: name in the graph -> OSM key.
CATEGORICAL_KEYS = {
    "highway": "highway",
    "surface": "surface",
    "smoothness": "smoothness",
    "tracktype": "tracktype",
    "sac_scale": "sac_scale",
    "mtb_scale": "mtb:scale",
    "foot": "foot",
    "bicycle": "bicycle",
    "access": "access",
    "lit": "lit",
    "incline": "incline",
    "cycleway": "cycleway",
}

#: Numeric way attributes: name in the graph -> OSM key.
NUMERIC_KEYS = {"width": "width", "maxspeed": "maxspeed"}

#: Route relations that become route memberships of their ways.
ROUTE_TYPES = frozenset({"hiking", "foot", "walking", "running", "bicycle", "mtb"})

_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z/ ]*)\s*$")


def _mode_access(tags, mode: str, highway: str) -> bool:
    """Whether ``mode`` ('foot' or 'bicycle') may use a way with ``tags``."""
    specific = tags.get(mode)
    if specific is None and mode == "bicycle":
        specific = tags.get("vehicle")
    if specific is not None:
        return specific not in _RESTRICTED
    general = tags.get("access")
    if general is not None and general in _RESTRICTED:
        return False
    if mode == "bicycle" and highway in _NO_BIKE_BY_DEFAULT:
        return False
    return True


def is_area(tags) -> bool:
    """An ``area=yes`` highway (a square, a plaza) is a surface, not a line to route on."""
    return tags.get("area") in _YES


def way_flags(tags) -> int:
    """Direction flags of a way for walkers and cyclists (0: not routable).

    Parameters
    ----------
    tags : mapping
        The way's OSM tags.

    Returns
    -------
    int
        Bitmask of ``FOOT_FWD``, ``FOOT_BWD``, ``BIKE_FWD``, ``BIKE_BWD``
        (forward = direction of the way's nodes).
    """
    highway = tags.get("highway")
    if highway not in ROUTABLE_HIGHWAYS or is_area(tags):
        return 0
    flags = 0
    if _mode_access(tags, "foot", highway):
        foot_oneway = tags.get("oneway:foot")
        if foot_oneway in _YES:
            flags |= FOOT_FWD
        elif foot_oneway in _REVERSE:
            flags |= FOOT_BWD
        else:
            flags |= FOOT_FWD | FOOT_BWD
    if _mode_access(tags, "bicycle", highway):
        flags |= _bicycle_direction(tags)
    return flags


def _bicycle_direction(tags) -> int:
    """Bicycle direction flags from oneway, oneway:bicycle and cycleway=opposite*."""
    bike_oneway = tags.get("oneway:bicycle")
    if bike_oneway in _NO:
        return BIKE_FWD | BIKE_BWD
    if bike_oneway in _YES:
        return BIKE_FWD
    if bike_oneway in _REVERSE:
        return BIKE_BWD
    for key in ("cycleway", "cycleway:both", "cycleway:left", "cycleway:right"):
        if (tags.get(key) or "").startswith("opposite"):
            return BIKE_FWD | BIKE_BWD
    oneway = tags.get("oneway")
    if oneway is None and tags.get("junction") in ("roundabout", "circular"):
        oneway = "yes"
    if oneway in _YES:
        return BIKE_FWD
    if oneway in _REVERSE:
        return BIKE_BWD
    return BIKE_FWD | BIKE_BWD


def parse_number(value: str | None) -> float:
    """Parse a width/maxspeed-like tag into a float (NaN when absent or unreadable).

    Units: metres for widths (``2``, ``2.5 m``, ``3,5``), km/h for speeds
    (``50``, ``30 mph`` converted). Anything else gives NaN.
    """
    if not value:
        return float("nan")
    match = _NUMBER.match(value.lower())
    if not match:
        return float("nan")
    number = float(match.group(1).replace(",", "."))
    if match.group(2).strip() == "mph":
        number *= 1.609344
    return number
