"""The published saved itineraries as Geotrek treks: ids, families, communes, words.

A saved itinerary is trek ``id = row id``; each stage of a multi-day one is a
trek of its own, ``id = STAGE_BASE + row id × 100 + stage`` (stage 1–99), with
``parents``/``previous``/``next``. The catalogue is rebuilt when the
published rows change (count, last update, versions) and is read-only.
"""
from __future__ import annotations

import dataclasses
import re
import threading

import numpy as np
from sqlalchemy import func, select

from graphs.geo import haversine_m
from gpx import geotrek
from routing import Itinerary

from .db import SavedItinerary
from .geotrek_v2_cities import communes
from .geotrek_words import trek_texts
from .i18n import LANGUAGES
from .words import localised

STAGE_BASE = 1_000_000_000
MAX_STAGES = 99
#: How far a place along may be from a coordinate end to name it (m).
NAME_NEAR_M = 400.0
_LOCK = threading.Lock()

@dataclasses.dataclass(frozen=True)
class Entry:
    """One served trek: its itinerary and what does not depend on the request."""

    id: int
    row_id: int
    slug: str
    itinerary: Itinerary
    context: geotrek.TrekContext
    references: dict
    bbox: tuple
    figures: dict
    search: str                 # normalised names, for ``q``

    @property
    def is_parent(self) -> bool:
        return bool(self.context.children)


def search_key(text: str) -> str:
    """Words of a text for ``q``: lower case, no accents, punctuation as spaces."""
    return " ".join(re.split(r"\W+", geotrek.normalise(text))).strip()


def stage_id(row_id: int, stage: int) -> int:
    """The trek id of stage ``stage`` (1-based) of saved itinerary ``row_id``."""
    return STAGE_BASE + row_id * 100 + stage


def _nearest_name(itinerary, index: int) -> str | None:
    """The name of the place along nearest to the start (0) or end (-1), if close."""
    lat, lon = float(itinerary.lat[index]), float(itinerary.lon[index])
    named = [p for p in itinerary.places if p.get("name")]
    if not named:
        return None
    d = haversine_m(lat, lon, np.array([p["lat"] for p in named]),
                   np.array([p["lon"] for p in named]))
    best = int(np.argmin(d))
    return named[best]["name"] if d[best] <= NAME_NEAR_M else None


def _end_name(itinerary, index: int, index_communes, code: str | None) -> str:
    waypoint = itinerary.waypoints[index]
    return (waypoint.get("name") or _nearest_name(itinerary, index)
            or (index_communes.by_id.get(code) or {}).get("name") or "")


def _entry(item, itinerary, index_communes, vocabulary, trek_id, family,
           stage_name: dict | None = None) -> Entry:
    start = index_communes.locate(float(itinerary.lon[0]), float(itinerary.lat[0]))
    end = index_communes.locate(float(itinerary.lon[-1]), float(itinerary.lat[-1]))
    cities = index_communes.along(itinerary.lon, itinerary.lat)
    texts = trek_texts(itinerary, names=stage_name, ends=lambda worded: (
        _end_name(worded, 0, index_communes, start), _end_name(worded, -1, index_communes, end)))
    context = geotrek.TrekContext(
        id=trek_id, uuid_seed=f"{item.slug}/{trek_id}", texts=texts, cities=cities,
        departure_city=start, arrival_city=end, published=True,
        created=item.created.isoformat() if item.created else None,
        updated=item.updated.isoformat() if item.updated else None, **family)
    s, w, n, e = itinerary.bounds()
    names = (itinerary.meta.get("translations") or {}).get("name") or {}
    search = search_key(" ".join([itinerary.name, *[v for v in names.values() if v]]))
    return Entry(trek_id, item.id, item.slug, itinerary, context,
                 geotrek.references(itinerary, vocabulary), (w, s, e, n),
                 geotrek.figures(itinerary), search)


def _build(db, graph, app, vocabulary) -> dict:
    index_communes = communes(app, graph)
    entries: dict = {}
    with db.session() as s:
        rows = list(s.scalars(select(SavedItinerary).where(SavedItinerary.published.is_(True))
                              .order_by(SavedItinerary.id)))
    for item in rows:
        itinerary = Itinerary.from_dict(item.data)
        itinerary.name = item.name or itinerary.name          # the row's name is the edited one
        stages = itinerary.stages[:MAX_STAGES]
        ids = [stage_id(item.id, k) for k in range(1, len(stages) + 1)]
        entries[item.id] = _entry(item, itinerary, index_communes, vocabulary, item.id,
                                  {"children": ids})
        stage_names = {lang: [s.name for s in localised(itinerary, lang).stages]
                       for lang in LANGUAGES}
        for k, stage in enumerate(stages):
            family = geotrek.stage_context(item.id, ids, k)
            entries[ids[k]] = _entry(item, stage, index_communes, vocabulary, ids[k], {
                "parents": family.parents, "previous": family.previous, "next": family.next},
                stage_name={lang: stage_names[lang][k] for lang in LANGUAGES})
    return entries


def catalogue(app, db, graph) -> dict:
    """Trek id -> :class:`Entry` for every published itinerary and stage (cached per app)."""
    with db.session() as s:
        key = tuple(s.execute(select(func.count(SavedItinerary.id), func.max(SavedItinerary.updated),
                                     func.sum(SavedItinerary.version))
                              .where(SavedItinerary.published.is_(True))).one())
    cached = app.extensions.get("geotrek_v2_catalogue")
    if cached is not None and cached[0] == key:
        return cached[1]
    with _LOCK:
        cached = app.extensions.get("geotrek_v2_catalogue")
        if cached is None or cached[0] != key:
            cached = (key, _build(db, graph, app, geotrek.load_vocabulary()))
            app.extensions["geotrek_v2_catalogue"] = cached
    return cached[1]
