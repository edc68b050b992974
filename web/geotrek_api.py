"""Geotrek API v2 exchange over HTTP: plan-and-export, saved exports, import."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext

from gpx import geotrek
from gpx.errors import GPXInputError
from gpx.geotrek_import import read_batch, treks_in
from routing import Itinerary

from .extensions import get_routing
from .file_words import gpx_text, kml_text
from .i18n import language
from .geotrek_v2_catalogue import stage_id
from .geotrek_words import tour_texts
from .imports import import_geotrek
from .extensions import get_database
from .itineraries_api import load_visible
from .planning import plan, request_budget
from .problems import Problem
from .security import current_user, staff_required

bp = Blueprint("geotrek", __name__, url_prefix="/api/v1/geotrek")


def _language():
    language = request.args.get("language")
    if language not in (None, "", *geotrek.LANGUAGES):
        raise Problem(400, gettext("Bad language"),
                      f"language must be one of {', '.join(geotrek.LANGUAGES)}", field="language")
    return language or None


@bp.get("/trek")
def export_planned():
    """Plan (route, or stages with ``days``/``max_km``) and answer a Geotrek trek or tour."""
    kind = "stages" if request.args.get("days") or request.args.get("max_km") else "route"
    itinerary = plan(get_routing(), kind, request.args)
    itinerary.name = request.args.get("name", itinerary.name)[:200]
    texts, stage_texts = tour_texts(itinerary)
    return jsonify(geotrek.export(itinerary, language=_language(), texts=texts,
                                  stage_texts=stage_texts))


@bp.get("/itineraries/<int:item_id>.json")
def export_saved(item_id: int):
    with get_database().session() as s:
        item = load_visible(item_id, s)
    itinerary = Itinerary.from_dict(item.data)
    # Stages carry the ids they have in /api/v2/trek/.
    texts, stage_texts = tour_texts(itinerary)
    document = geotrek.export(itinerary, language=_language(), first_id=item.id,
                              stage_ids=[stage_id(item.id, k + 1)
                                         for k in range(len(itinerary.stages))],
                              texts=texts, stage_texts=stage_texts)
    return jsonify(document)


@bp.get("/itineraries/<int:item_id>.kml")
def export_kml(item_id: int):
    with get_database().session() as s:
        item = load_visible(item_id, s)
    with language(_language()):
        body = kml_text(Itinerary.from_dict(item.data))
    return Response(body,
                    mimetype="application/vnd.google-earth.kml+xml",
                    headers={"Content-Disposition": f'attachment; filename="{item.slug}.kml"'})


@bp.get("/itineraries/<int:item_id>.gpx")
def export_gpx(item_id: int):
    """Geotrek-flavoured GPX: a track and the places as « type: name » waypoints."""
    with get_database().session() as s:
        item = load_visible(item_id, s)
    with language(_language()):
        body = gpx_text(Itinerary.from_dict(item.data), typed_names=True)
    return Response(body,
                    mimetype="application/gpx+xml",
                    headers={"Content-Disposition": f'attachment; filename="{item.slug}.gpx"'})


@bp.post("/import")
@staff_required
def import_document():
    """Save the treks/tours of a Geotrek JSON body; ``?match=1&profile=`` re-matches them.

    Bad treks do not stop the others: they are listed in ``failures`` (each
    naming its field). When none could be saved the answer is a 422 problem.
    """
    document = request.get_json(silent=True)
    if document is None:
        raise Problem(400, "JSON expected", "send a Geotrek API v2 trek, tour or list as JSON")
    try:
        batch = read_batch(treks_in(document))
    except GPXInputError as exc:
        raise Problem(400, "Not a Geotrek document", str(exc), "bad-geotrek",
                      field=getattr(exc, "field", None)) from None
    saved, batch = import_geotrek(current_app.extensions["bassin_db"], batch, get_routing(),
                                  match=request.args.get("match") == "1",
                                  profile=request.args.get("profile"),
                                  author=current_user() or "", budget=request_budget())
    if not saved and batch.failures:
        first = batch.failures[0]
        raise Problem(422, "Geotrek treks refused", first["error"], "bad-geotrek-field",
                      field=first["field"], failures=batch.failures, warnings=batch.warnings)
    return jsonify({"count": len(saved), "itineraries": [i.summary() for i in saved],
                    "failures": batch.failures, "warnings": batch.warnings}), 201
