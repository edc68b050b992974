"""WSGI entry point: ``gunicorn wsgi:app`` (settings in ``gunicorn.conf.py``).

Configuration comes from the environment (BASSIN_GRAPH_DIR, BASSIN_PROFILES,
BASSIN_DATABASE_URL, BASSIN_SECRET_KEY, BASSIN_TILE_URL, BASSIN_EMBED_ORIGINS…):
see README. The routing service is built and warmed up here, before any request.
"""
import gc
import sys

from graphs.errors import BassinRoutesError
from web import create_app
from web.app import warm_up

try:
    app = create_app()
except BassinRoutesError as exc:        # e.g. a database schema newer than this release
    sys.exit(f"bassin-routes: cannot start: {exc}")
warm_up(app)
# Everything built so far lives as long as the process: keep it out of the collector's
# generations, so that collections in forked workers leave the shared pages alone.
gc.freeze()
