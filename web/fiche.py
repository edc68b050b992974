"""The printable A4 fiche of a saved itinerary: ``GET /i/<slug>/fiche.pdf[?lang=fr|en]``.

Like Geotrek-rando's PDF: title and key figures, a map drawn from the route and the
routing network (no tile server), the elevation profile, the description, the roadbook,
the places along the way, warnings, stages, and the data credits on every page. Made
server-side by WeasyPrint (:mod:`web.pdf_render`, which fetches nothing).

Published itineraries are public; drafts are for staff (404 to anyone else, as the
page). A fiche is rendered once per (itinerary version, language, graph build, host)
and kept in a small per-app cache; clients get an ``ETag`` and revalidate with
``If-None-Match``. Anonymous renders that miss the cache count as expensive work.
"""
from __future__ import annotations

import hashlib
from importlib import resources

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale
from flask_limiter.util import get_remote_address

from gpx import safe_filename
from graphs.build import build_id
from routing import Itinerary

from .db import SavedItinerary, select
from .extensions import get_database, get_routing
from .fiche_content import fiche_context
from .i18n import LANGUAGES
from .limits import throttle
from .lru import BoundedLRU
from .params import Param, arg
from .pdf_render import RenderedPDF, render_pdf
from .security import current_user

bp = Blueprint("fiche", __name__)
CACHE_KEY = "bassin_fiche_cache"
LANG = Param("lang", enum=LANGUAGES, description="Language of the fiche (default: the "
             "visitor's)", max_length=2)


class FicheCache(BoundedLRU):
    """Rendered fiches by key, least recently used out first, bounded in count and bytes.

    One per app (``app.extensions``), shared by its threads behind a lock.
    """

    def __init__(self, max_items: int = 64, max_bytes: int = 64 * 2 ** 20):
        super().__init__(max_items, max_bytes, size=lambda rendered: len(rendered.data))


@bp.record_once
def _register_cache(state) -> None:
    state.app.extensions.setdefault(CACHE_KEY, FicheCache(
        int(state.app.config.get("FICHE_CACHE_ITEMS", 64)),
        int(state.app.config.get("FICHE_CACHE_MB", 64) * 2 ** 20)))


def fiche_css() -> str:
    """The print stylesheet (``static/fiche.css``), read from the package."""
    return resources.files("web").joinpath("static/fiche.css").read_text("utf-8")


def _visible(slug: str) -> SavedItinerary:
    """The saved itinerary ``slug``: published, or a draft shown to staff; else 404."""
    if len(slug) > 120:
        abort(404)
    with get_database().session() as s:
        item = s.scalars(select(SavedItinerary).where(SavedItinerary.slug == slug)).first()
    if item is None or (not item.published and current_user() is None):
        abort(404)
    return item


def fiche_html(item: SavedItinerary, lang: str, page_url: str) -> str:
    """The fiche as an HTML document in ``lang`` (what WeasyPrint lays out)."""
    service = get_routing()
    itinerary = Itinerary.from_dict(item.data)
    with force_locale(lang):
        context = fiche_context(item, itinerary, service, lang)
        return render_template("fiche.html", page_url=page_url, updated=item.updated,
                               version=item.version, **context)


def render_fiche(item: SavedItinerary, lang: str, page_url: str) -> RenderedPDF:
    """The PDF of ``item`` in ``lang`` (not cached)."""
    return render_pdf(fiche_html(item, lang, page_url), fiche_css(), title=item.name)


@bp.get("/i/<slug>/fiche.pdf")
def fiche_pdf(slug: str):
    asked = arg(LANG)
    lang = asked or g.get("lang") or current_app.config.get("DEFAULT_LANGUAGE", "fr")
    item = _visible(slug)
    public = current_app.config.get("PUBLIC_URL")          # else the host this was asked of
    page_url = (public.rstrip("/") + url_for("pages.public", slug=item.slug) if public
                else url_for("pages.public", slug=item.slug, _external=True))
    key = (item.id, item.version, lang, build_id(get_routing().graph.meta), page_url)
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    private = not item.published
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        cache = current_app.extensions[CACHE_KEY]
        rendered = cache.get(key)
        hit = rendered is not None
        if not hit:
            if current_user() is None:
                throttle("EXPENSIVE_LIMIT", "expensive-address", get_remote_address())
            rendered = render_fiche(item, lang, page_url)
            cache.put(key, rendered)
        response = Response(rendered.data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = \
            f'inline; filename="{safe_filename(item.slug)}-{lang}.pdf"'
        response.headers["Server-Timing"] = (f'render;dur={rendered.seconds * 1000:.0f}, '
                                             f'cache;desc={"hit" if hit else "miss"}')
        response.headers["X-PDF-Pages"] = str(rendered.pages)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    response.headers["Content-Language"] = lang
    response.vary.add("Cookie")                # drafts for staff; the session's language
    if not asked:
        response.vary.add("Accept-Language")
    return response
