"""The roadbook of an itinerary page: turn steps, places, warnings and stage starts by km.

Routing gives numbers and codes (maneuvers, places with ``km``/``detour_m``, warnings
with ``from_km``); :mod:`web.instructions`, :mod:`web.warning_words` and
:mod:`web.page_words` make the words. Each line carries where it is (``km``, ``lat``,
``lon``) so that the page can pan its map there; names stay plain text (the template
escapes them, scripts only read numbers).
"""
from __future__ import annotations

import numpy as np
from flask_babel import format_decimal, gettext as _

from .instructions import format_distance
from .page_words import PLACE_KINDS, word
from .warning_words import warning_text

MAX_PLACES = 300            # lines and numbered markers: a page stays readable and light
MAX_WARNINGS = 100
#: Order of lines at the same km: a stage begins, then the turn, the warning, the places.
ORDER = {"stage": 0, "step": 1, "warning": 2, "place": 3}


def point_at(itinerary, metres: float) -> tuple[float, float]:
    """``(lat, lon)`` at ``metres`` along the itinerary (clamped to its ends)."""
    cum = itinerary.cum_m
    if not len(cum):
        return 0.0, 0.0
    m = min(max(float(metres), 0.0), float(cum[-1]))
    return float(np.interp(m, cum, itinerary.lat)), float(np.interp(m, cum, itinerary.lon))


def places_along(itinerary) -> list[dict]:
    """The places shown (at most :data:`MAX_PLACES`), by km, numbered from 1."""
    ordered = sorted(itinerary.places, key=lambda p: (p.get("km") or 0.0, p.get("detour_m") or 0))
    return [dict(place, number=n) for n, place in enumerate(ordered[:MAX_PLACES], start=1)]


class PageWords:
    """The words a roadbook repeats on every line, translated once per page.

    ``gettext`` without variables gives the template itself (``%(name)s`` left in), so
    each is looked up once and filled per line; the decimal sign of the language too.
    """

    def __init__(self, lang: str):
        self.lang = lang
        self.unesco = _("UNESCO %(id)s")
        self.detour = _("detour %(distance)s there and back")
        self.then = _("then %(distance)s")
        self.decimal = format_decimal(0.5, format="0.0")[1]
        self.kinds: dict = {}

    def kind(self, code) -> str:
        if code not in self.kinds:
            self.kinds[code] = word(PLACE_KINDS, code)
        return self.kinds[code]

    def km(self, value: float) -> str:
        return f"{value:.1f}".replace(".", self.decimal)


def place_line(place: dict, words: PageWords) -> dict:
    """A place as a roadbook line: its name (or kind), kind, detour there and back, UNESCO id."""
    kind = words.kind(place.get("kind"))
    notes = [kind]
    if place.get("unesco_id"):
        notes.append(words.unesco % {"id": place["unesco_id"]})
    if (place.get("detour_m") or 0) >= 10:
        notes.append(words.detour % {"distance": format_distance(place["detour_m"], words.lang)})
    return {"kind": "place", "km": float(place.get("km") or 0.0), "number": place["number"],
            "text": str(place.get("name") or kind.capitalize()), "note": " · ".join(notes),
            "lat": float(place["lat"]), "lon": float(place["lon"])}


def roadbook(itinerary, steps: list[dict], places: list[dict], lang: str) -> list[dict]:
    """Every line of the roadbook, by km: ``kind`` (step, place, warning, stage), ``km``,
    ``text``, ``note``, ``lat``, ``lon`` (and ``number`` for places).

    ``steps`` are :func:`web.instructions.itinerary_steps` (empty when the routing
    gave none: the itinerary was planned on another build of the graph).
    """
    words = PageWords(lang)
    lines = []
    for step in steps:
        lon, lat = step["maneuver"]["location"]
        note = (words.then % {"distance": format_distance(step["distance"], lang)}
                if step["distance"] > 0 and step["maneuver"]["type"] != "arrive" else "")
        lines.append({"kind": "step", "km": step["at_m"] / 1000, "text": step["instruction"],
                      "note": note, "lat": lat, "lon": lon, "code": step["maneuver"]["type"]})
    if not steps and len(itinerary.cum_m):
        start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
        lines.append({"kind": "step", "km": 0.0, "code": "depart", "note": "",
                      "text": _("Start: %(name)s", name=start.get("name") or _("start")),
                      "lat": float(itinerary.lat[0]), "lon": float(itinerary.lon[0])})
        lines.append({"kind": "step", "km": itinerary.distance_m / 1000, "code": "arrive",
                      "note": "", "text": _("Arrival: %(name)s", name=end.get("name")
                                            or _("end of the itinerary")),
                      "lat": float(itinerary.lat[-1]), "lon": float(itinerary.lon[-1])})
    for place in places:
        lines.append(place_line(place, words))
    for warning in itinerary.warnings[:MAX_WARNINGS]:
        km = float(warning.get("from_km") or 0.0)
        lat, lon = point_at(itinerary, km * 1000)
        lines.append({"kind": "warning", "km": km, "code": warning.get("type"), "note": "",
                      "text": warning_text(warning, itinerary.profile, lang),
                      "lat": lat, "lon": lon})
    for stage in stage_starts(itinerary)[1:]:
        lat, lon = point_at(itinerary, stage["start_m"])
        lines.append({"kind": "stage", "km": stage["start_m"] / 1000, "note": "",
                      "text": _("Stage %(n)d begins", n=stage["number"]), "lat": lat, "lon": lon})
    lines.sort(key=lambda line: (round(line["km"], 3), ORDER[line["kind"]]))
    for line in lines:
        line["km_text"] = words.km(line["km"])
    return lines


def stage_starts(itinerary) -> list[dict]:
    """``{"number", "start_m", "stage"}`` of each stage, measured along the whole itinerary."""
    out, start = [], 0.0
    for number, stage in enumerate(itinerary.stages, start=1):
        out.append({"number": number, "start_m": start, "stage": stage})
        start += stage.distance_m
    return out
