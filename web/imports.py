"""Geotrek treks and tours into saved itineraries (shared by the API and the CLI)."""
from __future__ import annotations

import json
import secrets

from gpx import geotrek, match_track, safe_filename
from gpx.errors import GPXInputError
from gpx.reader import Line

from .db import SavedItinerary
from .fetch import fetch_url
from .params import depth_of

MAX_DEPTH = 32


def load_geotrek(source: str, allow_private: bool = False, max_bytes: int = 20 * 1024 * 1024):
    """A Geotrek JSON document from a file, or from a URL fetched with :func:`web.fetch.fetch_url`
    (public addresses only unless ``allow_private``; no redirect to another scheme).

    Raises
    ------
    web.fetch.FetchError, gpx.GPXInputError
    """
    text = str(source)
    if "://" not in text:
        return geotrek.load_document(text, max_bytes=max_bytes)
    data = fetch_url(text, allow_private=allow_private, max_bytes=max_bytes)
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise GPXInputError(f"{text} did not answer JSON") from None
    if depth_of(document, MAX_DEPTH) > MAX_DEPTH:
        raise GPXInputError(f"{text}: JSON nested deeper than {MAX_DEPTH} levels: refused")
    return document


def rematch(router, itinerary, profile: str | None = None, budget=None):
    """The imported line matched onto the network (network attributes, places, km)."""
    lines = [Line(None, s.lat, s.lon, s.ele, s.ele * float("nan"))
             for s in (itinerary.stages or [itinerary])]
    matched = match_track(router, lines, profile or itinerary.profile, chain=False, budget=budget)
    matched.name, matched.description = itinerary.name, itinerary.description
    matched.meta.update({k: v for k, v in itinerary.meta.items() if k not in matched.meta})
    matched.kind = itinerary.kind
    if itinerary.stages:
        matched.stages = [rematch(router, stage, profile, budget) for stage in itinerary.stages]
    return matched


def import_geotrek(db, document, router=None, match: bool = False, profile: str | None = None,
                   author: str = "", publish: bool = False, budget=None) -> list[SavedItinerary]:
    """Save every trek/tour of a Geotrek API v2 document; returns the saved rows.

    With ``match`` the geometry is matched onto the network (needs ``router``),
    which adds surfaces, signed routes, places along and warnings, within ``budget``
    (a :class:`routing.budget.Budget` shared by all the treks).
    """
    saved = []
    with db.session() as s:
        for obj in geotrek.treks_in(document):
            itinerary = geotrek.to_itinerary(obj)
            if match and router is not None:
                itinerary = rematch(router, itinerary, profile, budget)
            name = itinerary.name or "Itinéraire Geotrek"
            item = SavedItinerary(
                slug=f"{safe_filename(name)}-{secrets.token_hex(3)}", name=name,
                description=itinerary.description, profile=itinerary.profile, kind="geotrek",
                request={"source": "geotrek", "geotrek_id": obj.get("id"),
                         "external_id": obj.get("external_id"), "matched": bool(match)},
                data=itinerary.to_dict(), author=author, published=publish)
            s.add(item)
            saved.append(item)
        s.commit()
        for item in saved:
            s.refresh(item)
    return saved
