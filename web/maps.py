"""Folium maps of itineraries: coloured by surface or stage, places, terrils, profile.

Leaflet is served by this app (``/static/vendor``), so maps work without any
CDN; only the tile URL points outside, and it is configurable.

No user text (itinerary, stage, waypoint or place names) is given to Folium,
which writes tooltips and popups into JS template literals where ``${…}`` and
backticks run. The words travel in a JSON data block (:class:`MapWords`) and
``static/bassin-map.js`` puts them on the layers with ``textContent``. So the
HTML Folium writes holds only our own scripts, and :func:`render_map` gives
each of them the request's CSP nonce.
"""
from __future__ import annotations

import json
import re
import secrets
from importlib import resources

import folium
import numpy as np
from branca.element import Element
from flask_babel import format_decimal, gettext, lazy_gettext
from markupsafe import escape

from graphs.build import build_id
from routing.assemble import edge_slice
from routing.profiles import PAVED, ROUGH, SMOOTH_UNPAVED

from .i18n import current_language, language
from .page_words import SURFACES
from .words import km, localised

VENDOR = "/static/vendor/leaflet-1.9.3"
#: The heritage layers' credit on every map (the tile layer's attribution).
ETALAB = lazy_gettext("Heritage: Mission Bassin Minier / data.gouv.fr (Etalab 2.0)")
SURFACE_COLOURS = {"paved": "#2563eb", "smooth": "#d97706", "rough": "#92400e",
                   "unknown": "#64748b", "steps": "#dc2626"}
STAGE_COLOURS = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626")
HERITAGE = ("major_site", "terril", "cite", "mining_building", "unesco_element", "mine_shaft",
            "cavalier", "park", "museum")
KIND_COLOURS = {"major_site": "#b91c1c", "terril": "#111827", "cite": "#7c2d12",
                "mining_building": "#9a3412", "park": "#15803d", "museum": "#b91c1c",
                "lodging": "#1d4ed8", "station": "#1d4ed8", "mine_shaft": "#57534e"}
_SCRIPT_TAG = re.compile(r"<script(?=[\s>])", re.IGNORECASE)


def surface_group(graph, edge: int) -> str:
    """The colour group of an edge: ``paved``, ``smooth``, ``rough``, ``unknown`` or ``steps``."""
    if graph.category("highway", edge) == "steps":
        return "steps"
    surface = graph.category("surface", edge)
    if surface in PAVED:
        return "paved"
    if surface in SMOOTH_UNPAVED:
        return "smooth"
    if surface in ROUGH:
        return "rough"
    return "unknown" if graph.category("highway", edge) in ("path", "track") else "paved"


def surface_runs(itinerary, graph):
    """Consecutive stretches with the same surface group: (group, [[lat, lon], …])."""
    runs = []
    for leg in itinerary.pieces:
        for edge, a, b in leg:
            group = surface_group(graph, edge)
            lat, lon, _, _ = edge_slice(graph, edge, a, b)
            coords = np.column_stack([lat, lon]).tolist()
            if runs and runs[-1][0] == group:
                runs[-1][1].extend(coords[1:])
            else:
                runs.append((group, coords))
    return runs


def pieces_fit(itinerary, graph) -> bool:
    """Whether the itinerary's graph pieces belong to this very build of the graph.

    After a rebuild edge ids name other streets: the itinerary is then drawn
    from its own geometry, never over the new graph's edges.
    """
    build = itinerary.meta.get("graph_build")
    return bool(graph is not None and itinerary.pieces and build is not None
                and build == build_id(graph.meta)
                and all(0 <= p[0] < graph.n_edges for leg in itinerary.pieces for p in leg))


