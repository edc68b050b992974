"""Itinerary -> GPX 1.1 that devices and apps read (gpxpy).

One track by default (a segment per leg, or per stage for a multi-day
itinerary), named waypoints for the places along the route, and a route
(``rte``) thinned to a device-friendly count only when asked: apps that get
both a track and a route count the distance twice.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile

import gpxpy.gpx as G
import numpy as np
import shapely

from graphs.geo import LocalProjection

from .text import clean_text
from .words import ENGLISH, FileWords

CREATOR = "bassin-routes 0.1 (Bassin minier itineraries)"
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"
OSM_LINE = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"

#: Garmin-style symbols (the names devices know) by place kind.
SYMBOLS = {
    "major_site": "Museum", "museum": "Museum", "terril": "Summit", "peak": "Summit",
    "cite": "Residence", "mining_building": "Building", "unesco_element": "Flag, Red",
    "mine_shaft": "Mine", "cavalier": "Trail Head", "park": "Park",
    "lodging": "Lodging", "station": "Ground Transportation", "drinking_water": "Drinking Water",
    "toilets": "Restroom", "shelter": "Building", "picnic_site": "Picnic Area",
    "viewpoint": "Scenic Area", "bicycle_repair": "Bike Trail", "bicycle_rental": "Bike Trail",
    "cafe": "Restaurant", "restaurant": "Restaurant", "attraction": "Flag, Blue",
    "junction": "Crossing",
}
def safe_filename(text: str, fallback: str = "itineraire") -> str:
    """ASCII, lower-case, hyphenated file name stem (no path separators)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]
    return slug or fallback


