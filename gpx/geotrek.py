"""Geotrek API v2 interoperability (ESCAPADE 62): treks and tours out, and back in.

Field names and shapes follow Geotrek-admin's API v2 trek and tour
serializers: translated fields are ``{lang: text}`` objects (or plain strings
when a ``language`` is asked, like ``?language=fr``), references (practice,
route, difficulty, themes, networks, accessibilities) are ids of the
instance's lists, lengths in metres, duration in hours, geometry a GeoJSON
LineString in WGS84 with Z when elevation is known, a tour carries its
``steps`` and ``count_children``.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid
from importlib import resources
from pathlib import Path

import numpy as np
from markupsafe import escape

from graphs.geo import geodesic_m
from routing import Itinerary

from .errors import GPXInputError
from .text import clean_text

LANGUAGES = ("fr", "en")
NAMESPACE = uuid.UUID("6f1b4d2c-6a43-4e55-9a7d-5b2d1e0c9b11")


def load_vocabulary(path: str | Path | None = None) -> dict:
    """The Geotrek reference lists (ids and labels): shipped defaults or an instance's."""
    if path is None:
        text = resources.files("gpx").joinpath("data/geotrek_vocabulary.json").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    try:
        vocabulary = json.loads(text)
    except ValueError as exc:
        raise GPXInputError(f"vocabulary file is not JSON ({exc})") from None
    return vocabulary


def _translated(text: str | None, language: str | None):
    if language:
        return text or ""
    return {lang: (text or "") if lang == LANGUAGES[0] else "" for lang in LANGUAGES}


def _route_kind(itinerary) -> str:
    if itinerary.is_closed:
        return "loop"
    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    if len(itinerary.waypoints) > 2 and float(geodesic_m(start["lat"], start["lon"],
                                                         end["lat"], end["lon"])) < 50:
        return "return"
    return "one-way"


def _difficulty(itinerary) -> int:
    """Cirkwi-like level 1-5 from a km-effort (km + ascent/100), scaled per mode."""
    effort = itinerary.distance_m / 1000 + (itinerary.ascent_m or 0) / 100
    if itinerary.profile in ("bike", "gravel", "mtb"):
        effort /= 3.5
    for level, limit in enumerate((6, 12, 20, 30), start=1):
        if effort < limit:
            return level
    return 5


def _ids(entries, test) -> list:
    return [e["id"] for e in entries if test(e)]


def _description(itinerary) -> str:
    """HTML description: the itinerary's own text, escaped."""
    text = clean_text(itinerary.description, multiline=True)
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line)


def _ambiance(itinerary) -> str:
    """HTML list of the heritage along the way (Geotrek's « ambiance »), escaped."""
    heritage = [p for p in itinerary.places if p.get("unesco_id") or p["kind"] in (
        "major_site", "terril", "cite", "park", "museum")][:30]
    if not heritage:
        return ""
    items = "".join(f"<li>km {p['km']:.1f} : {escape(clean_text(p.get('name') or p['kind']))}"
                    + (f" (UNESCO {escape(p['unesco_id'])})" if p.get("unesco_id") else "")
                    + "</li>" for p in heritage)
    return f"<ul>{items}</ul>"


def _geometry(itinerary) -> dict:
    return {"type": "LineString", "coordinates": itinerary.coordinates()}


def _length_3d(itinerary) -> float:
    flat = np.diff(itinerary.cum_m)
    if not itinerary.has_elevation:
        return float(flat.sum())
    rise = np.nan_to_num(np.diff(itinerary.ele))
    return float(np.sqrt(flat ** 2 + rise ** 2).sum())


