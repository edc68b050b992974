"""The Flask application factory."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from graphs.store import build_id
from graphs.errors import GraphLoadError

from . import csp, limits, logs, metrics, problems
from .config import load_config
from .db import open_database
from .extensions import EXTENSION_KEY, get_routing, routing_ext
from .fast_route import FastRoute
from .query_bytes import QueryBytes
from .i18n import init_babel, select_language
from .legacy_words import t
from .params import BoundedJSONProvider
from .warning_words import warning_text
from .words import kind_name, km, place_name, profile_name
from .security import check_csrf, csrf_token, current_user


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with one signing serializer per set of keys.

    Flask builds an ``itsdangerous`` serializer on every request, cookie or not; it
    depends only on the secret keys (and the class's salt and digest), so it is kept.
    """

    def __init__(self):
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) < 8:          # keys change rarely: a few sets at most
                self._serializers[keys] = serializer
        return serializer

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's, without looking the cookie's settings up when there is nothing to
        write or to delete (an empty session never modified: most API requests)."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class App(Flask):
    """Flask, asking once per function whether a hook or a view is a coroutine.

    Flask runs every request hook, view and teardown through :meth:`ensure_sync`, which
    inspects the function each time (``inspect.iscoroutinefunction``, ≈ 1 µs, a dozen
    times per request); what a function is never changes, so the answer is kept.
    """

    #: distinct hooks and views are a few dozen: the table stops growing past this many
    MAX_SYNC_ENTRIES = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except (KeyError, TypeError):           # TypeError: an unhashable callable
            pass
        made = super().ensure_sync(func)
        if len(self._sync_functions) < self.MAX_SYNC_ENTRIES:
            try:
                self._sync_functions[func] = made
            except TypeError:
                pass
        return made


def create_app(config: dict | None = None, router=None) -> Flask:
    """Build the app.

    Parameters
    ----------
    config : dict, optional
        Overrides of the environment configuration (see :mod:`web.config`).
    router : routing.RoutingService, optional
        An already built service (tests); otherwise ``GRAPH_DIR`` is loaded now.
    """
    app = App(__name__, instance_path=None)
    app.session_interface = SessionInterface()
    app.config.update(load_config(config))
    # inside any ProxyFix below: it logs the client address Flask would
    app.wsgi_app = QueryBytes(FastRoute(app, app.wsgi_app))
    if app.config["PROXY_HOPS"]:
        # Behind N reverse proxies: the client address (rate limits, logs) and scheme
        # are the ones the proxies saw, from X-Forwarded-For/-Proto/-Host.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.json = BoundedJSONProvider(app)       # JSON bodies bounded in size and depth
    # A database that is down does not stop routing; one of another release does.
    app.extensions["bassin_db"] = open_database(app.config, allow_down=True)
    routing_ext.init_app(app, router)
    problems.register(app)
    # first of the request hooks, so that every answer has its id, its log line and its count
    logs.init_app(app)
    metrics.init_app(app, lambda: _routing_cache_stats(app))

    from .api import bp as api_bp
    from .fiche import bp as fiche_bp
    from .geotrek_api import bp as geotrek_bp
    from .geotrek_v2_api import register as register_geotrek_v2
    from .itineraries_api import bp as itineraries_bp
    from .network_api import bp as network_bp
    from .node_network_api import bp as node_network_bp
    from .openapi import bp as openapi_bp
    from .pages import bp as pages_bp
    from .portal import bp as portal_bp
    from .seo import bp as seo_bp
    from .routing_api import bp as routing_api_bp

    app.register_blueprint(openapi_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(geotrek_bp)
    app.register_blueprint(itineraries_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(seo_bp)
    app.register_blueprint(fiche_bp)
    app.register_blueprint(node_network_bp)
    app.register_blueprint(routing_api_bp)
    app.register_blueprint(network_bp)
    register_geotrek_v2(app)

    @app.before_request
    def _before():
        g.lang = select_language()
        current_user()
        check_csrf()

    init_babel(app)
    csp.init_app(app)
    limits.init_app(app)

    @app.context_processor
    def _template_globals():
        return {"t": t, "lang": g.get("lang", "fr"), "user": current_user(),
                "csrf_token": csrf_token, "warning_text": warning_text,
                "profile_name": profile_name, "kind_name": kind_name, "place_name": place_name,
                "km": km}

    @app.get("/health")
    def health():
        database = app.extensions["bassin_db"].state()
        try:
            meta = get_routing().graph.meta
        except GraphLoadError as exc:
            return jsonify({"status": "no-graph", "detail": str(exc), "database": database}), 503
        status = "ok" if database["state"] == "ok" else "degraded"
        return jsonify({"status": status, "database": database, "graph": {
            "build_id": build_id(meta)} | {k: meta.get(k) for k in ("name", "source", "osm_date", "build_date", "format_version",
                                     "heritage", "dem", "attribution")}
            | {"summary": {k: meta.get("summary", {}).get(k) for k in
                           ("nodes", "edges", "km", "places_by_kind", "route_relations",
                            "node_network")}}}), 200 if status == "ok" else 503

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app


def warm_up(app: Flask) -> None:
    """Do before the server accepts what its first requests would otherwise do.

    The routing service is already warm (:func:`web.extensions.load_service`); this
    builds the URL matcher, compiles the page templates (≈ 50 ms) and opens one
    database connection (SQLite pragmas, a PostgreSQL handshake). ``serve`` calls it
    before listening, gunicorn in the master before forking (``wsgi.py``) and, for
    the connection, in each worker (``post_fork``).
    """
    app.url_map.bind("localhost").match("/health")
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        app.jinja_env.get_template(name)
    app.extensions["bassin_db"].state()


def _routing_cache_stats(app: Flask) -> dict | None:
    state = app.extensions.get(EXTENSION_KEY)
    stats = getattr(getattr(state, "service", None), "cache_stats", None)
    return stats() if stats is not None else None
