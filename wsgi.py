"""WSGI entry point: ``gunicorn -w 2 -b 0.0.0.0:8000 wsgi:app``.

Configuration comes from the environment (BASSIN_GRAPH_DIR, BASSIN_DATABASE_URL,
BASSIN_SECRET_KEY, BASSIN_TILE_URL, BASSIN_EMBED_ORIGINS…): see README.
"""
from web import create_app

app = create_app()
