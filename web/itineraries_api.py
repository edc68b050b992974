"""Saved itineraries: create, read, update, delete, publish, exports.

Reads are public for published itineraries and open to staff for drafts.
Writes need staff (session + CSRF, or a bearer token). Every update names
the version it changes (``If-Match: "v3"``): a stale one gets 412, so two
editors never silently overwrite each other.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext

from gpx import safe_filename
from routing import Itinerary

from .api import render_itinerary
from .file_words import summary_with_words
from .extensions import get_database, get_routing
from .db import SavedItinerary
from .params import InvalidParameterError, Param, arg, json_body, parse_all
from .planning import KINDS, plan, request_budget
from .problems import Problem
from .security import current_user, staff_required
from .words import localised

bp = Blueprint("itineraries", __name__, url_prefix="/api/v1/itineraries")
MAX_ID = 2 ** 31 - 1            # the id column is an SQL INTEGER: larger ids are no row

LIST_PARAMS = (Param("q", description="Search text in names and descriptions", default=""),
               Param("published", "boolean", "Staff: only published ones", default=False))
#: The fields of a create/update body (all optional in an update).
BODY_FIELDS = (Param("name", description="Name", max_length=200, default=""),
               Param("description", description="Description (plain text)", max_length=5000,
                     default=""),
               Param("kind", enum=KINDS, default="route", max_length=10,
                     description="What to plan"),
               Param("request", "object", "The parameters of that kind, as in its GET "
                     "endpoint (numbers and booleans may be JSON values; points a list of "
                     "[lat, lon] pairs and place ids)"))
ITEM_ID = Param("item_id", "integer", "Saved itinerary id", required=True, minimum=1,
                maximum=MAX_ID, location="path")


def etag(item: SavedItinerary) -> str:
    return f'"v{item.version}"'


def load_visible(item_id: int, session) -> SavedItinerary:
    """The saved itinerary ``item_id`` if this user may see it (drafts: staff only); else 404."""
    item = session.get(SavedItinerary, item_id) if 0 < item_id <= MAX_ID else None
    if item is None or (not item.published and current_user() is None):
        raise Problem(404, "Not found", f"no itinerary {item_id}", "not-found")
    return item


def _check_version(item: SavedItinerary) -> int:
    sent = request.headers.get("If-Match")
    if not sent:
        raise Problem(428, "Precondition required",
                      f"send If-Match: {etag(item)} (the ETag of the version you edit)")
    if sent.strip() != etag(item):
        raise Problem(412, "Precondition failed",
                      f"the itinerary is now at {etag(item)}, not {sent.strip()}: reload it",
                      "conflict", current_etag=etag(item))
    return item.version


def _body() -> dict:
    """The checked fields of the JSON body (only those it holds)."""
    body = json_body(dict)
    values = parse_all(BODY_FIELDS, body)
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items() if k in body}


def _planned(kind: str, params) -> tuple[str, dict, Itinerary]:
    if params is None:
        raise InvalidParameterError("request", "is required")
    result = plan(get_routing(), kind, params, prefix="request.", budget=request_budget())
    itinerary = result[0] if isinstance(result, list) else result
    return kind, params, itinerary


def _response(item: SavedItinerary, status: int = 200, full: bool = True):
    data = item.summary()
    data["links"] = {
        "self": url_for("itineraries.read", item_id=item.id),
        "gpx": url_for("itineraries.export", item_id=item.id, fmt="gpx"),
        "geojson": url_for("itineraries.export", item_id=item.id, fmt="geojson"),
        "zip": url_for("itineraries.export", item_id=item.id, fmt="zip"),
        "map": url_for("itineraries.export", item_id=item.id, fmt="html"),
        "page": url_for("pages.public", slug=item.slug),
        "embed": url_for("pages.embed", slug=item.slug)}
    if full:
        data["request"] = item.request
        data["itinerary"] = summary_with_words(localised(Itinerary.from_dict(item.data)))
    response = jsonify(data)
    response.status_code = status
    response.headers["ETag"] = etag(item)
    return response


@bp.get("")
def index():
    q, published = (arg(spec) for spec in LIST_PARAMS)
    drafts = current_user() is not None and not published
    items = get_database().list_itineraries(q, drafts)
    return jsonify({"count": len(items), "itineraries": items})


@bp.post("")
@staff_required
def create():
    body = _body()
    name = body.get("name") or gettext("Itinerary")
    kind, params, itinerary = _planned(body.get("kind", "route"), body.get("request"))
    itinerary.name, itinerary.description = name, body.get("description", "")
    slug = f"{safe_filename(name)}-{secrets.token_hex(3)}"
    item = SavedItinerary(slug=slug, name=name, description=itinerary.description,
                          profile=itinerary.profile, kind=kind, request=params,
                          data=itinerary.to_dict(), author=current_user() or "")
    with get_database().session() as s:
        s.add(item)
        s.commit()
        s.refresh(item)
    response = _response(item, 201)
    response.headers["Location"] = url_for("itineraries.read", item_id=item.id)
    return response


@bp.get("/<int:item_id>")
def read(item_id: int):
    with get_database().session() as s:
        item = load_visible(item_id, s)
    if request.headers.get("If-None-Match") == etag(item):
        return "", 304
    return _response(item)


@bp.put("/<int:item_id>")
@staff_required
def update(item_id: int):
    body = _body()
    db = get_database()
    with db.session() as s:
        item = load_visible(item_id, s)
        version = _check_version(item)
        values = {}
        if "name" in body:
            values["name"] = body["name"] or item.name
        if "description" in body:
            values["description"] = body["description"]
        itinerary = Itinerary.from_dict(item.data)
        if "request" in body or "kind" in body:
            kind, params, itinerary = _planned(body.get("kind", item.kind),
                                               body.get("request", item.request))
            values.update(kind=kind, request=params, profile=itinerary.profile)
        itinerary.name = values.get("name", item.name)
        itinerary.description = values.get("description", item.description)
        values["data"] = itinerary.to_dict()
        if not db.update_if_version(s, item_id, version, **values):
            s.rollback()
            raise Problem(412, "Precondition failed", "changed by someone else meanwhile: reload",
                          "conflict")
        s.commit()
        item = s.get(SavedItinerary, item_id)
        s.refresh(item)
    return _response(item)


@bp.delete("/<int:item_id>")
@staff_required
def delete(item_id: int):
    with get_database().session() as s:
        item = load_visible(item_id, s)
        _check_version(item)
        s.delete(item)
        s.commit()
    return "", 204


@bp.post("/<int:item_id>/publish")
@bp.post("/<int:item_id>/unpublish")
@staff_required
def publish(item_id: int):
    db = get_database()
    with db.session() as s:
        item = load_visible(item_id, s)
        version = _check_version(item)
        if not db.update_if_version(s, item_id, version,
                                    published=request.path.endswith("/publish")):
            raise Problem(412, "Precondition failed", "changed meanwhile: reload", "conflict")
        s.commit()
        item = s.get(SavedItinerary, item_id)
        s.refresh(item)
    return _response(item, full=False)


@bp.get("/<int:item_id>/export.<fmt>")
def export(item_id: int, fmt: str):
    with get_database().session() as s:
        item = load_visible(item_id, s)
    itinerary = Itinerary.from_dict(item.data)
    return render_itinerary(itinerary, fmt, item.slug)


@bp.get("/<int:item_id>/stages/<int:number>/export.<fmt>")
def export_stage(item_id: int, number: int, fmt: str):
    """One stage (1-based) of a multi-day itinerary, in any export format."""
    with get_database().session() as s:
        item = load_visible(item_id, s)
    stages = localised(Itinerary.from_dict(item.data)).stages       # named in the language
    if not 1 <= number <= len(stages):
        raise InvalidParameterError("number", f"must be between 1 and {len(stages)}: the "
                                              f"itinerary has {len(stages)} stages")
    return render_itinerary(stages[number - 1], fmt, f"{item.slug}-{number:02d}")
