"""OpenAPI paths of the node-network endpoints (merged into :func:`web.openapi.document`)."""
from __future__ import annotations

from .routing_openapi import OPTIONS

NETWORK = {"name": "network", "in": "path", "required": True,
           "description": "Node network: rcn, lcn, ncn, icn (cycling); rwn, lwn, nwn, iwn (walking)",
           "schema": {"type": "string"}, "example": "rcn"}
PROBLEM = {"description": "Problem details (RFC 9457), with `field` and `value` naming the input",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _q(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _ok(description, *types):
    return {"description": description,
            "content": {t: {"schema": {"type": "object" if "json" in t else "string"}} for t in types}}


def paths() -> dict:
    fmt = {"type": "string", "enum": ["json", "geojson", "gpx", "text", "html"], "default": "json"}
    return {
        "/api/v1/node-networks": {"get": {
            "summary": "Node networks of the graph (junctions, links) and the data issues found",
            "responses": {"200": _ok("Counts and issues", "application/json")}}},
        "/api/v1/node-networks/{network}": {"get": {
            "summary": "Junctions (points) and links (lines) of a node network",
            "parameters": [NETWORK],
            "responses": {"200": _ok("GeoJSON", "application/geo+json"), "404": PROBLEM}}},
        "/api/v1/node-networks/{network}/route": {"get": {
            "summary": "Plan on a node network from node numbers and/or points",
            "parameters": [
                NETWORK,
                _q("nodes", "Junctions in order: numbers, guidepost names or osm:ID, "
                            "separated by ',' or ';' (e.g. 12,45,7,3)"),
                _q("from", "Start point LAT,LON or place id (an access leg joins the network)"),
                _q("to", "End point LAT,LON or place id"),
                _q("profile", "Default: bike on cycling networks, hike on walking ones"),
                _q("format", "json (sequence, distances, strip), geojson, gpx (a waypoint per "
                             "node), text (printable strip), html (map)", fmt), *OPTIONS],
            "responses": {"200": _ok("The node route", "application/json", "application/geo+json",
                                     "application/gpx+xml", "text/plain", "text/html"),
                          "400": PROBLEM, "404": PROBLEM, "422": PROBLEM}}},
        "/api/v1/network/connectivity": {"get": {
            "summary": "Cités minières, UNESCO terrils, major sites and parks to the nearest "
                       "signed itinerary; ranked missing links",
            "parameters": [_q("format", "json, csv or geojson",
                              {"type": "string", "enum": ["json", "csv", "geojson"]})],
            "responses": {"200": _ok("Connectivity", "application/json", "text/csv",
                                     "application/geo+json"), "400": PROBLEM}}},
        "/api/v1/network/proposal": {"get": {
            "summary": "A proposed numbered node network (rcn_ref) from the signed routes and greenways",
            "parameters": [_q("format", "geojson, osm (OSM XML for contributors) or json",
                              {"type": "string", "enum": ["geojson", "osm", "json"]})],
            "responses": {"200": _ok("Proposal", "application/geo+json",
                                     "application/vnd.openstreetmap.data+xml", "application/json"),
                          "400": PROBLEM}}},
    }
