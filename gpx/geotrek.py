"""Geotrek API v2 interoperability (ESCAPADE 62): itineraries out as Geotrek treks.

Field names, types and signs follow what Geotrek-admin's API v2 serves and
Geotrek-rando v3 reads (see ``gpx/data/geotrek_trek.schema.json``):
translated fields are ``{lang: text}`` objects, or plain strings when a
``language`` is asked; references (practice, route, difficulty, themes,
networks, labels, accessibilities) are ids of our reference lists
(``gpx/data/geotrek_vocabulary.json``); lengths in metres, duration in hours,
``ascent`` positive and ``descent`` negative (integers), elevations ``None``
when unknown; geometry a GeoJSON LineString in WGS84, with Z when elevation
is known. The import lives in :mod:`gpx.geotrek_import`.
"""
from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
import uuid
from importlib import resources
from pathlib import Path

import numpy as np
from markupsafe import escape

from graphs.geo import geodesic_m

from .errors import GPXInputError
from .text import clean_text

LANGUAGES = ("fr", "en")
NAMESPACE = uuid.UUID("6f1b4d2c-6a43-4e55-9a7d-5b2d1e0c9b11")
#: Translated fields of a trek, as Geotrek-admin serves them.
TEXT_FIELDS = ("name", "description_teaser", "description", "departure", "arrival", "advice",
               "public_transport", "access", "ambiance", "advised_parking", "gear",
               "disabled_infrastructure", "ratings_description", "accessibility_signage",
               "accessibility_slope", "accessibility_width", "accessibility_covering",
               "accessibility_exposure", "accessibility_advice")
#: The figures a trek carries (kept from the source when an import is not re-matched).
FIGURES = ("length_2d", "length_3d", "duration", "ascent", "descent", "min_elevation",
           "max_elevation")


def load_vocabulary(path: str | Path | None = None) -> dict:
    """Our Geotrek reference lists (ids, words per language, meaning): shipped or a file."""
    if path is None:
        text = resources.files("gpx").joinpath("data/geotrek_vocabulary.json").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise GPXInputError(f"vocabulary file is not JSON ({exc})") from None


