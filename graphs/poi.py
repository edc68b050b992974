"""Which OSM objects are places worth showing a traveller, and of which kind."""
from __future__ import annotations

import re

#: (OSM key, accepted values, place kind, category taken from the value?)
_RULES = (
    ("amenity", {"drinking_water", "water_point"}, "drinking_water"),
    ("amenity", {"toilets"}, "toilets"),
    ("amenity", {"shelter"}, "shelter"),
    ("tourism", {"wilderness_hut"}, "shelter"),
    ("tourism", {"picnic_site"}, "picnic_site"),
    ("leisure", {"picnic_table"}, "picnic_site"),
    ("tourism", {"viewpoint"}, "viewpoint"),
    ("amenity", {"bicycle_repair_station"}, "bicycle_repair"),
    ("shop", {"bicycle"}, "bicycle_repair"),
    ("amenity", {"bicycle_rental"}, "bicycle_rental"),
    ("railway", {"station", "halt"}, "station"),
    ("tourism", {"hotel", "guest_house", "hostel", "motel", "apartment", "chalet",
                 "alpine_hut", "camp_site", "caravan_site"}, "lodging"),
    ("amenity", {"cafe"}, "cafe"),
    ("amenity", {"restaurant", "fast_food", "pub", "biergarten"}, "restaurant"),
    ("tourism", {"museum"}, "museum"),
    ("tourism", {"attraction"}, "attraction"),
)

#: The place kinds these rules give.
KINDS = tuple(dict.fromkeys(kind for _, _, kind in _RULES))
#: Languages whose ``name:<lang>`` is kept on places, ways and routes.
NAME_LANGUAGES = ("fr", "en")

#: Keys whose presence makes an object worth classifying (used as a read filter).
POI_KEYS = ("amenity", "tourism", "leisure", "shop", "railway", "man_made", "natural",
            "landuse", "drinking_water")

#: Tags copied onto a place.
KEPT_TAGS = ("name", "name:fr", "name:en", "ref", "ele", "website", "url", "wikipedia",
             "wikidata", "opening_hours", "operator", "description", "heritage",
             "ref:whc", "stars", "capacity")

_TERRIL_NAME = re.compile(r"\bterrils?\b", re.IGNORECASE)


def is_terril(tags) -> bool:
    """A slag heap: ``man_made=spoil_heap`` or a natural feature named « Terril … »."""
    if tags.get("man_made") == "spoil_heap" or tags.get("natural") == "spoil_heap":
        return True
    if tags.get("landuse") == "spoil_heap":
        return True
    name = tags.get("name") or ""
    return bool(_TERRIL_NAME.search(name)) and (
        tags.get("natural") in ("hill", "peak", "heath", "scrub", "grassland", "wood")
        or tags.get("landuse") in ("landfill", "brownfield")
        or tags.get("leisure") in ("park", "nature_reserve"))


def classify(tags) -> tuple[str, str] | None:
    """Place kind and category of an OSM object, or None when it is no place.

    Examples
    --------
    >>> classify({"tourism": "camp_site"})
    ('lodging', 'camp_site')
    >>> classify({"man_made": "spoil_heap", "name": "Terril 74"})
    ('terril', 'spoil_heap')
    """
    if is_terril(tags):
        return "terril", "spoil_heap"
    for key, values, kind in _RULES:
        value = tags.get(key)
        if value in values:
            return kind, value
    if tags.get("drinking_water") == "yes" and tags.get("amenity") == "fountain":
        return "drinking_water", "fountain"
    return None


def kept_tags(tags) -> dict:
    """The subset of tags stored with a place."""
    return {k: tags[k] for k in KEPT_TAGS if k in tags}
