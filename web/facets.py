"""Facets of the published itineraries, precomputed for the home's filters.

Decoding a saved itinerary (its whole geometry and places) costs milliseconds: a listing
that filters hundreds of them must not do it per request. So each itinerary's facets —
its figures, the derived difficulty and shape, the themes, communes and kinds of places it
passes, a search key and a simplified line for the map — are computed once per version
and kept in the table ``itinerary_facets`` (Alembic revision 0004).

:func:`snapshot` answers a request from an immutable in-memory copy of those rows, rebuilt
only when the published rows change (their count, last update and versions: one aggregate
query per request). The rows of new or changed itineraries are computed then, whatever
wrote them (API, Geotrek import, backups); a row is stale when its itinerary's version or
its :func:`basis` (this code's facet format and the communes' source) has moved on.

Where each facet comes from:

- practice: the itinerary's profile; length, duration, ascent: its figures, in the ranges
  of :data:`RANGES` (ascent is unknown without elevation: such an itinerary matches no
  ascent range);
- difficulty: :func:`gpx.geotrek.cirkwi_level` (km-effort, then the SAC grade), the level
  the Geotrek API serves too;
- route: ``loop``, ``return`` or ``one-way`` (:func:`gpx.geotrek.route_kind`), plus
  ``multi-day`` when it has stages;
- theme: the Geotrek themes of our vocabulary, from the kinds of the places passed
  (mining heritage, terrils, fauna and flora for the parks, viewpoints, culture) — or those
  a Geotrek import brought;
- commune: the communes the line crosses (:mod:`web.geotrek_v2_cities`);
- kind: the kinds of the places along the corridor ("passes by").
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading

import numpy as np
import shapely
from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gpx import geotrek
from routing import Itinerary

from .db import Base, SavedItinerary
from .geotrek_v2_cities import communes
from .geotrek_v2_catalogue import search_key

#: Bump when what :func:`compute` writes changes: every row is then recomputed once.
FACETS_FORMAT = "1"
#: Most vertices of the line drawn on the home map.
MAX_LINE_POINTS = 160
#: Range facets: ``key -> (low, high)`` in km, hours and metres (low included).
RANGES = {
    "length": {"0-5": (0, 5), "5-10": (5, 10), "10-20": (10, 20), "20-40": (20, 40),
               "40-80": (40, 80), "80-": (80, math.inf)},
    "duration": {"0-1": (0, 1), "1-2": (1, 2), "2-4": (2, 4), "4-8": (4, 8),
                 "8-": (8, math.inf)},
    "ascent": {"0-50": (0, 50), "50-150": (50, 150), "150-300": (150, 300),
               "300-": (300, math.inf)},
}
ROUTES = ("loop", "return", "one-way", "multi-day")
#: Every facet, in the order the filters show them.
FACETS = ("practice", "length", "duration", "ascent", "difficulty", "route", "theme",
          "commune", "kind")
_KEY = "bassin_portal"
_LOCK = threading.Lock()


class ItineraryFacets(Base):
    """One published itinerary's facets, as of its ``version``."""

    __tablename__ = "itinerary_facets"
    itinerary_id: Mapped[int] = mapped_column(
        ForeignKey("itineraries.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(120))          # the itinerary's, at ``version``
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))          # display name
    profile: Mapped[str] = mapped_column(String(20))
    distance_m: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float] = mapped_column(Float)
    ascent_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    tags: Mapped[dict] = mapped_column(JSON)      # {"theme": [...], "commune": [...], "kind": [...]}
    search: Mapped[str] = mapped_column(Text)
    start_commune: Mapped[str] = mapped_column(String(120))
    line: Mapped[list] = mapped_column(JSON)      # [[lat, lon], …] simplified


def _bucket(ranges: dict, value: float | None) -> frozenset:
    if value is None:
        return frozenset()
    return frozenset(k for k, (low, high) in ranges.items() if low <= value < high)