def normalise(text) -> str:
    """A label as a comparison key: lower case, no accents, single spaces."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s_]+", " ", text).strip()


def translated(values, language: str | None = None, fallback: bool = False):
    """``{lang: text}`` over our languages (and the source's), or one string for ``language``.

    With ``fallback`` an untranslated text falls back to the default language.
    """
    if not isinstance(values, dict):
        values = {LANGUAGES[0]: values}
    if language:
        return values.get(language) or (values.get(LANGUAGES[0]) or "" if fallback else "")
    return {lang: values.get(lang) or "" for lang in dict.fromkeys((*LANGUAGES, *values))}


@dataclasses.dataclass
class TrekContext:
    """What a trek needs beyond its itinerary: ids, links, places, family, words.

    ``texts`` maps translated fields to ``{lang: text}`` (made by the web
    layer); ``links`` holds ``url``, ``gpx``, ``kml``, ``pdf`` (``{lang: url}``),
    ``altimetric_profile``, ``elevation_area_url``, ``elevation_svg_url``.
    """

    id: int | None = None
    uuid_seed: str = ""
    links: dict = dataclasses.field(default_factory=dict)
    texts: dict = dataclasses.field(default_factory=dict)
    cities: list = dataclasses.field(default_factory=list)
    departure_city: str | None = None
    arrival_city: str | None = None
    children: list = dataclasses.field(default_factory=list)
    parents: list = dataclasses.field(default_factory=list)
    previous: dict = dataclasses.field(default_factory=dict)
    next: dict = dataclasses.field(default_factory=dict)
    published: bool = True
    created: str | None = None
    updated: str | None = None


def route_kind(itinerary) -> str:
    """``loop``, ``return`` (back to the start through other points) or ``one-way``."""
    if itinerary.is_closed:
        return "loop"
    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    if len(itinerary.waypoints) > 2 and float(geodesic_m(start["lat"], start["lon"],
                                                         end["lat"], end["lon"])) < 50:
        return "return"
    return "one-way"


#: The least level a SAC grade on the way gives (T2 → 3, T3 → 4, T4 and above → 5).
SAC_LEVELS = {"mountain_hiking": 3, "demanding_mountain_hiking": 4, "alpine_hiking": 5,
              "demanding_alpine_hiking": 5, "difficult_alpine_hiking": 5}


def cirkwi_level(itinerary) -> int:
    """Difficulty 1-5 (Geotrek's and Cirkwi's "very easy" … "very hard"): effort, then technique.

    Effort is a km-effort, km + ascent/100 (the Swiss and FFRandonnée rule of thumb: 100 m
    up weigh one km), divided by 3.5 for the bicycle profiles; levels change at 6, 12, 20
    and 30. The hardest SAC grade the itinerary's warnings name then sets a floor
    (:data:`SAC_LEVELS`): a short walk over a T3 ridge is not "easy".
    """
    effort = itinerary.distance_m / 1000 + (itinerary.ascent_m or 0) / 100
    if itinerary.profile in ("bike", "gravel", "mtb"):
        effort /= 3.5
    level = next((lvl for lvl, limit in enumerate((6, 12, 20, 30), start=1) if effort < limit), 5)
    grades = [SAC_LEVELS.get(w.get("sac_scale"), 1) for w in itinerary.warnings
              if w.get("type") == "difficult"]
    return max([level, *grades])


def _ids(entries, test) -> list:
    return [e["id"] for e in entries if test(e)]


def _first(entries, test):
    return next(iter(_ids(entries, test)), None)


def references(itinerary, vocabulary: dict) -> dict:
    """Our reference ids for the itinerary; those an import brought (``meta.references``) win."""
    kinds = {p["kind"] for p in itinerary.places}
    if any(p.get("unesco_id") for p in itinerary.places):
        kinds.add("unesco")
    refs = list(itinerary.signed_routes)
    level = cirkwi_level(itinerary)
    computed = {
        "practice": _first(vocabulary["practice"], lambda e: itinerary.profile in e["profiles"]),
        "route": _first(vocabulary["route"], lambda e: e["kind"] == route_kind(itinerary)),
        "difficulty": _first(vocabulary["difficulty"], lambda e: e["cirkwi_level"] == level),
        "themes": _ids(vocabulary["theme"], lambda e: kinds & set(e["place_kinds"])),
        "networks": _ids(vocabulary["network"], lambda e: any(
            re.match(p, r) for p in e["route_refs"] for r in refs)),
        "labels": _ids(vocabulary["label"], lambda e: kinds & set(e["place_kinds"])),
        "accessibilities": _ids(vocabulary["accessibility"],
                                lambda e: itinerary.profile in e["profiles"]),
    }
    kept = itinerary.meta.get("references") or {}
    chosen = {k: kept[k] if kept.get(k) not in (None, []) else v for k, v in computed.items()}
    chosen["accessibility_level"] = (_first(vocabulary["accessibility_level"],
                                            lambda e: level in e["cirkwi_levels"])
                                     if chosen["accessibilities"] else None)
    return chosen


def _length_3d(itinerary) -> float:
    flat = np.diff(itinerary.cum_m)
    if not itinerary.has_elevation:
        return float(flat.sum())
    rise = np.nan_to_num(np.diff(itinerary.ele))
    return float(np.sqrt(flat ** 2 + rise ** 2).sum())


def figures(itinerary) -> dict:
    """Length, duration and elevation figures with Geotrek's types and signs.

    An import that was not re-matched keeps its source's figures
    (``meta.source_figures``): the line alone may be coarser than the survey.
    """
    ele = itinerary.ele[np.isfinite(itinerary.ele)]
    ascent, descent = itinerary.ascent_m, itinerary.descent_m
    ours = {
        "length_2d": round(itinerary.distance_m, 1),
        "length_3d": round(_length_3d(itinerary), 1),
        "duration": round(itinerary.duration_s / 3600, 2),
        "ascent": None if ascent is None else int(round(ascent)),
        "descent": None if descent is None else -int(round(descent)),
        "min_elevation": int(round(float(ele.min()))) if len(ele) else None,
        "max_elevation": int(round(float(ele.max()))) if len(ele) else None,
    }
    kept = itinerary.meta.get("source_figures") or {}
    return {k: kept[k] if kept.get(k) is not None else ours[k] for k in FIGURES}


def _description(itinerary) -> str:
    """HTML description: the itinerary's own text, escaped."""
    return "".join(f"<p>{escape(line)}</p>" for line in itinerary.description.splitlines() if line)


def _ambiance(itinerary) -> str:
    """HTML list of the heritage along the way (Geotrek's « ambiance »), escaped."""
    heritage = [p for p in itinerary.places if p.get("unesco_id") or p["kind"] in (
        "major_site", "terril", "cite", "park", "museum")][:30]
    if not heritage:
        return ""
    items = "".join(f"<li>km {p['km']:.1f} : {escape(p.get('name') or p['kind'])}"
                    + (f" (UNESCO {escape(p['unesco_id'])})" if p.get("unesco_id") else "")
                    + "</li>" for p in heritage)
    return f"<ul>{items}</ul>"


def _texts(itinerary, context: TrekContext) -> dict:
    """Every translated field: the context's words, else the import's, else our own."""
    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    stations = [p["name"] for p in itinerary.places if p["kind"] == "station" and p.get("name")]
    # the web layer's words (context.texts) name an unnamed itinerary, in every language
    ours = {"name": itinerary.name, "description": _description(itinerary),
            "departure": start.get("name") or "", "arrival": end.get("name") or "",
            "ambiance": _ambiance(itinerary),
            "public_transport": ", ".join(dict.fromkeys(stations)),
            "description_teaser": f"{itinerary.distance_m / 1000:.1f} km" + (
                f", D+ {itinerary.ascent_m:.0f} m" if itinerary.ascent_m is not None else "")}
    imported = itinerary.meta.get("translations") or {}
    texts = {}
    for field in TEXT_FIELDS:
        values = dict(imported.get(field) or {})
        if not any(values.values()) and ours.get(field):
            values = {LANGUAGES[0]: ours[field]}
        values.update({k: v for k, v in (context.texts.get(field) or {}).items() if v})
        # No control characters in what clients show (a name is one line).
        texts[field] = {k: clean_text(v, multiline=field not in ("name", "departure", "arrival"))
                        for k, v in values.items()}
    return texts


def trek(itinerary, vocabulary: dict | None = None, language: str | None = None,
         context: TrekContext | None = None) -> dict:
    """One itinerary as the properties of a Geotrek API v2 trek (``geometry`` included)."""
    vocabulary = vocabulary or load_vocabulary()
    context = context or TrekContext()
    links = context.links
    external = (itinerary.meta.get("external_id")
                or f"bassin-routes:{uuid.uuid5(NAMESPACE, context.uuid_seed or itinerary.name)}")
    texts = {k: translated(v, language, fallback=k == "name")
             for k, v in _texts(itinerary, context).items()}
    coordinates = itinerary.coordinates()
    return {
        "id": context.id,
        "uuid": itinerary.meta.get("uuid") or str(uuid.uuid5(NAMESPACE, external)),
        "url": links.get("url"),
        **texts,
        "departure_geom": coordinates[0][:2],
        "departure_city": context.departure_city, "arrival_city": context.arrival_city,
        "cities": list(context.cities), "districts": [],
        **figures(itinerary),
        **references(itinerary, vocabulary),
        "points_reference": {"type": "MultiPoint", "coordinates": [
            [w["lon"], w["lat"]] for w in itinerary.waypoints]},
        "geometry": {"type": "LineString", "coordinates": coordinates},
        "parking_location": itinerary.meta.get("parking_location"),
        "external_id": external, "second_external_id": itinerary.meta.get("second_external_id"),
        "published": context.published if language else {l: context.published for l in LANGUAGES},
        "children": list(context.children), "parents": list(context.parents),
        "previous": dict(context.previous), "next": dict(context.next),
        "gpx": links.get("gpx"), "kml": links.get("kml"),
        "pdf": translated(links.get("pdf") or {}, language) if links.get("pdf") else None,
        "altimetric_profile": links.get("altimetric_profile"),
        "elevation_area_url": links.get("elevation_area_url"),
        "elevation_svg_url": links.get("elevation_svg_url"),
        "create_datetime": context.created, "update_datetime": context.updated,
        "attachments": [], "attachments_accessibility": [], "ratings": [], "web_links": [],
        "information_desks": [], "source": [], "portal": [], "structure": None,
        "view_points": [], "reservation_system": None, "reservation_id": None,
    }


def export(itinerary, vocabulary: dict | None = None, language: str | None = None,
           first_id: int = 1, stage_ids: list | None = None, texts: dict | None = None,
           stage_texts: list | None = None) -> dict:
    """A trek, or for a multi-day itinerary a tour whose ``steps`` are its stages.

    Stages get ``stage_ids`` (default: the ids after ``first_id``), in order,
    with ``parents``, ``previous`` and ``next`` pointing at the tour and their
    neighbours. ``texts`` (``{field: {lang: text}}``) and ``stage_texts`` (one such
    per stage) are the words the web layer made (``web.geotrek_words``).
    """
    vocabulary = vocabulary or load_vocabulary()
    count = len(itinerary.stages)
    ids = list(stage_ids or [first_id + i for i in range(1, count + 1)])[:count]
    tour = trek(itinerary, vocabulary, language, TrekContext(id=first_id, children=ids,
                                                             texts=texts or {}))
    if not count:
        return tour
    stage_texts = stage_texts or [{}] * count
    tour["steps"] = [trek(stage, vocabulary, language,
                          stage_context(first_id, ids, i, texts=stage_texts[i]))
                     for i, stage in enumerate(itinerary.stages)]
    tour["count_children"] = count
    return tour


def stage_context(parent: int, ids: list, index: int, **kwargs) -> TrekContext:
    """The family fields of stage ``index`` (0-based) of the tour ``parent`` with ``ids``."""
    key = str(parent)
    return TrekContext(id=ids[index], parents=[parent],
                       previous={key: ids[index - 1] if index else None},
                       next={key: ids[index + 1] if index + 1 < len(ids) else None}, **kwargs)
