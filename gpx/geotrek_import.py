"""Geotrek API v2 treks in, like Geotrek-admin's own Geotrek parser.

Every trek is checked field by field against ``gpx/data/geotrek_trek.schema.json``
(types, signs, lengths; :class:`~gpx.errors.GeotrekFieldError` names the
field). Ids of practices, routes, difficulties, themes… are read through the
*source instance's* reference lists and mapped by meaning onto ours
(:class:`SourceReferences`); children are linked to their parent as stages,
in order; a batch goes on past a bad trek and reports each failure
(:func:`read_batch`). Translations and the source's figures are kept.
"""
from __future__ import annotations

import dataclasses
import html
import json
import re
from functools import lru_cache
from importlib import resources

import jsonschema
import numpy as np

from graphs.geo import geodesic_m
from routing import Itinerary

from .errors import GeotrekFieldError, GPXInputError
from .geotrek import FIGURES, LANGUAGES, TEXT_FIELDS, load_vocabulary, normalise
from .text import clean_text

#: Fields that are plain titles; the other translated fields are HTML in Geotrek.
TITLE_FIELDS = ("name", "departure", "arrival")
#: Our reference list -> (Geotrek endpoint, label key) of the source instance.
LISTS = {"practice": ("trek_practice", "name"), "route": ("trek_route", "route"),
         "difficulty": ("trek_difficulty", "label"), "theme": ("theme", "label"),
         "network": ("trek_network", "label"), "label": ("label", "name"),
         "accessibility": ("trek_accessibility", "name")}
#: Trek field -> our reference list.
#: Most treks one document may hold.
MAX_TREKS = 5000
FIELD_LISTS = {"practice": "practice", "route": "route", "difficulty": "difficulty",
               "themes": "theme", "networks": "network", "labels": "label",
               "accessibilities": "accessibility"}


@lru_cache(maxsize=1)
def _validator():
    schema = json.loads(resources.files("gpx").joinpath("data/geotrek_trek.schema.json")
                        .read_text("utf-8"))
    schema.pop("required")
    return jsonschema.Draft202012Validator(schema)


def trek_schema() -> dict:
    """The contract: a trek as Geotrek-rando v3 and the widget read it (JSON Schema)."""
    return json.loads(resources.files("gpx").joinpath("data/geotrek_trek.schema.json")
                      .read_text("utf-8"))


def label_of(obj) -> str | None:
    """How a trek is named in messages: its id, else its uuid."""
    if not isinstance(obj, dict):
        return None
    for key in ("id", "uuid"):
        if isinstance(obj.get(key), (int, str)) and not isinstance(obj.get(key), bool):
            return str(obj[key])[:64]
    return None


def check_trek(obj) -> None:
    """Refuse a trek whose fields have the wrong type, sign or length.

    Raises
    ------
    GeotrekFieldError
        Naming the first bad field (dotted path) and what was expected.
    """
    if not isinstance(obj, dict):
        raise GeotrekFieldError("(trek)", f"expected a JSON object, got {type(obj).__name__}")
    error = jsonschema.exceptions.best_match(_validator().iter_errors(obj))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or "(trek)"
        message = error.message if len(error.message) < 200 else error.message[:200] + "…"
        raise GeotrekFieldError(path, message, label_of(obj))