def trek(itinerary, vocabulary: dict | None = None, language: str | None = None,
         trek_id: int | None = None, url: str | None = None) -> dict:
    """One itinerary as a Geotrek API v2 trek object."""
    vocabulary = vocabulary or load_vocabulary()
    kinds = {p["kind"] for p in itinerary.places}
    refs = list(itinerary.signed_routes)
    ele = itinerary.ele[np.isfinite(itinerary.ele)]
    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    stations = [clean_text(p["name"]) for p in itinerary.places
                if p["kind"] == "station" and p.get("name")]
    advice = "; ".join(sorted({f"{w['detail']} (km {w['from_km']})" for w in itinerary.warnings}))[:2000]
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    # An itinerary that came from Geotrek keeps the references it came with.
    kept = itinerary.meta if itinerary.meta.get("source") == "geotrek" else {}
    external = itinerary.meta.get("external_id") or f"bassin-routes:{uuid.uuid5(NAMESPACE, itinerary.name + str(itinerary.distance_m))}"
    computed = {
        "practice": next(iter(_ids(vocabulary["practice"],
                                   lambda e: itinerary.profile in e.get("profiles", []))), None),
        "route": next(iter(_ids(vocabulary["route"], lambda e: e.get("kind") == _route_kind(itinerary))), None),
        "difficulty": next(iter(_ids(vocabulary["difficulty"],
                                     lambda e: e.get("cirkwi_level") == _difficulty(itinerary))), None),
        "themes": _ids(vocabulary["theme"], lambda e: kinds & set(e.get("place_kinds", []))),
        "networks": _ids(vocabulary["network"], lambda e: any(
            re.match(p, r) for p in e.get("route_refs", []) for r in refs)),
        "accessibilities": _ids(vocabulary["accessibility"],
                                lambda e: itinerary.profile in e.get("profiles", [])),
    }
    references = {k: kept[k] if kept.get(k) not in (None, []) else v for k, v in computed.items()}
    if kept.get("route_id") is not None:
        references["route"] = kept["route_id"]
    return {
        "id": trek_id,
        "uuid": kept.get("uuid") or str(uuid.uuid5(NAMESPACE, external)),
        "url": url,
        "name": _translated(clean_text(itinerary.name) or "Itinéraire", language),
        "description_teaser": _translated(
            f"{itinerary.distance_m / 1000:.1f} km" + (f", D+ {itinerary.ascent_m:.0f} m"
                                                      if itinerary.ascent_m is not None else ""),
            language),
        "description": _translated(_description(itinerary), language),
        "departure": _translated(clean_text(start.get("name")), language),
        "arrival": _translated(clean_text(end.get("name")), language),
        "departure_geom": [round(float(itinerary.lon[0]), 7), round(float(itinerary.lat[0]), 7)],
        "duration": round(itinerary.duration_s / 3600, 2),
        "length_2d": round(itinerary.distance_m, 1),
        "length_3d": round(_length_3d(itinerary), 1),
        "ascent": int(round(itinerary.ascent_m or 0)),
        "descent": int(round(itinerary.descent_m or 0)),
        "min_elevation": int(round(float(ele.min()))) if len(ele) else 0,
        "max_elevation": int(round(float(ele.max()))) if len(ele) else 0,
        **references,
        "labels": [],
        "points_reference": {"type": "MultiPoint", "coordinates": [
            [w["lon"], w["lat"]] for w in itinerary.waypoints]},
        "geometry": _geometry(itinerary),
        "advice": _translated(advice, language),
        "public_transport": _translated(", ".join(dict.fromkeys(stations)), language),
        "access": _translated("", language), "ambiance": _translated(_ambiance(itinerary), language),
        "advised_parking": _translated("", language), "gear": _translated("", language),
        "disabled_infrastructure": _translated("", language),
        "parking_location": None,
        "external_id": external, "second_external_id": None,
        "published": _translated(True, language) if language else {l: True for l in LANGUAGES},
        "children": [], "parents": [], "previous": {}, "next": {},
        "gpx": f"{url}.gpx" if url else None, "kml": f"{url}.kml" if url else None,
        "create_datetime": now, "update_datetime": now,
        "attachments": [], "ratings": [], "ratings_description": _translated("", language),
        "web_links": [], "information_desks": [], "source": [], "portal": [], "structure": None,
        "cities": [], "view_points": [], "reservation_system": None, "reservation_id": None,
    }


def export(itinerary, vocabulary: dict | None = None, language: str | None = None,
           first_id: int = 1) -> dict:
    """A trek, or for a multi-day itinerary a tour whose ``steps`` are its stages."""
    vocabulary = vocabulary or load_vocabulary()
    if not itinerary.stages:
        return trek(itinerary, vocabulary, language, trek_id=first_id)
    tour = trek(itinerary, vocabulary, language, trek_id=first_id)
    steps = []
    for i, stage in enumerate(itinerary.stages, start=1):
        step = trek(stage, vocabulary, language, trek_id=first_id + i)
        step["parents"] = [first_id]
        step["previous"] = {str(first_id): first_id + i - 1} if i > 1 else {}
        step["next"] = {str(first_id): first_id + i + 1} if i < len(itinerary.stages) else {}
        steps.append(step)
    tour["children"] = [s["id"] for s in steps]
    tour["count_children"] = len(steps)
    tour["steps"] = steps
    return tour


# -- import ------------------------------------------------------------------------------

def _text(value, language: str = "fr") -> str:
    if isinstance(value, dict):
        return value.get(language) or next((v for v in value.values() if v), "") or ""
    return value or ""


def _strip_html(text: str) -> str:
    """Plain text of Geotrek's HTML fields: paragraphs become lines, entities decoded."""
    text = re.sub(r"(?i)</p\s*>|<br\s*/?>", "\n", text)
    lines = (html.unescape(re.sub(r"<[^>]+>", " ", line)) for line in text.splitlines())
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in lines if line.strip())


def treks_in(document) -> list[dict]:
    """The trek/tour objects of a Geotrek API v2 document (object, list page, GeoJSON)."""
    if isinstance(document, list):
        return [t for item in document for t in treks_in(item)]
    if not isinstance(document, dict):
        raise GPXInputError("not a Geotrek trek: expected a JSON object")
    if "results" in document:
        return treks_in(document["results"])
    if document.get("type") == "FeatureCollection":
        return treks_in(document.get("features", []))
    if document.get("type") == "Feature":
        return [dict(document.get("properties") or {}, geometry=document.get("geometry"))]
    if "geometry" in document or "steps" in document:
        return [document]
    raise GPXInputError("not a Geotrek trek: no geometry, steps or results")


