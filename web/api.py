"""JSON API v1: places, route, tour, loop, stages, GPX in."""
from __future__ import annotations

import numpy as np
import orjson
from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext

from graphs.places import find_places
from gpx import gpx_stats, match_track, read_gpx, safe_filename
from routing.itinerary import point_feature

from .coordinate_text import line_fragment, with_line_text
from .designer_words import add_warning_words
from .extensions import get_routing
from .i18n import current_language, current_words
from .file_words import gpx_text, stages_zip_bytes, summary_with_words
from .pages import map_response
from .params import InvalidParameterError, Param, arg
from .planning import KINDS, PROFILE, plan, request_budget
from .problems import Problem
from .words import kind_name, localised, localised_places, place_name

bp = Blueprint("api", __name__, url_prefix="/api/v1")
FORMATS = ("geojson", "json", "gpx", "html", "zip")
GEOJSON_TYPE = "application/geo+json"
#: The environ key under which :mod:`web.fast_route` hands a route request it could not
#: answer to this blueprint, with the exception it met: the view raises it again, so the
#: answer (a problem document) is the one planning here would give, without planning twice.
DEFERRED_ERROR = "bassin.route_error"

FORMAT = Param("format", enum=FORMATS, default="geojson", max_length=10,
               description="Output format")
EMBED = Param("embed", "boolean", "With format=html: the minimal map of embeds", default=False)
LANG = Param("lang", enum=("fr", "en"), max_length=5,
             description="Language of pages and maps (remembered in the session)")
RANK = Param("rank", "integer", "Which candidate loop for gpx, zip or html", default=1,
             minimum=1, maximum=10)
#: What every planning endpoint reads besides its kind's parameters.
OUTPUT_PARAMS = (FORMAT, EMBED, LANG)
PLACES_PARAMS = (
    Param("q", description="Text in the name, or a UNESCO id", default=""),
    Param("kind", "list", "Place kinds, comma separated", max_length=40, max_items=20),
    Param("bbox", description="south,west,north,east (WGS84 degrees)", max_length=120,
          example="50.3,2.6,50.6,3.2"),
    Param("limit", "integer", "At most this many places", default=50, minimum=1, maximum=500),
)
MATCH_PARAMS = (PROFILE, FORMAT, EMBED, LANG)


