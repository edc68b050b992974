"""Itinerary -> HTTP: the Flask service (API, maps, staff designer, embeds).

>>> from web import create_app
>>> app = create_app({"GRAPH_DIR": "build/bassin-minier"})   # doctest: +SKIP
"""
from graphs.lazy import lazy_exports

__all__ = ["create_app"]

__getattr__ = lazy_exports(__name__, {
    "create_app": ".app",
})
