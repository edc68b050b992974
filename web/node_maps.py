"""Folium maps of the heritage connectivity and of the proposed node network.

Leaflet comes from this app's ``/static/vendor`` as in :mod:`web.maps`. Every
name or number from the data reaches the page through :func:`label`: Folium
puts tooltip and popup text inside JavaScript template literals, so beyond the
HTML characters the backtick, the dollar sign and the backslash are encoded too.
"""
from __future__ import annotations

import folium
import numpy as np
from branca.element import Element
from markupsafe import escape

from routing.connectivity import signed_edges

from .maps import ETALAB, JQUERY, VENDOR

CLASS_COLOURS = {"on": "#15803d", "near": "#65a30d", "close": "#d97706", "far": "#b91c1c"}
GROUP_RADIUS = {"cite": 5, "terril": 6, "major_site": 9, "park": 7}
TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def label(text) -> str:
    """``text`` encoded for HTML inside a JavaScript template literal."""
    return str(escape("" if text is None else str(text))).translate(TEMPLATE_LITERAL)


def _new_map(bounds, tile_url: str, tile_attribution: str) -> folium.Map:
    south, west, north, east = bounds
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      control_scale=True)
    fmap.default_js = [("leaflet", f"{VENDOR}/leaflet.js"), ("jquery", JQUERY)]
    fmap.default_css = [("leaflet_css", f"{VENDOR}/leaflet.css")]
    folium.TileLayer(tiles=tile_url, attr=f"{tile_attribution} | {ETALAB}", name="OpenStreetMap",
                     max_zoom=19).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _bounds(lat, lon):
    return float(np.min(lat)), float(np.min(lon)), float(np.max(lat)), float(np.max(lon))


def _edge_lines(graph, edges) -> list:
    lines = []
    for e in edges:
        lat, lon, _ = graph.edge_shape(int(e))
        lines.append(np.column_stack([lat, lon]).round(6).tolist())
    return lines


def _legend(fmap, html: str) -> None:
    """A fixed box of already encoded HTML in the map's corner."""
    fmap.get_root().html.add_child(Element(
        '<div style="position:fixed;top:10px;right:10px;z-index:1000;background:rgba(255,255,255,.93);'
        'padding:6px 9px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);'
        f'font:12px/1.45 system-ui,sans-serif">{html}</div>'))


def connectivity_map(result, graph, tile_url: str, tile_attribution: str, words: dict,
                     connectors: int = 40) -> folium.Map:
    """Places coloured by their class, the signed network, and the best connectors."""
    rows = result.rows
    fmap = _new_map(_bounds([r["lat"] for r in rows] or graph.node_lat,
                            [r["lon"] for r in rows] or graph.node_lon), tile_url, tile_attribution)
    signed = folium.FeatureGroup(name=label(words["network"]))
    lines = _edge_lines(graph, np.flatnonzero(signed_edges(graph)))
    if lines:
        folium.PolyLine(lines, color="#1d4ed8", weight=3, opacity=0.8).add_to(signed)
    signed.add_to(fmap)
    links = folium.FeatureGroup(name="connecteurs / connectors")
    for c in result.connectors[:connectors]:
        folium.PolyLine(c["lines"], color="#dc2626", weight=5, dash_array="8 6",
                        tooltip=label(f"#{c['rank']} · {c['n_cites']} · {c['length_m'] / 1000:.2f} km"
                                      )).add_to(links)
    links.add_to(fmap)
    places = folium.FeatureGroup(name="patrimoine / heritage")
    for r in rows:
        text = (f"{label(r['name'] or r['id'])} — {label(words[r['group']])}: "
                f"{label(words[r['class']])}"
                + (f" ({r['distance_m']:.0f} m)" if r["distance_m"] is not None else ""))
        folium.CircleMarker([r["lat"], r["lon"]], radius=GROUP_RADIUS[r["group"]], weight=1,
                            color="#fff", fill=True, fill_opacity=0.95,
                            fill_color=CLASS_COLOURS[r["class"]], tooltip=text).add_to(places)
    places.add_to(fmap)
    counts = result.counts()["by_group"]
    rows_html = [f'<span style="color:{CLASS_COLOURS[k]}">●</span> {label(words[k])}'
                 for k in CLASS_COLOURS]
    for group, by_class in counts.items():
        rows_html.append(f"<b>{label(words[group])}</b> " +
                         " / ".join(str(by_class[k]) for k in CLASS_COLOURS))
    _legend(fmap, "<br>".join(rows_html))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def proposal_map(proposal, graph, tile_url: str, tile_attribution: str) -> folium.Map:
    """The proposed links and the numbered nodes."""
    from .node_exports import link_coords

    nodes = proposal.nodes
    fmap = _new_map(_bounds([n["lat"] for n in nodes] or graph.node_lat,
                            [n["lon"] for n in nodes] or graph.node_lon), tile_url, tile_attribution)
    links = folium.FeatureGroup(name="liaisons / links")
    for link in proposal.links:
        a, b = nodes[link["a"]], nodes[link["b"]]
        signed_share = link["signed_m"] / link["length_m"] if link["length_m"] else 0.0
        folium.PolyLine(link_coords(graph, a["node"], link["edges"]),
                        color="#15803d" if signed_share > 0.5 else "#0f766e", weight=4,
                        tooltip=label(f"{a['ref']} – {b['ref']} : {link['length_m'] / 1000:.2f} km")
                        ).add_to(links)
    links.add_to(fmap)
    marks = folium.FeatureGroup(name="points-nœuds / nodes")
    for n in nodes:
        html = ('<div style="background:#15803d;color:#fff;border:2px solid #fff;border-radius:50%;'
                'width:24px;height:24px;text-align:center;font:bold 11px/20px sans-serif;'
                f'box-shadow:0 1px 3px rgba(0,0,0,.5)">{label(n["ref"])}</div>')
        folium.Marker([n["lat"], n["lon"]], icon=folium.DivIcon(html=html, icon_size=(24, 24),
                                                                 icon_anchor=(12, 12)),
                      tooltip=label(f"{n['ref']} · " + ", ".join(n["routes"]))).add_to(marks)
    marks.add_to(fmap)
    counts = proposal.counts()
    _legend(fmap, label(f"{counts['nodes']} points-nœuds · {counts['links']} liaisons · "
                        f"{counts['km']} km"))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
