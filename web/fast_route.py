"""``GET /api/v1/route`` as GeoJSON, the request the service answers most, without
Flask's request machinery: the same answer, headers, access line and counts.

Why: a route costs ≈ 0.5 ms to plan, and Flask's request around it (request and
session objects, URL matching, ten request hooks, the response object) another
≈ 0.3–0.5 ms (benchmarks/README.md, issue 11): a served route took twice OSRM's.
This WSGI middleware answers the requests whose answer depends only on the query
and ``Accept-Language`` — an anonymous GET of that one path, GeoJSON out, no cookie
(so no session: neither a user nor a remembered language), no ``lang`` to remember,
no conditional GET — in an application context, with the same functions the blueprint
uses (:func:`web.planning.plan`, :func:`web.api.geojson_document`, :mod:`web.csp`'s
headers, :mod:`web.logs`' line, :mod:`web.metrics`' counters). Every other request
goes to the app unchanged.

When planning or rendering raises (a bad parameter, an unreachable point, a budget
exceeded), the request goes on to the app with that exception
(:data:`web.api.DEFERRED_ERROR`); the view raises it again, and Flask's handlers answer
the problem document they would have — planned once.

It stands for the request hooks the app had when it was written (:data:`HOOKS`): an
app with other hooks is served wholly by Flask (a warning is logged once), so that a
hook added later is never skipped. ``BASSIN_FAST_ROUTE=0`` turns it off.
tests/test_fast_route.py compares its answers with Flask's, header by header.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from flask import g

from .api import DEFERRED_ERROR, GEOJSON_TYPE, geojson_bytes, geojson_document
from .csp import scriptless_headers
from .extensions import get_routing
from .i18n import header_language, words_of
from .limits import declares_limits
from .logs import log_access, request_id
from .metrics import EXTENSION_KEY as METRICS_KEY
from .planning import plan, request_budget

#: The path answered here: also its URL rule, which the request metrics label it by.
PATH = "/api/v1/route"
#: What the blueprint's answer varies on (``Accept-Language``; the session, read for a
#: remembered language, adds ``Cookie``).
VARY = "Accept-Language, Cookie"
#: Query parameters whose answer is not GeoJSON of the query alone: ``lang`` is
#: remembered in the session (a cookie is set), ``embed`` only counts for HTML.
APP_PARAMS = frozenset({"lang", "embed"})
#: Request headers that make the answer depend on more than the query.
APP_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH")
#: The request hooks (module and name) this middleware does the work of, for this path.
HOOKS = {
    "before_request": ("web.logs._start", "web.metrics._start", "web.app.create_app.<locals>._before",
                       "flask_limiter._extension.Limiter._check_request_limit",
                       "web.limits._expensive"),
    "after_request": ("web.logs._finish", "web.metrics._count", "web.i18n._content_language",
                      "web.csp.secure_headers", "functools._when_limits_declared.<locals>.guarded",
                      "web.limits._retry_after"),
    "teardown_request": ("flask_limiter._extension.Limiter.__release_context",),
}
log = logging.getLogger(__name__)


def hook_names(app) -> dict:
    """The app's request hooks by kind, as names (:data:`HOOKS`), blueprints' too."""
    def name(func):
        return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"

    kinds = {"before_request": app.before_request_funcs, "after_request": app.after_request_funcs,
             "teardown_request": app.teardown_request_funcs}
    names = {kind: tuple(name(f) for f in funcs.get(None, ())) for kind, funcs in kinds.items()}
    for funcs in (*kinds.values(), app.url_value_preprocessors, app.url_default_functions):
        if any(scope is not None and hooks for scope, hooks in funcs.items()):
            names["blueprints"] = True
    return names


def query_args(environ: dict) -> dict:
    """``request.args.to_dict()`` of a WSGI ``environ`` without making the request: the
    query's first value of each name, parsed as werkzeug parses ``request.args`` (the
    query string's bytes as UTF-8, blank values kept, invalid escapes left as they are).
    A request object and its ``MultiDict`` cost 8 µs of a route (issue 11)."""
    query = environ.get("QUERY_STRING", "")
    if query.isascii() and "%" not in query and "+" not in query:
        # nothing to decode (most routes: the points' digits, ",", ";"): the fields as
        # parse_qsl splits them, blank values kept, empty fields skipped
        args: dict = {}
        for field in query.split("&"):
            if field:
                name, _, value = field.partition("=")
                args.setdefault(name, value)
        return args
    query = query.encode("latin1").decode()
    args = {}
    for name, value in parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
        args.setdefault(name, value)
    return args


class FastRoute:
    """WSGI middleware over ``app.wsgi_app`` (install it under any ``ProxyFix``, so that
    the client address it logs is the one Flask would)."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._enabled: bool | None = None        # known at the first request: hooks come later

    def enabled(self) -> bool:
        """Whether the app asks for this path (``FAST_ROUTE``) and has the hooks it knows."""
        if self._enabled is None:           # the same answer in every thread: no lock needed
            wanted, names = bool(self.app.config.get("FAST_ROUTE", True)), hook_names(self.app)
            if wanted and names != HOOKS:
                log.warning("fast route path off: the app's request hooks are not the ones it "
                            "stands for (%s)", names)
            self._enabled = wanted and names == HOOKS
        return self._enabled

    def handles(self, environ: dict) -> bool:
        """Whether this request's answer is the GeoJSON of its query alone."""
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return False
        if any(environ.get(name) for name in APP_HEADERS) or not self.enabled():
            return False
        return not declares_limits()      # Flask-Limiter's own limits: its hooks count them

    def __call__(self, environ, start_response):
        if not self.handles(environ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        args = query_args(environ)            # first values, as plan reads them: misses are cheap
        if APP_PARAMS.intersection(args) or args.get("format", "geojson") != "geojson":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            g.request_id = request_id(environ)
            g.lang = header_language(environ.get("HTTP_ACCEPT_LANGUAGE"))
            try:
                itinerary = plan(get_routing(), "route", args, budget=request_budget())
                words = words_of(g.lang)            # once for the places and the warnings
                body = geojson_bytes(geojson_document(itinerary, words, owned=True),
                                     lines_written=True)
            except Exception as exc:         # answered by the app's handlers (module doc)
                environ[DEFERRED_ERROR] = exc
                return self.wsgi_app(environ, start_response)
            headers = [("Content-Type", GEOJSON_TYPE), ("Content-Length", str(len(body))),
                       *scriptless_headers(self.app.config["TILE_URL"],
                                           bool(self.app.config.get("HTTPS"))),
                       ("Content-Language", words.lang), ("Vary", VARY),
                       ("X-Request-Id", g.request_id)]
            metrics = self.app.extensions.get(METRICS_KEY)
            if metrics is not None:
                requests, latency = metrics.answered(PATH, "GET", 200)
                requests.inc()
                latency.observe(time.perf_counter() - started)
            log_access("GET", PATH, 200, started, environ.get("REMOTE_ADDR"))
        start_response("200 OK", headers)
        return [body]
