"""HTML pages: staff designer, login, public itinerary pages, embeds."""
from __future__ import annotations

import numpy as np
from flask import (Blueprint, Response, abort, current_app, g, redirect, render_template,
                   request, session, url_for)

from routing import PROFILES, Itinerary

from .extensions import get_routing
from .db import SavedItinerary, select
from .i18n import MESSAGES
from .maps import itinerary_map
from .security import check_login, current_user

bp = Blueprint("pages", __name__)


def _db():
    return current_app.extensions["bassin_db"]


def _by_slug(slug: str, public_only: bool = False) -> SavedItinerary:
    with _db().session() as s:
        item = s.scalars(select(SavedItinerary).where(SavedItinerary.slug == slug)).first()
    if item is None or (not item.published and (public_only or current_user() is None)):
        abort(404)
    return item


@bp.get("/")
def index():
    return redirect(url_for("pages.designer" if current_user() else "pages.listing"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = False
    nxt = request.values.get("next") or url_for("pages.designer")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = url_for("pages.designer")            # no open redirect
    if request.method == "POST":
        user = check_login(_db(), request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            lang = session.get("lang")
            session.clear()                             # new session id, new CSRF token
            session["user"] = user.username
            if lang:
                session["lang"] = lang
            return redirect(nxt)
        error = True
    return render_template("login.html", error=error, next=nxt), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("pages.listing"))


@bp.get("/designer")
def designer():
    if current_user() is None:
        return redirect(url_for("pages.login", next=request.full_path))
    graph = get_routing().graph
    major = [p for p in graph.places if p.kind == "major_site"]
    if major:
        center = [float(np.mean([p.lat for p in major])), float(np.mean([p.lon for p in major])), 10]
    else:
        center = [float(np.median(graph.node_lat)), float(np.median(graph.node_lon)), 13]
    cfg = current_app.config
    return render_template("designer.html", profiles=list(PROFILES), center=center,
                           tile_url=cfg["TILE_URL"], tile_attribution=cfg["TILE_ATTRIBUTION"],
                           messages=MESSAGES[g.get("lang") or "fr"])


@bp.get("/itineraries")
def listing():
    q = (request.args.get("q") or "").strip()
    items = _db().list_itineraries(q, drafts=current_user() is not None, in_description=False)
    return render_template("list.html", items=items, q=q)


@bp.get("/i/<slug>")
def public(slug: str):
    item = _by_slug(slug)
    summary = Itinerary.from_dict(item.data).summary()
    return render_template("public.html", item=item, summary=summary)


def _map_response(item: SavedItinerary, embed: bool) -> Response:
    cfg = current_app.config
    fmap = itinerary_map(Itinerary.from_dict(item.data), get_routing().graph, cfg["TILE_URL"],
                         cfg["TILE_ATTRIBUTION"], embed=embed)
    return Response(fmap.get_root().render(), mimetype="text/html")


@bp.get("/i/<slug>/map")
def public_map(slug: str):
    return _map_response(_by_slug(slug), embed=False)


@bp.get("/embed/<slug>")
def embed(slug: str):
    """A minimal responsive map for iframes: published itineraries only."""
    response = _map_response(_by_slug(slug, public_only=True), embed=True)
    origins = current_app.config["EMBED_ORIGINS"]
    response.headers["Content-Security-Policy"] = f"frame-ancestors {origins}"
    return response
