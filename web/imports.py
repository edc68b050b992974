"""Geotrek treks and tours into saved itineraries (shared by the API and the CLI)."""
from __future__ import annotations

import json
import secrets

from flask_babel import gettext

from graphs.errors import BassinRoutesError
from gpx import match_track, safe_filename
from gpx.errors import GPXInputError
from gpx.geotrek_import import ImportBatch, read_batch, treks_in
from gpx.geotrek_source import is_url, read_instance, read_source
from gpx.reader import Line

from .db import SavedItinerary
from .fetch import FetchError, check_url, fetch_url
from .params import depth_of

MAX_DEPTH = 32


def checked_fetch(allow_private: bool = False, max_bytes: int = 20 * 1024 * 1024):
    """A ``fetch(url) -> JSON`` for :func:`gpx.geotrek_source.read_instance` that goes
    through :func:`web.fetch.fetch_url`: public addresses only unless ``allow_private``,
    no redirect to another scheme, bounded in bytes and JSON depth."""

    def fetch(url: str):
        try:
            data = fetch_url(url, allow_private=allow_private, max_bytes=max_bytes)
        except FetchError as exc:
            raise GPXInputError(str(exc)) from None
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            raise GPXInputError(f"{url} did not answer JSON") from None
        if depth_of(document, MAX_DEPTH) > MAX_DEPTH:
            raise GPXInputError(f"{url}: JSON nested deeper than {MAX_DEPTH} levels: refused")
        return document

    return fetch


def read_geotrek(source, references=None, allow_private: bool = False) -> ImportBatch:
    """The treks of a file, or of a Geotrek instance URL fetched with :func:`checked_fetch`.

    Raises
    ------
    web.fetch.FetchError
        The URL's host is refused (checked before anything is fetched).
    gpx.GPXInputError
    """
    if not is_url(source) and "://" not in str(source):
        return read_source(source, references)
    check_url(str(source), allow_private)
    return read_instance(str(source), fetch=checked_fetch(allow_private))


def rematch(router, itinerary, profile: str | None = None, budget=None):
    """The imported line matched onto the network (network attributes, places, km)."""
    lines = [Line(None, s.lat, s.lon, s.ele, s.ele * float("nan"))
             for s in (itinerary.stages or [itinerary])]
    matched = match_track(router, lines, profile or itinerary.profile, chain=False, budget=budget)
    matched.name, matched.description = itinerary.name, itinerary.description
    matched.meta.update({k: v for k, v in itinerary.meta.items()
                         if k not in matched.meta and k != "source_figures"})
    matched.kind = itinerary.kind
    if itinerary.stages:
        matched.stages = [rematch(router, stage, profile, budget) for stage in itinerary.stages]
    return matched


def import_geotrek(db, document, router=None, match: bool = False, profile: str | None = None,
                   author: str = "", publish: bool = False,
                   budget=None) -> tuple[list[SavedItinerary], ImportBatch]:
    """Save every trek/tour of a Geotrek document (or an :class:`ImportBatch`).

    With ``match`` the geometry is matched onto the network (needs ``router``),
    which adds surfaces, signed routes, places along and warnings. A trek that
    cannot be read or matched is reported in the batch's ``failures``; the
    others are saved, the matching within ``budget`` (a :class:`routing.budget.Budget`
    shared by all the treks). Returns the saved rows and the batch.
    """
    batch = document if isinstance(document, ImportBatch) else read_batch(treks_in(document))
    saved = []
    with db.session() as s:
        for itinerary, obj in zip(batch.itineraries, batch.sources):
            if match and router is not None:
                try:
                    itinerary = rematch(router, itinerary, profile, budget)
                except BassinRoutesError as exc:
                    batch.fail(obj, exc, "not matched onto the network: ")
                    continue
            name = itinerary.name or gettext("Geotrek itinerary")
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
    return saved, batch
