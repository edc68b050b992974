"""The words of the home's filters and map: facet values and place kinds, per language.

Practices are the profiles' own words (:func:`web.words.profile_name`); difficulty, route shape and
theme labels come from our Geotrek vocabulary (``gpx/data/geotrek_vocabulary.json``, the
lists the Geotrek API serves), so the home and ESCAPADE 62 say the same; ranges, kinds
and the rest are English msgids translated by the catalog.
"""
from __future__ import annotations

import functools
import math

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from gpx import geotrek

from .facets import RANGES
from .words import kind_name, profile_name

#: "Passes by": the kinds of places offered as filters, in this order (words:
#: :func:`web.words.kind_name`, shared with the itinerary page and the fiche).
OFFERED_KINDS = ("major_site", "museum", "terril", "cite", "mining_building", "unesco_element",
                 "cavalier", "park", "mine_shaft", "lodging", "station", "viewpoint",
                 "drinking_water", "shelter", "picnic_site", "toilets")
FACET_LEGENDS = {
    "practice": lazy_gettext("Practice"), "length": lazy_gettext("Length"),
    "duration": lazy_gettext("Duration"), "ascent": lazy_gettext("Ascent"),
    "difficulty": lazy_gettext("Difficulty"), "route": lazy_gettext("Type"),
    "theme": lazy_gettext("Themes"), "commune": lazy_gettext("Commune"),
    "kind": lazy_gettext("Passes by"),
}
_UNITS = {"length": "km", "duration": "h", "ascent": "m"}


def lang() -> str:
    return g.get("lang") or "fr"


def range_label(facet: str, key: str) -> str:
    """``under 5 km``, ``5–10 km``, ``80 km and more`` (and the same in hours, metres)."""
    low, high = RANGES[facet][key]
    unit = _UNITS[facet]
    if low == 0:
        return _("under %(high)s %(unit)s", high=high, unit=unit)
    if math.isinf(high):
        return _("%(low)s %(unit)s and more", low=low, unit=unit)
    return _("%(low)s–%(high)s %(unit)s", low=low, high=high, unit=unit)


@functools.cache
def _vocabulary() -> dict:
    return geotrek.load_vocabulary()          # the shipped file: read once per process


def _vocabulary_words(list_name: str, field: str, key: str) -> dict:
    entries = _vocabulary()[list_name]
    return {str(e[key]): geotrek.translated(e[field], lang(), fallback=True) for e in entries}


def value_labels(facet: str) -> dict:
    """Value -> words of a facet with a fixed vocabulary (not communes, not kinds)."""
    if facet == "practice":
        from routing import PROFILES
        return {p: profile_name(p) for p in PROFILES}
    if facet in RANGES:
        return {k: range_label(facet, k) for k in RANGES[facet]}
    if facet == "difficulty":
        return _vocabulary_words("difficulty", "label", "cirkwi_level")
    if facet == "route":
        return _vocabulary_words("route", "route", "kind") | {"multi-day": _("Multi-day")}
    if facet == "theme":
        return _vocabulary_words("theme", "label", "id")
    if facet == "kind":
        return {k: _capitalised(kind_name(k)) for k in OFFERED_KINDS}
    return {}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def duration_text(seconds: float) -> str:
    """``45 min`` or ``3 h 05`` (hours of travel, however many days it spans)."""
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}"


__all__ = ["OFFERED_KINDS", "FACET_LEGENDS", "value_labels", "range_label", "duration_text", "lang"]
