"""OSM and heritage data -> compiled routing graph with places.

>>> import graphs
>>> g = graphs.build_graph("heidelberg.osm.pbf")          # doctest: +SKIP
>>> graphs.save_graph(g, "build/heidelberg")               # doctest: +SKIP
>>> g = graphs.load_graph("build/heidelberg")              # doctest: +SKIP
"""
from .build import build_graph, summarize
from .errors import (BassinRoutesError, DownloadError, ElevationError, GraphBuildError,
                     GraphLoadError, HeritageError, OSMInputError)
from .graph import CompiledGraph
from .places import Place
from .settings import Settings, settings
from .store import load_graph, read_meta, save_graph

__all__ = [
    "build_graph", "summarize", "load_graph", "save_graph", "read_meta", "CompiledGraph", "Place",
    "Settings", "settings", "BassinRoutesError", "DownloadError", "ElevationError",
    "GraphBuildError", "GraphLoadError", "HeritageError", "OSMInputError",
]
