"""HTML pages: staff designer, login, public itinerary pages, embeds."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

import numpy as np
from flask import (Blueprint, Response, abort, current_app, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from routing import PROFILES, Itinerary

from . import isochrone_layer
from .csp import csp_nonce
from .extensions import get_database, get_routing
from .db import SavedItinerary, select
from .designer_words import FAVOURED_KINDS, designer_words, kind_words
from .i18n import current_language
from .itinerary_page import render_embed, render_public
from .legacy_words import designer_messages
from .limits import throttle
from .maps import itinerary_map, render_map
from .network_words import network_overlay
from .preview_image import preview_png
from .words import profile_name
from .security import check_login, current_user, end_sessions, start_session

bp = Blueprint("pages", __name__)


def _by_slug(slug: str, public_only: bool = False) -> SavedItinerary:
    with get_database().session() as s:
        item = s.scalars(select(SavedItinerary).where(SavedItinerary.slug == slug)).first()
    if item is None or (not item.published and (public_only or current_user() is None)):
        abort(404)
    return item


def safe_next(value: str | None, default: str) -> str:
    """``value`` if it is a path on this site, else ``default`` (no open redirect).

    Refused: a scheme or host (``https://x``, ``//x``), backslashes (browsers read
    ``/\\x`` as ``//x``), and any control character or space — browsers drop tabs
    and newlines, so ``/%09/evil.example/`` would become ``//evil.example/``.
    """
    if not value or len(value) > 2000:
        return default
    for text in (value, unquote(value)):          # also once percent-decoded: /%09/ is /\t/
        if any(c == "\\" or c.isspace() or not c.isprintable() for c in text):
            return default
        parts = urlsplit(text)
        if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
            return default
    return value


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = False
    nxt = safe_next(request.values.get("next"), url_for("pages.designer"))
    if request.method == "POST":
        username = request.form.get("username", "")[:200]
        throttle("LOGIN_LIMIT_ADDRESS", "login-address", get_remote_address())
        throttle("LOGIN_LIMIT_USER", "login-user", username.strip().lower())
        user = check_login(get_database(), username, request.form.get("password", "")[:1000])
        if user is not None:
            start_session(user)
            return redirect(nxt)
        error = True
    return render_template("login.html", error=error, next=nxt), 401 if error else 200


@bp.post("/logout")
def logout():
    """End this session and, server-side, every other session of the user."""
    if current_user() is not None:
        end_sessions(get_database(), current_user())
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
                           messages={**designer_messages(), **designer_words()},
                           kind_words=kind_words(),
                           favoured_kinds=[k for k in FAVOURED_KINDS
                                           if any(p.kind == k for p in graph.places)],
                           profile_words={p: profile_name(p) for p in PROFILES})


@bp.get("/itineraries")
def listing():
    q = (request.args.get("q") or "").strip()
    items = get_database().list_itineraries(q, drafts=current_user() is not None, in_description=False)
    return render_template("list.html", items=items, q=q)


@bp.get("/i/<slug>")
def public(slug: str):
    """The itinerary page (drafts for staff only): map, profile, figures, roadbook, files."""
    item = _by_slug(slug)
    return render_public(item, Itinerary.from_dict(item.data))


@bp.get("/i/<slug>/preview.png")
def preview_image(slug: str):
    """The link-preview image (``og:image``) of the itinerary."""
    item = _by_slug(slug)
    return Response(preview_png(Itinerary.from_dict(item.data)), mimetype="image/png",
                    headers={"Cache-Control": "public, max-age=3600"})


def map_response(itinerary: Itinerary, embed: bool = False) -> Response:
    """The itinerary's map page; its scripts carry this request's CSP nonce."""
    cfg = current_app.config
    fmap = itinerary_map(itinerary, get_routing().graph, cfg["TILE_URL"], cfg["TILE_ATTRIBUTION"],
                         embed=embed, network=network_overlay())
    if isochrone_layer.wanted(embed):
        isochrone_layer.add_isochrone_control(fmap, itinerary, current_language())
    title = itinerary.name or _("Bassin minier itineraries")
    return Response(render_map(fmap, csp_nonce(), title=title), mimetype="text/html")


@bp.get("/i/<slug>/map")
def public_map(slug: str):
    return map_response(Itinerary.from_dict(_by_slug(slug).data))


@bp.get("/embed/<slug>")
def embed(slug: str):
    """The map (and profile) for iframes, framed by ``EMBED_ORIGINS``: published only.

    ``?height=200..2000&lang=fr|en&profile=0|1``; a bad value is a 400 problem naming it.
    """
    item = _by_slug(slug, public_only=True)
    return render_embed(item, Itinerary.from_dict(item.data))