def _plain(value):
    """numpy scalars and arrays as JSON values (orjson's ``default``)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def geojson_bytes(document: dict, lines_written: bool = False) -> bytes:
    """A GeoJSON document's text, serialised by orjson: a route's thousands of numbers
    take a tenth of the standard library's time, its line's coordinates written by a
    kernel (:func:`web.coordinate_text.with_line_text`: orjson's bytes in half its
    time). Keys come in the order the document was built in (``type`` first, as RFC
    7946's examples write it), not sorted as ``jsonify`` sorts them: sorting every
    object's keys was a quarter of orjson's time on a route (17 of 75 µs, issue 11). The
    values are those ``jsonify`` writes (tests/test_fast_paths.py compares the parsed
    documents). ``lines_written``: its lines' coordinates are text already
    (:func:`geojson_document`'s), not looked for."""
    return orjson.dumps(document if lines_written else with_line_text(document),
                        default=_plain, option=orjson.OPT_SERIALIZE_NUMPY)


def geojson_response(document: dict, lines_written: bool = False) -> Response:
    """A GeoJSON response of ``document`` (:func:`geojson_bytes`)."""
    # the whole Content-Type (no charset is added to this type): not derived per answer
    return Response(geojson_bytes(document, lines_written), content_type=GEOJSON_TYPE)


def geojson_document(itinerary, words=None, owned: bool = False) -> dict:
    """The GeoJSON document of an itinerary (``Itinerary.to_geojson``) in words of the
    current language (:func:`web.words.localised`), its warnings in words too
    (``words``: that language's :class:`web.i18n.Words`, when the caller has them).

    Each place is copied once, worded and made its feature's properties in that copy
    (``localised`` then ``to_geojson`` would copy it twice: a route has a dozen or two);
    the lines' coordinates are rounded as they are written
    (:func:`web.coordinate_text.line_fragment`: orjson's text of the rounded arrays).
    ``owned``: the itinerary is the caller's to change, and discard (a route planned
    for this answer): its places are worded in place, not copied.
    """
    words = words or current_words()
    worded = localised(itinerary, words=words, places=False)
    document = worded.to_geojson(arrays=True, lines=False)
    for feature, line in zip(document["features"], [worded, *worded.stages]):
        feature["geometry"]["coordinates"] = line_fragment(line)   # rounded as written
    add_warning_words(document, worded.profile, None, words)
    document["features"] += [point_feature(place) for place in
                             localised_places(itinerary.places, words, in_place=owned,
                                              role="place")]
    return document


def render_itinerary(itinerary, fmt: str, filename: str | None = None) -> Response:
    """The itinerary in the asked format (GeoJSON by default), worded in the request's
    language (``lang``, session, Accept-Language)."""
    if fmt not in FORMATS:
        raise InvalidParameterError("format", f"must be one of {', '.join(FORMATS)}")
    if fmt == "geojson":
        return geojson_response(geojson_document(itinerary), lines_written=True)
    itinerary = localised(itinerary)
    name = safe_filename(filename or itinerary.name or f"{itinerary.kind}-{itinerary.profile}")
    if fmt == "json":
        return jsonify(summary_with_words(itinerary))
    if fmt == "gpx":
        return Response(gpx_text(itinerary), mimetype="application/gpx+xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.gpx"'})
    if fmt == "zip":
        return Response(stages_zip_bytes(itinerary), mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})
    return map_response(itinerary, embed=arg(EMBED))


def _planned(kind: str):
    fmt = arg(FORMAT)
    arg(EMBED), arg(LANG)
    deferred = request.environ.pop(DEFERRED_ERROR, None)
    if deferred is not None and kind == "route":
        raise deferred
    result = plan(get_routing(), kind, request.args, budget=request_budget())
    if isinstance(result, list):            # loops: ranked candidates
        if fmt == "geojson":
            return geojson_response(add_warning_words({"type": "FeatureCollection", "features": [
                dict(f, properties=dict(f["properties"], rank=i + 1))
                for i, it in enumerate(result) for f in it.to_geojson(arrays=True)["features"][:1]]},
                result[0].profile if result else "", current_language()))
        if fmt == "json":
            return jsonify([summary_with_words(localised(it)) for it in result])
        rank = arg(RANK)
        if rank > len(result):
            raise InvalidParameterError("rank", f"must be between 1 and {len(result)}: "
                                                f"{len(result)} loops were found")
        return render_itinerary(result[rank - 1], fmt)
    return render_itinerary(result, fmt)


for _kind in KINDS:
    bp.add_url_rule(f"/{_kind}", _kind, lambda kind=_kind: _planned(kind))


@bp.get("/places")
def places():
    """Search places by name, kind and bbox (``south,west,north,east``)."""
    q, kinds, bbox, limit = (arg(spec) for spec in PLACES_PARAMS)
    found = [dict(p, name=place_name(p), kind_label=kind_name(p["kind"])) for p in
             find_places(get_routing().graph.places, q, set(kinds or ()), parse_bbox(bbox), limit)]
    return jsonify({"count": len(found), "places": found})


def parse_bbox(text: str | None):
    """``(south, west, north, east)`` of a ``bbox`` parameter (None when absent)."""
    if text is None:
        return None
    try:
        south, west, north, east = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidParameterError("bbox", "must be south,west,north,east") from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidParameterError("bbox", "must be south,west,north,east in degrees, "
                                            "south <= north")
    return south, west, north, east


def _uploaded_gpx() -> bytes:
    if request.files:
        upload = next(iter(request.files.values()))
        return upload.read()
    data = request.get_data(cache=False)
    if not data:
        raise Problem(400, gettext("No GPX"), gettext("send the GPX as the body or as a "
                                                      "multipart file"))
    return data


@bp.post("/gpx/stats")
def gpx_statistics():
    data = read_gpx(_uploaded_gpx(), max_elements=current_app.config["GPX_MAX_ELEMENTS"])
    return jsonify(gpx_stats(data))


@bp.post("/gpx/match")
def gpx_match():
    """GPX upload -> itinerary matched onto the network (GeoJSON, GPX, json, html)."""
    profile, fmt = arg(PROFILE), arg(FORMAT)
    data = read_gpx(_uploaded_gpx(), max_elements=current_app.config["GPX_MAX_ELEMENTS"])
    itinerary = match_track(get_routing(), data, profile, budget=request_budget())
    itinerary.name = data.name or gettext("Imported track")
    return render_itinerary(itinerary, fmt)