def _profile_svg(itinerary, width=320, height=90) -> str:
    """An elevation profile as an inline SVG (numbers only: nothing to escape)."""
    ok = np.isfinite(itinerary.ele)
    x, y = itinerary.cum_m[ok], itinerary.ele[ok]
    lo, hi = float(y.min()), float(y.max())
    span_x, span_y = max(float(x.max()), 1.0), max(hi - lo, 1.0)
    px = 30 + (x / span_x) * (width - 40)
    py = 10 + (1 - (y - lo) / span_y) * (height - 30)
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
    area = f"30,{height - 20} {points} {width - 10},{height - 20}"
    label = escape(gettext("elevation profile"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{label}">'
            f'<polygon points="{area}" fill="#cbd5e1"/>'
            f'<polyline points="{points}" fill="none" stroke="#334155" stroke-width="1.5"/>'
            f'<text x="2" y="14" font-size="10">{hi:.0f} m</text>'
            f'<text x="2" y="{height - 22}" font-size="10">{lo:.0f} m</text>'
            f'<text x="{width - 60}" y="{height - 5}" font-size="10">{span_x / 1000:.1f} km</text>'
            "</svg>")


def json_for_script(value) -> str:
    """JSON that is inert inside an HTML ``<script>`` element whatever its strings hold.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as
    ``\\uXXXX`` escapes: no ``</script>``, no ``<!--``, same value once parsed.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


class RawElement(Element):
    """An element whose text is inserted as is, never compiled as a template.

    ``branca.element.Element(text)`` compiles ``text`` as Jinja source: a name
    holding ``{{ … }}`` would be evaluated on the server.
    """

    def __init__(self, text: str):
        super().__init__("{{ this.text }}")
        self.text = text


class MapWords:
    """The words of a map, bound to Folium layers by name in the browser."""

    def __init__(self, fmap):
        self.doc = {"map": fmap.get_name(), "layers": [], "controls": [], "bounds": None}

    def bind(self, layer, tooltip: str | None = None, popup: list[str] | None = None):
        """Give ``layer`` a tooltip and popup lines (plain text); returns the layer."""
        self.doc["layers"].append({"layer": layer.get_name(), "tooltip": tooltip, "popup": popup})
        return layer

    def control(self, position: str, css_class: str, rows=(), svg: str | None = None) -> None:
        """A static box: ``rows`` of ``{"text", "strong", "swatch"}``; ``svg`` is ours (numbers)."""
        self.doc["controls"].append({"position": position, "cls": css_class,
                                     "rows": list(rows), "svg": svg})

    def element(self) -> Element:
        script = resources.files("web").joinpath("static/bassin-map.js").read_text("utf-8")
        return RawElement('<script type="application/json" id="bassin-map-data">'
                          f"{json_for_script(self.doc)}</script><script>{script}</script>")


def _inline_leaflet(fmap) -> None:
    """Put Leaflet itself in the page: a map file that works offline, served by nobody."""
    vendor = resources.files("web").joinpath("static/vendor/leaflet-1.9.3")
    fmap.default_js, fmap.default_css = [], []
    css = vendor.joinpath("leaflet.css").read_text("utf-8")
    js = vendor.joinpath("leaflet.js").read_text("utf-8").replace("</script", "<\\/script")
    fmap.get_root().header.add_child(RawElement(f"<style>{css}</style><script>{js}</script>"),
                                     index=0)


def render_map(fmap, nonce: str, meta_policy: str | None = None) -> str:
    """The map's HTML with ``nonce`` on its scripts (and a ``<meta>`` CSP for files).

    Safe because the HTML Folium writes holds no user text (see the module doc).
    """
    html = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', fmap.get_root().render())
    html = html.replace("<html>", f'<html lang="{current_language()}">', 1)
    if meta_policy:
        meta = f'<meta http-equiv="Content-Security-Policy" content="{escape(meta_policy)}">'
        html = html.replace("<head>", f"<head>\n    {meta}", 1)
    return html


def standalone_map_html(itinerary, lang: str | None = None, **options) -> str:
    """A self-contained map file (Leaflet inlined) with its own CSP, in ``lang``."""
    options.setdefault("tile_url", folium_defaults()["tile_url"])
    with language(lang):
        return standalone_html(itinerary_map(itinerary, **options), options["tile_url"])


def standalone_html(fmap, tile_url: str) -> str:
    """Any map of this module's kind as a self-contained file: Leaflet inlined, its own CSP."""
    from .csp import policy

    nonce = secrets.token_urlsafe(18)
    _inline_leaflet(fmap)
    return render_map(fmap, nonce, policy(nonce, tile_url))


def folium_defaults() -> dict:
    return {"tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "tile_attribution": "&copy; OpenStreetMap contributors"}


def itinerary_map(itinerary, graph=None, tile_url: str = folium_defaults()["tile_url"],
                  tile_attribution: str = folium_defaults()["tile_attribution"],
                  colour_by: str = "auto", embed: bool = False, labels: dict | None = None,
                  inline_assets: bool = False) -> folium.Map:
    """A Folium map of an itinerary (render it with :func:`render_map`), worded in the
    current language (:func:`web.i18n.language`).

    Parameters
    ----------
    graph : CompiledGraph, optional
        Gives surface colours and terril outlines; without it the line is one colour.
        Surfaces are read only when the itinerary was planned on this build of it.
    tile_url, tile_attribution : str
        Configuration (trusted text): the attribution is HTML.
    colour_by : {"auto", "surface", "stage"}
        ``auto``: by stage for a multi-day itinerary, else by surface.
    embed : bool
        A lighter map for iframes (no summary box).
    inline_assets : bool
        Include Leaflet in the HTML (a standalone file) instead of linking ``/static``.
    """
    labels = labels or {}
    itinerary = localised(itinerary)
    south, west, north, east = itinerary.bounds()
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      control_scale=True, prefer_canvas=False)
    words = MapWords(fmap)
    if inline_assets:
        _inline_leaflet(fmap)
    else:
        fmap.default_js = [("leaflet", f"{VENDOR}/leaflet.js")]
        fmap.default_css = [("leaflet_css", f"{VENDOR}/leaflet.css")]
    folium.TileLayer(tiles=tile_url, attr=f"{tile_attribution} | {escape(ETALAB)}",
                     name="OpenStreetMap", max_zoom=19).add_to(fmap)
    route = folium.FeatureGroup(name=escape(labels.get("route") or gettext("Itinerary")))
    surfaces: set = set()
    by_stage = colour_by == "stage" or (colour_by == "auto" and itinerary.stages)
    if by_stage and itinerary.stages:
        for i, stage in enumerate(itinerary.stages):
            coords = np.column_stack([stage.lat, stage.lon]).tolist()
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
            words.bind(folium.PolyLine(coords, color=colour, weight=5, opacity=0.95).add_to(route),
                       stage.name or f"{i + 1}")
    elif pieces_fit(itinerary, graph):
        coords = np.column_stack([itinerary.lat, itinerary.lon]).tolist()
        folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
        runs = surface_runs(itinerary, graph)
        surfaces = {group for group, _ in runs}
        for group, run in runs:
            words.bind(folium.PolyLine(run, color=SURFACE_COLOURS[group], weight=5,
                                       opacity=0.95).add_to(route), str(LEGEND[group]))
    else:
        coords = np.column_stack([itinerary.lat, itinerary.lon]).tolist()
        folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
        folium.PolyLine(coords, color=SURFACE_COLOURS["paved"], weight=5).add_to(route)
    route.add_to(fmap)
    _add_ends(fmap, words, itinerary)
    _add_places(fmap, words, itinerary, graph, labels)
    folium.LayerControl(collapsed=True).add_to(fmap)
    if itinerary.has_elevation:
        words.control("bottomright", "bassin-profile", svg=_profile_svg(itinerary))
    if not embed:
        words.control("topright", "bassin-summary", _summary_rows(itinerary, labels, surfaces))
    words.doc["bounds"] = [[south, west], [north, east]]
    fmap.get_root().header.add_child(Element(
        "<script>window.addEventListener('error',function(){var d=document.documentElement;"
        "d.dataset.jsErrors=String(Number(d.dataset.jsErrors||0)+1);});</script>"))
    fmap.get_root().header.add_child(Element(
        "<style>.bassin-profile,.bassin-summary{background:rgba(255,255,255,.92);padding:6px 8px;"
        "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.4 system-ui,sans-serif}"
        ".bassin-summary strong{font-size:13px}.bassin-swatch{display:inline-block;width:18px;"
        "height:5px;vertical-align:middle;margin-right:4px}</style>"))
    fmap.get_root().html.add_child(words.element())
    return fmap


def _add_ends(fmap, words: MapWords, itinerary) -> None:
    ends = [(itinerary.waypoints[0], "#16a34a", "A")]
    if not itinerary.is_closed:
        ends.append((itinerary.waypoints[-1], "#dc2626", "B"))
    for wp, colour, letter in ends:
        html = (f'<div style="background:{colour};color:#fff;border:2px solid #fff;border-radius:50%;'
                f'width:22px;height:22px;text-align:center;font:bold 13px/18px sans-serif;'
                f'box-shadow:0 1px 3px rgba(0,0,0,.5)">{letter}</div>')
        marker = folium.Marker([wp["lat"], wp["lon"]], icon=folium.DivIcon(
            html=html, icon_size=(22, 22), icon_anchor=(11, 11))).add_to(fmap)
        words.bind(marker, str(wp.get("name") or letter))


def _popup_lines(place: dict) -> list[str]:
    label = place.get("kind_label") or place["kind"]
    lines = [str(place.get("name") or label),
             gettext("%(kind)s · km %(km)s", kind=label, km=format_decimal(place["km"], "0.0"))]
    if place.get("unesco_id"):
        lines.append(f"UNESCO {place['unesco_id']}")
    if place.get("detour_m"):
        lines.append(gettext("detour %(m)s m", m=format_decimal(round(place["detour_m"]))))
    return lines


def _add_places(fmap, words: MapWords, itinerary, graph, labels) -> None:
    heritage = folium.FeatureGroup(name=escape(labels.get("heritage") or gettext("Heritage")))
    services = folium.FeatureGroup(name=escape(labels.get("services") or gettext("Services")),
                                   show=True)
    for place in itinerary.places:
        group = heritage if place["kind"] in HERITAGE else services
        if place["kind"] == "terril" and graph is not None:
            full = graph.place(place["id"])
            if full is not None and full.geometry:
                _terril_outline(full.geometry).add_to(group)
        marker = folium.CircleMarker([place["lat"], place["lon"]], radius=6, weight=2, color="#fff",
                                     fill=True, fill_opacity=0.95,
                                     fill_color=KIND_COLOURS.get(place["kind"], "#475569"))
        words.bind(marker.add_to(group), str(place.get("name") or place["kind_label"]),
                   _popup_lines(place))
    heritage.add_to(fmap)
    services.add_to(fmap)


def _terril_outline(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = [[[lat, lon] for lon, lat in poly[0]] for poly in polygons]
    return folium.Polygon(rings, color="#111827", weight=2, fill=True, fill_color="#374151",
                          fill_opacity=0.35)


LEGEND = SURFACES           # the itinerary page's words of the surface groups


def _summary_rows(itinerary, labels, surfaces: set) -> list[dict]:
    hours, minutes = divmod(int(round(itinerary.duration_s / 60)), 60)
    rows = [{"text": itinerary.name or labels.get("title") or gettext("Itinerary"), "strong": True},
            {"text": gettext("%(km)s · %(hours)d h %(minutes)02d", km=km(itinerary.distance_m),
                             hours=hours, minutes=minutes)}]
    if itinerary.ascent_m is not None:
        rows.append({"text": gettext("D+ %(m)s m", m=format_decimal(round(itinerary.ascent_m)))})
    for group in (g for g in SURFACE_COLOURS if g in surfaces):   # legend of the colours used
        rows.append({"text": str(LEGEND[group]), "swatch": SURFACE_COLOURS[group]})
    return rows
