"""The OpenAPI 3 document of API v1, and a readable docs page made from it.

Query parameters and body fields come from the same :class:`web.params.Param`
specs that check the requests, so the document lists every parameter the code
reads, with its type, bounds and length.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from . import node_openapi
from .api import FORMATS, MATCH_PARAMS, OUTPUT_PARAMS, PLACES_PARAMS, RANK
from .geotrek_v2_openapi import paths as geotrek_v2_paths
from .itineraries_api import BODY_FIELDS, ITEM_ID, LIST_PARAMS
from .params import Param
from .planning import PLAN_PARAMS, PROFILE
from .routing_openapi import OPTIONS, paths as routing_paths
from .portal_openapi import paths as portal_paths

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

#: Read by /api/v1/geotrek/* besides the planning ones (checked there).
GEOTREK_TREK_PARAMS = (
    Param("name", description="Trek name (cut to 200 characters)", max_length=200),
    Param("language", enum=("fr", "en"), max_length=5,
          description="fr or en: plain strings instead of {lang: text}"))
GEOTREK_LANGUAGE = GEOTREK_TREK_PARAMS[-1]
GEOTREK_IMPORT_PARAMS = (Param("match", "boolean", "1: match onto the network", default=False),
                         PROFILE)


def _params(*specs) -> list:
    return [spec.openapi() for spec in specs]


ITINERARY = {"description": "The itinerary (GeoJSON FeatureCollection, GPX, JSON summary, "
                            "HTML map or zip of stage GPX files, by `format`)",
             "content": {"application/geo+json": {"schema": {"type": "object"}},
                         "application/json": {"schema": {}},
                         "application/gpx+xml": {"schema": {"type": "string"}},
                         "text/html": {"schema": {"type": "string"}},
                         "application/zip": {"schema": {"type": "string", "format": "binary"}}}}
PROBLEM = {"description": "Problem details (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
BUSY = {"description": "No graph loaded, or the request's time budget ran out (see Retry-After)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": PROBLEM["content"]}
LIMITED = {"description": "Rate limited (anonymous expensive requests, logins): retry after "
                          "Retry-After seconds",
           "headers": {"Retry-After": {"schema": {"type": "integer"}}},
           "content": PROBLEM["content"]}
ERRORS = {"400": PROBLEM, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM, "429": LIMITED,
          "503": BUSY}
AUTH = [{"bearer": []}, {"session": []}]
ID = ITEM_ID.openapi()
IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
            "schema": {"type": "string", "maxLength": 40},
            "description": "The ETag of the version being changed, e.g. \"v3\""}
SAVE_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {spec.name: spec.schema() for spec in BODY_FIELDS}},
    "example": {"name": "Du 11/19 au Louvre-Lens", "kind": "route", "request": {
        "profile": "bike", "points": "site:base-11-19;site:louvre-lens"}}}}}
GPX_BODY = {"required": True, "content": {
    "application/gpx+xml": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}


def _get(summary, params, responses=None, **extra):
    return {"get": dict({"summary": summary, "parameters": params,
                         "responses": responses or dict({"200": ITINERARY}, **ERRORS)}, **extra)}


def _plan(kind: str, summary: str):
    extra = (RANK,) if kind == "loop" else ()
    # every planner takes the per-request options, avoided areas and the closures' date
    return _get(summary, _params(*PLAN_PARAMS[kind], *OUTPUT_PARAMS, *extra) + list(OPTIONS))


def _json(description: str, schema=None) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _file(description: str, mimetype: str) -> dict:
    return {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}


def document() -> dict:
    saved = {"200": dict(_json("A saved itinerary"), headers={"ETag": {"schema": {"type": "string"}}}),
             "304": {"description": "Not modified (If-None-Match)"}, "404": PROBLEM}
    write_errors = {"400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM,
                    "412": PROBLEM, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM,
                    "428": PROBLEM, "429": LIMITED, "503": BUSY}
    read_errors = {"400": PROBLEM, "404": PROBLEM}
    fmt = {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string",
                                                                      "enum": list(FORMATS)}}
    geotrek = _json("Geotrek trek or tour")
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bassin minier itineraries API", "version": "1.0.0",
                 "description": "Plans itineraries on the trails of the Bassin minier du "
                                "Nord-Pas de Calais (UNESCO). Data © OpenStreetMap contributors "
                                "(ODbL); heritage layers Mission Bassin Minier / data.gouv.fr "
                                "(Licence Ouverte Etalab 2.0)."},
        "paths": {
            "/api/v1/route": _plan("route", "Itinerary through points in order"),
            "/api/v1/tour": _plan("tour", "Best order through up to 25 stops"),
            "/api/v1/loop": _plan("loop", "Loops of a target length from a start"),
            "/api/v1/stages": _plan("stages", "Multi-day itinerary, stage ends at lodging or "
                                              "stations"),
            "/api/v1/places": _get("Search places", _params(*PLACES_PARAMS),
                                   {"200": _json("Places"), "400": PROBLEM}),
            "/api/v1/gpx/stats": {"post": {
                "summary": "Statistics of an uploaded GPX", "requestBody": GPX_BODY,
                "responses": {"200": _json("Statistics"), "400": PROBLEM, "413": PROBLEM,
                              "429": LIMITED}}},
            "/api/v1/gpx/match": {"post": {
                "summary": "Uploaded GPX matched onto the network",
                "parameters": _params(*MATCH_PARAMS), "requestBody": GPX_BODY,
                "responses": dict({"200": ITINERARY}, **ERRORS)}},
            "/api/v1/itineraries": {
                "get": {"summary": "Saved itineraries (published ones for the public)",
                        "parameters": _params(*LIST_PARAMS),
                        "responses": {"200": _json("List"), "400": PROBLEM}},
                "post": {"summary": "Plan and save an itinerary (staff)", "security": AUTH,
                         "requestBody": SAVE_BODY,
                         "responses": dict({"201": saved["200"]}, **write_errors)}},
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
                "summary": "Export a saved itinerary",
                "parameters": [ID, fmt] + _params(*OUTPUT_PARAMS[1:]),
                "responses": dict({"200": ITINERARY}, **read_errors)}},
            "/api/v1/itineraries/{item_id}/stages/{number}/export.{fmt}": {"get": {
                "summary": "Export one stage (1-based) of a saved multi-day itinerary",
                "parameters": [ID, {"name": "number", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1}}, fmt]
                + _params(*OUTPUT_PARAMS[1:]),
                "responses": dict({"200": ITINERARY}, **read_errors)}},
            "/api/v1/geotrek/trek": _get(
                "Plan and answer a Geotrek API v2 trek (a tour with days)",
                _params(*PLAN_PARAMS["stages"], *GEOTREK_TREK_PARAMS),
                dict({"200": geotrek}, **ERRORS)),
            "/api/v1/geotrek/itineraries/{item_id}.json": {"get": {
                "summary": "A saved itinerary as a Geotrek trek or tour",
                "parameters": [ID, GEOTREK_LANGUAGE.openapi()],
                "responses": dict({"200": geotrek}, **read_errors)}},
            "/api/v1/geotrek/itineraries/{item_id}.kml": {"get": {
                "summary": "A saved itinerary as KML", "parameters": [ID],
                "responses": dict({"200": _file("KML", "application/vnd.google-earth.kml+xml")},
                                  **read_errors)}},
            "/api/v1/geotrek/itineraries/{item_id}.gpx": {"get": {
                "summary": "A saved itinerary as Geotrek-flavoured GPX", "parameters": [ID],
                "responses": dict({"200": _file("GPX", "application/gpx+xml")}, **read_errors)}},
            "/api/v1/geotrek/import": {"post": {
                "summary": "Import Geotrek treks/tours as saved itineraries (staff)", "security": AUTH,
                "parameters": _params(*GEOTREK_IMPORT_PARAMS),
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object"}}}},
                "responses": dict({"201": _json("Saved")}, **write_errors)}},
            **routing_paths(),
            **geotrek_v2_paths(),
            **portal_paths(),
            "/health": {"get": {"summary": "Service and graph metadata", "responses": {
                "200": _json("OK"), "503": _json("No graph loaded")}}},
            **node_openapi.paths(),
        },
        "components": {
            "schemas": {"Problem": {"type": "object", "required": ["title", "status"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
                "instance": {"type": "string"},
                "field": {"type": "string", "nullable": True,
                          "description": "The field at fault (no-route-left: "
                          "avoid_areas, an option, or date when only the configured closures "
                          "of that day are in the way)"},
                "causes": {"type": "array", "items": {"type": "string"},
                           "description": "no-route-left: every restriction that applied"},
                "invalid_params": {"type": "array", "description": "The fields at fault",
                                   "items": {"type": "object", "required": ["name", "reason"],
                                             "properties": {"name": {"type": "string"},
                                                            "reason": {"type": "string"}}}}}}},
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
