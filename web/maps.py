"""Folium maps of itineraries: coloured by surface or stage, places, terrils, profile.

Leaflet is served by this app (``/static/vendor``), so maps work without any
CDN; only the tile URL points outside, and it is configurable. Every name
that reaches HTML goes through ``markupsafe.escape``.
"""
from __future__ import annotations

import folium
import numpy as np
from branca.element import Element
from markupsafe import escape

from routing.assemble import edge_slice
from routing.profiles import PAVED, ROUGH, SMOOTH_UNPAVED

VENDOR = "/static/vendor/leaflet-1.9.3"
JQUERY = "/static/vendor/jquery-3.7.1/jquery.min.js"   # folium's popups use jQuery
ETALAB = "Patrimoine : Mission Bassin Minier / data.gouv.fr (Etalab 2.0)"
SURFACE_COLOURS = {"paved": "#2563eb", "smooth": "#d97706", "rough": "#92400e",
                   "unknown": "#64748b", "steps": "#dc2626"}
STAGE_COLOURS = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626")
HERITAGE = ("major_site", "terril", "cite", "mining_building", "unesco_element", "mine_shaft",
            "cavalier", "park", "museum")
KIND_COLOURS = {"major_site": "#b91c1c", "terril": "#111827", "cite": "#7c2d12",
                "mining_building": "#9a3412", "park": "#15803d", "museum": "#b91c1c",
                "lodging": "#1d4ed8", "station": "#1d4ed8", "mine_shaft": "#57534e"}


def _surface_group(graph, edge: int) -> str:
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


def _runs(itinerary, graph):
    """Consecutive stretches with the same surface group: (group, [[lat, lon], …])."""
    runs = []
    for leg in itinerary.pieces:
        for edge, a, b in leg:
            group = _surface_group(graph, edge)
            lat, lon, _, _ = edge_slice(graph, edge, a, b)
            coords = np.column_stack([lat, lon]).tolist()
            if runs and runs[-1][0] == group:
                runs[-1][1].extend(coords[1:])
            else:
                runs.append((group, coords))
    return runs


def _pieces_fit(itinerary, graph) -> bool:
    """Whether the itinerary's graph pieces belong to this graph (same build)."""
    return bool(graph is not None and itinerary.pieces
                and itinerary.meta.get("graph") == graph.meta.get("name")
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
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="profil altimétrique">'
            f'<polygon points="{area}" fill="#cbd5e1"/>'
            f'<polyline points="{points}" fill="none" stroke="#334155" stroke-width="1.5"/>'
            f'<text x="2" y="14" font-size="10">{hi:.0f} m</text>'
            f'<text x="2" y="{height - 22}" font-size="10">{lo:.0f} m</text>'
            f'<text x="{width - 60}" y="{height - 5}" font-size="10">{span_x / 1000:.1f} km</text>'
            "</svg>")


def _control(html: str, position: str, css_class: str) -> Element:
    """A static Leaflet control holding ``html`` (already escaped by the caller)."""
    return Element(
        "<script>(function(){var c=L.control({position:%r});c.onAdd=function(){var d="
        "L.DomUtil.create('div','%s');d.innerHTML=%s;L.DomEvent.disableClickPropagation(d);"
        "return d;};window.__bassinControls=(window.__bassinControls||[]).concat([c]);})();"
        "</script>" % (position, css_class, _js_string(html)))


def _js_string(text: str) -> str:
    import json
    return json.dumps(text).replace("</", "<\\/")


def _inline_leaflet(fmap) -> None:
    """Put Leaflet itself in the page: a map file that works offline, served by nobody."""
    from importlib import resources

    vendor = resources.files("web").joinpath("static/vendor")
    fmap.default_js, fmap.default_css = [], []
    css = vendor.joinpath("leaflet-1.9.3/leaflet.css").read_text("utf-8")
    js = "\n".join(vendor.joinpath(name).read_text("utf-8").replace("</script", "<\\/script")
                   for name in ("leaflet-1.9.3/leaflet.js", "jquery-3.7.1/jquery.min.js"))
    fmap.get_root().header.add_child(Element(f"<style>{css}</style><script>{js}</script>"), index=0)