class SourceReferences:
    """A source instance's reference lists, read by meaning onto ours.

    Parameters
    ----------
    lists : dict, optional
        Geotrek endpoint name (``trek_practice``, ``trek_route``, ``theme``…) ->
        its ``results`` (entries with ``id`` and a translated label). Without
        lists the ids are taken as ours, with a warning.
    vocabulary : dict, optional
        Our lists (:func:`gpx.geotrek.load_vocabulary`).
    """

    def __init__(self, lists: dict | None = None, vocabulary: dict | None = None):
        self.vocabulary = vocabulary or load_vocabulary()
        self.lists = lists
        self.labels: dict = {}        # our list -> {source id: source label}
        self.mapping: dict = {}       # our list -> {source id: our entry or None}
        for ours, (endpoint, key) in LISTS.items():
            if lists is None:
                self.mapping[ours] = {e["id"]: e for e in self.vocabulary[ours]}
                continue
            self.labels[ours], self.mapping[ours] = {}, {}
            for entry in lists.get(endpoint) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                    continue
                label = entry.get(key)
                words = [v for v in (label.values() if isinstance(label, dict) else [label])
                         if isinstance(v, str) and v]
                self.labels[ours][entry["id"]] = words[0] if words else str(entry["id"])
                self.mapping[ours][entry["id"]] = self._meaning(ours, entry, words)

    def _meaning(self, ours: str, entry: dict, words: list):
        keys = {normalise(w) for w in words}
        for candidate in self.vocabulary[ours]:
            names = candidate.get("name") or candidate.get("label") or candidate.get("route") or {}
            known = set(candidate.get("aliases", [])) | {normalise(v) for v in names.values()}
            if keys & known:
                return candidate
        if ours == "difficulty" and isinstance(entry.get("cirkwi_level"), int):
            return next((c for c in self.vocabulary[ours]
                         if c["cirkwi_level"] == entry["cirkwi_level"]), None)
        return None

    def read(self, obj: dict) -> tuple[dict, str, str | None, list]:
        """Our references, profile and route kind for a trek, and the warnings on the way."""
        where = label_of(obj)
        warnings = [] if self.lists is not None else [
            f"trek {where}: no reference lists of the source instance; ids read as ours"]
        refs: dict = {}
        for field, ours in FIELD_LISTS.items():
            value = obj.get(field)
            values = value if isinstance(value, list) else [] if value is None else [value]
            found = []
            for source_id in values:
                entry = self.mapping[ours].get(source_id)
                if entry is None:
                    label = self.labels.get(ours, {}).get(source_id)
                    what = f"{field} {source_id}" + (f" « {label} »" if label else " (not in its list)")
                    warnings.append(f"trek {where}: {what} has no equivalent here; left unknown")
                else:
                    found.append(entry)
            many = isinstance(value, list)
            refs[field] = [e["id"] for e in found] if many else (found[0]["id"] if found else None)
            if field == "practice":
                profile = found[0]["profiles"][0] if found else "unknown"
            if field == "route":
                kind = found[0]["kind"] if found else None
        return refs, profile, kind, warnings


def _trek(item) -> dict:
    """One trek object, or a GeoJSON Feature of one."""
    if not isinstance(item, dict):
        raise GPXInputError("not a Geotrek trek: expected a JSON object")
    if item.get("type") == "Feature":
        props = item.get("properties")
        return dict(props if isinstance(props, dict) else {}, geometry=item.get("geometry"))
    if "geometry" in item or "steps" in item:
        return item
    raise GPXInputError("not a Geotrek trek: no geometry, steps or results")


