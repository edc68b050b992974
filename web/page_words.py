"""Words of the public itinerary pages: practices, place kinds, difficulty, route kinds, surfaces.

Routing and the Geotrek vocabulary give codes (``hike``, ``terril``, level 3, ``loop``,
``paved``); the words are gettext messages (English msgids, French in the catalog), made
lazily so this module can be imported without a request.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

PRACTICES = {"hike": _l("Hiking"), "trail": _l("Trail running"), "family": _l("Family walk"),
             "bike": _l("Cycling"), "gravel": _l("Gravel"), "mtb": _l("Mountain biking")}
DIFFICULTIES = {1: _l("Very easy"), 2: _l("Easy"), 3: _l("Medium"), 4: _l("Hard"),
                5: _l("Very hard")}
ROUTE_KINDS = {"loop": _l("Loop"), "return": _l("Return trip"), "one-way": _l("One way")}
SURFACES = {"paved": _l("paved"), "smooth": _l("smooth unpaved"),
            "rough": _l("earth, grass, stones"), "unknown": _l("surface not known"),
            "steps": _l("steps")}
PLACE_KINDS = {
    "major_site": _l("major mining site"), "terril": _l("terril (slag heap)"),
    "cite": _l("cité minière"), "mining_building": _l("mining building"),
    "unesco_element": _l("UNESCO element"), "mine_shaft": _l("mine shaft"),
    "cavalier": _l("cavalier (old coal railway)"), "park": _l("park"), "museum": _l("museum"),
    "lodging": _l("lodging"), "station": _l("railway station"),
    "drinking_water": _l("drinking water"), "toilets": _l("toilets"), "shelter": _l("shelter"),
    "picnic_site": _l("picnic site"), "viewpoint": _l("viewpoint"),
    "bicycle_repair": _l("bicycle repair"), "bicycle_rental": _l("bicycle rental"),
    "cafe": _l("café"), "restaurant": _l("restaurant"), "attraction": _l("attraction"),
    "junction": _l("network node"), "peak": _l("summit"),
}


def word(table: dict, code, fallback: str | None = None) -> str:
    """The word of ``code`` in ``table`` in the request's language (``fallback`` or the
    code itself when the table has none: a code is never dropped)."""
    found = table.get(code)
    return str(found) if found is not None else (fallback if fallback is not None else str(code))
