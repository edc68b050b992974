"""HTTP API and pages of the node networks: plan on points-nœuds, connectivity, proposal.

``/api/v1/node-networks`` lists the networks of the graph; ``…/<network>`` gives
its junctions and links as GeoJSON; ``…/<network>/route`` plans (JSON, GeoJSON,
GPX with a waypoint per node, the text strip, a map). ``/api/v1/network/connectivity``
and ``/api/v1/network/proposal`` serve the heritage connectivity and the proposed
network; ``/nodes``, ``/network/connectivity`` and ``/network/proposal`` are pages.
"""
from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from routing import InvalidQueryError, parse_points
from routing.connectivity import heritage_connectivity
from routing.node_network import NodePlanner, NodeQueryError, default_profile, junction_label
from routing.node_proposal import propose_node_network

from . import node_exports
from .closures import restrictions
from .api import render_itinerary
from .csp import csp_nonce
from .extensions import get_routing
from .problems import Problem

bp = Blueprint("node_network", __name__)
ROUTE_FORMATS = ("json", "geojson", "gpx", "text", "html")


class NodeTools:
    """Per router: the planner, and the connectivity and proposal computed once."""

    def __init__(self, router_):
        self.router = router_
        self.planner = NodePlanner(router_)
        self._lock = threading.Lock()
        self._done: dict = {}

    def _once(self, key, make):
        with self._lock:
            if key not in self._done:
                self._done[key] = make()
            return self._done[key]

    def connectivity(self):
        return self._once("connectivity", lambda: heritage_connectivity(self.router.graph))

    def proposal(self):
        return self._once("proposal", lambda: propose_node_network(self.router.graph))


def tools() -> NodeTools:
    r = get_routing()
    holder = current_app.extensions.setdefault("bassin_node_tools", {})
    lock = current_app.extensions.setdefault("bassin_node_tools_lock", threading.Lock())
    with lock:
        if holder.get("router") is not r:
            holder.update(router=r, tools=NodeTools(r))
        return holder["tools"]


def _query_problem(exc: NodeQueryError) -> Problem:
    status = 404 if exc.code == "unknown-network" else 422 if exc.code == "unreachable-node" else 400
    return Problem(status, "Bad node", str(exc), exc.code, field=exc.field, value=exc.value)


def _one_point(name: str):
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    points = parse_points(raw)
    if len(points) != 1:
        raise Problem(400, "Bad point", f"parameter {name!r} takes one point", "invalid-query",
                      field=name)
    return points[0]


def _nodes_param() -> list[str]:
    raw = request.args.get("nodes", "")
    separator = ";" if ";" in raw else ","
    return [t.strip() for t in raw.split(separator) if t.strip()]


@bp.get("/api/v1/node-networks")
def networks():
    graph = get_routing().graph
    return jsonify({"networks": tools().planner.networks(),
                    "issues": graph.node_network.get("issues", [])[:500]})


@bp.get("/api/v1/node-networks/<network>")
def network_geojson(network: str):
    """Junctions (points) and links (lines) of one network."""
    planner = tools().planner
    try:
        junctions = planner.junctions(network)
    except NodeQueryError as exc:
        raise _query_problem(exc) from None
    graph = get_routing().graph
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [j["lon"], j["lat"]]},
                 "properties": {"junction": j["index"], "label": j["label"], "ref": j["ref"],
                                "name": j["name"], "osm_id": j["osm_id"]}} for j in junctions]
    table = graph.node_network
    for link in table["links"]:
        if link["network"] != network:
            continue
        a, b = table["junctions"][link["a"]], table["junctions"][link["b"]]
        coords = node_exports.link_coords(graph, a["node"], link["edges"])
        features.append({"type": "Feature", "geometry": {
            "type": "LineString", "coordinates": [[lon, lat] for lat, lon in coords]},
            "properties": {"from": junction_label(a), "to": junction_label(b),
                           "length_m": link["length_m"], "relations": link["relations"]}})
    response = jsonify({"type": "FeatureCollection", "features": features})
    response.mimetype = "application/geo+json"
    return response


