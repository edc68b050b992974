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
    "primary", "primary_link", "track", "trunk", "trunk_link",
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

#: Passage through a node: on foot, riding a bicycle, pushing it (a cycle barrier).
NODE_FOOT, NODE_BIKE, NODE_BIKE_DISMOUNT = 1, 2, 4
NODE_OPEN = NODE_FOOT | NODE_BIKE

#: Barrier defaults (before the node's own access tags), after the OSM wiki and what
#: OSRM's and GraphHopper's foot and bike profiles do.
_BARRIER_DEFAULTS = {
    **dict.fromkeys(("gate", "lift_gate", "swing_gate", "sliding_gate", "entrance",
                     "border_control", "toll_booth", "bollard", "rising_bollard", "block",
                     "kerb", "height_restrictor", "cattle_grid", "bump_gate", "yes",
                     "sump_buster", "barrier_board", "hampshire_gate"), NODE_OPEN),
    **dict.fromkeys(("stile", "kissing_gate", "turnstile", "full-height_turnstile",
                     "horse_stile", "step", "steps"), NODE_FOOT),
    **dict.fromkeys(("cycle_barrier", "motorcycle_barrier", "chain", "horse_jump"),
                    NODE_FOOT | NODE_BIKE_DISMOUNT),
    **dict.fromkeys(("fence", "wall", "hedge", "ditch", "retaining_wall", "city_wall",
                     "guard_rail", "jersey_barrier", "debris", "handrail"), 0),
}
_OPEN_VALUES = frozenset({"yes", "designated", "permissive", "official", "destination"})

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
    "ref": "ref",                 # road number (D 943), for instructions
    "junction": "junction",       # roundabouts, for instructions
    "ford": "ford",               # fords on the way, for warnings
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


def _node_mode(tags, mode: str) -> str | None:
    """The access value a node sets for ``mode`` (its own key, then vehicle, then access)."""
    value = tags.get(mode)
    if value is None and mode == "bicycle":
        value = tags.get("vehicle")
    return value if value is not None else tags.get("access")


def node_passage(tags) -> int:
    """Who may pass through a node: bitmask of ``NODE_FOOT``, ``NODE_BIKE``,
    ``NODE_BIKE_DISMOUNT`` (``NODE_OPEN`` for a node without barrier or access tags).

    The barrier kind gives the default (a stile lets walkers over, not bicycles; a
    cycle barrier makes cyclists push); the node's ``access``/``foot``/``bicycle``
    tags override it (``barrier=gate`` + ``access=private`` closes it to all,
    ``barrier=stile`` + ``bicycle=yes`` opens it to bicycles); ``locked=yes``
    without an explicit access closes it.

    Parameters
    ----------
    tags : mapping
        The node's OSM tags.

    Returns
    -------
    int
    """
    barrier = tags.get("barrier")
    if barrier is None and tags.get("access") is None:
        return NODE_OPEN
    passage = _BARRIER_DEFAULTS.get(barrier, NODE_OPEN) if barrier else NODE_OPEN
    if tags.get("locked") in _YES:
        passage = 0
    foot = _node_mode(tags, "foot")
    if foot in _RESTRICTED:
        passage &= ~NODE_FOOT
    elif foot in _OPEN_VALUES:
        passage |= NODE_FOOT
    bike = _node_mode(tags, "bicycle")
    if bike in _RESTRICTED:
        passage &= ~(NODE_BIKE | NODE_BIKE_DISMOUNT)
    elif bike == "dismount":
        passage = (passage & ~NODE_BIKE) | NODE_BIKE_DISMOUNT
    elif bike in _OPEN_VALUES:
        passage = (passage & ~NODE_BIKE_DISMOUNT) | NODE_BIKE
    return passage


def node_drop_reason(tags, passage: int) -> str | None:
    """Why a node restricts passage (for the build report), None when it does not."""
    if passage == NODE_OPEN:
        return None
    what = tags.get("barrier") or "access"
    if passage == 0:
        return f"closed:{what}"
    if not passage & NODE_FOOT:
        return f"no_foot:{what}"
    if passage & NODE_BIKE_DISMOUNT:
        return f"bike_dismount:{what}"
    return f"no_bicycle:{what}"


def way_drop_reason(tags) -> str:
    """Why a ``highway=*`` way is not routable (``way_flags`` is 0), as a report key."""
    highway = tags.get("highway")
    if highway not in ROUTABLE_HIGHWAYS:
        return f"highway={highway}"
    if is_area(tags):
        return "area"
    if tags.get("motorroad") in _YES:
        return "motorroad"
    return "access"


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
    if tags.get("motorroad") in _YES:      # a road for motor vehicles only (Kraftstraße)
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