def thin(lat: np.ndarray, lon: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Douglas-Peucker thinning to at most ``max_points`` vertices (ends kept)."""
    if len(lat) <= max_points:
        return lat, lon
    proj = LocalProjection(float(np.mean(lat)))
    x, y = proj.forward(lat, lon)
    line = shapely.LineString(np.column_stack([x, y]))
    lo, hi = 0.0, 1000.0
    best = None
    for _ in range(40):                       # bisect the tolerance
        mid = (lo + hi) / 2
        coords = shapely.get_coordinates(line.simplify(mid, preserve_topology=False))
        if len(coords) <= max_points:
            best, hi = coords, mid
        else:
            lo = mid
    if best is None:
        best = shapely.get_coordinates(line.simplify(hi, preserve_topology=False))
    tlat, tlon = proj.inverse(best[:, 0], best[:, 1])
    return np.asarray(tlat), np.asarray(tlon)


def _ele(value) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 1)


def place_description(place: dict, words: FileWords = ENGLISH) -> str:
    """« km 1,2 · abri · UNESCO 74 · détour 300 m »: where a place is and what it is."""
    parts = [f"km {words.number(place['km'])}", clean_text(words.kind(place["kind"]))]
    if place.get("unesco_id"):
        parts.append(f"UNESCO {clean_text(place['unesco_id'])}")
    if place.get("detour_m"):
        parts.append(words.detour % {"m": f"{place['detour_m']:.0f}"})
    return " · ".join(parts)


def _place_waypoint(place: dict, typed_names: bool, words: FileWords) -> G.GPXWaypoint:
    label = clean_text(words.kind(place["kind"]))
    name = clean_text(place.get("name")) or label.capitalize()
    if typed_names:            # Geotrek's own GPX names its POIs « type: name »
        name = words.typed_name % {"kind": label.capitalize(), "name": name}
    return G.GPXWaypoint(latitude=place["lat"], longitude=place["lon"],
                         name=name, description=place_description(place, words), symbol=SYMBOLS.get(place["kind"], "Flag, Blue"),
                         type=clean_text(place["kind"]))


def itinerary_to_gpx(itinerary, route_points: bool = False, max_route_points: int = 250,
                     track: bool = True, link: str | None = None, typed_names: bool = False,
                     instructions: list | None = None, words: FileWords = ENGLISH) -> str:
    """GPX 1.1 text of an itinerary.

    Parameters
    ----------
    route_points : bool
        Add an ``rte`` thinned to ``max_route_points`` (for navigation devices).
    track : bool
        Write the track (default). With ``route_points`` and ``track=False`` the
        file holds only the route.
    link : str, optional
        A web page of the itinerary, written in the metadata.
    typed_names : bool
        Name waypoints « type: name » as Geotrek's GPX does.
    instructions : list of (lat, lon, name, description), optional
        Turn-by-turn instructions, already in words (``web.instructions.gpx_points``):
        written as a ``rte`` whose ``rtept`` carry them, as navigation devices expect.
    words : FileWords
        Labels and credits in the reader's language (``web.file_words.file_words``).
    """
    gpx = G.GPX()
    gpx.creator = CREATOR
    gpx.name = clean_text(itinerary.name) or words.untitled
    summary = words.summary % {"km": words.number(itinerary.distance_m / 1000),
                               "profile": words.profile(itinerary.profile)}
    if itinerary.ascent_m is not None:
        summary += ", " + words.ascent % {"m": f"{itinerary.ascent_m:.0f}"}
    lines = [clean_text(itinerary.description, multiline=True), summary, OSM_LINE]
    if any("Bassin" in a for a in itinerary.meta.get("attribution", [])) or any(
            p.get("unesco_id") for p in itinerary.places):
        lines.append(words.heritage_credit)
    gpx.description = "\n".join(line for line in lines if line)
    gpx.author_name = words.author
    gpx.copyright_author = "OpenStreetMap contributors"
    gpx.copyright_year = str(dt.date.today().year)
    gpx.copyright_license = ODBL
    gpx.link, gpx.link_text = (link or "https://www.openstreetmap.org/copyright",
                               words.link if link else "OpenStreetMap")
    gpx.time = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    gpx.keywords = "Bassin minier, UNESCO, " + clean_text(words.profile(itinerary.profile))
    south, west, north, east = itinerary.bounds()
    gpx.bounds = G.GPXBounds(south, north, west, east)

    start, end = itinerary.waypoints[0], itinerary.waypoints[-1]
    gpx.waypoints.append(G.GPXWaypoint(start["lat"], start["lon"],
                                       name=clean_text(start.get("name")) or words.start,
                                       symbol="Flag, Green", type="start"))
    for place in itinerary.places:
        gpx.waypoints.append(_place_waypoint(place, typed_names, words))
    if not itinerary.is_closed:
        gpx.waypoints.append(G.GPXWaypoint(end["lat"], end["lon"],
                                           name=clean_text(end.get("name")) or words.end,
                                           symbol="Flag, Red", type="end"))
    if track:
        trk = G.GPXTrack(name=gpx.name, description=summary)
        trk.type = clean_text(itinerary.profile)
        parts = itinerary.stages or [itinerary]
        for part in parts:
            ranges = ([(0, len(part.lat) - 1)] if part is not itinerary or not part.legs
                      else [(leg["start"], leg["end"]) for leg in part.legs])
            for a, b in ranges:
                seg = G.GPXTrackSegment()
                for i in range(a, b + 1):
                    seg.points.append(G.GPXTrackPoint(round(float(part.lat[i]), 7),
                                                      round(float(part.lon[i]), 7),
                                                      elevation=_ele(part.ele[i])))
                trk.segments.append(seg)
        gpx.tracks.append(trk)
    if instructions:
        rte = G.GPXRoute(name=gpx.name)
        for lat, lon, name, desc in instructions:
            rte.points.append(G.GPXRoutePoint(round(float(lat), 7), round(float(lon), 7),
                                              name=name, description=desc or None))
        gpx.routes.append(rte)
    elif route_points or not track:
        rte = G.GPXRoute(name=gpx.name)
        tlat, tlon = thin(itinerary.lat, itinerary.lon, max_route_points)
        for lat, lon in zip(tlat, tlon):
            rte.points.append(G.GPXRoutePoint(round(float(lat), 7), round(float(lon), 7)))
        gpx.routes.append(rte)
    return gpx.to_xml(version="1.1")


def stage_files(itinerary, **options) -> dict[str, str]:
    """One GPX per stage (``01-name.gpx`` …), for a multi-day itinerary."""
    files = {}
    for i, stage in enumerate(itinerary.stages or [itinerary], start=1):
        files[f"{i:02d}-{safe_filename(stage.name)}.gpx"] = itinerary_to_gpx(stage, **options)
    return files


def stages_zip(itinerary, **options) -> bytes:
    """A zip of the whole itinerary's GPX and one GPX per stage."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{safe_filename(itinerary.name)}.gpx", itinerary_to_gpx(itinerary, **options))
        for name, text in stage_files(itinerary, **options).items():
            archive.writestr(name, text)
    return buffer.getvalue()
