"""Geotrek treks and tours into saved itineraries (shared by the API and the CLI)."""
from __future__ import annotations

import secrets

from graphs.errors import BassinRoutesError
from gpx import match_track, safe_filename
from gpx.geotrek_import import ImportBatch, read_batch, treks_in
from gpx.reader import Line

from .db import SavedItinerary


def rematch(router, itinerary, profile: str | None = None):
    """The imported line matched onto the network (network attributes, places, km)."""
    lines = [Line(None, s.lat, s.lon, s.ele, s.ele * float("nan"))
             for s in (itinerary.stages or [itinerary])]
    matched = match_track(router, lines, profile or itinerary.profile, chain=False)
    matched.name, matched.description = itinerary.name, itinerary.description
    matched.meta.update({k: v for k, v in itinerary.meta.items()
                         if k not in matched.meta and k != "source_figures"})
    matched.kind = itinerary.kind
    if itinerary.stages:
        matched.stages = [rematch(router, stage, profile) for stage in itinerary.stages]
    return matched


def import_geotrek(db, document, router=None, match: bool = False, profile: str | None = None,
                   author: str = "", publish: bool = False) -> tuple[list[SavedItinerary], ImportBatch]:
    """Save every trek/tour of a Geotrek document (or an :class:`ImportBatch`).

    With ``match`` the geometry is matched onto the network (needs ``router``),
    which adds surfaces, signed routes, places along and warnings. A trek that
    cannot be read or matched is reported in the batch's ``failures``; the
    others are saved. Returns the saved rows and the batch.
    """
    batch = document if isinstance(document, ImportBatch) else read_batch(treks_in(document))
    saved = []
    with db.session() as s:
        for itinerary, obj in zip(batch.itineraries, batch.sources):
            if match and router is not None:
                try:
                    itinerary = rematch(router, itinerary, profile)
                except BassinRoutesError as exc:
                    batch.fail(obj, exc, "not matched onto the network: ")
                    continue
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
    return saved, batch