def itinerary_map(itinerary, graph=None, tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                  tile_attribution: str = "&copy; OpenStreetMap contributors",
                  colour_by: str = "auto", embed: bool = False, labels: dict | None = None,
                  inline_assets: bool = False) -> folium.Map:
    """A Folium map of an itinerary.

    Parameters
    ----------
    graph : CompiledGraph, optional
        Gives surface colours and terril outlines; without it the line is one colour.
    colour_by : {"auto", "surface", "stage"}
        ``auto``: by stage for a multi-day itinerary, else by surface.
    embed : bool
        A lighter map for iframes (no summary box).
    inline_assets : bool
        Include Leaflet in the HTML (a standalone file) instead of linking ``/static``.
    """
    labels = labels or {}
    south, west, north, east = itinerary.bounds()
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      control_scale=True, prefer_canvas=False)
    if inline_assets:
        _inline_leaflet(fmap)
    else:
        fmap.default_js = [("leaflet", f"{VENDOR}/leaflet.js"), ("jquery", JQUERY)]
        fmap.default_css = [("leaflet_css", f"{VENDOR}/leaflet.css")]
    folium.TileLayer(tiles=tile_url, attr=f"{tile_attribution} | {ETALAB}", name="OpenStreetMap",
                     max_zoom=19).add_to(fmap)
    route = folium.FeatureGroup(name=escape(labels.get("route", "Itinéraire")))
    surfaces: set = set()
    by_stage = colour_by == "stage" or (colour_by == "auto" and itinerary.stages)
    if by_stage and itinerary.stages:
        for i, stage in enumerate(itinerary.stages):
            coords = np.column_stack([stage.lat, stage.lon]).tolist()
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
            folium.PolyLine(coords, color=colour, weight=5, opacity=0.95,
                            tooltip=escape(stage.name or f"{i + 1}")).add_to(route)
    elif _pieces_fit(itinerary, graph):
        coords = np.column_stack([itinerary.lat, itinerary.lon]).tolist()
        folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
        runs = _runs(itinerary, graph)
        surfaces = {group for group, _ in runs}
        for group, run in runs:
            folium.PolyLine(run, color=SURFACE_COLOURS[group], weight=5, opacity=0.95,
                            tooltip=escape(labels.get(group, group))).add_to(route)
    else:
        coords = np.column_stack([itinerary.lat, itinerary.lon]).tolist()
        folium.PolyLine(coords, color="white", weight=9, opacity=0.9).add_to(route)
        folium.PolyLine(coords, color=SURFACE_COLOURS["paved"], weight=5).add_to(route)
    route.add_to(fmap)
    _add_ends(fmap, itinerary)
    _add_places(fmap, itinerary, graph, labels)
    folium.LayerControl(collapsed=True).add_to(fmap)
    if itinerary.has_elevation:
        fmap.get_root().html.add_child(_control(_profile_svg(itinerary), "bottomright", "bassin-profile"))
    if not embed:
        fmap.get_root().html.add_child(_control(_summary_html(itinerary, labels, surfaces), "topright",
                                                "bassin-summary"))
    fmap.get_root().header.add_child(Element(
        "<script>window.addEventListener('error',function(){var d=document.documentElement;"
        "d.dataset.jsErrors=String(Number(d.dataset.jsErrors||0)+1);});</script>"))
    fmap.get_root().header.add_child(Element(
        "<style>.bassin-profile,.bassin-summary{background:rgba(255,255,255,.92);padding:6px 8px;"
        "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.4 system-ui,sans-serif}"
        ".bassin-summary b{font-size:13px}</style>"))
    # Frame the route at once (no zoom animation), then add the controls.
    fmap.get_root().html.add_child(Element(
        "<script>window.addEventListener('load',function(){var m=%s;"
        "m.fitBounds([[%f,%f],[%f,%f]],{padding:[20,20],animate:false});"
        "(window.__bassinControls||[]).forEach(function(c){c.addTo(m);});});</script>"
        % (fmap.get_name(), south, west, north, east)))
    return fmap


