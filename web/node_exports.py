"""Files of the node-network tools: the strip of numbers, CSV, GeoJSON and OSM XML.

Routing gives codes and numbers; the words (French or English) are made here.
"""
from __future__ import annotations

import csv
import io
from xml.sax.saxutils import quoteattr

from flask_babel import gettext, lazy_gettext

from .i18n import language
from .words import profile_name

#: Classes and groups of the heritage connectivity, the strip's words.
WORDS = {
    "on": lazy_gettext("on the itinerary"), "near": "≤ 500 m",
    "close": "≤ 2 km", "far": lazy_gettext("further"),
    "cite": lazy_gettext("mining cité"), "terril": lazy_gettext("UNESCO terril"),
    "major_site": lazy_gettext("major site"), "park": lazy_gettext("park"),
    "start": lazy_gettext("Start"), "end": lazy_gettext("End"), "access": lazy_gettext("access"),
    "strip_title": lazy_gettext("Node route"), "total": lazy_gettext("Total"),
    "network": lazy_gettext("network"),
}
CSV_COLUMNS = ("id", "group", "name", "class", "access_m", "network_m", "distance_m", "routes",
               "lat", "lon")


def words(lang: str | None = None) -> dict:
    """The words of :data:`WORDS` in ``lang`` (default: the current language)."""
    with language(lang):
        return {key: str(word) for key, word in WORDS.items()}


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} km"


def node_strip(route: dict, lang: str | None = None) -> str:
    """The printable strip of a node route: the line of numbers, then one row per node.

    ``route`` is :meth:`routing.node_network.NodeRoute.to_dict`.
    """
    with language(lang):
        w = words()
        profile = profile_name(route["profile"])
        title = gettext("%(title)s (%(network)s %(name)s, %(profile)s): %(km)s",
                        title=w["strip_title"], network=w["network"], name=route["network"],
                        profile=profile, km=_km(route["distance_m"]))
    labels = [s["label"] for s in route["sequence"]]
    lines = [title, " – ".join(labels), ""]
    start_access, end_access = route["access_m"]
    if start_access > 0:
        lines.append(f"  {w['start']:<8} {w['access']} {_km(start_access)}")
    for step in route["sequence"]:
        gap = f"+{_km(step['from_previous_m'])}" if step["from_previous_m"] else ""
        lines.append(f"  [{step['label']:>4}]  {_km(step['at_m']):>9}  {gap}")
    if end_access > 0:
        lines.append(f"  {w['end']:<8} {w['access']} {_km(end_access)}")
    lines.append(f"  {w['total']:<8} {_km(route['distance_m'])}")
    return "\n".join(lines) + "\n"


def _safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def connectivity_csv(connectivity, lang: str | None = None) -> str:
    """One row per heritage place: its class, distances and the itinerary reached."""
    w = words(lang)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + ("class_label",))
    for row in connectivity.rows:
        values = [";".join(row[c]) if c == "routes" else row[c] for c in CSV_COLUMNS]
        writer.writerow([_safe_cell(v) for v in values] + [w[row["class"]]])
    return out.getvalue()


def _line(coords: list) -> dict:
    return {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in coords]}


def connectivity_geojson(connectivity, lang: str | None = None) -> dict:
    """Places (points, with their class), their paths and the ranked connectors (lines)."""
    w = words(lang)
    features = []
    for row in connectivity.rows:
        props = {k: row[k] for k in CSV_COLUMNS if k not in ("lat", "lon")}
        props.update(feature="place", class_label=w[row["class"]], group_label=w[row["group"]])
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}})
        if len(row["path"]) >= 2:
            features.append({"type": "Feature", "geometry": _line(row["path"]),
                             "properties": {"feature": "path", "id": row["id"],
                                            "network_m": row["network_m"]}})
    for c in connectivity.connectors:
        features.append({"type": "Feature", "geometry": _line(c["lines"]), "properties": {
            "feature": "connector", "rank": c["rank"], "cites": c["cites"], "n_cites": c["n_cites"],
            "length_m": c["length_m"], "cites_per_km": c["cites_per_km"]}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"counts": connectivity.counts()}}


def link_coords(graph, start_node: int, edges: list) -> list:
    """[[lat, lon], …] of consecutive edges walked from ``start_node``."""
    coords, node = [], start_node
    for e in edges:
        lat, lon, _ = graph.edge_shape(e)
        pts = list(zip(lat.tolist(), lon.tolist()))
        if graph.edge_u[e] != node:
            pts.reverse()
        coords.extend(pts if not coords else pts[1:])
        node = int(graph.edge_v[e] if graph.edge_u[e] == node else graph.edge_u[e])
    return [[round(a, 6), round(b, 6)] for a, b in coords]


def proposal_geojson(graph, proposal) -> dict:
    """Nodes (``rcn_ref``) and links of a proposed network, tagged as OSM would tag them."""
    features = []
    for i, n in enumerate(proposal.nodes):
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [n["lon"], n["lat"]]},
                         "properties": {"id": i, f"{proposal.network}_ref": n["ref"],
                                        "network:type": "node_network", "osm_node": n["osm_id"],
                                        "degree": n["degree"], "end": n["end"],
                                        "routes": n["routes"]}})
    for link in proposal.links:
        a, b = proposal.nodes[link["a"]], proposal.nodes[link["b"]]
        features.append({"type": "Feature", "geometry": _line(link_coords(graph, a["node"], link["edges"])),
                         "properties": {"type": "route", "route": "bicycle",
                                        "network": proposal.network, "network:type": "node_network",
                                        "ref": f"{a['ref']}-{b['ref']}", "from": link["a"],
                                        "to": link["b"], "length_m": link["length_m"],
                                        "signed_m": link["signed_m"]}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"counts": proposal.counts()}}


def _tags(tags: dict, indent: str) -> list[str]:
    return [f"{indent}<tag k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in tags.items()]


def proposal_osm_xml(graph, proposal, source: str) -> str:
    """The proposal as OSM XML for contributors (JOSM): the junction nodes with
    ``rcn_ref`` and one ``network:type=node_network`` route relation per link,
    whose members are the existing ways. ``upload="never"``: a proposal to review,
    on the ground and with the network's operator, before anything is mapped."""
    node_tags, relations = proposal.osm_objects(graph)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="bassin-routes node-network proposal" upload="never">',
             f"  <!-- proposed from {quoteattr(source)[1:-1].replace('--', '- -')}; "
             "© OpenStreetMap contributors (ODbL) -->"]
    for n in proposal.nodes:
        lines.append(f'  <node id="{n["osm_id"]}" lat="{n["lat"]:.7f}" lon="{n["lon"]:.7f}">')
        lines += _tags(node_tags[n["osm_id"]], "    ")
        lines.append("  </node>")
    kinds = {"n": "node", "w": "way"}
    for k, rel in enumerate(relations, start=1):
        lines.append(f'  <relation id="-{k}">')
        lines += [f'    <member type="{kinds[t]}" ref="{ref}" role=""/>' for t, ref in rel["members"]]
        lines += _tags(rel["tags"], "    ")
        lines.append("  </relation>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"
