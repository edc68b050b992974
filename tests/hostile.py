"""The hostile-names corpus and the inputs that carry it in (OSM, Geotrek, GPX).

``fixtures/hostile_names.json`` holds names an attacker would try: script and
event-handler markup, ``${…}`` and backticks for JS template literals, quotes
that close attributes and JS strings, ``javascript:`` URLs, ``</script>``,
U+2028/U+2029, template syntax, entity and escape tricks. Payloads call
``alert``/``confirm``/``prompt`` or the marker ``__xss``, both hooked by the
browser test.
"""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from gpx.text import clean_text

CORPUS: list[str] = json.loads(
    (Path(__file__).parent / "fixtures" / "hostile_names.json").read_text("utf-8"))
#: what each POI of the hostile graph is, in turn
POI_TAGS = (("tourism", "viewpoint"), ("amenity", "drinking_water"), ("amenity", "cafe"),
            ("tourism", "museum"), ("amenity", "shelter"), ("railway", "station"),
            ("tourism", "hotel"), ("amenity", "toilets"))
LAT0, LAT1, LON0, STEP = 50.4300, 50.4310, 2.8000, 0.003
NODES_PER_ROW = 61                      # 13 km of ladder near Lens


def _attr(text: str) -> str:
    return quoteattr(clean_text(text))   # XML 1.0 holds no control characters


def ladder_lonlat(n: int = NODES_PER_ROW) -> list[list[float]]:
    """The southern rail of the ladder as ``[lon, lat]`` (a line on the network)."""
    return [[round(LON0 + i * STEP, 6), LAT0] for i in range(n)]


def osm_xml(names: list[str]) -> str:
    """A small OSM network (a ladder of footways and tracks) whose POIs, ways and route
    relation are all named from ``names``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for row, lat in enumerate((LAT0, LAT1)):
        for i in range(NODES_PER_ROW):
            lines.append(f'<node id="{row * 1000 + i + 1}" lat="{lat:.6f}" '
                         f'lon="{LON0 + i * STEP:.6f}"/>')
    span = (NODES_PER_ROW - 1) * STEP
    for k, name in enumerate(names):
        key, value = POI_TAGS[k % len(POI_TAGS)]
        lat = LAT0 + 0.0002 + (k % 3) * 0.0003
        lon = LON0 + span * (k + 0.5) / len(names)
        lines.append(f'<node id="{5000 + k}" lat="{lat:.6f}" lon="{lon:.6f}">'
                     f'<tag k="{key}" v="{value}"/><tag k="name" v={_attr(name)}/></node>')
    way = 1
    for row, highway in ((0, "footway"), (1, "track")):
        refs = "".join(f'<nd ref="{row * 1000 + i + 1}"/>' for i in range(NODES_PER_ROW))
        lines.append(f'<way id="{way}">{refs}<tag k="highway" v="{highway}"/>'
                     f'<tag k="name" v={_attr(names[row])}/></way>')
        way += 1
    for i in range(0, NODES_PER_ROW, 5):
        lines.append(f'<way id="{way}"><nd ref="{i + 1}"/><nd ref="{1000 + i + 1}"/>'
                     f'<tag k="highway" v="path"/><tag k="name" v={_attr(names[i % len(names)])}/></way>')
        way += 1
    lines.append('<relation id="1"><member type="way" ref="1" role=""/>'
                 '<tag k="type" v="route"/><tag k="route" v="hiking"/>'
                 f'<tag k="name" v={_attr(names[2])}/><tag k="ref" v={_attr(names[3])}/></relation>')
    lines.append("</osm>")
    return "\n".join(lines)


def geotrek_document(names: list[str], per_trek: int = 4) -> list[dict]:
    """Geotrek API v2 treks (name, description, departure, arrival from ``names``) and one
    tour whose steps carry the rest."""
    line = ladder_lonlat()
    treks, k = [], 0
    while k + per_trek <= len(names) - 6:
        name, description, departure, arrival = names[k:k + per_trek]
        treks.append({"id": 900 + k, "name": name, "description": description,
                      "departure": departure, "arrival": arrival,
                      "geometry": {"type": "LineString", "coordinates": line}})
        k += per_trek
    rest = names[k:]
    half = len(line) // 2
    steps = [{"id": 800 + i, "name": rest[2 + i], "departure": rest[4 + i] if 4 + i < len(rest)
              else rest[0], "arrival": rest[-1],
              "geometry": {"type": "LineString", "coordinates": part}}
             for i, part in enumerate((line[:half + 1], line[half:]))]
    treks.append({"id": 799, "name": rest[0], "description": rest[1], "steps": steps,
                  "geometry": None})
    return treks


def gpx_document(name: str, track_name: str) -> bytes:
    """A GPX 1.1 track along the ladder, named ``name`` (metadata) and ``track_name``."""
    points = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lon, lat in ladder_lonlat(30))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<gpx version="1.1" creator="tests" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<metadata><name>{escape(clean_text(name))}</name></metadata>"
            f"<trk><name>{escape(clean_text(track_name))}</name><trkseg>{points}</trkseg></trk>"
            "</gpx>").encode("utf-8")
