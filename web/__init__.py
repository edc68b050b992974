"""Itinerary -> HTTP: the Flask service (API, maps, staff designer, embeds).

>>> from web import create_app
>>> app = create_app({"GRAPH_DIR": "build/bassin-minier"})   # doctest: +SKIP
"""
from .app import create_app

__all__ = ["create_app"]