def _line(geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not geometry or geometry.get("type") not in ("LineString", "MultiLineString"):
        raise GPXInputError("a Geotrek trek needs a LineString geometry")
    coords = geometry["coordinates"]
    if geometry["type"] == "MultiLineString":
        coords = [c for part in coords for c in part]
    try:
        arr = np.array([[c[0], c[1], c[2] if len(c) > 2 else np.nan] for c in coords], float)
    except (TypeError, IndexError, ValueError):
        raise GPXInputError("bad coordinates in the trek geometry") from None
    if len(arr) < 2 or not (np.all(np.abs(arr[:, 0]) <= 180) and np.all(np.abs(arr[:, 1]) <= 90)):
        raise GPXInputError("the trek geometry needs at least two WGS84 positions")
    return arr[:, 1], arr[:, 0], arr[:, 2]


def to_itinerary(obj: dict, vocabulary: dict | None = None, language: str = "fr") -> Itinerary:
    """A Geotrek trek (or tour, with its steps as stages) as an Itinerary."""
    vocabulary = vocabulary or load_vocabulary()
    steps = [to_itinerary(s, vocabulary, language) for s in obj.get("steps") or []]
    if obj.get("geometry"):
        lat, lon, ele = _line(obj["geometry"])
    elif steps:
        lat = np.concatenate([s.lat for s in steps])
        lon = np.concatenate([s.lon for s in steps])
        ele = np.concatenate([s.ele for s in steps])
    else:
        raise GPXInputError("a Geotrek trek needs a geometry")
    seg = geodesic_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    practice = {e["id"]: e for e in vocabulary["practice"]}.get(obj.get("practice"))
    profile = (practice or {}).get("profiles", ["hike"])[0]
    route = {e["id"]: e for e in vocabulary["route"]}.get(obj.get("route"), {}).get("kind")
    points = ((obj.get("points_reference") or {}).get("coordinates") or
              [[lon[0], lat[0]], [lon[-1], lat[-1]]])
    waypoints = [{"lat": float(p[1]), "lon": float(p[0]), "query": [float(p[1]), float(p[0])],
                  "snap_m": 0.0, "place_id": None, "name": None, "kind": None} for p in points]
    waypoints[0]["name"] = _text(obj.get("departure"), language) or None
    waypoints[-1]["name"] = _text(obj.get("arrival"), language) or None
    duration = obj.get("duration")
    hours = float(duration) if isinstance(duration, (int, float)) else cum[-1] / 1000 / 4.0
    itinerary = Itinerary(
        profile=profile, kind="loop" if route == "loop" else "route", waypoints=waypoints,
        lat=lat, lon=lon, ele=ele, cum_m=cum, duration_s=hours * 3600,
        legs=[{"from": "", "to": "", "distance_m": round(float(cum[-1]), 1),
               "duration_s": round(hours * 3600, 1), "start": 0, "end": len(lat) - 1}],
        breakdown={"surface": {}, "highway": {}}, signed_routes={}, stages=steps,
        name=_text(obj.get("name"), language), description=_strip_html(_text(obj.get("description"), language)),
        meta={"source": "geotrek", "geotrek_id": obj.get("id"), "external_id": obj.get("external_id"),
              "uuid": obj.get("uuid"), "route": route, "route_id": obj.get("route"),
              "practice": obj.get("practice"),
              "difficulty": obj.get("difficulty"), "themes": obj.get("themes") or [],
              "networks": obj.get("networks") or [], "accessibilities": obj.get("accessibilities") or [],
              "geotrek_ascent": obj.get("ascent"), "geotrek_length_2d": obj.get("length_2d"),
              "attribution": []})
    return itinerary


def load_document(source: str | Path, max_bytes: int = 20 * 1024 * 1024, timeout: int = 60):
    """A Geotrek JSON document from a file or (online) an http(s) URL."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(urllib.request.Request(
                    text, headers={"Accept": "application/json", "User-Agent": "bassin-routes/0.1"}),
                    timeout=timeout) as response:
                data = response.read(max_bytes + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GPXInputError(f"cannot fetch {text} ({getattr(exc, 'reason', exc)}); offline? "
                                "save the JSON to a file and import the file") from None
    else:
        path = Path(source)
        if not path.is_file():
            raise GPXInputError(f"file not found: {path}")
        data = path.read_bytes()[: max_bytes + 1]
    if len(data) > max_bytes:
        raise GPXInputError(f"Geotrek document larger than {max_bytes // (1024 * 1024)} MB: refused")
    try:
        return json.loads(data)
    except ValueError as exc:
        raise GPXInputError(f"not JSON ({exc})") from None
