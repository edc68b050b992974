"""JSON API v1: places, route, tour, loop, stages, GPX in."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from graphs.places import find_places
from gpx import gpx_stats, itinerary_to_gpx, match_track, read_gpx, safe_filename, stages_zip

from .extensions import get_routing
from .pages import map_response
from .planning import KINDS, plan
from .problems import Problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
FORMATS = ("geojson", "json", "gpx", "html", "zip")


def render_itinerary(itinerary, fmt: str, filename: str | None = None) -> Response:
    """The itinerary in the asked format (GeoJSON by default)."""
    if fmt not in FORMATS:
        raise Problem(400, "Unknown format", f"format must be one of {', '.join(FORMATS)}",
                      "bad-format")
    name = safe_filename(filename or itinerary.name or f"{itinerary.kind}-{itinerary.profile}")
    if fmt == "json":
        return jsonify(itinerary.summary())
    if fmt == "gpx":
        return Response(itinerary_to_gpx(itinerary), mimetype="application/gpx+xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.gpx"'})
    if fmt == "zip":
        return Response(stages_zip(itinerary), mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})
    if fmt == "html":
        return map_response(itinerary, embed=request.args.get("embed") == "1")
    response = jsonify(itinerary.to_geojson())
    response.mimetype = "application/geo+json"
    return response


def _planned(kind: str):
    result = plan(get_routing(), kind, request.args)
    fmt = request.args.get("format", "geojson")
    if isinstance(result, list):            # loops: ranked candidates
        if fmt == "geojson":
            response = jsonify({"type": "FeatureCollection", "features": [
                dict(f, properties=dict(f["properties"], rank=i + 1))
                for i, it in enumerate(result) for f in it.to_geojson()["features"][:1]]})
            response.mimetype = "application/geo+json"
            return response
        if fmt == "json":
            return jsonify([it.summary() for it in result])
        try:
            rank = int(request.args.get("rank", 1))
        except ValueError:
            raise Problem(400, "Bad rank", "rank must be an integer") from None
        if not 1 <= rank <= len(result):
            raise Problem(400, "Bad rank", f"rank must be between 1 and {len(result)}")
        return render_itinerary(result[rank - 1], fmt)
    return render_itinerary(result, fmt)


for _kind in KINDS:
    bp.add_url_rule(f"/{_kind}", _kind, lambda kind=_kind: _planned(kind))


@bp.get("/places")
def places():
    """Search places by name, kind and bbox (``south,west,north,east``)."""
    kinds = {k for k in (request.args.get("kind") or "").split(",") if k}
    bbox = request.args.get("bbox")
    if bbox:
        try:
            south, west, north, east = (float(v) for v in bbox.split(","))
        except ValueError:
            raise Problem(400, "Bad bbox", "bbox must be south,west,north,east") from None
    try:
        limit = min(max(int(request.args.get("limit", 50)), 1), 500)
    except ValueError:
        raise Problem(400, "Bad limit", "limit must be an integer") from None
    found = find_places(get_routing().graph.places, request.args.get("q", ""), kinds,
                        (south, west, north, east) if bbox else None, limit)
    return jsonify({"count": len(found), "places": found})


def _uploaded_gpx() -> bytes:
    if request.files:
        upload = next(iter(request.files.values()))
        return upload.read()
    data = request.get_data(cache=False)
    if not data:
        raise Problem(400, "No GPX", "send the GPX as the body or as a multipart file")
    return data


@bp.post("/gpx/stats")
def gpx_statistics():
    return jsonify(gpx_stats(read_gpx(_uploaded_gpx())))


@bp.post("/gpx/match")
def gpx_match():
    """GPX upload -> itinerary matched onto the network (GeoJSON, GPX, json, html)."""
    data = read_gpx(_uploaded_gpx())
    itinerary = match_track(get_routing(), data, request.args.get("profile", "hike"))
    itinerary.name = data.name or "Trace importée"
    return render_itinerary(itinerary, request.args.get("format", "geojson"))
