"""Words for the OSM tag values a traveller reads (surfaces, smoothness, roads, access).

Warnings and surface breakdowns carry OSM values (``surface=gravel``); these are their
words in the current language. A value without a word is shown as OSM spells it.
"""
from __future__ import annotations

from flask_babel import lazy_pgettext

VALUE_NAMES = {
    "surface": {
        "asphalt": lazy_pgettext("surface", "asphalt"), "paved": lazy_pgettext("surface", "paved"),
        "concrete": lazy_pgettext("surface", "concrete"),
        "concrete:plates": lazy_pgettext("surface", "concrete plates"),
        "concrete:lanes": lazy_pgettext("surface", "concrete lanes"),
        "paving_stones": lazy_pgettext("surface", "paving stones"),
        "sett": lazy_pgettext("surface", "setts"), "chipseal": lazy_pgettext("surface", "chipseal"),
        "metal": lazy_pgettext("surface", "metal"), "wood": lazy_pgettext("surface", "wood"),
        "compacted": lazy_pgettext("surface", "compacted"),
        "fine_gravel": lazy_pgettext("surface", "fine gravel"),
        "gravel": lazy_pgettext("surface", "gravel"),
        "pebblestone": lazy_pgettext("surface", "pebbles"),
        "unpaved": lazy_pgettext("surface", "unpaved"), "ground": lazy_pgettext("surface", "ground"),
        "dirt": lazy_pgettext("surface", "dirt"), "earth": lazy_pgettext("surface", "earth"),
        "grass": lazy_pgettext("surface", "grass"), "mud": lazy_pgettext("surface", "mud"),
        "sand": lazy_pgettext("surface", "sand"), "rock": lazy_pgettext("surface", "rock"),
        "stone": lazy_pgettext("surface", "stone"),
        "woodchips": lazy_pgettext("surface", "woodchips"),
        "grass_paver": lazy_pgettext("surface", "grass pavers"),
        "unhewn_cobblestone": lazy_pgettext("surface", "unhewn cobblestones"),
        "cobblestone": lazy_pgettext("surface", "cobblestones"),
    },
    "smoothness": {
        "bad": lazy_pgettext("smoothness", "bad"),
        "very_bad": lazy_pgettext("smoothness", "very bad"),
        "horrible": lazy_pgettext("smoothness", "horrible"),
        "very_horrible": lazy_pgettext("smoothness", "very horrible"),
        "impassable": lazy_pgettext("smoothness", "impassable"),
    },
    "highway": {
        "trunk": lazy_pgettext("highway", "trunk road"),
        "trunk_link": lazy_pgettext("highway", "trunk road slip"),
        "primary": lazy_pgettext("highway", "primary road"),
        "primary_link": lazy_pgettext("highway", "primary road slip"),
        "secondary": lazy_pgettext("highway", "secondary road"),
        "secondary_link": lazy_pgettext("highway", "secondary road slip"),
        "tertiary": lazy_pgettext("highway", "minor road"),
        "residential": lazy_pgettext("highway", "residential street"),
        "unclassified": lazy_pgettext("highway", "country road"),
    },
    "access": {
        "destination": lazy_pgettext("access", "local traffic only"),
        "customers": lazy_pgettext("access", "customers only"),
        "delivery": lazy_pgettext("access", "deliveries only"),
        "private": lazy_pgettext("access", "private"),
    },
}


def value_name(key: str, value, words=None) -> str:
    """The word of OSM ``key=value`` in the current language (``gravel`` -> « gravier »).

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has one.
    """
    word = VALUE_NAMES.get(key, {}).get(value)
    if word is None:
        return "" if value is None else str(value)
    return words.text(word) if words is not None else str(word)
