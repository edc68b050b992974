"""Content-Security-Policy and the other response headers every answer carries.

Scripts run only with this request's nonce: templates write
``<script nonce="{{ csp_nonce() }}">``, and map HTML built by :mod:`web.maps`
gets the nonce on the scripts Folium itself writes (its output holds no
user text: names travel in a JSON data block, see :func:`web.maps.render_map`).
A name that slipped through as markup would therefore still not run.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's script nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_source(tile_url: str) -> str:
    """The CSP source of a Leaflet tile URL template (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(tile_url.replace("{s}", "x-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('x-subdomain', '*')}"


def policy(nonce: str | None, tile_url: str, frame_ancestors: str | None = None) -> str:
    """The policy text; without ``nonce`` no script may run at all.

    ``frame_ancestors`` is left out for a ``<meta>`` policy, where browsers ignore it.
    """
    if nonce is None:             # JSON, files: one text per configuration, made once
        return _scriptless_policy(tile_url, frame_ancestors)
    return _policy(f"'nonce-{nonce}'", tile_url, frame_ancestors)


@lru_cache(maxsize=32)
def _scriptless_policy(tile_url: str, frame_ancestors: str | None) -> str:
    return _policy("'none'", tile_url, frame_ancestors)


def _policy(scripts: str, tile_url: str, frame_ancestors: str | None) -> str:
    images = " ".join(filter(None, ("'self'", "data:", tile_source(tile_url))))
    directives = [
        "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
        f"img-src {images}", "connect-src 'self'", "frame-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'",
    ]
    if frame_ancestors:
        directives.append(f"frame-ancestors {frame_ancestors}")
    return "; ".join(directives)


def _allowed_methods() -> list[str]:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    return sorted(adapter.allowed_methods(request.path))


@lru_cache(maxsize=4)
def _default_headers(embed: bool, https: bool) -> tuple:
    """``(lower-case name, name, value)`` of the headers an answer gets unless it has them."""
    headers = [("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "strict-origin-when-cross-origin")]
    if not embed:
        headers.append(("X-Frame-Options", "SAMEORIGIN"))
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return tuple((name.lower(), name, value) for name, value in headers)


@lru_cache(maxsize=8)
def scriptless_headers(tile_url: str, https: bool) -> tuple:
    """``(name, value)`` of the headers :func:`secure_headers` gives an answer of no
    script and no header of its own (JSON, GeoJSON), outside embeds; in its order."""
    return (("Content-Security-Policy", policy(None, tile_url, "'self'")),
            *((name, value) for _, name, value in _default_headers(False, https)))


def secure_headers(response):
    """``after_request``: CSP (embeds may be framed by the configured origins), HSTS, Allow."""
    cfg = current_app.config
    embed = request.endpoint == "pages.embed"
    ancestors = cfg["EMBED_ORIGINS"] if embed else "'self'"
    nonce = g.get("csp_nonce")
    headers = response.headers
    headers["Content-Security-Policy"] = policy(nonce, cfg["TILE_URL"], ancestors)
    # as headers.setdefault for each, with the names the answer has read once
    present = {name.lower() for name in headers.keys()}
    for lower, name, value in _default_headers(embed, bool(cfg.get("HTTPS"))):
        if lower not in present:
            headers.add(name, value)
    if response.status_code == 405 and "Allow" not in headers:
        headers["Allow"] = ", ".join(_allowed_methods())
    return response


def init_app(app: Flask) -> None:
    """Register the headers and the ``csp_nonce()`` template global."""
    app.after_request(secure_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
