"""Folium maps of the heritage connectivity and of the proposed node network.

Built the way :mod:`web.maps` builds itinerary maps: Leaflet from this app's
``/static/vendor``, and no name from the data given to Folium — tooltips and
the legend travel in the :class:`web.maps.MapWords` JSON block and become text
nodes in the browser. Render with :func:`web.maps.render_map` (a page) or
:func:`web.maps.standalone_html` (a file).
"""
from __future__ import annotations

import folium
import numpy as np
from branca.element import Element
from flask_babel import format_decimal, gettext
from markupsafe import escape

from routing.connectivity import signed_edges

from .maps import ETALAB, VENDOR, MapWords

CLASS_COLOURS = {"on": "#15803d", "near": "#65a30d", "close": "#d97706", "far": "#b91c1c"}
GROUP_RADIUS = {"cite": 5, "terril": 6, "major_site": 9, "park": 7}
STYLE = ("<style>.bassin-summary{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:6px;"
         "box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.45 system-ui,sans-serif}"
         ".bassin-swatch{display:inline-block;width:12px;height:12px;border-radius:50%;"
         "vertical-align:middle;margin-right:4px}</style>")


def _new_map(lat, lon, tile_url: str, tile_attribution: str) -> tuple[folium.Map, MapWords]:
    south, west, north, east = (float(np.min(lat)), float(np.min(lon)),
                                float(np.max(lat)), float(np.max(lon)))
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      control_scale=True)
    fmap.default_js = [("leaflet", f"{VENDOR}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{VENDOR}/leaflet.css")]
    folium.TileLayer(tiles=tile_url, attr=f"{tile_attribution} | {escape(ETALAB)}", name="OpenStreetMap",
                     max_zoom=19).add_to(fmap)
    words = MapWords(fmap)
    words.doc["bounds"] = [[south, west], [north, east]]
    fmap.get_root().header.add_child(Element(STYLE))
    return fmap, words


def _finish(fmap, words: MapWords) -> folium.Map:
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.get_root().html.add_child(words.element())
    return fmap


def _edge_lines(graph, edges) -> list:
    lines = []
    for e in edges:
        lat, lon, _ = graph.edge_shape(int(e))
        lines.append(np.column_stack([lat, lon]).round(6).tolist())
    return lines


def connectivity_map(result, graph, tile_url: str, tile_attribution: str, words_of: dict,
                     connectors: int = 40) -> folium.Map:
    """Places coloured by their class, the signed network, and the best connectors.

    ``words_of``: the labels of classes, groups and layers (:func:`web.node_exports.words`).
    """
    rows = result.rows
    fmap, words = _new_map([r["lat"] for r in rows] or graph.node_lat,
                           [r["lon"] for r in rows] or graph.node_lon, tile_url, tile_attribution)
    signed = folium.FeatureGroup(name=escape(gettext("signed itineraries")))
    lines = _edge_lines(graph, np.flatnonzero(signed_edges(graph)))
    if lines:
        folium.PolyLine(lines, color="#1d4ed8", weight=3, opacity=0.8).add_to(signed)
    signed.add_to(fmap)
    links = folium.FeatureGroup(name=escape(gettext("connectors")))
    for c in result.connectors[:connectors]:
        line = folium.PolyLine(c["lines"], color="#dc2626", weight=5, dash_array="8 6").add_to(links)
        words.bind(line, f"#{c['rank']} · {c['n_cites']} · {c['length_m'] / 1000:.2f} km",
                   [f"#{c['rank']}", f"{c['n_cites']} · {c['cites_per_km']:.1f} / km"]
                   + [graph.place(cid).name or cid if graph.place(cid) else cid for cid in c["cites"]])
    links.add_to(fmap)
    places = folium.FeatureGroup(name=escape(gettext("Heritage")))
    for r in rows:
        marker = folium.CircleMarker([r["lat"], r["lon"]], radius=GROUP_RADIUS[r["group"]], weight=1,
                                     color="#fff", fill=True, fill_opacity=0.95,
                                     fill_color=CLASS_COLOURS[r["class"]]).add_to(places)
        distance = f" ({r['distance_m']:.0f} m)" if r["distance_m"] is not None else ""
        words.bind(marker, f"{r['name'] or r['id']} — {words_of[r['class']]}{distance}",
                   [str(r["name"] or r["id"]), f"{words_of[r['group']]} · {words_of[r['class']]}{distance}",
                    ", ".join(r["routes"])])
    places.add_to(fmap)
    legend = [{"text": words_of[k], "swatch": colour} for k, colour in CLASS_COLOURS.items()]
    for group, by_class in result.counts()["by_group"].items():
        legend.append({"text": gettext("%(group)s: %(counts)s", group=words_of[group], counts=" / ".join(
                           str(by_class[k]) for k in CLASS_COLOURS)),
                       "strong": group == "cite"})
    words.control("topright", "bassin-summary", legend)
    return _finish(fmap, words)


def proposal_map(proposal, graph, tile_url: str, tile_attribution: str) -> folium.Map:
    """The proposed links and the numbered nodes."""
    from .node_exports import link_coords

    nodes = proposal.nodes
    fmap, words = _new_map([n["lat"] for n in nodes] or graph.node_lat,
                           [n["lon"] for n in nodes] or graph.node_lon, tile_url, tile_attribution)
    links = folium.FeatureGroup(name=escape(gettext("links")))
    for link in proposal.links:
        a, b = nodes[link["a"]], nodes[link["b"]]
        signed_share = link["signed_m"] / link["length_m"] if link["length_m"] else 0.0
        line = folium.PolyLine(link_coords(graph, a["node"], link["edges"]),
                               color="#15803d" if signed_share > 0.5 else "#0f766e", weight=4)
        words.bind(line.add_to(links), gettext("%(a)s – %(b)s: %(km)s km", a=a["ref"], b=b["ref"],
                                               km=format_decimal(link["length_m"] / 1000, "0.00")))
    links.add_to(fmap)
    marks = folium.FeatureGroup(name=escape(gettext("network nodes")))
    for n in nodes:
        number = int(n["ref"])            # our own two digits: no text from the data in the icon
        html = ('<div style="background:#15803d;color:#fff;border:2px solid #fff;border-radius:50%;'
                'width:24px;height:24px;text-align:center;font:bold 11px/20px sans-serif;'
                f'box-shadow:0 1px 3px rgba(0,0,0,.5)">{number:02d}</div>')
        marker = folium.Marker([n["lat"], n["lon"]], icon=folium.DivIcon(
            html=html, icon_size=(24, 24), icon_anchor=(12, 12))).add_to(marks)
        words.bind(marker, f"{number:02d}" + (" · " + ", ".join(n["routes"]) if n["routes"] else ""))
    marks.add_to(fmap)
    counts = proposal.counts()
    words.control("topright", "bassin-summary", [
        {"text": gettext("%(nodes)d network nodes · %(links)d links", nodes=counts["nodes"],
                         links=counts["links"]), "strong": True},
        {"text": gettext("%(km)s km · median %(median)s km", km=format_decimal(counts["km"]),
                         median=format_decimal(counts["link_km_median"]))}])
    return _finish(fmap, words)
