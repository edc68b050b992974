"""The words of the things routing and graphs name by code: profiles, place kinds, stages.

``graphs/`` and ``routing/`` give codes (``shelter``, ``hike``) and the names OSM gives
(``name``, ``name:fr``, ``name:en``); this module turns them into words of the
current language (:func:`web.i18n.language`). :func:`localised` gives an itinerary
whose names and labels are those of one language, for every output made from it
(pages, maps, GPX, KML, JSON).
"""
from __future__ import annotations

import copy
import re

from flask_babel import format_decimal, gettext

from .i18n import Words, current_language, current_words, language
from .page_words import PLACE_KINDS, PRACTICES

#: Travel profiles (``routing.PROFILES``) and every place kind of ``graphs``
#: (:data:`graphs.places.PLACE_KINDS`, and routing's junctions): one table each, the
#: itinerary page's (:mod:`web.page_words`), so that pages, maps and files say the same.
PROFILE_NAMES = PRACTICES
KIND_NAMES = PLACE_KINDS

#: Stage names routing wrote in French before it left names to ``web`` (saved itineraries).
_LEGACY_STAGE = re.compile(r"^(?P<name>.*) — étape (?P<num>\d+)/(?P<count>\d+)$")


def profile_name(profile: str) -> str:
    """« Randonnée » / « Hiking » for ``hike``; an unknown code as it is."""
    return str(PROFILE_NAMES.get(profile, profile))


def kind_name(kind: str | None, words: Words | None = None) -> str:
    """« abri » / « shelter » for ``shelter``; an unknown code as it is.

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has one.
    """
    if words is not None:
        return _label_in(kind_labels(words), kind)
    return str(KIND_NAMES[kind]) if kind in KIND_NAMES else str(kind or "")


def _label_in(labels: dict, kind: str | None) -> str:
    """:func:`kind_name` read from a :func:`kind_labels` table."""
    label = labels.get(kind)
    return str(kind or "") if label is None else label


def pick_name(names: dict | None, name: str | None, lang: str | None = None) -> str | None:
    """``names[lang]`` (from OSM ``name:<lang>``) when given, else ``name``."""
    lang = lang or current_language()
    return ((names or {}).get(lang) or name) or None


def place_name(place: dict, lang: str | None = None) -> str | None:
    """A place's name in ``lang`` (``names``, or ``name:<lang>`` of its tags), else ``name``."""
    names = place.get("names")
    if not names:
        tags = place.get("tags")           # places along a route carry none: no scan then
        names = {k[5:]: v for k, v in tags.items() if k.startswith("name:")} if tags else None
    return pick_name(names, place.get("name"), lang)


#: ``{kind: label}`` per language tag (:func:`kind_labels`); catalogs never change.
_KIND_LABELS: dict = {}


def kind_labels(words: Words) -> dict:
    """:func:`kind_name` of every known kind in the language of ``words``, as one table
    (made once per language: a route's places look a label up each)."""
    table = _KIND_LABELS.get(words.tag)
    if table is None:
        table = _KIND_LABELS[words.tag] = {kind: words.text(label)
                                           for kind, label in KIND_NAMES.items()}
    return table


def untitled() -> str:
    """The name of an itinerary nobody named."""
    return gettext("Itinerary")


def stage_name(parent_name: str, number: int, count: int) -> str:
    """« Tour des terrils — étape 2/3 » / « … — stage 2/3 »."""
    if parent_name:
        return gettext("%(name)s — stage %(num)d/%(count)d", name=parent_name, num=number,
                       count=count)
    return gettext("Stage %(num)d/%(count)d", num=number, count=count)


def km(metres: float, digits: int = 1) -> str:
    """``12,3 km`` / ``12.3 km``: the locale's decimal sign."""
    return gettext("%(km)s km", km=format_decimal(round(metres / 1000, digits),
                                                  format="#,##0." + "0" * digits))


def _stage_name(stage, parent_name: str, number: int, count: int) -> str:
    legacy = _LEGACY_STAGE.match(stage.name or "")
    if legacy:
        return stage_name(legacy["name"], int(legacy["num"]), int(legacy["count"]))
    if stage.name and not stage.meta.get("stage"):
        return stage.name              # a stage named by its source (a Geotrek import)
    return stage_name(parent_name, number, count)


def localised_places(places: list, words: Words, in_place: bool = False, **more) -> list:
    """Copies of ``places`` (dicts) worded as :func:`localised` words them: a name in the
    language of ``words`` and a ``kind_label``; ``more`` keys added to each copy too
    (``role="place"``: the properties of their GeoJSON features, made in one copy).

    ``in_place``: the dicts themselves are worded and returned, for a caller whose
    places they are (a copy each is half the time of a route's fifteen: issue 11); the
    keys come in the same order."""
    # kind_name and place_name, their lookups made once: a route has dozens of places
    labels, lang = kind_labels(words), words.lang
    out = places if in_place else []
    for place in places:
        label = _label_in(labels, place.get("kind"))
        if in_place:
            worded = place
            worded["kind_label"] = label
            worded.update(more)
        else:
            worded = dict(place, kind_label=label, **more)
            out.append(worded)
        if place.get("names") or place.get("tags"):
            worded["name"] = place_name(place, lang)
        else:                               # no other names: its own (most places)
            worded["name"] = place.get("name") or None
    return out


def localised(itinerary, lang: str | None = None, words: Words | None = None,
              places: bool = True):
    """A copy of ``itinerary`` worded in ``lang`` (default: the current language).

    Places and waypoints get their name in that language (OSM ``name:<lang>``) and a
    ``kind_label``; stages get their names (« étape 2/3 »); an unnamed itinerary gets
    one. Geometry arrays are shared with the original, which is left unchanged.

    ``words``: the current language's :class:`web.i18n.Words`, when the caller has
    them (``lang`` is then theirs): the language is not looked up again. ``places``
    False: the copy has none (its stages keep theirs), for a caller that words them
    itself (:func:`localised_places`).
    """
    if words is None or lang not in (None, words.lang):
        with language(lang):
            return localised(itinerary, words=current_words(), places=places)
    lang = words.lang
    out = copy.copy(itinerary)
    out.name = itinerary.name or ""
    out.places = localised_places(itinerary.places, words) if places else []
    out.waypoints = [dict(w, name=place_name(w, lang)) for w in itinerary.waypoints]
    out.meta = dict(itinerary.meta, language=lang)
    count = len(itinerary.stages)
    out.stages = []
    for number, stage in enumerate(itinerary.stages, start=1):
        worded = localised(stage, words=words)
        worded.name = _stage_name(stage, out.name or untitled(), number, count)
        out.stages.append(worded)
    return out


class GraphNames:
    """Way and signed-route names of a graph in the current language (OSM ``name:<lang>``)."""

    def __init__(self, graph):
        self.ways = getattr(graph, "name_translations", {}) or {}
        # a route is labelled by its ref, else its name: only names have translations
        self.routes = {r["name"]: r["names"] for r in graph.routes
                       if r.get("name") and not r.get("ref") and r.get("names")}

    def way(self, name: str | None) -> str | None:
        """``name`` in the current language, when OSM gives one."""
        return self.ways.get(current_language(), {}).get(name, name) if name else name

    def route(self, label: str) -> str:
        return pick_name(self.routes.get(label), label) or label

    def step(self, step: dict) -> dict:
        """A maneuver's dict with its way and route names in the current language."""
        return dict(step, name=self.way(step.get("name")),
                    routes_joined=[self.route(r) for r in step.get("routes_joined", [])],
                    routes_left=[self.route(r) for r in step.get("routes_left", [])])
