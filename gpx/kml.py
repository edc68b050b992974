"""KML of an itinerary (the Geotrek-friendly flavour: one line, its places as points)."""
from __future__ import annotations

from xml.sax.saxutils import escape

from .text import clean_text
from .words import ENGLISH, FileWords
from .writer import OSM_LINE, place_description


def _text(value, multiline: bool = False) -> str:
    return escape(clean_text(value, multiline))


def itinerary_to_kml(itinerary, words: FileWords = ENGLISH) -> str:
    """KML 2.2 text: a Placemark with the line (with altitude when known) and one per place.

    ``words``: labels in the reader's language (``web.file_words.file_words``).
    """
    def coords(lat, lon, ele):
        return " ".join(f"{x:.7f},{y:.7f}" + (f",{z:.1f}" if z == z else "")
                        for y, x, z in zip(lat, lon, ele))

    places = "".join(
        f"<Placemark><name>{_text(p.get('name') or words.kind(p['kind']).capitalize())}</name>"
        f"<description>{_text(place_description(p, words))}</description>"
        f"<Point><coordinates>{p['lon']:.7f},{p['lat']:.7f}</coordinates></Point></Placemark>"
        for p in itinerary.places)
    name = _text(itinerary.name) or escape(words.untitled)
    mode = "absolute" if itinerary.has_elevation else "clampToGround"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{name}</name>"
        f"<description>{_text(itinerary.description, True)} — {escape(OSM_LINE)}</description>"
        '<Style id="route"><LineStyle><color>ffeb6325</color><width>4</width></LineStyle></Style>'
        f"<Placemark><name>{name}</name><styleUrl>#route</styleUrl>"
        f"<LineString><tessellate>1</tessellate><altitudeMode>{mode}</altitudeMode>"
        f"<coordinates>{coords(itinerary.lat, itinerary.lon, itinerary.ele)}</coordinates>"
        f"</LineString></Placemark>{places}</Document></kml>\n")
