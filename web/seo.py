"""Canonical URLs and language alternates (``hreflang``) of public pages, and robots.txt.

Each language of a page has its own URL, ``?lang=fr`` or ``?lang=en`` (the parameter
that picks the language, :func:`web.i18n.select_language`); the URL without it is the
``x-default``, whose language follows the visitor. A page's canonical URL is its own
language's, with its other parameters in a stable order, so a filtered listing and its
reordered copy are one page to a search engine. Addresses are the public site's
(``BASSIN_PUBLIC_URL``, :func:`web.page_meta.absolute`), as on the itinerary pages.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, g, url_for

from .i18n import LANGUAGES
from .page_meta import absolute

bp = Blueprint("seo", __name__)


@bp.app_template_global("language_urls")
def language_urls(endpoint: str, pairs=(), **values) -> dict:
    """``{"canonical": url, "alternates": [(hreflang, url), …]}`` of a page, absolute.

    Parameters
    ----------
    endpoint : str
        The page's endpoint (``portal.home``, ``pages.public``…).
    pairs : sequence of (str, str)
        Its other query parameters, in their stable order.
    **values
        The endpoint's path values (``slug=…``).
    """
    base = absolute(url_for(endpoint, **values))

    def with_query(extra):
        text = urlencode(list(extra) + list(pairs))
        return f"{base}?{text}" if text else base

    alternates = [(code, with_query([("lang", code)])) for code in LANGUAGES]
    alternates.append(("x-default", with_query([])))
    current = g.get("lang") or LANGUAGES[0]
    return {"canonical": dict(alternates)[current], "alternates": alternates}


@bp.get("/robots.txt")
def robots():
    """Crawl the public pages, not the staff's, the API or the embeds; the sitemap's URL."""
    lines = ["User-agent: *", "Disallow: /designer", "Disallow: /login", "Disallow: /api/",
             "Disallow: /embed/", "Disallow: /plan", "Allow: /",
             f"Sitemap: {absolute(url_for('portal.sitemap'))}", ""]
    return Response("\n".join(lines), mimetype="text/plain")
