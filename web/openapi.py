"""The OpenAPI 3 document of API v1, and a readable docs page made from it."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from routing import PROFILES

from . import node_openapi
from .routing_openapi import paths as routing_paths

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


def _q(name, description, required=False, schema=None, example=None):
    param = {"name": name, "in": "query", "required": required, "description": description,
             "schema": schema or {"type": "string"}}
    if example is not None:
        param["example"] = example
    return param


PROFILE = _q("profile", "Travel profile", schema={"type": "string", "enum": list(PROFILES),
                                                  "default": "hike"})
FORMAT = _q("format", "Output format", schema={"type": "string", "default": "geojson",
                                               "enum": ["geojson", "json", "gpx", "html", "zip"]})
PREF = _q("route_preference", "Preference for signed routes of the profile's kind (0-10)",
          schema={"type": "number", "minimum": 0, "maximum": 10})
CORRIDOR = _q("corridor_m", "Width (m, each side) of the corridor of places along; their "
              "detours are measured on the network", schema={"type": "number", "minimum": 10,
                                                             "maximum": 5000})
POINTS = _q("points", "Points 'LAT,LON;LAT,LON' or place ids, in order", True,
            example="50.4432,2.7885;site:louvre-lens")
ITINERARY = {"description": "The itinerary (GeoJSON FeatureCollection, GPX, JSON summary, "
                            "HTML map or zip of stage GPX files, by `format`)",
             "content": {"application/geo+json": {"schema": {"type": "object"}},
                         "application/json": {"schema": {"type": "object"}},
                         "application/gpx+xml": {"schema": {"type": "string"}},
                         "text/html": {"schema": {"type": "string"}},
                         "application/zip": {"schema": {"type": "string", "format": "binary"}}}}
PROBLEM = {"description": "Problem details (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERRORS = {"400": PROBLEM, "422": PROBLEM, "503": PROBLEM}
AUTH = [{"bearer": []}, {"session": []}]
ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
            "description": "The ETag of the version being changed, e.g. \"v3\""}
SAVE_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {
        "name": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": 5000},
        "kind": {"type": "string", "enum": ["route", "tour", "loop", "stages"]},
        "request": {"type": "object", "description": "The query parameters of that kind"}}}}}}
GPX_BODY = {"required": True, "content": {
    "application/gpx+xml": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}


def _get(summary, params, responses=None, **extra):
    return {"get": dict({"summary": summary, "parameters": params,
                         "responses": responses or dict({"200": ITINERARY}, **ERRORS)}, **extra)}


def document() -> dict:
    saved = {"200": {"description": "A saved itinerary", "headers": {
        "ETag": {"schema": {"type": "string"}}}, "content": {"application/json": {
            "schema": {"type": "object"}}}}, "404": PROBLEM}
    write_errors = {"400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM,
                    "412": PROBLEM, "428": PROBLEM}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bassin minier itineraries API", "version": "1.0.0",
                 "description": "Plans itineraries on the trails of the Bassin minier du "
                                "Nord-Pas de Calais (UNESCO). Data © OpenStreetMap contributors "
                                "(ODbL); heritage layers Mission Bassin Minier / data.gouv.fr "
                                "(Licence Ouverte Etalab 2.0)."},
        "paths": {
            "/api/v1/route": _get("Itinerary through points in order",
                                  [PROFILE, POINTS, PREF, CORRIDOR, FORMAT]),
            "/api/v1/tour": _get("Best order through up to 25 stops", [
                PROFILE, _q("stops", "Stops, first = start", True), PREF, CORRIDOR, FORMAT,
                _q("closed", "Come back to the start", schema={"type": "boolean"}),
                _q("fixed_end", "Last stop is the end", schema={"type": "boolean"}),
                _q("free_start", "Any stop may come first", schema={"type": "boolean"}),
                _q("start_time", "Departure time HH:MM (needed with windows)"),
                _q("windows", "Arrival window per stop, ';'-separated: 'HH:MM-HH:MM', '-17:00', "
                   "'10:00-' or empty"),
                _q("visit_min", "Minutes spent at each stop: one value or one per stop (';')")]),
            "/api/v1/loop": _get("Loops of a target length from a start", [
                PROFILE, _q("start", "Start point or place id", True),
                _q("km", "Target length, km (±10 %)", True, {"type": "number"}),
                _q("via", "Places the loop must pass"), _q("favour", "Place kinds, comma separated"),
                _q("seed", "Same seed, same loops", schema={"type": "integer"}),
                _q("candidates", "How many ranked loops", schema={"type": "integer"}),
                _q("rank", "Which candidate for gpx/html", schema={"type": "integer"}), PREF, CORRIDOR, FORMAT]),
            "/api/v1/stages": _get("Multi-day itinerary, stage ends at lodging or stations", [
                PROFILE, POINTS, _q("days", "Number of days", schema={"type": "integer"}),
                _q("max_km", "Maximum km per day", schema={"type": "number"}),
                _q("detour_m", "Detour budget to lodging", schema={"type": "number"}), PREF, CORRIDOR, FORMAT]),
            "/api/v1/places": _get("Search places", [
                _q("q", "Text in the name, or a UNESCO id"), _q("kind", "Kinds, comma separated"),
                _q("bbox", "south,west,north,east"), _q("limit", "At most", schema={"type": "integer"})],
                {"200": {"description": "Places", "content": {"application/json": {
                    "schema": {"type": "object"}}}}, "400": PROBLEM}),
            "/api/v1/gpx/stats": {"post": {"summary": "Statistics of an uploaded GPX",
                                           "requestBody": GPX_BODY, "responses": {
                                               "200": {"description": "Statistics", "content": {
                                                   "application/json": {"schema": {"type": "object"}}}},
                                               "400": PROBLEM, "413": PROBLEM}}},
            "/api/v1/gpx/match": {"post": {"summary": "Uploaded GPX matched onto the network",
                                           "parameters": [PROFILE, FORMAT], "requestBody": GPX_BODY,
                                           "responses": dict({"200": ITINERARY, "413": PROBLEM}, **ERRORS)}},
            "/api/v1/itineraries": {
                "get": {"summary": "Saved itineraries (published ones for the public)",
                        "parameters": [_q("q", "Search text")],
                        "responses": {"200": {"description": "List", "content": {
                            "application/json": {"schema": {"type": "object"}}}}}},
                "post": {"summary": "Plan and save an itinerary (staff)", "security": AUTH,
                         "requestBody": SAVE_BODY, "responses": dict({"201": saved["200"]}, **write_errors)}},
            "/api/v1/itineraries/{item_id}": {
                "get": {"summary": "A saved itinerary", "parameters": [ID], "responses": saved},
                "put": {"summary": "Update (staff, If-Match)", "security": AUTH,
                        "parameters": [ID, IF_MATCH], "requestBody": SAVE_BODY,
                        "responses": dict(saved, **write_errors)},
                "delete": {"summary": "Delete (staff, If-Match)", "security": AUTH,
                           "parameters": [ID, IF_MATCH],
                           "responses": dict({"204": {"description": "Deleted"}}, **write_errors)}},
            "/api/v1/itineraries/{item_id}/publish": {"post": {
                "summary": "Publish (staff, If-Match)", "security": AUTH, "parameters": [ID, IF_MATCH],
                "responses": dict(saved, **write_errors)}},
            "/api/v1/itineraries/{item_id}/unpublish": {"post": {
                "summary": "Back to draft (staff, If-Match)", "security": AUTH,
                "parameters": [ID, IF_MATCH], "responses": dict(saved, **write_errors)}},
            "/api/v1/itineraries/{item_id}/export.{fmt}": {"get": {
                "summary": "Export a saved itinerary", "parameters": [ID, {
                    "name": "fmt", "in": "path", "required": True, "schema": {
                        "type": "string", "enum": ["gpx", "geojson", "json", "zip", "html"]}}],
                "responses": {"200": ITINERARY, "404": PROBLEM}}},
            "/api/v1/geotrek/trek": _get("Plan and answer a Geotrek API v2 trek (a tour with days)", [
                PROFILE, POINTS, _q("days", "Number of days: a tour with steps", schema={"type": "integer"}),
                _q("max_km", "Maximum km per day", schema={"type": "number"}),
                _q("name", "Trek name"), _q("language", "fr or en: plain strings")],
                {"200": {"description": "Geotrek trek or tour", "content": {"application/json": {
                    "schema": {"type": "object"}}}}, "400": PROBLEM, "422": PROBLEM}),
            "/api/v1/geotrek/itineraries/{item_id}.json": {"get": {
                "summary": "A saved itinerary as a Geotrek trek or tour", "parameters": [ID],
                "responses": {"200": {"description": "Geotrek trek", "content": {
                    "application/json": {"schema": {"type": "object"}}}}, "404": PROBLEM}}},
            "/api/v1/geotrek/itineraries/{item_id}.kml": {"get": {
                "summary": "A saved itinerary as KML", "parameters": [ID],
                "responses": {"200": {"description": "KML", "content": {
                    "application/vnd.google-earth.kml+xml": {"schema": {"type": "string"}}}},
                    "404": PROBLEM}}},
            "/api/v1/geotrek/itineraries/{item_id}.gpx": {"get": {
                "summary": "A saved itinerary as Geotrek-flavoured GPX", "parameters": [ID],
                "responses": {"200": {"description": "GPX", "content": {
                    "application/gpx+xml": {"schema": {"type": "string"}}}}, "404": PROBLEM}}},
            "/api/v1/geotrek/import": {"post": {
                "summary": "Import Geotrek treks/tours as saved itineraries (staff)", "security": AUTH,
                "parameters": [_q("match", "1: match onto the network"), PROFILE],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object"}}}},
                "responses": {"201": {"description": "Saved", "content": {"application/json": {
                    "schema": {"type": "object"}}}}, "400": PROBLEM, "401": PROBLEM, "403": PROBLEM}}},
            **routing_paths(),
            "/health": {"get": {"summary": "Service and graph metadata", "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "503": {"description": "No graph loaded"}}}},
            **node_openapi.paths(),
        },
        "components": {
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
                "instance": {"type": "string"}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())


@bp.get("/docs")
def docs():
    spec = document()
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  for method, op in item.items()]
    return render_template("docs.html", spec=spec, operations=operations)