@dataclasses.dataclass(frozen=True)
class Card:
    """What the home lists and filters of one published itinerary (read-only)."""

    id: int
    slug: str
    name: str
    description: str
    author: str
    updated: dt.datetime | None
    profile: str
    distance_m: float
    duration_s: float
    ascent_m: float | None
    difficulty: int
    route: str
    days: int
    themes: tuple
    communes: tuple
    kinds: tuple
    search: str
    start_commune: str
    line: tuple
    values: dict = dataclasses.field(default_factory=dict, compare=False)

    def __post_init__(self):
        values = {
            "practice": frozenset((self.profile,)),
            "length": _bucket(RANGES["length"], self.distance_m / 1000),
            "duration": _bucket(RANGES["duration"], self.duration_s / 3600),
            "ascent": _bucket(RANGES["ascent"], self.ascent_m),
            "difficulty": frozenset((str(self.difficulty),)),
            "route": frozenset((self.route,) + (("multi-day",) if self.days > 1 else ())),
            "theme": frozenset(self.themes), "commune": frozenset(self.communes),
            "kind": frozenset(self.kinds)}
        object.__setattr__(self, "values", values)


def simplified_line(itinerary: Itinerary, max_points: int = MAX_LINE_POINTS) -> list:
    """The line as ``[[lat, lon], …]`` with at most ``max_points`` vertices (5 decimals)."""
    if len(itinerary.lat) < 2:
        return [[round(float(a), 5), round(float(b), 5)] for a, b in
                zip(itinerary.lat, itinerary.lon)]
    line = shapely.linestrings(np.column_stack([itinerary.lon, itinerary.lat]))
    tolerance = 0.00005                        # ~5 m, doubled until the line is short enough
    simple = shapely.simplify(line, tolerance, preserve_topology=False)
    while shapely.get_num_coordinates(simple) > max_points:
        tolerance *= 2
        simple = shapely.simplify(line, tolerance, preserve_topology=False)
    return [[round(lat, 5), round(lon, 5)] for lon, lat in shapely.get_coordinates(simple).tolist()]


def basis(index_communes) -> str:
    """What a facet row was computed with: this code's format and the communes' source."""
    return f"{FACETS_FORMAT}/{index_communes.source}"[:80]


def compute(itinerary: Itinerary, name: str, description: str, index_communes,
            vocabulary: dict) -> dict:
    """The column values of an itinerary's facet row (see the module doc for each)."""
    refs = geotrek.references(itinerary, vocabulary)
    crossed = index_communes.along(itinerary.lon, itinerary.lat) if len(itinerary.lat) else []
    start = (index_communes.locate(float(itinerary.lon[0]), float(itinerary.lat[0]))
             if len(itinerary.lat) else None) or (crossed[0] if crossed else None)
    commune_names = [(index_communes.by_id.get(c) or {}).get("name") or c for c in crossed]
    places = [p.get("name") or "" for p in itinerary.places]
    words = " ".join([name, description, *commune_names, *places, *itinerary.signed_routes])
    return {
        "profile": itinerary.profile, "distance_m": float(itinerary.distance_m),
        "duration_s": float(itinerary.duration_s), "ascent_m": itinerary.ascent_m,
        "difficulty": geotrek.cirkwi_level(itinerary), "route": geotrek.route_kind(itinerary),
        "days": max(1, len(itinerary.stages)),
        "tags": {"theme": [str(t) for t in refs["themes"] or []], "commune": crossed,
                 "kind": sorted({p["kind"] for p in itinerary.places})},
        "search": search_key(words)[:8000],
        "start_commune": ((index_communes.by_id.get(start) or {}).get("name") or start or "")[:120],
        "line": simplified_line(itinerary)}


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The published itineraries' cards, newest first, and the names of their communes."""

    key: tuple
    cards: tuple
    commune_names: dict
    computed: int                  # facet rows (re)computed to build it