def treks_in(document, limit: int = MAX_TREKS) -> list[dict]:
    """The trek/tour objects of a Geotrek API v2 document (object, list page, GeoJSON).

    A document is a trek, a Feature, a list page (``results``), a
    FeatureCollection, or a list of those; nothing nests deeper.
    """
    pages = document if isinstance(document, list) else [document]
    treks = []
    for page in pages:
        if isinstance(page, dict) and "results" in page:
            items = page["results"]
        elif isinstance(page, dict) and page.get("type") == "FeatureCollection":
            items = page.get("features")
        else:
            items = [page]
        if not isinstance(items, list):
            raise GPXInputError("not a Geotrek list: 'results' / 'features' must be a list")
        treks.extend(_trek(item) for item in items)
        if len(treks) > limit:
            raise GPXInputError(f"more than {limit} treks in one document: refused")
    return treks


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _line(geometry, where: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("LineString",
                                                                      "MultiLineString"):
        raise GeotrekFieldError("geometry", "a Geotrek trek needs a LineString geometry", where)
    coords = geometry["coordinates"]
    if geometry["type"] == "MultiLineString":
        if not all(isinstance(part, list) for part in coords):
            raise GeotrekFieldError("geometry.coordinates", "a MultiLineString holds lines", where)
        coords = [c for part in coords for c in part]
    for i, c in enumerate(coords):
        if not isinstance(c, list) or not 2 <= len(c) <= 4 or not all(map(_number, c[:3])):
            raise GeotrekFieldError(f"geometry.coordinates.{i}", "expected [lon, lat(, ele)] numbers",
                                    where)
    arr = np.array([[c[0], c[1], c[2] if len(c) > 2 else np.nan] for c in coords], float)
    if len(arr) < 2 or not (np.all(np.abs(arr[:, 0]) <= 180) and np.all(np.abs(arr[:, 1]) <= 90)):
        raise GeotrekFieldError("geometry", "the trek geometry needs at least two WGS84 positions",
                                where)
    return arr[:, 1], arr[:, 0], arr[:, 2]


def plain_text(text: str) -> str:
    """Plain text of Geotrek's HTML fields: paragraphs become lines, entities decoded."""
    text = re.sub(r"(?i)</p\s*>|<br\s*/?>|</li\s*>", "\n", text)
    lines = (html.unescape(re.sub(r"<[^>]+>", " ", line)) for line in text.splitlines())
    return "\n".join(re.sub(r"\s+", " ", clean_text(line)).strip()
                     for line in lines if line.strip())


def translations(obj: dict) -> dict:
    """Every translated field as ``{lang: plain text}`` (titles as given, HTML as text)."""
    kept = {}
    for field in TEXT_FIELDS:
        value = obj.get(field)
        if value is None:
            continue
        values = value if isinstance(value, dict) else {LANGUAGES[0]: value}
        clean = {}
        for lang, text in values.items():
            text = text or ""
            clean[lang] = clean_text(text) if field in TITLE_FIELDS else plain_text(text)
        kept[field] = clean
    return kept


def _source_figures(obj: dict) -> dict:
    figures = {k: obj.get(k) for k in FIGURES if _number(obj.get(k))}
    if "ascent" in figures:
        figures["ascent"] = int(round(abs(figures["ascent"])))
    if "descent" in figures:               # Geotrek: negative; some exports: positive
        figures["descent"] = -int(round(abs(figures["descent"])))
    for key in ("min_elevation", "max_elevation"):
        if key in figures:
            figures[key] = int(round(figures[key]))
    return figures


def to_itinerary(obj: dict, references: SourceReferences | None = None,
                 language: str = "fr", warnings: list | None = None) -> Itinerary:
    """A checked Geotrek trek (or tour, with its ``steps`` as stages) as an Itinerary."""
    check_trek(obj)
    references = references or SourceReferences()
    warnings = warnings if warnings is not None else []
    for i, step in enumerate(obj.get("steps") or []):
        if "steps" in step:                    # Geotrek tours are one level deep
            raise GeotrekFieldError(f"steps.{i}.steps", "a stage cannot have stages", label_of(obj))
    steps = [to_itinerary(s, references, language, warnings) for s in obj.get("steps") or []
             if "geometry" in s]
    if obj.get("geometry"):
        lat, lon, ele = _line(obj["geometry"], label_of(obj))
    elif steps:
        lat, lon, ele = (np.concatenate([getattr(s, k) for s in steps]) for k in ("lat", "lon", "ele"))
    else:
        raise GeotrekFieldError("geometry", "a Geotrek trek needs a geometry", label_of(obj))
    seg = geodesic_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    refs, profile, route, notes = references.read(obj)
    warnings.extend(notes)
    texts = translations(obj)
    points = (obj.get("points_reference") or {}).get("coordinates") or [
        [lon[0], lat[0]], [lon[-1], lat[-1]]]
    waypoints = [{"lat": float(p[1]), "lon": float(p[0]), "query": [float(p[1]), float(p[0])],
                  "snap_m": 0.0, "place_id": None, "name": None, "kind": None} for p in points]
    pick = (lambda field: (texts.get(field) or {}).get(language)
            or next((v for v in (texts.get(field) or {}).values() if v), None))
    waypoints[0]["name"], waypoints[-1]["name"] = pick("departure"), pick("arrival")
    figures = _source_figures(obj)
    hours = figures.get("duration", cum[-1] / 1000 / 4.0)
    parking = obj.get("parking_location")
    return Itinerary(
        profile=profile, kind="loop" if route == "loop" else "route", waypoints=waypoints,
        lat=lat, lon=lon, ele=ele, cum_m=cum, duration_s=hours * 3600,
        legs=[{"from": "", "to": "", "distance_m": round(float(cum[-1]), 1),
               "duration_s": round(hours * 3600, 1), "start": 0, "end": len(lat) - 1}],
        breakdown={"surface": {}, "highway": {}}, signed_routes={}, stages=steps,
        name=(pick("name") or "")[:200], description=pick("description") or "",
        meta={"source": "geotrek", "geotrek_id": obj.get("id"), "uuid": obj.get("uuid"),
              "external_id": obj.get("external_id"),
              "second_external_id": obj.get("second_external_id"),
              "route": route, "references": refs, "translations": texts,
              "source_figures": figures, "parking_location": parking[:2] if parking else None,
              "attribution": []})


@dataclasses.dataclass
class ImportBatch:
    """What a document gave: itineraries (tours with their stages), failures, warnings.

    ``failures`` holds one ``{"trek", "field", "error"}`` per trek that could
    not be read; the others are imported all the same.
    """

    itineraries: list = dataclasses.field(default_factory=list)
    sources: list = dataclasses.field(default_factory=list)
    failures: list = dataclasses.field(default_factory=list)
    warnings: list = dataclasses.field(default_factory=list)

    def fail(self, obj, exc: GPXInputError, where: str = "") -> None:
        self.failures.append({"trek": label_of(obj), "field": getattr(exc, "field", None),
                              "error": where + str(exc)})


def _children_of(obj: dict, tour_steps: dict) -> list:
    steps = tour_steps.get(obj.get("uuid")) if isinstance(obj.get("uuid"), str) else None
    return list(steps if steps else obj.get("children") or [])


def read_batch(objs: list, references: SourceReferences | None = None,
               tour_steps: dict | None = None, fetch_trek=None,
               language: str = "fr") -> ImportBatch:
    """Every trek of a document as itineraries; children become their parent's stages.

    Parameters
    ----------
    objs : list of dict
        The treks (:func:`treks_in`).
    tour_steps : dict, optional
        Parent uuid -> ordered child ids (an instance's ``/api/v2/tour/``);
        otherwise the parents' ``children``.
    fetch_trek : callable, optional
        ``fetch_trek(id) -> dict`` for children not in ``objs`` (URL imports).
    """
    references = references or SourceReferences()
    tour_steps = tour_steps or {}
    batch = ImportBatch()
    index = {}
    for obj in objs:
        for key in ("id", "uuid"):
            if isinstance(obj, dict) and isinstance(obj.get(key), (int, str)):
                index.setdefault(obj[key], obj)
    parents = [o for o in objs if isinstance(o, dict) and _children_of(o, tour_steps)]
    used = set()
    stages_of: dict = {}
    for parent in parents:
        stages = []
        for rank, child_id in enumerate(_children_of(parent, tour_steps), start=1):
            child = index.get(child_id)
            if child is None and fetch_trek is not None and isinstance(child_id, int):
                try:
                    child = fetch_trek(child_id)
                except GPXInputError as exc:
                    batch.failures.append({"trek": str(child_id), "field": None, "error":
                                           f"stage {rank} of trek {label_of(parent)}: {exc}"})
                    continue
            if child is None:
                batch.warnings.append(f"trek {label_of(parent)}: stage {rank} ({child_id}) is "
                                      "not in the document; tour imported without it")
                continue
            used.add(id(child))
            stages.append(child)
        stages_of[id(parent)] = stages
    built, failed = {}, set()
    for parent in parents:                     # tours first: a failed tour frees its stages
        try:
            built[id(parent)] = to_itinerary(parent, references, language, batch.warnings)
        except GPXInputError as exc:
            batch.fail(parent, exc)
            failed.add(id(parent))
            used.difference_update(id(c) for c in stages_of.pop(id(parent)))
    for obj in objs:
        if id(obj) in failed or (id(obj) in used and id(obj) not in built):
            continue
        itinerary = built.get(id(obj))
        if itinerary is None and id(obj) not in stages_of:
            try:
                itinerary = to_itinerary(obj, references, language, batch.warnings)
            except GPXInputError as exc:
                batch.fail(obj, exc)
                continue
        if itinerary is None:                  # a tour that failed above
            continue
        for rank, child in enumerate(stages_of.get(id(obj), []), start=1):
            try:
                itinerary.stages.append(to_itinerary(child, references, language, batch.warnings))
            except GPXInputError as exc:
                batch.fail(child, exc, f"stage {rank} of trek {label_of(obj)}: ")
        if id(obj) not in used and isinstance(obj.get("parents"), list) and obj["parents"]:
            batch.warnings.append(f"trek {label_of(obj)}: its parent(s) {obj['parents']} are not "
                                  "in the document; imported on its own")
        batch.itineraries.append(itinerary)
        batch.sources.append(obj)
    return batch