def _add_ends(fmap, itinerary) -> None:
    ends = [(itinerary.waypoints[0], "#16a34a", "A")]
    if not itinerary.is_closed:
        ends.append((itinerary.waypoints[-1], "#dc2626", "B"))
    for wp, colour, letter in ends:
        html = (f'<div style="background:{colour};color:#fff;border:2px solid #fff;border-radius:50%;'
                f'width:22px;height:22px;text-align:center;font:bold 13px/18px sans-serif;'
                f'box-shadow:0 1px 3px rgba(0,0,0,.5)">{letter}</div>')
        folium.Marker([wp["lat"], wp["lon"]], icon=folium.DivIcon(html=html, icon_size=(22, 22),
                                                                   icon_anchor=(11, 11)),
                      tooltip=escape(wp.get("name") or letter)).add_to(fmap)


def _popup(place: dict) -> str:
    parts = [f"<b>{escape(place.get('name') or place['kind'])}</b>",
             f"{escape(place['kind'])} · km {place['km']:.1f}"]
    if place.get("unesco_id"):
        parts.append(f"UNESCO {escape(place['unesco_id'])}")
    if place.get("detour_m"):
        parts.append(f"détour {place['detour_m']:.0f} m")
    return "<br>".join(parts)


def _add_places(fmap, itinerary, graph, labels) -> None:
    heritage = folium.FeatureGroup(name=escape(labels.get("heritage", "Patrimoine")))
    services = folium.FeatureGroup(name=escape(labels.get("services", "Services")), show=True)
    for place in itinerary.places:
        group = heritage if place["kind"] in HERITAGE else services
        if place["kind"] == "terril" and graph is not None:
            full = graph.place(place["id"])
            if full is not None and full.geometry:
                _terril_outline(full.geometry).add_to(group)
        folium.CircleMarker([place["lat"], place["lon"]], radius=6, weight=2, color="#fff",
                            fill=True, fill_opacity=0.95,
                            fill_color=KIND_COLOURS.get(place["kind"], "#475569"),
                            popup=folium.Popup(_popup(place), max_width=260),
                            tooltip=escape(place.get("name") or place["kind"])).add_to(group)
    heritage.add_to(fmap)
    services.add_to(fmap)


def _terril_outline(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = [[[lat, lon] for lon, lat in poly[0]] for poly in polygons]
    return folium.Polygon(rings, color="#111827", weight=2, fill=True, fill_color="#374151",
                          fill_opacity=0.35)


LEGEND = {"paved": "revêtu", "smooth": "stabilisé", "rough": "terre, herbe, cailloux",
          "unknown": "non renseigné", "steps": "escaliers"}


def _summary_html(itinerary, labels, surfaces: set) -> str:
    hours, minutes = divmod(int(round(itinerary.duration_s / 60)), 60)
    rows = [f"<b>{escape(itinerary.name or labels.get('title', 'Itinéraire'))}</b>",
            f"{itinerary.distance_m / 1000:.1f} km · {hours} h {minutes:02d}"]
    if itinerary.ascent_m is not None:
        rows.append(f"D+ {itinerary.ascent_m:.0f} m")
    for group in (g for g in SURFACE_COLOURS if g in surfaces):   # legend of the colours used
        rows.append(f'<span style="display:inline-block;width:18px;height:5px;vertical-align:middle;'
                    f'background:{SURFACE_COLOURS[group]}"></span> {LEGEND[group]}')
    return "<br>".join(rows)


#: Public name of the Leaflet-inlining helper, for the other map modules (standalone files).
inline_leaflet = _inline_leaflet