def _card(item_id: int, updated, facets: dict) -> Card:
    tags = facets["tags"]
    return Card(id=item_id, slug=facets["slug"], name=facets["name"],
                description=facets["description"] or "", author=facets["author"] or "",
                updated=updated, profile=facets["profile"], distance_m=facets["distance_m"],
                duration_s=facets["duration_s"], ascent_m=facets["ascent_m"],
                difficulty=facets["difficulty"], route=facets["route"], days=facets["days"],
                themes=tuple(tags["theme"]), communes=tuple(tags["commune"]),
                kinds=tuple(tags["kind"]), search=facets["search"],
                start_commune=facets["start_commune"],
                line=tuple(tuple(p) for p in facets["line"]))


_COLUMNS = ("slug", "name", "description", "author", "profile", "distance_m", "duration_s",
            "ascent_m", "difficulty", "route", "days", "tags", "search", "start_commune", "line")


def _refresh(session, stale: list, kept: dict, index_communes, label: str) -> dict:
    """Compute the facets of the ``stale`` ids and write them; returns id -> columns."""
    vocabulary = geotrek.load_vocabulary()
    fresh = {}
    for start in range(0, len(stale), 100):       # bounded memory: 100 itineraries at a time
        chunk = stale[start:start + 100]
        for item in session.execute(select(
                SavedItinerary.id, SavedItinerary.version, SavedItinerary.slug,
                SavedItinerary.name, SavedItinerary.description, SavedItinerary.author_name,
                SavedItinerary.data).where(SavedItinerary.id.in_(chunk))):
            values = compute(Itinerary.from_dict(item.data), item.name, item.description or "",
                             index_communes, vocabulary)
            values.update(slug=item.slug, name=item.name, description=item.description or "",
                          author=item.author_name or "")
            fresh[item.id] = values
            row = kept.get(item.id)
            if row is None:
                session.add(ItineraryFacets(itinerary_id=item.id, version=item.version,
                                            basis=label, **values))
            else:
                for column, value in dict(values, version=item.version, basis=label).items():
                    setattr(row, column, value)
    try:
        session.commit()
    except IntegrityError:                        # another worker wrote the same rows first
        session.rollback()
    return fresh


def published_key(db) -> tuple:
    """What changes whenever a published itinerary is added, edited, removed or unpublished."""
    with db.session() as s:
        return tuple(s.execute(select(func.count(SavedItinerary.id),
                                      func.max(SavedItinerary.updated),
                                      func.sum(SavedItinerary.version))
                               .where(SavedItinerary.published.is_(True))).one())


def _build(app, db, graph, key: tuple) -> Snapshot:
    index_communes = communes(app, graph)
    label = basis(index_communes)
    with db.session() as s:
        # (published, updated, version) is an index: no itinerary's data is read here
        rows = s.execute(select(SavedItinerary.id, SavedItinerary.version, SavedItinerary.updated)
                         .where(SavedItinerary.published.is_(True))
                         .order_by(SavedItinerary.updated.desc(), SavedItinerary.id.desc())).all()
        published = {r.id: r.version for r in rows}
        kept = {f.itinerary_id: f for f in s.scalars(select(ItineraryFacets))
                if f.itinerary_id in published}
        stale = [i for i, version in published.items() if i not in kept
                 or kept[i].version != version or kept[i].basis != label]
        columns = {i: {c: getattr(f, c) for c in _COLUMNS} for i, f in kept.items()}
        columns.update(_refresh(s, stale, kept, index_communes, label) if stale else {})
    cards = tuple(_card(r.id, r.updated, columns[r.id]) for r in rows)
    names = {c: (index_communes.by_id.get(c) or {}).get("name") or c
             for card in cards for c in card.communes}
    return Snapshot(key, cards, names, len(stale))


def snapshot(app, db, graph) -> Snapshot:
    """The published itineraries' cards (rebuilt when they changed; cached per app)."""
    key = published_key(db)
    cached = app.extensions.get(_KEY)
    if cached is not None and cached.key == key:
        return cached
    with _LOCK:
        cached = app.extensions.get(_KEY)
        if cached is None or cached.key != key:
            cached = _build(app, db, graph, key)
            app.extensions[_KEY] = cached
    return cached


__all__ = ["ItineraryFacets", "Card", "Snapshot", "snapshot", "compute", "basis", "FACETS",
           "RANGES", "ROUTES", "simplified_line", "published_key"]