@bp.get("/api/v1/node-networks/<network>/route")
def node_route(network: str):
    """Plan on a node network: ``nodes=12,45,7`` and/or ``from=LAT,LON`` / ``to=LAT,LON``."""
    fmt = request.args.get("format", "json")
    if fmt not in ROUTE_FORMATS:
        raise Problem(400, "Unknown format", f"format must be one of {', '.join(ROUTE_FORMATS)}",
                      "bad-format", field="format")
    profile = request.args.get("profile") or None
    # Avoided areas, options and the configured closures hold on node networks too.
    options, closed = restrictions(request.args, profile or default_profile(network))
    try:
        result = tools().planner.plan(network, _nodes_param(), _one_point("from"),
                                      _one_point("to"), profile, options, closed)
    except NodeQueryError as exc:
        raise _query_problem(exc) from None
    summary = result.to_dict()
    if fmt == "json":
        return jsonify(summary | {"strip": node_exports.node_strip(summary, g.lang)})
    if fmt == "text":
        return Response(node_exports.node_strip(summary, g.lang), mimetype="text/plain")
    result.itinerary.name = f"{network} " + " – ".join(summary["labels"])
    return render_itinerary(result.itinerary, fmt, f"{network}-" + "-".join(summary["labels"][:12]))


@bp.get("/api/v1/network/connectivity")
def connectivity():
    """Heritage to signed itineraries: ``format=json`` (counts + rows), ``csv`` or ``geojson``."""
    fmt = request.args.get("format", "json")
    result = tools().connectivity()
    if fmt == "csv":
        return Response(node_exports.connectivity_csv(result, g.lang), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="connectivite.csv"'})
    if fmt == "geojson":
        response = jsonify(node_exports.connectivity_geojson(result, g.lang))
        response.mimetype = "application/geo+json"
        return response
    if fmt != "json":
        raise Problem(400, "Unknown format", "format must be json, csv or geojson", "bad-format",
                      field="format")
    return jsonify({"counts": result.counts(),
                    "rows": [{k: v for k, v in r.items() if k != "path"} for r in result.rows],
                    "connectors": [{k: v for k, v in c.items() if k not in ("lines", "new_edges")}
                                   for c in result.connectors]})


@bp.get("/api/v1/network/proposal")
def proposal():
    """The proposed node network: ``format=geojson`` (default), ``osm`` (OSM XML) or ``json``."""
    fmt = request.args.get("format", "geojson")
    graph, result = get_routing().graph, tools().proposal()
    if fmt == "osm":
        return Response(node_exports.proposal_osm_xml(graph, result, graph.meta.get("source", "")),
                        mimetype="application/vnd.openstreetmap.data+xml",
                        headers={"Content-Disposition": 'attachment; filename="points-noeuds.osm"'})
    if fmt == "json":
        return jsonify({"counts": result.counts(), "nodes": result.nodes,
                        "links": [{k: v for k, v in lk.items() if k != "edges"} for lk in result.links]})
    if fmt != "geojson":
        raise Problem(400, "Unknown format", "format must be geojson, osm or json", "bad-format",
                      field="format")
    response = jsonify(node_exports.proposal_geojson(graph, result))
    response.mimetype = "application/geo+json"
    return response


@bp.get("/nodes")
def designer():
    """Designer mode: click the junctions to build the sequence."""
    networks = tools().planner.networks()
    network = request.args.get("network") or next(iter(sorted(networks)), "")
    if networks and network not in networks:
        raise InvalidQueryError(f"unknown node network {network!r}")
    return render_template("node_designer.html", networks=sorted(networks), network=network,
                           words=node_exports.words(g.lang))


@bp.get("/network/<view>")
def network_map(view: str):
    """Map pages of the connectivity and of the proposal."""
    from .maps import render_map
    from .node_maps import connectivity_map, proposal_map

    cfg = current_app.config
    if view == "connectivity":
        fmap = connectivity_map(tools().connectivity(), get_routing().graph, cfg["TILE_URL"],
                                cfg["TILE_ATTRIBUTION"], node_exports.words(g.lang))
    elif view == "proposal":
        fmap = proposal_map(tools().proposal(), get_routing().graph, cfg["TILE_URL"],
                            cfg["TILE_ATTRIBUTION"])
    else:
        raise Problem(404, "Not found", f"no network page {view!r}", field="view")
    return Response(render_map(fmap, csp_nonce()), mimetype="text/html")
